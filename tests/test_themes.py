"""Themes: built-in files, loading and validation, how they reach every output, print sizes, packaging."""
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

import kerasvg
from kerasvg import ModelGraph, ThemeError, themes
from kerasvg.graph.categories import CATEGORIES, category_of
from kerasvg.graph.model import Layer
from kerasvg.writers.paint import PT_TO_PX
from kerasvg.theme import SCHEMA, STYLE_KEYS, fade, load_theme, reference_markdown, rgb, shade

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
REQUIRED = ("default", "paper", "slides", "mono")
DEBIAN_FONTS = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono")
OKABE_ITO = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}

# One layer of every category, with a skip connection into the merge.
_LAYERS = [
    ("input", "InputLayer", (None, 32, 32, 3)),
    ("conv", "Conv2D", (None, 32, 32, 32)),
    ("bn", "BatchNormalization", (None, 32, 32, 32)),
    ("relu", "ReLU", (None, 32, 32, 32)),
    ("pool", "MaxPooling2D", (None, 16, 16, 32)),
    ("add", "Add", (None, 16, 16, 32)),
    ("flatten", "Flatten", (None, 8192)),
    ("embed", "Embedding", (None, 40, 32)),
    ("lstm", "LSTM", (None, 40, 32)),
    ("attn", "MultiHeadAttention", (None, 40, 32)),
    ("drop", "Dropout", (None, 40, 32)),
    ("lambda", "Lambda", (None, 40, 32)),
    ("dense", "Dense", (None, 10)),
]


def every_category_graph() -> ModelGraph:
    layers = tuple(Layer(n, t, (s,), 10 * i, is_input=(i == 0), index=i) for i, (n, t, s) in enumerate(_LAYERS))
    names = [n for n, _, _ in _LAYERS]
    edges = tuple(zip(names, names[1:])) + (("conv", "add"),)
    return ModelGraph("every_category", layers, edges, ("input",), ("dense",))


def small_graph() -> ModelGraph:
    layers = (
        Layer("input", "InputLayer", ((None, 32, 32, 3),), is_input=True, index=0),
        Layer("conv", "Conv2D", ((None, 32, 32, 16),), 448, index=1),
        Layer("dense", "Dense", ((None, 10),), 170, index=2),
    )
    return ModelGraph("small", layers, (("input", "conv"), ("conv", "dense")), ("input",), ("dense",))


def test_every_category_is_in_the_fixture():
    assert {category_of(t) for _, t, _ in _LAYERS} == set(CATEGORIES)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def png_image(data):
    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGBA")


def pixels(image):
    flat = getattr(image, "get_flattened_data", None)
    return list(flat() if flat else image.getdata())


def view_box(root):
    return [float(v) for v in re.split(r"[\s,]+", root.get("viewBox").strip())]


# ---- built-in themes -------------------------------------------------------------------------------


def test_builtin_themes_are_listed_with_descriptions():
    listed = themes()
    assert len(listed) >= 5
    for name in REQUIRED:
        assert name in listed
    assert set(listed) == {p.stem for p in (REPO / "themes").glob("*.toml")}
    for name, description in listed.items():
        assert isinstance(description, str) and 20 < len(description) < 200, name
        assert "\n" not in description
    assert kerasvg.themes is themes


@pytest.mark.parametrize("name", sorted(themes()))
def test_builtin_theme_is_complete_and_uses_a_debian_font(name):
    theme = load_theme(name)
    assert theme.get("canvas", "font_family") in DEBIAN_FONTS
    for category in CATEGORIES:
        assert category in theme.values["category"], f"{name} does not colour {category}"
    fills = [theme.style_for("X", c)["fill"] for c in CATEGORIES]
    looks = {(theme.style_for("X", c)["fill"], theme.style_for("X", c)["pattern"]) for c in CATEGORIES}
    assert len(looks) >= 10, f"{name}: categories are not told apart ({looks})"
    assert all(f.startswith("#") for f in fills)


def test_builtin_fonts_are_installed():
    fc_list = shutil.which("fc-list")
    assert fc_list, "fontconfig's fc-list is needed to check the fonts (apt-get install fontconfig)"
    installed = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=True).stdout
    families = {f.strip() for line in installed.splitlines() for f in line.split(",")}
    for name in themes():
        assert load_theme(name).get("canvas", "font_family") in families


