"""The table of stages ("Table 1"): records from the graph and groups, Markdown / LaTeX / CSV text, the
Diagram's `stages` and `to_table`, and `kerasvg table` — exact text, escaping of hostile names."""
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kerasvg
from kerasvg.cli import main
from kerasvg.graph.groups import Group, Grouping
from kerasvg.graph.model import Layer, ModelGraph
from kerasvg.graph.table import StageRecord, stage_records
from kerasvg.table import csv_text_cell, format_for_path, format_table, markdown_cell, table_format

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "a|b&c%d\\e$f_g\nh<script>x"


def _net(logits_params=1_234_567, bn_trainable=16):
    """image → stem → b1, b2 (residual, 8×8×4) → b3 (4×4×8, a BN with 16 + 16 weights) → pool → logits."""
    layers = (
        Layer("image", "InputLayer", ((None, 8, 8, 3),), is_input=True),
        Layer("stem", "Conv2D", ((None, 8, 8, 4),), 112),
        Layer("b1_conv", "Conv2D", ((None, 8, 8, 4),), 148), Layer("b1_add", "Add", ((None, 8, 8, 4),)),
        Layer("b2_conv", "Conv2D", ((None, 8, 8, 4),), 148), Layer("b2_add", "Add", ((None, 8, 8, 4),)),
        Layer("b3_conv", "Conv2D", ((None, 4, 4, 8),), 296),
        Layer("b3_bn", "BatchNormalization", ((None, 4, 4, 8),), bn_trainable, 16),
        Layer("pool", "GlobalAveragePooling2D", ((None, 8),)),
        Layer("logits", "Dense", ((None, 10),), logits_params),
    )
    edges = (("image", "stem"), ("stem", "b1_conv"), ("b1_conv", "b1_add"), ("stem", "b1_add"),
             ("b1_add", "b2_conv"), ("b2_conv", "b2_add"), ("b1_add", "b2_add"), ("b2_add", "b3_conv"),
             ("b3_conv", "b3_bn"), ("b3_bn", "pool"), ("pool", "logits"))
    return ModelGraph("net", layers, edges, ("image",), ("logits",))


BLOCKS = {"b1": ["b1_conv", "b1_add"], "b2": ["b2_conv", "b2_add"], "b3": ["b3_conv", "b3_bn"]}


def _grouping(s1_name="s1"):
    blocks = tuple(Group(name, "block", tuple(members)) for name, members in BLOCKS.items())
    stages = (Group("stem", "stage", ("image", "stem")),
              Group(s1_name, "stage", ("b1_conv", "b1_add", "b2_conv", "b2_add"), ("b1", "b2")),
              Group("s2", "stage", ("b3_conv", "b3_bn"), ("b3",)),
              Group("head", "stage", ("pool", "logits")))
    return Grouping(stages, blocks)


# ---------------------------------------------------------------- records


def test_one_record_per_stage_with_shapes_blocks_layers_and_params():
    records = stage_records(_net(), _grouping())
    assert records == (
        StageRecord("stem", "stage", (None, 8, 8, 3), (None, 8, 8, 4), 0, (), 2, 112, 112),
        StageRecord("s1", "stage", (None, 8, 8, 4), (None, 8, 8, 4), 2, ("b1", "b2"), 4, 296, 296),
        StageRecord("s2", "stage", (None, 8, 8, 4), (None, 4, 4, 8), 1, ("b3",), 2, 328, 328),
        StageRecord("head", "stage", (None, 4, 4, 8), (None, 10), 0, (), 2, 1_234_567, 1_234_567),
    )
    assert all(r.params_known for r in records)
    assert sum(r.params for r in records) == _net().total_params


def test_output_is_the_last_layer_leaving_the_stage_not_the_last_listed():
    graph = _net()
    side = Grouping((Group("s", "stage", ("b3_conv", "b3_bn", "b2_conv")),))  # b2_conv leaves nothing
    graph = ModelGraph("net", graph.layers, tuple(e for e in graph.edges if e != ("b2_conv", "b2_add")),
                       graph.inputs, graph.outputs)
    record = next(r for r in stage_records(graph, side) if r.name == "s")
    assert record.output_shape == (None, 4, 4, 8) and record.input_shape == (None, 8, 8, 4)


