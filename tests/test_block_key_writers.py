"""The block key in TikZ and PowerPoint: captions as text, each key layer's faces, its connectors."""
import io
import os
import re
import shutil
import subprocess

import pytest

import kerasvg
from kerasvg import Layer, ModelGraph
from kerasvg.writers.paint import fmt
from kerasvg.writers.tikz import latex_text

SVG = "{http://www.w3.org/2000/svg}"


def residual_net():
    """Two stages of two `sN_blockM_*` residual blocks; each stage's first block has a projection shortcut,
    so the key draws two kinds (identity and projection blocks)."""
    layers = [Layer("image", "InputLayer", ((None, 32, 32, 3),), is_input=True),
              Layer("stem_conv", "Conv2D", ((None, 32, 32, 8),), 100)]
    edges = [("image", "stem_conv")]
    previous, size = "stem_conv", 32
    for s in (1, 2):
        for b in (1, 2):
            size //= 2 if b == 1 and s > 1 else 1
            shape = ((None, size, size, 8 * s),)
            p = f"s{s}_block{b}"
            for name, kind in ((f"{p}_conv", "Conv2D"), (f"{p}_bn", "BatchNormalization"), (f"{p}_relu", "ReLU")):
                layers.append(Layer(name, kind, shape, 10))
            edges += [(previous, f"{p}_conv"), (f"{p}_conv", f"{p}_bn"), (f"{p}_bn", f"{p}_relu"),
                      (f"{p}_relu", f"{p}_add")]
            if b == 1:
                layers.append(Layer(f"{p}_proj", "Conv2D", shape, 10))
                edges += [(previous, f"{p}_proj"), (f"{p}_proj", f"{p}_add")]
            else:
                edges.append((previous, f"{p}_add"))
            layers.append(Layer(f"{p}_add", "Add", shape))
            previous = f"{p}_add"
    layers += [Layer("pool", "GlobalAveragePooling2D", ((None, 16),)), Layer("logits", "Dense", ((None, 10),), 50)]
    edges += [(previous, "pool"), ("pool", "logits")]
    return ModelGraph("toy_resnet", tuple(layers), tuple(edges), ("image",), ("logits",))


@pytest.fixture(scope="module")
def diagram():
    d = kerasvg.layered_view(residual_net(), detail="stages", block_key=True)  # every kind drawn (a printed width may drop some)
    assert d.scene.block_key is not None
    assert len(d.scene.block_key.blocks) == 2
    return d


def key_section(tex: str) -> str:
    """The TikZ lines of the block key: its scope."""
    start = tex.index("% block key:")
    return tex[start:tex.index("\\end{scope}\n", start)]


def path(points, close=True) -> str:
    return " -- ".join(f"({fmt(x)},{fmt(y)})" for x, y in points) + (" -- cycle" if close else "")


def test_tikz_draws_the_captions_escaped_and_each_key_face(diagram):
    key = diagram.scene.block_key
    section = key_section(diagram.to_tikz())
    captions = [key.caption] + [block.caption for block in key.blocks]
    assert all("_" in c for c in captions[1:])  # escaping is exercised
    for caption in captions:
        assert "{" + latex_text(caption) + "};" in section
    assert f"\\bfseries] at ({fmt(key.caption_at[0])},{fmt(key.caption_at[1])}) {{{latex_text(key.caption)}}};" \
        in section
    faces = [face for block in key.blocks for box in block.boxes for face in box.faces]
    assert len(faces) >= 2 * 3 * 3
    filled = [line for line in section.splitlines() if line.startswith("\\filldraw")]
    assert len(filled) == len(faces)
    for face in faces:
        assert sum(line.endswith(f"] {path(face.points)};") for line in filled) == 1
    connectors = [c for block in key.blocks for c in block.connectors]
    assert any(c.skip for c in connectors)
    for c in connectors:
        assert f"] {path(c.points, close=False)};" in section
        assert f"] {path(c.arrow)};" in section