def test_paper_is_okabe_ito_serif_thin_with_patterns():
    paper, default = load_theme("paper"), load_theme("default")
    assert paper.get("canvas", "font_family") == "DejaVu Serif"
    assert paper.get("canvas", "background") == "#ffffff"
    assert paper.get("box", "stroke_width") < default.get("box", "stroke_width")
    assert paper.get("connector", "width") < default.get("connector", "width")
    styles = [paper.style_for("X", c) for c in CATEGORIES]
    coloured = [s["fill"] for s in styles if len(set(rgb(s["fill"]))) > 1]
    assert coloured and set(coloured) <= OKABE_ITO
    assert sum(s["pattern"] != "none" for s in styles) >= 5
    # in grayscale, categories that share a gray level must differ by pattern
    looks = {}
    for c, s in zip(CATEGORIES, styles):
        r, g, b = rgb(s["fill"])
        gray = round((0.299 * r + 0.587 * g + 0.114 * b) / 20)
        looks.setdefault((gray, s["pattern"]), []).append(c)
    clashes = {k: v for k, v in looks.items() if len(v) > 1 and "other" not in v}
    assert not clashes, clashes


def test_slides_is_dark_large_and_high_contrast():
    slides, default = load_theme("slides"), load_theme("default")

    def luminance(colour):
        channels = [c / 255 for c in rgb(colour)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    background = slides.get("canvas", "background")
    assert luminance(background) < 0.03
    assert slides.get("canvas", "font_size") >= 1.4 * default.get("canvas", "font_size")
    for colour in (slides.get("canvas", "text_color"), slides.get("connector", "color")):
        ratio = (luminance(colour) + 0.05) / (luminance(background) + 0.05)
        assert ratio >= 7, (colour, ratio)


def test_mono_theme_values_are_all_gray():
    theme = load_theme("mono")
    colours = [v for table in SCHEMA for v in theme.values[table].values() if isinstance(v, str) and v.startswith("#")]
    colours += [v for style in theme.values["category"].values() for v in style.values() if str(v).startswith("#")]
    assert len(colours) > 15
    for colour in colours:
        r, g, b = rgb(colour)
        assert r == g == b, colour


def test_mono_renders_not_one_coloured_pixel():
    diagram = kerasvg.layered_view(every_category_graph(), theme="mono", legend=True)
    image = png_image(diagram.to_png(scale=2))
    coloured = [p for p in pixels(image) if not p[0] == p[1] == p[2]]
    assert image.size[0] > 500
    assert not coloured, f"{len(coloured)} coloured pixels, first {coloured[:3]}"
    assert len(set(pixels(image))) > 20  # grays and patterns really drawn


# ---- pixels match the theme in every raster output ---------------------------------------------------


def faces(svg_text, role):
    """(layer type, category, polygon points) for every face of the given role."""
    root = ET.fromstring(svg_text)
    found = []
    for group in root.iter(f"{SVG}g"):
        if "layer" not in group.get("class", "").split():
            continue
        for poly in group.iter(f"{SVG}polygon"):
            if poly.get("class") == f"face {role}":
                points = [tuple(map(float, p.split(","))) for p in poly.get("points").split()]
                found.append((group.get("data-type"), group.get("data-category"), points))
    return root, found


def dominant_colour(image, box):
    """The most common RGBA value inside `box` (pattern ink is a minority of any face)."""
    return Counter(pixels(image.crop(box))).most_common(1)[0][0]


def expected_pixel(fill, theme):
    opacity = theme.get("box", "opacity")
    background = theme.get("canvas", "background")
    r, g, b = rgb(fill)
    if opacity >= 1:
        return (r, g, b, 255)
    if background == "transparent":
        return (r, g, b, round(255 * opacity))
    return tuple(round(f * opacity + k * (1 - opacity)) for f, k in zip((r, g, b), rgb(background))) + (255,)


def close(a, b, tolerance=3):
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


@pytest.mark.parametrize("name", sorted(themes()))
def test_rasterized_theme_matches_its_colours(name):
    theme = load_theme(name)
    diagram = kerasvg.layered_view(every_category_graph(), theme=name)
    image = png_image(diagram.to_png(scale=4))
    root, fronts = faces(diagram.svg, "front")
    factor = image.size[0] / view_box(root)[2]
    assert factor == pytest.approx(4, abs=0.01)

    background = theme.get("canvas", "background")
    corner = image.getpixel((2, 2))
    if background == "transparent":
        assert corner[3] == 0
    else:
        assert close(corner, rgb(background) + (255,), 1), (corner, background)

    checked = 0
    for type_name, category, points in fronts:
        xs, ys = [p[0] * factor for p in points], [p[1] * factor for p in points]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        style = theme.style_for(type_name, category)
        smallest = 24 if style["pattern"] == "none" else 80  # several pattern periods
        if w < smallest or h < smallest:
            continue
        cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
        box = (round(cx - w / 4), round(cy - h / 4), round(cx + w / 4), round(cy + h / 4))
        want = expected_pixel(style["fill"], theme)
        if style["pattern"] == "none":
            got = dominant_colour(image, box)
            assert close(got, want), f"{name}: {type_name} front face is {got}, theme says {want}"
        else:  # the fill shows between the pattern's ink
            region = pixels(image.crop(box))
            share = sum(close(p, want) for p in region) / len(region)
            assert share > 0.08, f"{name}: {type_name} front face shows {want} in {share:.0%} of its pixels"
        checked += 1
    assert checked >= 6


@pytest.mark.parametrize("name", ["default", "slides"])
def test_top_and_side_faces_are_shaded_in_python(name):
    theme = load_theme(name)
    diagram = kerasvg.layered_view(every_category_graph(), theme=name)
    image = png_image(diagram.to_png(scale=2))
    for role, amount in (("top", theme.get("box", "top_shade")), ("side", theme.get("box", "side_shade"))):
        root, found = faces(diagram.svg, role)
        type_name, category, points = next(f for f in found if f[0] == "Conv2D")
        cx = sum(p[0] for p in points) / len(points) * 2
        cy = sum(p[1] for p in points) / len(points) * 2
        want = rgb(shade(theme.style_for(type_name, category)["fill"], amount)) + (255,)
        got = dominant_colour(image, (round(cx) - 2, round(cy) - 2, round(cx) + 3, round(cy) + 3))
        assert close(got, want), (role, got, want)
    assert "var(" not in diagram.svg and "<style" not in diagram.svg


def test_jpeg_and_html_carry_the_theme():
    from PIL import Image

    theme = load_theme("slides")
    diagram = kerasvg.layered_view(small_graph(), theme="slides")
    jpeg = Image.open(io.BytesIO(diagram.to_jpeg())).convert("RGB")
    assert close(jpeg.getpixel((2, 2)), rgb(theme.get("canvas", "background")), 4)
    for key in ("panel_background", "panel_text", "highlight", "match"):
        assert diagram.html_style[key] == theme.get("html", key)
    assert diagram.html_style["background"] == theme.get("canvas", "background")


def test_patterns_are_svg_patterns_on_patterned_categories():
    diagram = kerasvg.layered_view(every_category_graph(), theme="paper", legend=True)
    root = ET.fromstring(diagram.svg)
    theme = load_theme("paper")
    ids = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    wanted = {theme.style_for(t, category_of(t))["pattern"] for _, t, _ in _LAYERS} - {"none"}
    assert len(wanted) >= 4
    assert {i.rsplit("-", 1)[1] for i in ids} == wanted
    for group in root.iter(f"{SVG}g"):
        if "layer" not in group.get("class", "").split():
            continue
        pattern = theme.style_for(group.get("data-type"), group.get("data-category"))["pattern"]
        overlays = [p for p in group.iter(f"{SVG}polygon") if p.get("class", "").startswith("pattern")]
        if pattern == "none":
            assert not overlays
        else:
            assert overlays and all(p.get("fill").endswith(f"-pattern-{pattern})") for p in overlays)


# ---- choosing and overriding themes ---------------------------------------------------------------------


def test_theme_names_and_paths_and_overrides(tmp_path):
    lab = write(tmp_path, "my_lab.toml", """
        extends = "paper"
        [canvas]
        font_size = 10
        [layer.Conv2D]
        fill = "#123456"
    """)
    theme = load_theme(str(lab))
    assert theme.get("canvas", "font_family") == "DejaVu Serif"  # from paper
    assert theme.get("canvas", "font_size") == 10
    assert theme.style_for("Conv2D", "convolution")["fill"] == "#123456"
    assert theme.style_for("Conv1D", "convolution")["fill"] == "#0072b2"  # category still applies
    assert load_theme(lab).values == theme.values  # a pathlib.Path works too

    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        svg = kerasvg.layered_view(small_graph(), theme="./my_lab.toml").svg
    finally:
        os.chdir(here)
    assert 'fill="#123456"' in svg and 'font-family="DejaVu Serif"' in svg

    root = ET.fromstring(kerasvg.layered_view(small_graph(), theme="paper", overrides={"canvas": {"font_size": 11}}).svg)
    assert float(root.get("font-size")) == pytest.approx(11 * PT_TO_PX, abs=0.01)
    assert root.get("font-family") == "DejaVu Serif"


def test_extends_chain_resolves_relative_to_each_file(tmp_path):
    (tmp_path / "base").mkdir()
    write(tmp_path, "base/base.toml", 'extends = "mono"\n[canvas]\npadding = 30\n')
    write(tmp_path, "middle.toml", 'extends = "base/base.toml"\n[box]\nstroke_width = 2\n')
    top = write(tmp_path, "top.toml", 'extends = "./middle.toml"\n[connector]\nwidth = 3\n')
    theme = load_theme(str(top))
    assert (theme.get("canvas", "padding"), theme.get("box", "stroke_width"), theme.get("connector", "width")) == (30, 2, 3)
    mono = load_theme("mono")
    assert theme.style_for("Dense", "dense") == mono.style_for("Dense", "dense")
    assert theme.get("canvas", "background") == mono.get("canvas", "background")


def test_visualkeras_keywords_win_over_the_theme():
    theme = load_theme("paper")
    diagram = kerasvg.layered_view(small_graph(), theme="paper", color_map={"Dense": {"fill": "#123456", "outline": "#654321"}},
                                   background_fill="#abcdef", shade_step=20, font="DejaVu Sans Mono", font_color="#ff0000")
    root = ET.fromstring(diagram.svg)
    assert root.get("font-family") == "DejaVu Sans Mono"
    assert root.find(f"{SVG}rect").get("fill") == "#abcdef"
    assert {t.get("fill") for t in root.iter(f"{SVG}text")} == {"#ff0000"}
    dense = next(g for g in root.iter(f"{SVG}g") if g.get("data-type") == "Dense")
    fills = {p.get("class"): (p.get("fill"), p.get("stroke")) for p in dense.iter(f"{SVG}polygon")}
    assert fills["face front"] == ("#123456", "#654321")
    assert fills["face top"][0] == fade("#123456", 20)
    assert fills["face side"][0] == fade("#123456", 40)
    conv = next(g for g in root.iter(f"{SVG}g") if g.get("data-type") == "Conv2D")
    assert next(conv.iter(f"{SVG}polygon")).get("fill") == theme.style_for("Conv2D", "convolution")["fill"]
    assert diagram.background == "#abcdef"


def test_same_theme_same_bytes():
    one = kerasvg.layered_view(every_category_graph(), theme="blueprint")
    two = kerasvg.layered_view(every_category_graph(), theme="blueprint")
    assert one.svg == two.svg and one.to_png() == two.to_png()


# ---- bad themes ---------------------------------------------------------------------------------------


def raises(tmp_path, text, *fragments, name="bad.toml"):
    path = write(tmp_path, name, text)
    with pytest.raises(ThemeError) as info:
        load_theme(str(path))
    message = str(info.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def test_theme_error_is_a_value_error():
    assert issubclass(ThemeError, ValueError)
    assert kerasvg.ThemeError is ThemeError


def test_malformed_toml_names_the_line(tmp_path):
    raises(tmp_path, '[canvas]\nbackground = "#ffffff"\nfont_size = = 3\n', "malformed TOML", "line 3")


def test_unknown_key_suggests_the_right_one(tmp_path):
    raises(tmp_path, '[canvas]\nbackgrund = "#ffffff"\n',
           "unknown key 'backgrund' in [canvas]; did you mean 'background'?", "allowed: background, padding")
    raises(tmp_path, '[canvs]\npadding = 3\n', "unknown table [canvs]; did you mean 'canvas'?")
    raises(tmp_path, '[category.convolutoin]\nfill = "red"\n', "unknown category 'convolutoin'", "did you mean 'convolution'?")
    raises(tmp_path, '[category.dense]\nfil = "red"\n', "unknown key 'fil' in [category.dense]", "did you mean 'fill'?")
    raises(tmp_path, 'descripton = "x"\n', "unknown top-level key 'descripton'", "did you mean 'description'?")


def test_wrong_types(tmp_path):
    raises(tmp_path, '[canvas]\nfont_size = "big"\n', "canvas.font_size = 'big'", "must be a number")
    raises(tmp_path, '[connector]\narrowheads = "yes"\n', "connector.arrowheads = 'yes'", "true or false")
    raises(tmp_path, '[connector]\nskip_style = "wavy"\n', "connector.skip_style = 'wavy'", "allowed: solid, dashed, dotted")
    raises(tmp_path, '[labels]\nshow = ["name", "colour"]\n', "labels.show", "'colour'", "name, type, shape, params")
    raises(tmp_path, '[legend]\ncolumns = 2.5\n', "legend.columns = 2.5", "whole number")
    raises(tmp_path, 'canvas = 3\n', "[canvas] must be a table")
    raises(tmp_path, 'extends = 7\n', "extends = 7", "theme name or a path")
    raises(tmp_path, '[category.dense]\npattern = "zigzag"\n', "category.dense.pattern = 'zigzag'", "hatch", "dots")


def test_invalid_colour(tmp_path):
    raises(tmp_path, '[category.convolution]\nfill = "#12345G"\n',
           "category.convolution.fill = '#12345G'", "not a colour", "#rrggbb")
    raises(tmp_path, '[box]\nstroke = "transparent"\n', "box.stroke = 'transparent'", "not a colour")
    raises(tmp_path, '[canvas]\nbackground = "notacolour"\n', "canvas.background", '"transparent"')


def test_negative_sizes(tmp_path):
    raises(tmp_path, '[box]\nstroke_width = -1\n', "box.stroke_width = -1", "must not be negative")
    raises(tmp_path, '[canvas]\npadding = -4\n', "canvas.padding = -4", "must not be negative")
    raises(tmp_path, '[canvas]\nfont_size = 0\n', "canvas.font_size = 0", "greater than 0")
    raises(tmp_path, '[box]\nopacity = 1.5\n', "box.opacity = 1.5", "between 0 and 1")


def test_extends_a_missing_theme(tmp_path):
    raises(tmp_path, 'extends = "papr"\n', "extends = 'papr'", "unknown theme 'papr'", "did you mean 'paper'?", "slides")
    message = raises(tmp_path, 'extends = "./nowhere.toml"\n', "extends = './nowhere.toml'", "theme file not found")
    assert str(tmp_path / "nowhere.toml") in message


def test_extends_cycle_names_the_files(tmp_path):
    write(tmp_path, "b.toml", 'extends = "c.toml"\n')
    write(tmp_path, "c.toml", 'extends = "a.toml"\n')
    message = raises(tmp_path, 'extends = "b.toml"\n', "cycle", name="a.toml")
    for name in ("a.toml", "b.toml", "c.toml"):
        assert str(tmp_path / name) in message
    raises(tmp_path, 'extends = "self.toml"\n', "cycle", name="self.toml")


def test_missing_file_and_unknown_name(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ThemeError, match="theme file not found") as info:
        load_theme(str(missing))
    assert str(missing) in str(info.value)
    with pytest.raises(ThemeError, match=r"unknown theme 'slide'.*did you mean 'slides'.*default"):
        load_theme("slide")
    with pytest.raises(ThemeError, match="expected a built-in theme name"):
        load_theme(42)


def test_bad_overrides_name_their_source():
    with pytest.raises(ThemeError, match=r"overrides: canvas.font_size = -1 must be greater than 0"):
        kerasvg.layered_view(small_graph(), theme="paper", overrides={"canvas": {"font_size": -1}})
    with pytest.raises(ThemeError, match=r"unknown key 'fontsize' in \[canvas\]; did you mean 'font_size'"):
        load_theme("paper", {"canvas": {"fontsize": 11}})


def test_a_bad_theme_writes_nothing(tmp_path):
    bad = write(tmp_path, "bad.toml", '[category.dense]\nfill = "#12345G"\n')
    target = tmp_path / "out.svg"
    with pytest.raises(ThemeError):
        kerasvg.layered_view(small_graph(), theme=str(bad), to_file=str(target))
    assert list(tmp_path.iterdir()) == [bad]


# ---- reference --------------------------------------------------------------------------------------


def test_reference_is_generated_from_the_schema():
    text = (REPO / "themes" / "README.md").read_text(encoding="utf-8")
    assert text == reference_markdown(), "themes/README.md is stale: run `python -m kerasvg.theme`"
    for table, keys in SCHEMA.items():
        assert f"## [{table}]" in text
        for key in keys:
            assert f"| `{key}` |" in text
    for key in STYLE_KEYS:
        assert f"| `{key}` |" in text
    for name in themes():
        assert f"| `{name}` |" in text


# ---- physical size ------------------------------------------------------------------------------------


def png_dpi(data):
    """(x, y) pixels per inch from the pHYs chunk."""
    pos = 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", data[pos + 8:pos + 17])
            assert unit == 1
            return x * 0.0254, y * 0.0254
        pos += 12 + length
    raise AssertionError("no pHYs chunk")


def test_printed_width_keeps_point_size_and_dpi():
    diagram = kerasvg.layered_view(small_graph(), theme="paper", width="3.5in")
    root = ET.fromstring(diagram.svg)
    assert root.get("width") == "3.5in"
    assert root.get("height").endswith("in")
    _, _, vb_width, vb_height = view_box(root)
    assert float(root.get("height")[:-2]) == pytest.approx(3.5 * vb_height / vb_width, abs=0.006)
    physical_px = 3.5 * 96
    font_pt = load_theme("paper").get("canvas", "font_size")
    assert float(root.get("font-size")) * physical_px / vb_width == pytest.approx(font_pt * 96 / 72, rel=0.01)

    png = diagram.to_png(dpi=300)
    image = png_image(png)
    assert image.size[0] == 1050
    assert image.size[1] == pytest.approx(1050 * vb_height / vb_width, abs=1)
    assert png_dpi(png) == pytest.approx((300, 300), abs=0.01)


@pytest.mark.parametrize("width, inches", [("90mm", 90 / 25.4), ("8cm", 8 / 2.54), ("252pt", 3.5), ("400px", 400 / 96)])
def test_printed_width_in_other_units(width, inches):
    diagram = kerasvg.layered_view(small_graph(), theme="paper", width=width)
    root = ET.fromstring(diagram.svg)
    assert root.get("width") == width
    assert root.get("height").endswith(width[-2:])
    assert png_image(diagram.to_png(dpi=200)).size[0] == round(inches * 200)


# ---- packaging ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_built_wheel_carries_the_themes(tmp_path):
    """Build sdist and wheel from a copy of the project, install the wheel into a fresh venv, render from it."""
    source = tmp_path / "src"
    for name in ("kerasvg", "themes", "docs", "benchmarks"):  # docs and benchmarks must stay out of the wheel
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_build"))
    for name in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"):
        shutil.copy(REPO / name, source / name)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("kerasvg-*.whl"))
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    for theme in themes():
        assert f"kerasvg/themes/{theme}.toml" in names
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M).group(1)
    assert f"kerasvg-{version}.dist-info/licenses/LICENSE" in names
    assert not [n for n in names if n.split("/")[0] in ("tests", "gallery", "benchmarks", "docs")]
    assert {"kerasvg/templates", "kerasvg/fonts"} <= {n.rsplit("/", 1)[0] for n in names}
    assert "kerasvg/fonts/LICENSE" in names
    sdist = next(dist.glob("kerasvg-*.tar.gz"))
    import tarfile

    with tarfile.open(sdist) as archive:
        assert {f"kerasvg-{version}/LICENSE", f"kerasvg-{version}/CHANGELOG.md"} <= set(archive.getnames())

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True, capture_output=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    import sysconfig

    (Path(site) / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    script = textwrap.dedent("""
        import kerasvg, sys
        from kerasvg.graph.model import Layer, ModelGraph
        from kerasvg.theme import themes_dir
        layers = (Layer("input", "InputLayer", ((None, 28, 28, 1),), is_input=True),
                  Layer("conv", "Conv2D", ((None, 26, 26, 8),), 80),
                  Layer("pool", "MaxPooling2D", ((None, 13, 13, 8),)),
                  Layer("dense", "Dense", ((None, 10),), 13530))
        graph = ModelGraph("tiny", layers, (("input", "conv"), ("conv", "pool"), ("pool", "dense")), ("input",), ("dense",))
        diagram = kerasvg.layered_view(graph, theme="paper")
        print(kerasvg.__file__)
        print(themes_dir())
        print(",".join(kerasvg.themes()))
        print(diagram.svg[:2000].count('font-family="DejaVu Serif"'), "#0072b2" in diagram.svg, "-pattern-dots" in diagram.svg)
        print(len(diagram.to_png()))
        print(kerasvg.__version__)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([str(python), "-c", script], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    module, folder, listed, checks, png_size, installed = out.stdout.strip().splitlines()
    assert installed == version  # one version: read from the installed distribution
    assert module.startswith(str(venv)), module
    assert folder.startswith(str(venv)) and folder.endswith("kerasvg/themes"), folder
    assert set(listed.split(",")) == set(themes())
    assert checks == "1 True True"
    assert int(png_size) > 1000
