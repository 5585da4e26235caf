"""TikZ output (issue 14): LaTeX escaping, a picture that needs only tikz, and pdflatex compiling it."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kerasvg
from kerasvg import Layer, ModelGraph
from kerasvg.scene import Scene
from kerasvg.writers import WriteOptions
from kerasvg.writers.tikz import latex_text, write
from kerasvg.theme import load_theme

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ("x_1 & 50% {#}", "a~b^c\\d$e")


def chain_graph(names, name="chain"):
    layers = [Layer(names[0], "InputLayer", ((None, 8, 8, 3),), is_input=True)]
    layers += [Layer(n, "Conv2D", ((None, 8, 8, 4),), trainable_params=112) for n in names[1:]]
    return ModelGraph(name, tuple(layers), tuple(zip(names, names[1:])), inputs=(names[0],), outputs=(names[-1],))


def tool(name):
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing in CI (see the Makefile's system-packages)", pytrace=False)
        pytest.skip(f"{name} is not installed")
    return path


def compile_text(tex: str, folder: Path) -> str:
    """pdflatex the document; the PDF's text (pdftotext), whitespace collapsed."""
    source = folder / "figure.tex"
    source.write_text(tex, encoding="utf-8")
    run = subprocess.run([tool("pdflatex"), "-interaction=nonstopmode", "-halt-on-error", source.name],
                         cwd=folder, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "Missing character" not in (folder / "figure.log").read_text(errors="replace")
    text = subprocess.run([tool("pdftotext"), "-raw", "figure.pdf", "-"], cwd=folder, capture_output=True,
                          text=True, check=True).stdout
    return " ".join(text.split())


@pytest.mark.parametrize("char, latex", [
    ("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#"), ("$", r"\$"), ("{", r"\{"), ("}", r"\}"),
    ("~", r"\textasciitilde{}"), ("^", r"\textasciicircum{}"), ("\\", r"\textbackslash{}"),
])
def test_latex_specials_are_escaped(char, latex):
    assert latex_text(f"a{char}b") == f"a{latex}b"


def test_characters_t1_cannot_set_become_code_points():
    assert latex_text("层_1") == r"U+5C42\_1"
    assert latex_text("🙂") == "U+1F642"
    assert latex_text("café ×2") == "café ×2"
    assert latex_text("a--b,,c") == "a-{}-b,{},c"


def test_picture_needs_only_tikz_and_defines_its_colours_inside():
    d = kerasvg.layered_view(chain_graph(["in", "conv_1"]), legend=True)
    tex = d.to_tikz()
    assert tex.count("\\begin{tikzpicture}") == 1 and tex.rstrip().endswith("\\end{tikzpicture}")
    assert "\\usepackage" not in tex.replace("Needs only \\usepackage{tikz}", "")
    start = tex.index("\\begin{tikzpicture}")
    first_colour = tex.index("\\definecolor")
    assert first_colour > start
    assert "{HTML}{4E79A7}" in tex  # the default theme's convolution blue
    assert "conv\\_1" in tex and "font=\\small" in tex
    assert d.to_tikz() == tex  # deterministic
    assert "font=\\footnotesize" in d.to_tikz(font="\\footnotesize")


def test_standalone_document_uses_t1_and_lmodern(tmp_path):
    d = kerasvg.layered_view(chain_graph(["in", "conv"]))
    d.save(tmp_path / "x.tex")
    tex = (tmp_path / "x.tex").read_text()
    assert tex.startswith("\\documentclass[tikz, border=0pt]{standalone}")
    assert "\\usepackage[T1]{fontenc}" in tex and "\\usepackage{lmodern}" in tex
    assert tex == d.to_tikz(standalone=True)
    d.save(tmp_path / "bare.tex", standalone=False)
    assert (tmp_path / "bare.tex").read_text() == d.to_tikz()


def test_labels_stay_centred_under_any_document_font():
    d = kerasvg.layered_view(chain_graph(["in", "conv"]))
    nodes = re.findall(r"\\node\[[^\]]*anchor=north, align=center\] at \(([\d.]+),", d.to_tikz())
    assert len(nodes) == 2
    for box, x in zip(d.scene.boxes, nodes):
        assert float(x) == pytest.approx(box.label.x, abs=0.01)


def test_a_page_beyond_the_budget_is_refused():
    scene = Scene(width=20000.0, height=100.0, boxes=(), connectors=(), graph=chain_graph(["a", "b"]))
    with pytest.raises(ValueError, match="14,400 pt"):
        write(scene, load_theme(), WriteOptions(format="tex"))


def test_cli_writes_tex(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "kerasvg", "render", str(ROOT / "kerasvg/examples/demo_resnet.json"),
                          "-o", str(tmp_path / "demo.tex")], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "demo.tex").read_text().startswith("\\documentclass")


