"""One writer contract over a complete scene: a format is one module; every writer draws diff and frozen marks."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kerasvg
import kerasvg.writers as writers
from kerasvg.graph.model import Layer, ModelGraph

ROOT = Path(__file__).resolve().parent.parent

TOY = '''
EXTENSIONS = (".toy",)


def write(scene, theme, options):
    names = ",".join(box.name for box in scene.boxes)
    return f"{options.format} {len(scene.boxes)} {names} {theme.values['canvas']['background']}"
'''


def graph(filters=(8, 16), name="net", extra=None, frozen=()):
    layers = [Layer("image", "InputLayer", ((None, 16, 16, 3),), is_input=True)]
    for i, f in enumerate(filters):
        layers.append(Layer(f"conv{i}", "Conv2D", ((None, 16, 16, f),), trainable_params=27 * f + f,
                            config=(("filters", f),), trainable=f"conv{i}" not in frozen))
    if extra:
        layers.append(Layer(extra, "Dropout", ((None, 16, 16, filters[-1]),)))
    layers.append(Layer("head", "Dense", ((None, 10),), trainable_params=10 * filters[-1] + 10))
    names = [layer.name for layer in layers]
    return ModelGraph(name, tuple(layers), tuple(zip(names, names[1:])), inputs=("image",), outputs=("head",))


@pytest.fixture
def toy_writer(tmp_path, monkeypatch):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "toy.py").write_text(TOY)
    monkeypatch.setattr(writers, "__path__", list(writers.__path__) + [str(folder)])
    yield
    sys.modules.pop("kerasvg.writers.toy", None)


def test_a_new_format_is_one_file(toy_writer, tmp_path):
    assert "toy" in writers.formats()
    diagram = kerasvg.layered_view(graph())
    out = tmp_path / "model.toy"
    diagram.save(out)
    assert out.read_text() == "toy 4 image,conv0,conv1,head #ffffff"
    assert diagram.encode(format="toy") == out.read_bytes()


def test_the_registry_lists_every_builtin_format_and_refuses_others():
    assert set(writers.formats()) >= {"svg", "png", "jpg", "jpeg", "pdf", "html", "tex", "pptx"}
    assert writers.writer("toy") is None
    with pytest.raises(ValueError, match="unsupported extension '.toy'.*supported: .*\\.pptx"):
        kerasvg.layered_view(graph()).encode("model.toy")


def test_finding_the_writers_imports_no_heavy_library():
    code = ("import sys, kerasvg.writers as w; w.registry(); "
            "print(sorted(m for m in ('jinja2', 'cairosvg', 'cairocffi', 'pptx', 'fontTools', 'keras', 'tensorflow') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.strip() == "[]"


def test_the_scene_carries_frozen_marks_groups_and_legend_kinds():
    diagram = kerasvg.layered_view(graph(frozen=("conv1",)), show_trainable=True, legend=True,
                                   groups={"features": ["conv0", "conv1"]})
    scene = diagram.scene
    boxes = {box.name: box for box in scene.boxes}
    assert [name for name, box in boxes.items() if box.frozen] == ["conv1"]
    assert boxes["conv0"].groups == ("features",) and boxes["head"].groups == ()
    assert {e.kind for e in scene.legend} == {"type", "frozen"}
    assert scene.graph.name == "net" and scene.detail == "layers"


def test_a_glyph_box_lists_its_members():
    scene = kerasvg.layered_view(graph(), groups={"features": ["conv0", "conv1"]}, detail="blocks").scene
    glyphs = [box for box in scene.boxes if box.level is not None]
    assert [(box.level, box.members) for box in glyphs] == [("block", ("conv0", "conv1"))]


def test_a_diff_scene_holds_every_status():
    diagram = kerasvg.diff(graph(), graph(filters=(8, 32), extra="drop"))
    status = {box.name: box.diff.status for box in diagram.scene.boxes}
    assert status == {"image": "same", "conv0": "same", "conv1": "changed", "drop": "added", "head": "changed"}
    changed = next(box for box in diagram.scene.boxes if box.name == "conv1")
    assert "filters 16 \u2192 32" in changed.diff.details
    assert {c.diff for c in diagram.scene.connectors} == {"same", "added", "removed"}
    assert [e.type for e in diagram.scene.legend if e.kind == "diff"] == ["added", "removed", "changed", "same"]
    assert dict(diagram.scene.diff.counts) == {"added": 1, "removed": 0, "changed": 2, "same": 2}


def test_a_changed_block_is_marked_changed_at_block_level():
    groups = {"features": ["conv0", "conv1"]}
    diagram = kerasvg.diff(graph(), graph(filters=(8, 32)), groups=groups, detail="blocks")
    glyph = next(box for box in diagram.scene.boxes if box.level == "block")
    assert glyph.diff.status == "changed"
    assert 'data-diff="changed"' in diagram.to_svg()


def test_tikz_draws_diff_and_frozen_marks():
    tex = kerasvg.diff(graph(), graph(filters=(8, 32), extra="drop"), legend=True).to_tikz()
    assert tex.count("circle[radius=") == 3 + 3  # badges: conv1, drop, head; legend: added, removed, changed
    assert "\\textasciitilde{}" in tex and "opacity=0.32" in tex
    plain = kerasvg.layered_view(graph()).to_tikz()
    assert "circle[radius=" not in plain and "opacity=0.32" not in plain
    frozen = kerasvg.layered_view(graph(frozen=("conv1",)), show_trainable=True).to_tikz()
    layer = frozen.split("% layer: conv1")[1].split("% layer:")[0]
    assert "dash pattern=on" in layer and "arc[start angle=180" in layer
    assert "dash pattern" not in frozen.split("% layer: conv0")[1].split("% layer:")[0]


def slide_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("ppt/slides/slide1.xml").decode("utf-8")


def test_pptx_draws_diff_and_frozen_marks():
    pytest.importorskip("pptx")
    xml = slide_xml(kerasvg.diff(graph(), graph(filters=(8, 32), extra="drop"), legend=True).to_pptx())
    assert xml.count('name="badge changed"') == 3  # conv1, head, the legend
    assert xml.count('name="badge added"') == 2 and xml.count('name="diff changed"') == 4  # a halo and an outline each
    assert 'name="lock"' not in xml
    frozen = slide_xml(kerasvg.layered_view(graph(frozen=("conv1",)), show_trainable=True, legend=True).to_pptx())
    assert frozen.count('name="lock"') == 2  # on conv1 and in the legend
    assert 'name="badge' not in frozen