def test_blocks_alone_give_one_record_each_and_no_groups_none():
    graph = _net()
    only_blocks = Grouping((), _grouping().blocks)
    records = stage_records(graph, only_blocks)
    assert [(r.name, r.level, r.blocks, r.block_names, r.layers) for r in records] == [
        ("other layers", "stage", 0, (), 2), ("b1", "block", 1, ("b1",), 2), ("b2", "block", 1, ("b2",), 2),
        ("b3", "block", 1, ("b3",), 2), ("other layers", "stage", 0, (), 2)]  # layers in no group: rows too
    assert sum(r.layers for r in records) == len(graph.layers)
    assert records[1].input_shape == (None, 8, 8, 4) and records[3].output_shape == (None, 4, 4, 8)
    assert stage_records(graph, Grouping()) == ()
    assert stage_records(graph, None) == ()


def test_a_block_outside_every_stage_gets_its_own_record_in_model_order():
    grouping = kerasvg.layered_view(_net(), groups={"s1": {"b1": BLOCKS["b1"], "b2": BLOCKS["b2"]},
                                                    "b3": BLOCKS["b3"]}).stages
    assert [(r.name, r.level, r.blocks) for r in grouping] == [
        ("other layers", "stage", 0), ("s1", "stage", 2), ("b3", "block", 1), ("other layers", "stage", 0)]


def test_unknown_counts_make_the_record_unknown_and_keep_the_known_part():
    (stem, s1, s2, head) = stage_records(_net(bn_trainable=None), _grouping())
    assert s2.params is None and not s2.params_known and s2.known_params == 296  # as ModelGraph.total_params counts: a layer partly unknown adds 0
    assert stem.params == 112 and head.params_known


# ---------------------------------------------------------------- the three formats, exactly

MARKDOWN = """\
| Stage | Output size | Blocks | Layers | Parameters |
|:------|:------------|-------:|-------:|-----------:|
| stem  | 8×8×4       |      — |      2 |        112 |
| s1    | 8×8×4       |      2 |      4 |        296 |
| s2    | 4×4×8       |      1 |      2 |        328 |
| head  | 10          |      — |      2 |  1,234,567 |
| Total |             |      3 |     10 |  1,235,303 |
"""

LATEX = r"""% Needs \usepackage{booktabs}
\begin{tabular}{llrrr}
\toprule
Stage & Output size & Blocks & Layers & Parameters \\
\midrule
stem & 8×8×4 & --- & 2 & 112 \\
s1 & 8×8×4 & 2 & 4 & 296 \\
s2 & 4×4×8 & 1 & 2 & 328 \\
head & 10 & --- & 2 & 1,234,567 \\
\midrule
Total &  & 3 & 10 & 1,235,303 \\
\bottomrule
\end{tabular}
"""

CSV = """\
Stage,Output size,Blocks,Layers,Parameters
stem,8×8×4,,2,112
s1,8×8×4,2,4,296
s2,4×4×8,1,2,328
head,10,,2,1234567
Total,,3,10,1235303
"""


@pytest.mark.parametrize("kind, expected", [("markdown", MARKDOWN), ("md", MARKDOWN), ("latex", LATEX),
                                            ("tex", LATEX), ("csv", CSV), ("CSV", CSV)])
def test_each_format_exactly(kind, expected):
    assert format_table(stage_records(_net(), _grouping()), kind) == expected


def test_unknown_counts_print_as_question_mark_and_the_total_as_a_lower_bound():
    records = stage_records(_net(bn_trainable=None), _grouping())
    markdown = format_table(records).splitlines()
    assert markdown[4] == "| s2    | 4×4×8       |      1 |      2 |           ? |"
    assert markdown[-1] == "| Total |             |      3 |     10 | ≥ 1,235,271 |"
    assert "s2 & 4×4×8 & 1 & 2 & ? \\\\" in format_table(records, "latex")
    assert "Total &  & 3 & 10 & $\\geq$~1,235,271 \\\\" in format_table(records, "latex")
    assert format_table(records, "csv").splitlines()[3:] == ["s2,4×4×8,1,2,?", "head,10,,2,1234567",
                                                            "Total,,3,10,≥ 1235271"]


