"""Every writer inside the layer budget (issue 21 §2): it finishes in 15 s and 1.5 GB, or refuses within 5 s,
before layout, with one line naming its limit, and writes nothing.

The PDF and PowerPoint writers have box limits (`budgets.Budgets.pdf_boxes`, `pptx_boxes`); the others draw
a 50,000-layer chain in budget. Whole-process cases run a `kerasvg` process and read its own CPU time and
peak memory, as tests/test_hostile.py does: on a busy shared machine the wall time of a render grows with
the load, its CPU time much less.
"""
import pytest
from test_hostile import SENTINEL, layer, one_error_line, run_measured, sequential, write_json

from kerasvg import budgets, cli, layered, layered_view

CPU = 15  # seconds, the whole process (docs/budgets.md)
MEMORY = 1536  # MiB
REFUSED = 5  # seconds to refuse
LIMITED = [(".pdf", "PDF", "pdf_boxes"), (".pptx", "PowerPoint", "pptx_boxes")]


def dense_chain(n, units=8):
    """A Sequential of `n` layers: an input and n - 1 Dense, each named apart."""
    return sequential(*[layer("Dense", f"dense_{i}", units=units) for i in range(n - 1)])


@pytest.fixture
def no_layout(monkeypatch):
    """Layout fails the test: a refusal must come before it."""
    def laid_out(*args, **kwargs):
        pytest.fail("laid out before refusing")

    monkeypatch.setattr(layered, "scene_for", laid_out)


@pytest.mark.parametrize("extension, writer, budget", LIMITED, ids=[e for e, _, _ in LIMITED])
def test_a_model_just_over_a_writer_limit_is_refused_at_once(tmp_path, extension, writer, budget):
    limit = getattr(budgets.Budgets(), budget)
    model = write_json(tmp_path / "big.json", dense_chain(limit + 1))
    status, stderr, wall, _, peak = run_measured("render", model, "-o", tmp_path / f"big{extension}")
    assert status == 2
    one_error_line(stderr, model, f"{limit + 1:,} layers is more than the {writer} writer's limit of {limit:,} "
                               "boxes", "--detail blocks", f"--budget {budget}=N")
    assert wall < REFUSED and peak < 300, (wall, peak)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.json"]


def test_a_refused_slide_leaves_every_other_output_alone(tmp_path, capsys, no_layout):
    model = write_json(tmp_path / "m.json", dense_chain(30))
    kept, fresh = tmp_path / "kept.svg", tmp_path / "fresh.png"
    kept.write_bytes(SENTINEL)
    with budgets.override(pptx_boxes=20):
        status = cli.main(["render", str(model), "-o", str(kept), "-o", str(fresh), "-o", str(tmp_path / "m.pptx")])
    assert status == 2
    one_error_line(capsys.readouterr().err, "30 layers is more than the PowerPoint writer's limit of 20 boxes")
    assert kept.read_bytes() == SENTINEL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.svg", "m.json"]


def test_a_batch_refuses_the_slide_of_each_model_over_the_limit(tmp_path, capsys):
    big, small = write_json(tmp_path / "big.json", dense_chain(30)), write_json(tmp_path / "small.json", dense_chain(5))
    status = cli.main(["render", str(big), str(small), "-o", f"{tmp_path / 'out'}/", "--format", "svg,pptx",
                       "--budget", "pptx_boxes=20", "--jobs", "1"])
    assert status == 2
    assert "big.json: 30 layers is more than the PowerPoint writer's limit of 20 boxes" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["small.pptx", "small.svg"]


def test_the_slide_limit_is_raised_with_budget(tmp_path, capsys):
    model = write_json(tmp_path / "m.json", dense_chain(30))
    out = tmp_path / "m.pptx"
    with budgets.override(pptx_boxes=20):
        assert cli.main(["render", str(model), "-o", str(out), "--budget", "pptx_boxes=30"]) == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(b"PK")


def test_the_slide_limit_counts_the_boxes_drawn_after_folding(tmp_path, capsys):
    model = write_json(tmp_path / "m.json", dense_chain(30))
    out = tmp_path / "m.pptx"
    with budgets.override(pptx_boxes=20):
        assert cli.main(["render", str(model), "-o", str(out), "--fold-repeats"]) == 0, capsys.readouterr().err
    assert out.exists()


def test_diff_refuses_a_slide_over_the_limit_before_layout(tmp_path, capsys, no_layout):
    a = write_json(tmp_path / "a.json", dense_chain(30))
    b = write_json(tmp_path / "b.json", dense_chain(31))
    out = tmp_path / "d.pptx"
    with budgets.override(pptx_boxes=20):
        assert cli.main(["diff", str(a), str(b), "-o", str(out)]) == 2
    one_error_line(capsys.readouterr().err, "31 layers is more than the PowerPoint writer's limit of 20 boxes")
    assert not out.exists()


def test_python_refuses_a_slide_over_the_limit_with_a_budget_error(tmp_path):
    model = write_json(tmp_path / "m.json", dense_chain(30))
    diagram = layered_view(model)
    with budgets.override(pptx_boxes=20):
        for save in (diagram.to_pptx, lambda: diagram.save(tmp_path / "m.pptx")):
            with pytest.raises(budgets.BudgetError, match="30 boxes is more than the PowerPoint writer's limit of 20"):
                save()
        assert diagram.to_png().startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_python_to_file_refuses_a_slide_before_layout(tmp_path, no_layout):
    model = write_json(tmp_path / "m.json", dense_chain(30))
    with budgets.override(pptx_boxes=20), pytest.raises(budgets.BudgetError, match="PowerPoint writer's limit"):
        layered_view(model, to_file=tmp_path / "m.pptx")
    assert not (tmp_path / "m.pptx").exists()


@pytest.mark.slow
@pytest.mark.parametrize("extension, magic, budget", [(".png", b"\x89PNG", "layers"), (".pdf", b"%PDF", "pdf_boxes"),
                                                      (".pptx", b"PK", "pptx_boxes")], ids=["png", "pdf", "pptx"])
def test_a_chain_at_the_limit_is_drawn_in_budget(tmp_path, extension, magic, budget):
    model = write_json(tmp_path / "chain.json", dense_chain(getattr(budgets.Budgets(), budget)))
    out = tmp_path / f"chain{extension}"
    status, stderr, _, cpu, peak = run_measured("render", model, "-o", out)
    assert status == 0, stderr
    assert out.read_bytes().startswith(magic)
    assert cpu < CPU and peak < MEMORY, (cpu, peak)
