"""The command line at parity with layered_view: every flag reaches the drawing; --check; --jobs."""
import re
from pathlib import Path

import pytest

import kerasvg
from conftest import SVG_NS, connector_groups, layer_groups, parse_svg
from kerasvg.cli import main
from kerasvg.readers.saved import read_saved_model

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, keras):
    L = keras.layers
    x = L.Input((32, 32, 3), name="img")
    y = L.Conv2D(8, 5, strides=2, padding="same", activation="relu", name="conv1")(x)
    y = L.BatchNormalization(name="bn")(y)
    y = L.Dropout(0.2, name="drop")(y)
    y = L.Conv2D(8, 3, padding="same", name="conv2")(y)
    y = L.Flatten(name="flat")(y)
    out = L.Dense(4, activation="softmax", name="out")(y)
    model = keras.Model(x, out, name="cli_net")
    model.get_layer("conv1").trainable = False
    path = tmp_path_factory.mktemp("cli") / "net.keras"
    model.save(path)
    return path


def _svg(path):
    return parse_svg(Path(path).read_text(encoding="utf-8"))


def _groups(path):
    return {g.get("data-name"): g for g in layer_groups(_svg(path))}


def _render(model_file, tmp_path, *flags, name="fig.svg"):
    out = tmp_path / name
    assert main(["render", str(model_file), "-o", str(out), *flags]) == 0
    return out


def test_labels_flag_takes_the_new_parts(model_file, tmp_path):
    out = _render(model_file, tmp_path, "--labels", "name,kernel,activation,config.rate")
    texts = {n: [t.text for t in g.iter(f"{SVG_NS}text") if t.get("class") == "label"] for n, g in _groups(out).items()}
    assert texts["conv1"] == ["conv1", "5×5 /2", "relu"] and texts["drop"] == ["drop", "rate=0.2"]


def test_hide_types_drops_those_classes(model_file, tmp_path):
    out = _render(model_file, tmp_path, "--hide-types", "Dropout,BatchNormalization")
    assert list(_groups(out)) == ["img", "conv1", "conv2", "flat", "out"]


def test_hide_types_with_a_typo_exits_2_naming_the_nearest(model_file, tmp_path, capsys):
    assert main(["render", str(model_file), "-o", str(tmp_path / "x.svg"), "--hide-types", "Dropuot"]) == 2
    assert "'Dropuot'" in capsys.readouterr().err and not (tmp_path / "x.svg").exists()


def test_layer_range_flag_by_names_and_indices(model_file, tmp_path):
    by_name = _render(model_file, tmp_path, "--layer-range", "bn:conv2", name="a.svg")
    by_index = _render(model_file, tmp_path, "--layer-range", "2:4", name="b.svg")
    assert list(_groups(by_name)) == list(_groups(by_index)) == ["bn", "drop", "conv2"]
    stubs = [c for c in connector_groups(_svg(by_name)) if "stub" in c.get("class").split()]
    assert sorted((c.get("data-from"), c.get("data-to")) for c in stubs) == [("conv1", "bn"), ("conv2", "flat")]


def test_show_trainable_flag_marks_the_frozen_layer(model_file, tmp_path):
    out = _render(model_file, tmp_path, "--show-trainable")
    assert [n for n, g in _groups(out).items() if "frozen" in g.get("class").split()] == ["conv1"]


def test_max_width_wraps_the_flow(model_file, tmp_path):
    wide = _render(model_file, tmp_path, name="wide.svg")
    narrow = _render(model_file, tmp_path, "--max-width", "300", name="narrow.svg")
    inches = _render(model_file, tmp_path, "--max-width", "3.125in", name="inches.svg")
    width = lambda p: float(_svg(p).get("width"))  # noqa: E731
    assert width(wide) > 300 >= width(narrow)
    assert _svg(inches).get("width") == _svg(narrow).get("width")