def test_sizes_unknown_dims_and_one_dimension():
    layers = (Layer("x", "InputLayer", ((None, None, 3),), is_input=True), Layer("y", "Dense", ((None, None, 7),), 28),
              Layer("z", "Dense", ((None, 1000),), 8000), Layer("w", "Lambda", ()))
    graph = ModelGraph("m", layers, (("x", "y"), ("y", "z"), ("z", "w")), ("x",), ("w",))
    grouping = Grouping((), (Group("a", "block", ("x", "y")), Group("b", "block", ("z",)), Group("c", "block", ("w",))))
    rows = format_table(stage_records(graph, grouping), "csv").splitlines()
    assert [row.split(",")[1] for row in rows[1:4]] == ["?×7", "1000", "?"]


# ---------------------------------------------------------------- hostile names


def test_markdown_cells_escape_what_markdown_would_read():
    assert markdown_cell(HOSTILE) == "a\\|b\\&c%d\\\\e\\$f_g<br>h\\<script\\>x"
    assert markdown_cell("conv2_block1_out") == "conv2_block1_out"  # an underscore between letters is inert
    assert markdown_cell("_x_ *y* `z` [l](u) ~s~") == "\\_x\\_ \\*y\\* \\`z\\` \\[l\\](u) \\~s\\~"
    assert markdown_cell("a\r\nb\x1bc\u202ed") == "a<br>b\\\\x1bc\\\\u202ed"


def test_csv_cells_that_would_start_a_formula_are_quoted_for_spreadsheets():
    assert csv_text_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert [csv_text_cell(t) for t in ("+1", "-a", "@sum", "conv")] == ["'+1", "'-a", "'@sum", "conv"]


def test_hostile_stage_names_in_every_format():
    records = stage_records(_net(), _grouping(s1_name=HOSTILE))
    markdown = format_table(records).splitlines()
    assert markdown[3].startswith("| a\\|b\\&c%d\\\\e\\$f_g<br>h\\<script\\>x | 8×8×4 ")
    assert all(line.count("|") - line.count("\\|") == 6 for line in markdown)  # every row has its five cells
    latex = format_table(records, "latex")
    assert ("a\\textbar{}b\\&c\\%d\\textbackslash{}e\\$f\\_gU+000Ah\\textless{}script\\textgreater{}x & 8×8×4 & 2"
            in latex)
    assert "\n" not in latex.split("\\midrule")[1].strip().replace(" \\\\\n", "")  # one line per row
    rows = list(csv.reader(io.StringIO(format_table(records, "csv"))))
    assert rows[2] == [HOSTILE, "8×8×4", "2", "4", "296"] and len(rows) == 6


@pytest.mark.destinations
def test_pdflatex_prints_the_table_and_hostile_names_as_typed(tmp_path):
    from test_tikz import compile_text

    records = stage_records(_net(), _grouping(s1_name="x_1 & 50% {#} a~b^c\\d$e|f<g>"))
    document = ("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
                "\\usepackage{booktabs}\n\\begin{document}\n" + format_table(records, "latex") + "\\end{document}\n")
    text = compile_text(document, tmp_path)
    for expected in ("Stage Output size Blocks Layers Parameters", "x_1 & 50% {#} a~b^c\\d$e|f<g> 8×8×4 2 4 296",
                     "stem 8×8×4 — 2 112", "Total 3 10 1,235,303"):
        assert expected in text


# ---------------------------------------------------------------- formats and extensions


def test_formats_and_extensions_are_checked_with_the_choices_listed():
    assert [table_format(f) for f in ("Markdown", "md", "LaTeX", "tex", "csv")] == \
        ["markdown", "markdown", "latex", "latex", "csv"]
    with pytest.raises(ValueError, match=r"unknown table format 'html' \(must be one of markdown, latex, csv, md, tex\)"):
        table_format("html")
    assert [format_for_path(p) for p in ("t.md", "T.TEX", "dir/t.csv")] == ["markdown", "latex", "csv"]
    with pytest.raises(ValueError, match=r"unsupported extension '\.txt' \(supported: \.md, \.markdown, \.tex, \.csv\)"):
        format_for_path("t.txt")