def test_tikz_key_faces_have_the_svg_key_fills(diagram):
    """Each face the SVG's block key draws, TikZ draws at the same points in the same colour."""
    import xml.etree.ElementTree as ET

    tex = diagram.to_tikz()
    names = dict(re.findall(r"\\definecolor\{(kv\d+)\}\{HTML\}\{([0-9A-F]{6})\}", tex))
    filled = {line.split("] ", 1)[1]: names[re.match(r"\\filldraw\[fill=(kv\d+)", line).group(1)]
              for line in key_section(tex).splitlines() if line.startswith("\\filldraw")}
    svg = ET.fromstring(diagram.to_svg().encode("utf-8"))
    [key] = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "block-key"]
    faces = [p for p in key.iter(f"{SVG}polygon") if "face" in p.get("class", "").split()]
    assert len(faces) == len(filled)
    for face in faces:
        points = [tuple(map(float, xy.split(","))) for xy in face.get("points").split()]
        assert filled[f"{path(points)};"] == face.get("fill")[1:7].upper()


def test_pptx_draws_the_key_as_groups_of_native_shapes(diagram):
    if os.environ.get("CI") != "true":  # in CI the test extra installs python-pptx: a missing one fails
        pytest.importorskip("pptx")
    import pptx
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    key = diagram.scene.block_key
    slide = pptx.Presentation(io.BytesIO(diagram.to_pptx())).slides[0]
    [group] = [s for s in slide.shapes if s.name == "block key"]
    assert group.shape_type == MSO_SHAPE_TYPE.GROUP
    captions = [s for s in group.shapes if s.shape_type == MSO_SHAPE_TYPE.TEXT_BOX]
    assert [c.text_frame.text for c in captions] == [key.caption]
    assert captions[0].text_frame.paragraphs[0].runs[0].font.bold is True
    kinds = [s for s in group.shapes if s.shape_type == MSO_SHAPE_TYPE.GROUP]
    assert [k.name for k in kinds] == [block.block for block in key.blocks]
    for kind, block in zip(kinds, key.blocks):
        [caption] = [s for s in kind.shapes if s.shape_type == MSO_SHAPE_TYPE.TEXT_BOX]
        assert caption.text_frame.text == block.caption
        lines = [s for s in kind.shapes if s.shape_type == MSO_SHAPE_TYPE.FREEFORM]
        assert [s.name for s in lines] == [n for c in block.connectors for n in (f"{c.source} -> {c.target}", "arrowhead")]
        layers = [s for s in kind.shapes if s.shape_type == MSO_SHAPE_TYPE.GROUP]
        assert [s.name for s in layers] == [b.name for b in block.boxes]
        for layer, box in zip(layers, block.boxes):
            assert [s.name for s in layer.shapes] == [f.role for f in box.faces]
            assert all(s.shape_type == MSO_SHAPE_TYPE.FREEFORM for s in layer.shapes)
    expected = 1 + sum(2 + 2 * len(b.connectors) + sum(1 + len(x.faces) for x in b.boxes) for b in key.blocks)

    def count(shapes):
        return sum(1 + (count(s.shapes) if s.shape_type == MSO_SHAPE_TYPE.GROUP else 0) for s in shapes)

    assert count(group.shapes) == expected


def test_no_key_draws_nothing_extra():
    d = kerasvg.layered_view(residual_net(), groups="auto", block_key=False)
    assert d.scene.block_key is None
    assert "% block key" not in d.to_tikz()


@pytest.mark.destinations
def test_pdflatex_compiles_the_key(tmp_path, diagram):
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdflatex is missing in CI (see the Makefile's system-packages)", pytrace=False)
        pytest.skip("pdflatex is not installed")
    (tmp_path / "figure.tex").write_text(diagram.to_tikz(standalone=True), encoding="utf-8")
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "figure.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "Missing character" not in (tmp_path / "figure.log").read_text(errors="replace")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is not None:
        text = subprocess.run([pdftotext, "-raw", "figure.pdf", "-"], cwd=tmp_path, capture_output=True, text=True,
                              check=True).stdout
        for caption in [diagram.scene.block_key.caption] + [b.caption for b in diagram.scene.block_key.blocks]:
            assert caption in " ".join(text.split())
