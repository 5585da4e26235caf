"""The Diagram is a PIL image (issue 12, first item): lazily rasterized, keeping its scene and SVG."""
import io
import pickle

import numpy
import pytest
from PIL import Image, ImageShow

import kerasvg
from kerasvg import Layer, ModelGraph
from kerasvg.writers import raster

PNG, JPEG, PDF = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-"


def small_graph():
    layers = (
        Layer("input", "InputLayer", ((None, 32, 32, 3),), is_input=True),
        Layer("conv", "Conv2D", ((None, 30, 30, 16),), trainable_params=448),
        Layer("pool", "MaxPooling2D", ((None, 15, 15, 16),)),
        Layer("flat", "Flatten", ((None, 3600),)),
        Layer("out", "Dense", ((None, 10),), trainable_params=36010),
    )
    names = [l.name for l in layers]
    return ModelGraph("small", layers, tuple(zip(names, names[1:])), inputs=("input",), outputs=("out",))


@pytest.fixture
def counted(monkeypatch):
    """Counts calls into the rasterizer."""
    calls = []
    real = raster.to_png

    def counting(*args, **kwargs):
        calls.append(kwargs.get("dpi"))
        return real(*args, **kwargs)

    monkeypatch.setattr(raster, "to_png", counting)
    return calls


def test_a_diagram_is_a_pil_image_with_the_png_size(counted):
    d = kerasvg.layered_view(small_graph())
    assert isinstance(d, Image.Image)
    assert d.mode == "RGBA"
    assert isinstance(d.width, int) and isinstance(d.height, int)
    assert d.size == (d.width, d.height)
    assert counted == []
    assert Image.open(io.BytesIO(d.to_png())).size == d.size
    vw, vh = d.vector_size
    assert isinstance(vw, float) and abs(vw - d.width) <= 0.5 and abs(vh - d.height) <= 0.5


def test_nothing_is_rasterized_until_pixels_are_asked_for(counted):
    d = kerasvg.layered_view(small_graph())
    d.to_svg(), d.to_html(), d.to_pdf(), repr(d), d._repr_svg_(), d._repr_html_()
    assert d._repr_png_() is None and d._repr_jpeg_() is None
    assert counted == []
    corner = d.getpixel((0, 0))
    assert corner == (255, 255, 255, 255)
    assert len(counted) == 1
    d.getpixel((1, 1)), d.tobytes(), d.convert("RGB")
    assert len(counted) == 1


def test_numpy_sees_the_rendered_pixels():
    d = kerasvg.layered_view(small_graph())
    pixels = numpy.asarray(d)
    assert pixels.shape == (d.height, d.width, 4)
    reference = numpy.asarray(Image.open(io.BytesIO(d.to_png())).convert("RGBA"))
    assert numpy.array_equal(pixels, reference)
    assert (pixels[..., :3] < 128).any(), "no dark pixels: labels and outlines are missing"


def test_the_diagram_keeps_its_scene_and_graph():
    graph = small_graph()
    d = kerasvg.layered_view(graph)
    assert d.graph == graph
    assert [box.name for box in d.scene.boxes] == [l.name for l in graph.layers]
    assert (d.scene.width, d.scene.height) == d.vector_size
    assert d.detail == "layers"
    assert d.theme.get("canvas", "background") == d.background


def test_a_printed_width_sets_the_pixel_size():
    d = kerasvg.layered_view(small_graph(), width="3.5in")
    assert d.width == 336
    assert Image.open(io.BytesIO(d.to_png())).size == d.size


@pytest.mark.parametrize("name, magic", [("x.png", PNG), ("x.jpg", JPEG), ("x.svg", b"<svg"), ("x.pdf", PDF),
                                         ("x.html", b"<!DOCTYPE html>"), ("x.bmp", b"BM"), ("x.gif", b"GIF8"),
                                         ("x.webp", b"RIFF"), ("x.tiff", b"II*\x00")])
def test_save_to_a_path_by_extension(tmp_path, name, magic):
    d = kerasvg.layered_view(small_graph())
    d.save(tmp_path / name)
    data = (tmp_path / name).read_bytes()
    assert data.startswith(magic), data[:20]
    if magic not in (b"<svg", PDF, b"<!DOCTYPE html>"):
        assert Image.open(io.BytesIO(data)).size == d.size


def test_save_to_a_file_object_needs_a_format():
    d = kerasvg.layered_view(small_graph())
    out = io.BytesIO()
    d.save(out, format="PNG")
    assert out.getvalue() == d.to_png()
    out = io.BytesIO()
    d.save(out, "svg")
    assert out.getvalue() == d.to_svg().encode()
    with pytest.raises(ValueError, match="format="):
        d.save(io.BytesIO())
    with pytest.raises(ValueError, match="unknown format.*supported: .*png.*svg"):
        d.save(io.BytesIO(), format="nonsense")


def test_a_pil_style_dpi_pair_re_renders_at_that_resolution(tmp_path):
    d = kerasvg.layered_view(small_graph(), width="3.5in")
    d.save(tmp_path / "fig.png", dpi=(300, 300))
    saved = Image.open(tmp_path / "fig.png")
    assert saved.width == 1050
    assert saved.info["dpi"][0] == pytest.approx(300, abs=0.1)
    with pytest.raises(ValueError, match="x == y"):
        d.save(tmp_path / "bad.png", dpi=(300, 150))


def test_jpeg_is_flattened_onto_the_background(tmp_path):
    d = kerasvg.layered_view(small_graph(), background_fill=(0, 0, 0, 0))
    assert d.background == "transparent"
    d.save(tmp_path / "fig.jpg")
    flat = Image.open(tmp_path / "fig.jpg")
    assert flat.mode == "RGB"
    assert flat.getpixel((0, 0)) == pytest.approx((255, 255, 255), abs=2)
    assert d.getpixel((0, 0))[3] == 0


def test_show_hands_a_png_to_the_viewer(monkeypatch):
    shown = []

    class Viewer(ImageShow.Viewer):
        format = "PNG"

        def show_file(self, path, **options):
            shown.append(Image.open(path).size)
            return 1

    monkeypatch.setattr(ImageShow, "_viewers", [Viewer()])
    d = kerasvg.layered_view(small_graph())
    d.show()
    assert shown == [d.size]


def test_a_diagram_pickles_without_rasterizing(counted):
    d = kerasvg.layered_view(small_graph())
    again = pickle.loads(pickle.dumps(d))
    assert isinstance(again, kerasvg.Diagram)
    assert again.to_svg() == d.to_svg() and again.size == d.size and again.graph == d.graph
    assert counted == []


def test_pil_methods_return_plain_images():
    d = kerasvg.layered_view(small_graph())
    half = d.resize((d.width // 2, d.height // 2))
    assert type(half) is Image.Image and half.size == (d.width // 2, d.height // 2)
    assert type(d.copy()) is Image.Image