# ---------------------------------------------------------------- the Diagram


def test_diagram_stages_and_to_table_come_from_the_whole_model_at_any_detail():
    groups = {"s1": {"b1": BLOCKS["b1"], "b2": BLOCKS["b2"]}, "s2": {"b3": BLOCKS["b3"]}}
    d = kerasvg.layered_view(_net(), groups=groups)
    assert [r.name for r in d.stages] == ["other layers", "s1", "s2", "other layers"] and isinstance(d.stages, list)
    assert d.stages == list(d.scene.stages)
    stages = kerasvg.layered_view(_net(), groups=groups, detail="stages")
    assert len(stages.graph.layers) == 6 and stages.stages == d.stages  # drawn as glyphs, tabulated in full
    assert stages.to_table("latex") == d.to_table("latex")
    assert "| s1           | 8×8×4       |      2 |      4 |        296 |" in d.to_table().splitlines()


def test_to_table_without_groups_says_how_to_get_them():
    d = kerasvg.layered_view(_net())
    assert d.stages == []
    with pytest.raises(ValueError, match="without stages or blocks.*groups='auto'"):
        d.to_table()
    with pytest.raises(ValueError, match="unknown table format 'pdf'"):
        d.to_table("pdf")


def _residual_keras(keras, prefix=""):
    """A tiny ResNet: stem, stages conv2 (two identity blocks) and conv3 (a strided block, an identity one), head."""
    L = keras.layers
    image = keras.Input((24, 24, 3), name="image")
    x = L.ReLU(name="stem_relu")(L.Conv2D(8, 3, padding="same", name="stem_conv")(image))
    for stage, filters, strides in ((2, 8, 1), (3, 16, 2)):
        for block in (1, 2):
            p = f"{prefix}conv{stage}_block{block}"
            step = strides if block == 1 else 1
            y = L.Conv2D(filters, 3, strides=step, padding="same", name=f"{p}_conv")(x)
            y = L.BatchNormalization(name=f"{p}_bn")(y)
            shortcut = L.Conv2D(filters, 1, strides=step, name=f"{p}_proj")(x) if step != 1 else x
            x = L.ReLU(name=f"{p}_out")(L.Add(name=f"{p}_add")([shortcut, y]))
    x = L.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(image, L.Dense(4, name="predictions")(x), name="tiny_resnet")


def test_a_keras_model_tabulates_its_stages(keras):
    model = _residual_keras(keras)
    d = kerasvg.layered_view(model, groups="auto")
    assert [(r.name, r.blocks, r.layers) for r in d.stages] == [
        ("stem", 0, 3), ("conv2", 2, 8), ("conv3", 2, 9), ("head", 0, 2)]
    assert d.stages[1].block_names == ("conv2_block1", "conv2_block2")
    assert [(r.input_shape, r.output_shape) for r in d.stages] == [
        ((None, 24, 24, 3), (None, 24, 24, 8)), ((None, 24, 24, 8), (None, 24, 24, 8)),
        ((None, 24, 24, 8), (None, 12, 12, 16)), ((None, 12, 12, 16), (None, 4))]
    assert sum(r.params for r in d.stages) == model.count_params() == 5284
    assert sum(r.layers for r in d.stages) == len(model.layers)
    assert d.to_table().splitlines()[-1] == "| Total |             |      4 |     22 |      5,284 |"


@pytest.mark.slow
def test_resnet50_table_sums_to_the_model(keras):
    from kerasvg import zoo

    model = zoo.application("ResNet50")
    d = kerasvg.layered_view(model)
    assert d.stages[0].name == "stem" and d.stages[-1].name == "head" and d.stages[-1].output_shape == (None, 1000)
    assert sum(r.blocks for r in d.stages) == 16
    assert sum(r.params for r in d.stages) == model.count_params()
    assert d.to_table().splitlines()[-1].endswith(f"| {model.count_params():,} |")


# ---------------------------------------------------------------- kerasvg table