@pytest.mark.parametrize("flag, keyword, value", [
    (["--direction", "tb"], "direction", "tb"),
    (["--expand-nested"], "expand_nested", True),
    (["--fold-repeats"], "fold_repeats", True),
    (["--legend"], "legend", True),
    (["--show-trainable"], "show_trainable", True),
    (["--hide-types", "Dropout"], "type_ignore", ["Dropout"]),
    (["--layer-range", "conv1:out"], "layer_range", ("conv1", "out")),
])
def test_each_flag_draws_what_its_keyword_draws(model_file, tmp_path, flag, keyword, value):
    out = _render(model_file, tmp_path, *flag, "--theme", "default")
    api = kerasvg.layered_view(read_saved_model(model_file), theme="default", **{keyword: value}).to_svg()
    assert out.read_text(encoding="utf-8") == api


def test_every_drawing_flag_is_one_layered_view_keyword():
    """The one table of flags: each sets a layered_view keyword; render has them all, diff the shared ones."""
    import inspect

    from kerasvg.cli.args import OPTIONS, RENDER, SHARED, build_parser, keywords

    parameters = inspect.signature(kerasvg.layered_view).parameters
    assert [o.keyword for o in OPTIONS if o.keyword not in parameters] == []
    assert len({o.flag for o in OPTIONS}) == len({o.keyword for o in OPTIONS}) == len(OPTIONS)
    render = build_parser().parse_args(["render", "m.keras", "-o", "x.svg"])
    diff = build_parser().parse_args(["diff", "a.keras", "b.keras"])
    assert all(hasattr(render, o.dest) for o in OPTIONS)
    assert all(hasattr(diff, o.dest) for o in SHARED) and not any(hasattr(diff, o.dest) for o in RENDER)
    assert keywords(render) == keywords(diff) == {}
    given = build_parser().parse_args(["diff", "a.keras", "b.keras", "--legend", "--theme", "light,dark",
                                       "--aspect", "2:1", "--expand-nested"])
    assert keywords(given) == {"legend": True, "theme": ("light", "dark"), "aspect": 2.0, "expand_nested": True}


def test_set_changes_any_theme_value(model_file, tmp_path):
    out = _render(model_file, tmp_path, "--set", "canvas.font_size=11", "--set", "layer.conv2.fill=#ff0000",
                  "--set", "connector.arrowheads=false")
    root = _svg(out)
    assert root.get("font-size") == "14.67"
    conv2 = _groups(out)["conv2"]
    assert any(p.get("fill") == "#ff0000" for p in conv2.iter(f"{SVG_NS}polygon"))
    assert not [p for p in root.iter(f"{SVG_NS}polygon") if p.get("class") == "arrowhead"]


@pytest.mark.parametrize("value, expected", [
    ("canvas.font_size", "TABLE.KEY=VALUE"),
    ("canvas.font_size=huge", "must be a number"),
    ("layer.nosuch.fill=red", "'nosuch'"),
    ("palette.fill=red", "unknown table"),
])
def test_bad_set_values_exit_2_naming_them(model_file, tmp_path, capsys, value, expected):
    assert main(["render", str(model_file), "-o", str(tmp_path / "x.svg"), "--set", value]) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "x.svg").exists()


def test_bad_layer_range_exits_2(model_file, tmp_path, capsys):
    assert main(["render", str(model_file), "-o", str(tmp_path / "x.svg"), "--layer-range", "conv1"]) == 2
    assert "FIRST:LAST" in capsys.readouterr().err


# ---------------------------------------------------------------- --check


def test_check_is_0_when_current_and_1_naming_stale_files(model_file, tmp_path, capsys):
    outs = [tmp_path / f"fig.{kind}" for kind in ("svg", "png", "jpg", "pdf", "html")]
    args = ["render", str(model_file), *[a for o in outs for a in ("-o", str(o))], "--legend"]
    assert main(args) == 0
    capsys.readouterr()
    before = {o: o.read_bytes() for o in outs}
    assert main(args + ["--check"]) == 0
    assert "5 output(s) current" in capsys.readouterr().err
    assert main(args[:-1] + ["--check"]) == 1  # without --legend every file differs
    err = capsys.readouterr().err
    assert all(f"stale: {o}" in err for o in outs)
    outs[1].unlink()
    assert main(args + ["--check"]) == 1
    err = capsys.readouterr().err
    assert f"stale: {outs[1]} (missing;" in err and f"stale: {outs[0]}" not in err
    assert {o: o.read_bytes() for o in outs if o.exists()} == {o: b for o, b in before.items() if o != outs[1]}