@pytest.mark.destinations
def test_pdflatex_compiles_a_small_cnn(tmp_path, keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((32, 32, 3), name="image"), L.Conv2D(16, 3, name="conv_1"),
                              L.MaxPooling2D(name="pool_1"), L.Flatten(name="flatten"), L.Dense(10, name="logits")],
                             name="small_cnn")
    text = compile_text(kerasvg.layered_view(model, legend=True).to_tikz(standalone=True), tmp_path)
    for name in ("image", "conv_1", "pool_1", "flatten", "logits", "30×30×16", "Conv2D"):
        assert name in text


@pytest.mark.destinations
def test_pdflatex_prints_hostile_names_as_typed(tmp_path, keras):
    L = keras.layers
    inputs = keras.Input((4,), name="in")
    x = L.Dense(3, name=HOSTILE[0])(inputs)
    model = keras.Model(inputs, L.Dense(2, name=HOSTILE[1])(x), name="hostile")
    text = compile_text(kerasvg.layered_view(model).to_tikz(standalone=True), tmp_path)
    for name in HOSTILE:
        assert name in text


@pytest.mark.destinations
def test_pdflatex_marks_unsettable_characters(tmp_path):
    text = compile_text(kerasvg.layered_view(chain_graph(["in", "层_1", "ok🙂"])).to_tikz(standalone=True), tmp_path)
    assert "U+5C42_1" in text and "okU+1F642" in text


@pytest.mark.slow
@pytest.mark.destinations
def test_pdflatex_compiles_resnet50(tmp_path, keras):
    model = keras.applications.ResNet50(weights=None)
    d = kerasvg.layered_view(model)
    text = compile_text(d.to_tikz(standalone=True), tmp_path)
    labelled = [b.label.lines[0] for b in d.scene.boxes if b.label is not None]
    captions = [f.label.split(" · ")[0] for f in d.scene.frames if f.kind in ("stage", "block")]  # group names
    assert len(labelled) + len(captions) >= 10 and "predictions" in labelled
    for name in labelled + captions:
        assert name in text


def test_fill_patterns_are_clipped_strokes_in_plain_tikz():
    layers = (Layer("in", "InputLayer", ((None, 8, 8, 3),), is_input=True),
              Layer("pool", "MaxPooling2D", ((None, 4, 4, 3),)), Layer("norm", "BatchNormalization", ((None, 4, 4, 3),)))
    graph = ModelGraph("patterns", layers, (("in", "pool"), ("pool", "norm")), inputs=("in",), outputs=("norm",))
    tex = kerasvg.layered_view(graph, theme="mono").to_tikz()
    assert tex.count("\\clip") == 6  # three faces each of the dotted pool and the lined norm
    assert "circle[radius=0.75bp]" in tex and "usetikzlibrary" not in tex
    assert "\\clip" not in kerasvg.layered_view(graph).to_tikz()


def test_a_printed_width_sets_the_picture_width():
    d = kerasvg.layered_view(chain_graph(["in", "conv"]), width="3.5in")
    unit = float(re.search(r"\\begin\{tikzpicture\}\[x=([\d.]+)bp, y=-\1bp\]", d.to_tikz()).group(1))
    assert unit * d.scene.width == pytest.approx(3.5 * 72, rel=0.0005)
    plain = kerasvg.layered_view(chain_graph(["in", "conv"]))
    assert "[x=0.75bp, y=-0.75bp]" in plain.to_tikz()
