"""Light and dark in one SVG (issue 14): theme="auto" / a (light, dark) pair, and scheme= for rasters."""
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
from PIL import Image

import kerasvg
from kerasvg import Layer, ModelGraph
from kerasvg.theme import load_theme
from conftest import parse_svg, SVG_NS

ROOT = Path(__file__).resolve().parent.parent


def graph(conv_type="Conv2D"):
    layers = (Layer("image", "InputLayer", ((None, 16, 16, 3),), is_input=True),
              Layer("conv", conv_type, ((None, 16, 16, 8),), trainable_params=224),
              Layer("out", "Dense", ((None, 4),), trainable_params=36))
    return ModelGraph("tiny", layers, (("image", "conv"), ("conv", "out")), inputs=("image",), outputs=("out",))


def media_rules(svg):
    [style] = re.findall(r"<style><!\[CDATA\[(.*?)\]\]></style>", svg, re.S)
    match = re.fullmatch(r"@media \(prefers-color-scheme: (light|dark)\)\{(.*)\}", style, re.S)
    assert match, style
    return match.group(1), match.group(2)


def pixels(diagram):
    return numpy.asarray(Image.open(io.BytesIO(diagram.to_png())).convert("RGB")).astype(int)


def test_auto_keeps_the_light_colours_as_attributes_and_repaints_dark_in_a_media_query():
    svg = kerasvg.layered_view(graph(), theme="auto", legend=True).to_svg()
    root = parse_svg(svg)
    assert not list(root.iter(f"{SVG_NS}script")) and "var(" not in svg
    background = next(r for r in root.iter(f"{SVG_NS}rect") if r.get("class") == "background")
    assert background.get("fill") == "#ffffff"
    scheme, rules = media_rules(svg)
    dark = load_theme("dark").values["canvas"]
    assert scheme == "dark"
    assert f"rect.background{{fill:{dark['background']};" in rules
    assert f"path.glyphs{{fill:{dark['text_color']};" in rules
    assert '.layer[data-type="Conv2D"][data-category="convolution"]>.face.front{fill:#4e79a7;' in rules
    assert rules.count(".legend-entry[") == 3


def test_scheme_dark_draws_the_dark_colours_and_repaints_light():
    light = kerasvg.layered_view(graph(), theme="auto")
    dark = kerasvg.layered_view(graph(), theme="auto", scheme="dark")
    scheme, rules = media_rules(dark.to_svg())
    assert scheme == "light" and "rect.background{fill:#ffffff;" in rules
    assert dark.theme.name == "dark" and light.theme.name == "default"
    assert tuple(pixels(dark)[2, 2]) == (0x0d, 0x11, 0x17)
    assert tuple(pixels(light)[2, 2]) == (255, 255, 255)
    plain = kerasvg.layered_view(graph())
    assert numpy.array_equal(pixels(light), pixels(plain))  # rasters ignore the media query


def test_any_two_themes_pair():
    svg = kerasvg.layered_view(graph(), theme=("paper", "slides")).to_svg()
    _, rules = media_rules(svg)
    slides = load_theme("slides").values
    assert f"rect.background{{fill:{slides['canvas']['background']};" in rules
    assert f"polyline{{stroke:{slides['connector']['color']};" in rules


@pytest.mark.parametrize("keywords, message", [
    ({"scheme": "dark"}, "needs a light/dark pair"),
    ({"theme": "auto", "scheme": "dim"}, "allowed: light, dark"),
    ({"theme": ("paper",)}, "a pair is"),
    ({"theme": ("paper", "nope")}, "unknown theme 'nope'"),
])
def test_bad_schemes_are_refused(keywords, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        kerasvg.layered_view(graph(), **keywords)


def test_hostile_type_names_stay_inside_their_css_string():
    evil = 'Evil"]{}]]></style><script>alert(1)</script>'
    svg = kerasvg.layered_view(graph(evil), theme="auto").to_svg()
    root = parse_svg(svg)
    assert not list(root.iter(f"{SVG_NS}script"))
    _, rules = media_rules(svg)
    assert '[data-type="Evil\\"]{}]]\\3e \\3c /style\\3e \\3c script\\3e alert(1)\\3c /script\\3e "]' in rules


def test_cli_theme_pair_and_scheme(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "kerasvg", "render", str(ROOT / "kerasvg/examples/demo_resnet.json"),
                          "-o", str(tmp_path / "d.svg"), "-o", str(tmp_path / "d.png"), "--theme", "paper,slides",
                          "--scheme", "dark"], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    scheme, _ = media_rules((tmp_path / "d.svg").read_text())
    assert scheme == "light"
    corner = Image.open(tmp_path / "d.png").convert("RGB").getpixel((1, 1))
    assert corner == tuple(int(load_theme("slides").values["canvas"]["background"][i:i + 2], 16) for i in (1, 3, 5))


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_chromium_follows_the_colour_scheme(tmp_path, scheme):
    from test_browser import CHROMIUM_ARGS, chromium_path, unavailable

    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"playwright is not installed ({error})")
    if chromium_path() is None:
        unavailable("no Chromium found (install the Debian package 'chromium')")
    d = kerasvg.layered_view(graph(), theme="auto")
    (tmp_path / "auto.svg").write_text(d.to_svg())
    (tmp_path / "page.html").write_text('<html><body style="margin:0"><img src="auto.svg"></body></html>')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(color_scheme=scheme, viewport={"width": 600, "height": 400})
        page.goto((tmp_path / "page.html").as_uri())
        shot = numpy.asarray(Image.open(io.BytesIO(page.screenshot())).convert("L")).astype(int)
        browser.close()
    background = shot[3, 3]
    x0, y0, x1, y1 = (round(v) for v in d.scene.boxes[1].label.bounds)
    label = shot[y0:y1 + 1, x0:x1 + 1]
    if scheme == "dark":
        assert background < 40 and label.max() > 200
    else:
        assert background > 240 and label.min() < 80
