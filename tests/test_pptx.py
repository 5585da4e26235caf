"""PowerPoint output (issue 14): native editable shapes, one named group per layer, opened by LibreOffice."""
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kerasvg
from kerasvg import Layer, ModelGraph

if os.environ.get("CI") != "true":  # in CI the test extra installs python-pptx: a missing one fails
    pytest.importorskip("pptx")
import pptx  # noqa: E402
from pptx.enum.shapes import MSO_SHAPE_TYPE  # noqa: E402
from pptx.enum.text import MSO_AUTO_SIZE  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["image", "conv_a", "pool <b> & \"c\"", "dense_out"]


def graph(names=NAMES):
    layers = [Layer(names[0], "InputLayer", ((None, 16, 16, 3),), is_input=True),
              Layer(names[1], "Conv2D", ((None, 16, 16, 8),), trainable_params=224),
              Layer(names[2], "MaxPooling2D", ((None, 8, 8, 8),)),
              Layer(names[3], "Dense", ((None, 4),), trainable_params=2052)]
    return ModelGraph("tiny", tuple(layers), tuple(zip(names, names[1:])), inputs=(names[0],), outputs=(names[-1],))


def slide_of(data):
    presentation = pptx.Presentation(io.BytesIO(data))
    assert len(presentation.slides) == 1
    return presentation, presentation.slides[0]


def walk(shapes):
    for shape in shapes:
        yield shape
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from walk(shape.shapes)


def test_one_named_group_per_layer_of_editable_shapes_and_no_pictures():
    d = kerasvg.layered_view(graph(), legend=True)
    data = d.to_pptx()
    presentation, slide = slide_of(data)
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    groups = {s.name: s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.GROUP}
    assert set(NAMES) <= set(groups)
    for name in NAMES:
        kinds = [s.shape_type for s in groups[name].shapes]
        assert kinds.count(MSO_SHAPE_TYPE.FREEFORM) == 3  # front, top, side faces
        [label] = [s for s in groups[name].shapes if s.shape_type == MSO_SHAPE_TYPE.TEXT_BOX]
        assert label.text_frame.word_wrap is False and label.text_frame.auto_size == MSO_AUTO_SIZE.NONE
        assert label.text_frame.paragraphs[0].text == name
        assert label.text_frame.paragraphs[0].runs[0].font.name == "Arial"
    everything = list(walk(slide.shapes))
    assert not [s for s in everything if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert not [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("ppt/media/")]
    conv = groups["conv_a"].shapes
    fills = {s.name: str(s.fill.fore_color.rgb) for s in conv if s.shape_type == MSO_SHAPE_TYPE.FREEFORM}
    assert fills["front"] == "4E79A7" and fills["top"] != fills["front"]
    connectors = groups["connectors"].shapes
    assert sum(s.name == "arrowhead" for s in connectors) == len(d.scene.connectors) == 3


def test_scaled_to_fit_the_slide_with_the_aspect_kept():
    d = kerasvg.layered_view(graph())
    presentation, slide = slide_of(d.to_pptx())
    shapes = [s for s in walk(slide.shapes) if s.shape_type == MSO_SHAPE_TYPE.FREEFORM]
    left, top = min(s.left for s in shapes), min(s.top for s in shapes)
    right, bottom = max(s.left + s.width for s in shapes), max(s.top + s.height for s in shapes)
    assert 0 <= left and right <= presentation.slide_width and 0 <= top and bottom <= presentation.slide_height
    box_bounds = [b.bounds for b in d.scene.boxes]
    scene_w = max(b[2] for b in box_bounds) - min(b[0] for b in box_bounds)
    scene_h = max(b[3] for b in box_bounds) - min(b[1] for b in box_bounds)
    faces = [s for s in shapes if s.name in ("front", "top", "side")]
    drawn_w = max(s.left + s.width for s in faces) - min(s.left for s in faces)
    drawn_h = max(s.top + s.height for s in faces) - min(s.top for s in faces)
    assert drawn_w / drawn_h == pytest.approx(scene_w / scene_h, rel=0.01)
    assert max(drawn_w / presentation.slide_width, drawn_h / presentation.slide_height) > 0.5


def test_slide_font_comes_from_the_theme_and_output_is_deterministic():
    d = kerasvg.layered_view(graph(), overrides={"canvas": {"slide_font": "Calibri"}})
    data = d.to_pptx()
    _, slide = slide_of(data)
    fonts = {r.font.name for s in walk(slide.shapes) if s.has_text_frame for p in s.text_frame.paragraphs for r in p.runs}
    assert fonts == {"Calibri"}
    assert kerasvg.layered_view(graph(), overrides={"canvas": {"slide_font": "Calibri"}}).to_pptx() == data


def test_save_and_cli_write_pptx(tmp_path):
    kerasvg.layered_view(graph()).save(tmp_path / "api.pptx")
    slide_of((tmp_path / "api.pptx").read_bytes())
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "kerasvg", "render", str(ROOT / "kerasvg/examples/demo_resnet.json"),
                          "-o", str(tmp_path / "demo.pptx")], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    _, slide = slide_of((tmp_path / "demo.pptx").read_bytes())
    assert "stem_conv" in {s.name for s in slide.shapes}


