"""Rasters drawn from the scene (issue 22): the same pixels as cairosvg's rendering of the same SVG, PDF text
that stays text, the same bytes every time, and cairo imported only when a raster is written."""
import io
import shutil
import subprocess
import sys
from dataclasses import replace

import numpy
import pytest
from PIL import Image

import kerasvg
from kerasvg import zoo
from kerasvg.writers import cairo_scene, raster
from kerasvg.writers import svg as svg_writer

MEAN_LIMIT = 2 / 255  # the bound, per channel, on values scaled to 0..1


def frozen(model, count: int):
    """`model` with its first `count` layers not trainable."""
    for layer in model.layers[:count]:
        layer.trainable = False
    return model


def frozen_resnet(apps):
    import keras

    return frozen(keras.models.clone_model(apps("ResNet50")), 30)


# name → (diagram builder, to_png keywords)
RENDERS = {
    "small-cnn": (lambda apps: kerasvg.layered_view(zoo.small_cnn()), {}),
    "small-cnn mono frozen x2": (lambda apps: kerasvg.layered_view(frozen(zoo.small_cnn(), 3), theme="mono",
                                                                   show_trainable=True, legend=True), {"scale": 2}),
    "residual-block paper": (lambda apps: kerasvg.layered_view(zoo.residual_block(), theme="paper"), {}),
    "nested-classifier expanded dark": (lambda apps: kerasvg.layered_view(zoo.nested_model(), expand_nested=True,
                                                                          theme="dark"), {}),
    "transformer-encoder blocks slides": (lambda apps: kerasvg.layered_view(zoo.transformer_encoder(), detail="blocks",
                                                                            theme="slides"), {}),
    "unet transparent": (lambda apps: kerasvg.layered_view(zoo.unet(), theme="transparent"), {}),
    "diff small-cnn": (lambda apps: kerasvg.diff(zoo.small_cnn(), zoo.small_cnn_revised()), {}),
    "diff small-cnn dark, frozen": (lambda apps: kerasvg.diff(zoo.small_cnn(), frozen(zoo.small_cnn_revised(), 2), theme="dark",
                                                              show_trainable=True), {"scale": 1.5}),
    "ResNet50": (lambda apps: kerasvg.layered_view(apps("ResNet50")), {}),
    "ResNet50 3.5in block key 300dpi": (lambda apps: kerasvg.layered_view(apps("ResNet50"), width="3.5in"),
                                        {"dpi": 300}),
    "ResNet50 frozen mono 3.5in": (lambda apps: kerasvg.layered_view(frozen_resnet(apps), theme="mono",
                                                                     show_trainable=True, width="3.5in"), {}),
    "ResNet50 folded blueprint": (lambda apps: kerasvg.layered_view(apps("ResNet50"), fold_repeats=True,
                                                                    theme="blueprint"), {}),
    "DenseNet121 mono": (lambda apps: kerasvg.layered_view(apps("DenseNet121"), theme="mono"), {}),
}


def via_cairosvg(d, scale=None, dpi=None) -> bytes:
    """The reference: the diagram's SVG drawn by cairosvg, at the size the PNG writer computes."""
    options = replace(d.options, format="png", scale=scale, dpi=dpi)
    scale, dpi, _, _ = raster.pixel_size(d.scene, options)
    return raster.to_png(svg_writer.write(d.scene, d.theme, replace(options, format="svg")), scale, dpi)


def pixels(png: bytes) -> numpy.ndarray:
    return numpy.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(numpy.int16)


@pytest.mark.parametrize("name", list(RENDERS))
def test_the_scene_draws_the_pixels_cairosvg_draws(apps, name, record_property):
    build, keywords = RENDERS[name]
    d = build(apps)
    drawn, reference = d.to_png(**keywords), via_cairosvg(d, **keywords)
    a, b = pixels(drawn), pixels(reference)
    assert a.shape == b.shape
    difference = numpy.abs(a - b)
    mean, largest = difference.mean() / 255, int(difference.max())
    off = int((difference.max(axis=2) > 32).sum())
    record_property("mean_channel_difference", f"{mean * 255:.4f}/255")
    record_property("max_channel_difference", largest)
    print(f"{name}: {a.shape[1]} x {a.shape[0]} px, mean {mean * 255:.4f}/255, max {largest}/255, {off} px off by > 32")
    assert mean <= MEAN_LIMIT, f"{name}: mean channel difference {mean * 255:.3f}/255 (max {largest})"
    assert off <= 20, f"{name}: {off} pixels differ by more than 32/255 (mean {mean * 255:.4f}/255, max {largest})"