def test_check_reports_an_output_in_a_missing_folder_as_missing(model_file, tmp_path, capsys):
    out = tmp_path / "docs" / "net.svg"
    assert main(["render", str(model_file), "-o", str(out), "--check"]) == 1
    assert f"stale: {out} (missing;" in capsys.readouterr().err
    assert not out.parent.exists()
    assert main(["render", str(model_file), "-o", str(out)]) == 2  # writing still needs the folder
    assert "does not exist" in capsys.readouterr().err


def test_check_in_a_batch_and_jobs_give_the_same_bytes(model_file, tmp_path, capsys):
    models = []
    for i in range(3):
        copy = tmp_path / f"m{i}.keras"
        copy.write_bytes(model_file.read_bytes())
        models.append(str(copy))
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["render", *models, "-o", f"{one}/", "--format", "svg,png,pdf", "--jobs", "1"]) == 0
    assert main(["render", *models, "-o", f"{two}/", "--format", "svg,png,pdf", "--jobs", "2"]) == 0
    files = sorted(p.name for p in one.iterdir())
    assert len(files) == 9 and files == sorted(p.name for p in two.iterdir())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
    capsys.readouterr()
    assert main(["render", *models, "-o", f"{two}/", "--format", "svg,png,pdf", "--check"]) == 0
    (two / "m1.png").write_bytes(b"old")
    assert main(["render", *models, "-o", f"{two}/", "--format", "svg,png,pdf", "--check", "--jobs", "2"]) == 1
    stale = [l for l in capsys.readouterr().err.splitlines() if "stale:" in l and "output(s)" not in l]
    assert len(stale) == 1 and "m1.png" in stale[0]


def test_jobs_2_from_the_command_line_gives_the_same_bytes(model_file, tmp_path):
    """A command-line process (no TensorFlow, one thread) forks its workers; pytest's process spawns them."""
    import os
    import subprocess
    import sys

    models = []
    for i in range(4):
        copy = tmp_path / f"n{i}.keras"
        copy.write_bytes(model_file.read_bytes())
        models.append(str(copy))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for jobs in ("1", "2"):
        run = subprocess.run([sys.executable, "-m", "kerasvg", "render", *models, "-o", f"{tmp_path / jobs}/",
                              "--format", "svg,pdf", "--jobs", jobs], capture_output=True, text=True, env=env, timeout=300)
        assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert len(names) == 8 and all((tmp_path / "1" / n).read_bytes() == (tmp_path / "2" / n).read_bytes() for n in names)


def test_jobs_must_be_a_positive_whole_number(model_file, tmp_path):
    assert main(["render", str(model_file), "-o", f"{tmp_path}/", "--jobs", "0"]) == 2


def test_the_pre_commit_hook_runs_render_check(model_file, tmp_path, capsys):
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert re.search(r"^- id: kerasvg-check$", text, re.M)
    entry = re.search(r"^  entry: (.+)$", text, re.M).group(1).split()
    assert entry[:3] == ["kerasvg", "render", "--check"]
    assert "pass_filenames: false" in text
    out = tmp_path / "doc.svg"
    hook_args = [str(model_file), "-o", str(out)]
    assert main(entry[1:] + hook_args) == 1  # missing: stale
    assert main(["render"] + hook_args) == 0
    assert main(entry[1:] + hook_args) == 0


def test_makefile_waits_for_the_dpkg_lock():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    calls = re.findall(r"apt-get (?:-o \S+ )?(?:update|install)", makefile)
    assert calls and all("DPkg::Lock::Timeout=" in call for call in calls)