def test_missing_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pptx", None)
    with pytest.raises(ImportError, match=r"kerasvg\[pptx\]"):
        kerasvg.layered_view(graph()).to_pptx()


def test_control_characters_in_names_do_not_break_the_file():
    names = ["in\x01put", "conv\x07", "pool", "out"]
    _, slide = slide_of(kerasvg.layered_view(graph(names)).to_pptx())
    assert "in\ufffdput" in {s.name for s in slide.shapes}


@pytest.mark.destinations
def test_libreoffice_impress_opens_it_and_shows_the_layers(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice is missing in CI (Debian libreoffice-impress)", pytrace=False)
        pytest.skip("LibreOffice is not installed")
    kerasvg.layered_view(graph(), legend=True).save(tmp_path / "tiny.pptx")
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "tiny.pptx")],
                         capture_output=True, text=True, timeout=300)
    assert (tmp_path / "tiny.pdf").exists(), run.stdout + run.stderr
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / "tiny.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for name in NAMES + ["Conv2D", "16×16×8"]:
        assert name in text


def test_fill_patterns_become_pattern_fills():
    from pptx.enum.dml import MSO_FILL, MSO_PATTERN_TYPE

    _, slide = slide_of(kerasvg.layered_view(graph(), theme="mono").to_pptx())
    groups = {s.name: s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.GROUP}
    pool = [s for s in groups[NAMES[2]].shapes if s.shape_type == MSO_SHAPE_TYPE.FREEFORM]
    assert {s.fill.type for s in pool} == {MSO_FILL.PATTERNED}
    assert {s.fill.pattern for s in pool} == {MSO_PATTERN_TYPE.DOTTED_GRID}
    conv = [s for s in groups["conv_a"].shapes if s.shape_type == MSO_SHAPE_TYPE.FREEFORM]
    assert {s.fill.type for s in conv} == {MSO_FILL.SOLID}


def test_every_shape_has_its_own_id():
    from pptx.shapes.shapetree import _BaseShapes

    _, slide = slide_of(kerasvg.layered_view(graph(), legend=True).to_pptx())
    ids = [s.shape_id for s in walk(slide.shapes)]
    assert len(ids) > 20 and len(ids) == len(set(ids)) and min(ids) >= 2
    assert isinstance(_BaseShapes.__dict__["_next_shape_id"], property)  # python-pptx is left as it was
    fresh = pptx.Presentation()
    page = fresh.slides.add_slide(fresh.slide_layouts[6])
    assert [page.shapes.add_textbox(0, 0, 10, 10).shape_id for _ in range(2)] == [2, 3]