def test_png_metadata_and_size_are_those_of_the_svg_path(apps):
    d = kerasvg.layered_view(apps("ResNet50"), width="3.5in")
    drawn, reference = Image.open(io.BytesIO(d.to_png(dpi=300))), Image.open(io.BytesIO(via_cairosvg(d, dpi=300)))
    assert drawn.size == reference.size == (1050, round(1050 * d.vector_size[1] / d.vector_size[0]))
    assert drawn.mode == reference.mode  # cairo writes RGB when every pixel is opaque
    assert drawn.info["dpi"] == reference.info["dpi"]
    assert drawn.info["dpi"] == pytest.approx((300, 300), abs=0.1)


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The text of a PDF as pdftotext (poppler-utils) extracts it; skips when it is not installed."""
    path = tmp_path / "figure.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pytest.skip("pdftotext (poppler-utils) is not installed")


def test_pdf_text_is_selectable_text(tmp_path):
    d = kerasvg.layered_view(frozen(zoo.small_cnn(), 2), show_trainable=True, legend=True)
    pdf = d.to_pdf()
    assert b"/ToUnicode" in pdf and b"/Subtype /Image" not in pdf
    text = pdf_text(pdf, tmp_path)
    for box in d.scene.boxes:
        for line in box.label.lines:
            assert line in text, (line, text)
    for entry in d.scene.legend:
        assert entry.text in text


def test_pdf_page_is_the_svg_path_page(apps):
    d = kerasvg.layered_view(apps("ResNet50"), width="3.5in")
    svg = svg_writer.write(d.scene, d.theme, replace(d.options, format="svg"))
    assert cairo_scene.page_points(cairo_scene.Picture(d.scene, d.theme, d.options)) == pytest.approx(
        raster.page_points(svg))
    assert b"/MediaBox [ 0 0 252 " in d.to_pdf()


@pytest.mark.parametrize("theme", ["default", "dark"])
def test_pdf_is_the_one_cairosvg_writes(apps, theme):
    """Same drawing operations, so cairo writes the same PDF, byte for byte (patterns aside: one tile per
    pattern here, one per use there)."""
    for d in (kerasvg.layered_view(frozen(zoo.small_cnn(), 2), theme=theme, show_trainable=True, legend=True),
              kerasvg.diff(zoo.small_cnn(), zoo.small_cnn_revised(), theme=theme),
              kerasvg.layered_view(apps("ResNet50"), width="3.5in", theme=theme)):
        svg = svg_writer.write(d.scene, d.theme, replace(d.options, format="svg"))
        assert d.to_pdf() == raster.to_pdf(svg)


def test_patterns_stay_vector_in_pdf():
    pdf = kerasvg.layered_view(zoo.small_cnn(), theme="mono", legend=True).to_pdf()
    assert b"/PatternType 1" in pdf and b"/Subtype /Image" not in pdf


def test_the_same_input_gives_the_same_bytes():
    d = kerasvg.diff(zoo.small_cnn(), frozen(zoo.small_cnn_revised(), 2), theme="mono", show_trainable=True)
    again = kerasvg.diff(zoo.small_cnn(), frozen(zoo.small_cnn_revised(), 2), theme="mono", show_trainable=True)
    assert d.to_png() == d.to_png() == again.to_png()
    assert d.to_png(dpi=200) == again.to_png(dpi=200)
    assert d.to_pdf() == again.to_pdf() and b"CreationDate" not in d.to_pdf()
    assert d.to_jpeg() == again.to_jpeg()


def test_labels_as_outlines_still_go_through_cairosvg():
    d = kerasvg.layered_view(zoo.small_cnn(), text="paths")
    source = raster.source_of(d.scene, d.theme, replace(d.options, format="png"))
    assert isinstance(source, str) and source.startswith("<svg") and "<text" not in source.split("</desc>")[1]
    assert d.to_png().startswith(b"\x89PNG") and d.to_pdf().startswith(b"%PDF-")
    plain = kerasvg.layered_view(zoo.small_cnn())
    assert isinstance(raster.source_of(plain.scene, plain.theme, plain.options), cairo_scene.Picture)


def test_removed_layers_keep_their_pattern_at_the_removed_opacity():
    """cairosvg compounds a pattern's opacity on every use (each removed layer's hatching fainter than the
    last, and the legend's after them); drawn from the scene, every use gets the opacity it asks for."""
    d = kerasvg.diff(zoo.small_cnn(), zoo.small_cnn_revised(), theme="mono")
    drawn, reference = pixels(d.to_png()), pixels(via_cairosvg(d))
    assert numpy.abs(drawn - reference).mean() / 255 <= MEAN_LIMIT
    legend_patterns = [e for e in d.scene.legend if e.kind == "type" and d.theme.style_for(e.type, e.category)["pattern"] != "none"]
    for entry in legend_patterns:
        x, y, size = (round(v) for v in entry.swatch)
        inside = drawn[y + 2:y + size - 1, x + 2:x + size - 1, :3]
        assert inside.min() < inside.max(), f"{entry.text}: the legend swatch lost its pattern"


def test_cairo_is_imported_only_when_a_raster_is_written():
    script = (
        "import sys, kerasvg\n"
        "from kerasvg import Layer, ModelGraph\n"
        "g = ModelGraph('m', (Layer('a', 'InputLayer', ((None, 8),), is_input=True), Layer('b', 'Dense', ((None, 4),))),"
        " (('a', 'b'),), inputs=('a',), outputs=('b',))\n"
        "d = kerasvg.layered_view(g)\n"
        "d.to_svg(); d.to_html()\n"
        "assert not {'cairocffi', 'cairosvg'} & set(sys.modules), sorted({'cairocffi', 'cairosvg'} & set(sys.modules))\n"
        "d.to_png(); d.to_pdf()\n"
        "assert 'cairocffi' in sys.modules and 'cairosvg' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_missing_cairo_names_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_cairo(name, *args, **kwargs):
        if name == "cairocffi":
            raise OSError("no library called \"cairo-2\" was found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cairo)
    with pytest.raises(ImportError, match="pip install cairocffi.*libcairo2"):
        cairo_scene.cairo_module()


def test_colours_read_as_cairosvg_reads_them():
    assert cairo_scene.colour("#336699") == (0x33 / 255, 0x66 / 255, 0x99 / 255, 1.0)
    assert cairo_scene.colour("#33669980", 0.5)[:3] == cairo_scene.colour("#336699")[:3]  # alpha digits ignored
    assert cairo_scene.colour("none") == cairo_scene.colour("transparent") == (0, 0, 0, 0)
    assert cairo_scene.colour("#fff") == (1.0, 1.0, 1.0, 1.0)
    assert cairo_scene.attr_colour("#33669980") == cairo_scene.colour("#336699", 0.5)
    assert cairo_scene.svg_text("  a\tb \n c  ") == "a b c"