@pytest.fixture(scope="module")
def saved(tmp_path_factory, keras):
    folder = tmp_path_factory.mktemp("table")
    paths = {"tiny": folder / "tiny.keras", "hostile": folder / "hostile.keras", "flat": folder / "flat.keras"}
    _residual_keras(keras).save(paths["tiny"])
    _residual_keras(keras, prefix="x\x1b[31m|").save(paths["hostile"])
    image = keras.Input((4,), name="x")
    keras.Model(image, keras.layers.Dense(2, name="y")(image), name="flat").save(paths["flat"])
    return paths


def _error_line(stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_cli_prints_the_markdown_table(saved, capsys):
    assert main(["table", str(saved["tiny"])]) == 0
    out = capsys.readouterr().out
    assert out == kerasvg.layered_view(saved["tiny"], groups="auto").to_table()
    assert out.splitlines()[3] == "| conv2 | 24×24×8     |      2 |      8 |      1,232 |"


@pytest.mark.parametrize("name, format, kind", [("t.md", None, "markdown"), ("t.tex", None, "latex"),
                                                ("t.csv", None, "csv"), ("t.md", "latex", "latex"),
                                                ("t.txt", "csv", "csv")])
def test_cli_writes_the_format_of_the_extension_or_of_format(saved, tmp_path, capsys, name, format, kind):
    argv = ["table", str(saved["tiny"]), "-o", str(tmp_path / name)] + (["--format", format] if format else [])
    assert main(argv) == 0
    assert capsys.readouterr().out == ""
    expected = kerasvg.layered_view(saved["tiny"], groups="auto").to_table(kind)
    assert (tmp_path / name).read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("args, expected", [
    (["-o", "{tmp}/t.txt"], "unsupported extension '.txt' (supported: .md, .markdown, .tex, .csv); or give --format"),
    (["-o", "{tmp}/t"], "unsupported extension '(none)'"),
    (["--format", "rtf"], "unknown table format 'rtf' (must be one of markdown, latex, csv, md, tex)"),
    (["-o", "{tmp}/nowhere/t.md"], "does not exist"),
    (["--groups", "none"], "found no stages or blocks in model 'tiny_resnet'"),
])
def test_cli_user_errors_are_one_line_and_write_nothing(saved, tmp_path, capsys, args, expected):
    argv = ["table", str(saved["tiny"])] + [a.format(tmp=tmp_path) for a in args]
    assert main(argv) == 2
    captured = capsys.readouterr()
    line = _error_line(captured.err)
    assert line.startswith("kerasvg: error:") and expected in line
    assert captured.out == "" and list(tmp_path.iterdir()) == []


def test_cli_model_without_stages_is_an_error(saved, capsys):
    assert main(["table", str(saved["flat"])]) == 2
    assert "found no stages or blocks in model 'flat'" in _error_line(capsys.readouterr().err)


def test_cli_output_is_terminal_safe_and_the_file_exact(saved, tmp_path, capsys):
    assert main(["table", str(saved["hostile"]), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "x\\x1b[31m|conv2,24×24×8,2,8,1232" in out
    assert main(["table", str(saved["hostile"]), "-o", str(tmp_path / "t.csv")]) == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8"))))
    assert rows[2][0] == "x\x1b[31m|conv2"
    assert main(["table", str(saved["hostile"])]) == 0
    assert "| x\\\\x1b\\[31m\\|conv2 |" in capsys.readouterr().out


def test_cli_reads_a_saved_file_without_tensorflow(saved):
    code = ("import json, sys\nfrom kerasvg.cli import main\n"
            f"status = main(['table', {str(saved['tiny'])!r}, '--format', 'csv'])\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras'))\n"
            "print(json.dumps({'status': status, 'heavy': heavy}))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    lines = result.stdout.strip().splitlines()
    assert json.loads(lines[-1]) == {"status": 0, "heavy": []}
    assert lines[0] == "Stage,Output size,Blocks,Layers,Parameters" and lines[-2] == "Total,,4,22,5284"


def test_the_docs_sample_is_what_the_zoo_unet_gives(keras):
    from kerasvg import zoo

    page = (ROOT / "docs" / "structure.md").read_text(encoding="utf-8")
    section = page[page.index("## The table of stages"):]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Stage"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("| Total"))
    table = "\n".join(lines[start:end + 1]) + "\n"
    assert table == kerasvg.layered_view(zoo.unet(), groups="auto").to_table()
