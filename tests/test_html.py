"""Interactive HTML at string level: structure, escaping, script-safe JSON, offline, determinism."""
import base64
import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from kerasvg import Layer, ModelGraph, layered_view
from kerasvg.writers.html import TEMPLATES, config_text, css_font_stack, script_json
from kerasvg.theme import ThemeError

HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT_BREAKER = "</script><script>alert(2)</script>"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink", "http://www.w3.org/2001/xml-events"}


def chain(name, layers, **graph_options):
    """A ModelGraph whose layers (name, type, shape, params, config) form one chain."""
    built = tuple(
        Layer(n, t, (shape,), trainable_params=p, config=cfg, index=i, is_input=(i == 0))
        for i, (n, t, shape, p, cfg) in enumerate(layers)
    )
    edges = tuple((a.name, b.name) for a, b in zip(built, built[1:]))
    return ModelGraph(name, built, edges, inputs=(built[0].name,), outputs=(built[-1].name,), **graph_options)


def mlp(name="mlp", middle="hidden"):
    return chain(name, [
        ("features", "InputLayer", (None, 8), 0, ()),
        (middle, "Dense", (None, 16), 144, (("units", 16), ("activation", "relu"))),
        ("logits", "Dense", (None, 3), 51, (("units", 3), ("activation", "softmax"))),
    ])


def script_blocks(text):
    """(attributes, body) of every <script> element, found the way an HTML parser ends them."""
    return re.findall(r"<script([^>]*)>(.*?)</script", text, re.S | re.I)


def page_data(text):
    (data,) = [body for attrs, body in script_blocks(text) if "application/json" in attrs]
    return json.loads(data)


class Outline(HTMLParser):
    """Top-level elements and stray text of an HTML fragment."""

    VOID = {"meta", "input", "br", "img", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.depth, self.top, self.stray = 0, [], []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.top.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self.top.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth == 0 and data.strip():
            self.stray.append(data)


class AttributeNames(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = set()

    def handle_starttag(self, tag, attrs):
        self.seen.update(name for name, _ in attrs)


def test_standalone_page_has_header_panel_search_and_svg():
    diagram = layered_view(mlp())
    text = diagram.to_html()
    assert text.startswith("<!DOCTYPE html>")
    assert "<title>mlp · kerasvg</title>" in text
    assert text.count('class="layer"') == 3
    assert "data-kerasvg-details" in text
    assert re.search(r'<input type="search"[^>]*>', text)
    header = re.search(r'<header class="kv-header">(.*?)</header>', text, re.S).group(1)
    assert '<h1 class="kv-name">mlp</h1>' in header
    assert "<b>195</b> parameters" in header and "<b>195</b> trainable" in header and "<b>3</b> layers" in header
    for label in ("Zoom in", "Zoom out", "Fit", "SVG", "PNG"):
        assert label in header


def test_header_counts_use_exact_grouped_numbers():
    graph = chain("big", [
        ("x", "InputLayer", (None, 4096), 0, ()),
        ("wide", "Dense", (None, 4096), 16_781_312, ()),
        ("bn", "BatchNormalization", (None, 4096), 8_192, ()),
    ])
    frozen = ModelGraph(graph.name, (graph.layers[0], graph.layers[1],
                                     Layer("bn", "BatchNormalization", ((None, 4096),), 8_192, 8_192)),
                        graph.edges)
    text = layered_view(frozen).to_html()
    assert "<b>16,797,696</b> parameters" in text
    assert "<b>16,789,504</b> trainable" in text
    assert "<b>8,192</b> non-trainable" in text


def test_data_for_the_script_lists_layers_edges_and_config():
    data = page_data(layered_view(mlp()).to_html())
    assert data["name"] == "mlp"
    hidden = data["layers"][1]
    assert hidden == {"name": "hidden", "type": "Dense", "shape": "(None, 16)", "trainable": 144, "nonTrainable": 0,
                      "config": [["units", "16"], ["activation", "relu"]], "inbound": ["features"], "outbound": ["logits"]}


def test_nested_model_is_summarised_for_the_panel():
    inner = mlp("inner", middle="inner_hidden")
    outer = ModelGraph("outer", (
        Layer("x", "InputLayer", ((None, 8),), is_input=True),
        Layer("block", "Functional", ((None, 3),), 195, 0, nested=inner),
    ), (("x", "block"),))
    (_, block) = page_data(layered_view(outer).to_html())["layers"]
    assert block["nested"] == {"count": 3, "layers": [["features", "InputLayer", "(None, 8)", 0],
                                                      ["inner_hidden", "Dense", "(None, 16)", 144],
                                                      ["logits", "Dense", "(None, 3)", 51]]}


def test_config_values_read_like_python():
    assert config_text("same") == "same"
    assert config_text((3, 3)) == "(3, 3)"
    assert config_text((2,)) == "(2,)"
    assert config_text(None) == "None"
    assert config_text(True) == "True"
    assert config_text(0.25) == "0.25"
    assert config_text(("valid", (1, 2))) == "(valid, (1, 2))"


def test_hostile_layer_name_is_escaped_everywhere():
    graph = mlp(name='model "<b>bold</b>"', middle=HOSTILE)
    for standalone in (True, False):
        text = layered_view(graph).to_html(standalone=standalone)
        assert "<img" not in text and "<b>bold" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
        assert page_data(text)["layers"][1]["name"] == HOSTILE
        assert page_data(text)["name"] == 'model "<b>bold</b>"'


def test_json_cannot_end_the_script_block():
    graph = mlp(middle=SCRIPT_BREAKER + "\u2028\u2029&amp;")
    text = layered_view(graph).to_html()
    blocks = script_blocks(text)
    assert len(blocks) == 2 == text.count("</script")
    assert page_data(text)["layers"][1]["name"] == SCRIPT_BREAKER + "\u2028\u2029&amp;"
    data = blocks[0][1]
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in data


@given(st.recursive(st.text() | st.integers() | st.booleans() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12))
def test_script_json_round_trips_without_dangerous_characters(value):
    text = script_json(value)
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == value


def test_fragment_is_one_div_with_style_svg_and_script():
    text = layered_view(mlp()).to_html(standalone=False)
    outline = Outline()
    outline.feed(text)
    outline.close()
    assert [tag for tag, _ in outline.top] == ["div"] and outline.stray == []
    attrs = outline.top[0][1]
    assert "kerasvg-view" in attrs["class"].split() and "data-kerasvg-view" in attrs
    assert not re.search(r"<(!DOCTYPE|html|head|body|h1)\b", text, re.I)
    assert "<style>" in text and "<svg" in text and len(script_blocks(text)) == 2


def test_fragment_styles_are_scoped_to_its_container():
    text = layered_view(mlp()).to_html(standalone=False)
    view_id = re.search(r'<div class="kerasvg-view" id="([^"]+)"', text).group(1)
    svg_id = re.search(r'<svg [^>]*\bid="([^"]+)"', text).group(1)
    assert view_id == svg_id + "-view"
    css = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    rules = re.findall(r"(?:^|})\s*([^{}@]+?)\s*{", css)
    assert rules
    for selector in rules:
        for part in selector.split(","):
            part = part.strip()
            assert part.startswith((f"#{view_id}", ".kerasvg-view")), part


def test_two_fragments_of_different_models_share_no_id():
    first = layered_view(mlp("first")).to_html(standalone=False)
    second = layered_view(mlp("second", middle="other")).to_html(standalone=False)
    ids = re.findall(r'\bid="([^"]+)"', first + second)
    assert len(ids) == len(set(ids)) > 6


def test_repr_html_is_the_fragment_and_save_writes_the_page(tmp_path):
    diagram = layered_view(mlp())
    assert diagram._repr_html_() == diagram.to_html(standalone=False)
    assert diagram.to_html(tmp_path / "a.html") is None
    diagram.save(tmp_path / "b.html")
    page = diagram.to_html()
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == page
    assert (tmp_path / "b.html").read_text(encoding="utf-8") == page


def test_output_is_deterministic():
    first = layered_view(mlp()).to_html()
    second = layered_view(mlp()).to_html()
    assert first == second
    assert layered_view(mlp()).to_html(standalone=False) == layered_view(mlp()).to_html(standalone=False)


def test_nothing_is_fetched_from_anywhere():
    for text in (layered_view(mlp()).to_html(), layered_view(mlp()).to_html(standalone=False)):
        assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) <= NAMESPACES
        assert not re.search(r"<(link|img|iframe|object|embed)\b", text, re.I)
        assert not re.search(r"\s(src|href|xlink:href)=", text, re.I)
        assert "@import" not in text and "@font-face" not in text
        assert set(re.findall(r"url\(([^)]*)\)", text)) <= {f"#{m}" for m in re.findall(r'id="([^"]+)"', text)}
        assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|EventSource|importScripts|eval)\s*\(", text)


def test_script_uses_no_eval_inner_html_or_inline_handlers():
    text = layered_view(mlp(middle=HOSTILE)).to_html()
    (script,) = [body for attrs, body in script_blocks(text) if "application/json" not in attrs]
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                   "setAttribute(\"on"):
        assert banned not in script
    names = AttributeNames()
    names.feed(text)
    assert "data-name" in names.seen
    assert not [n for n in names.seen if n.startswith("on")], "inline event handler attribute"


def test_content_security_policy_allows_exactly_the_inline_script():
    text = layered_view(mlp()).to_html()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert "default-src 'none'" in policy
    (script,) = [body for attrs, body in script_blocks(text) if "application/json" not in attrs]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    assert f"script-src 'sha256-{digest}'" in policy


def test_page_embeds_the_packaged_script_and_style_verbatim():
    text = layered_view(mlp()).to_html(standalone=False)
    (script,) = [body for attrs, body in script_blocks(text) if "application/json" not in attrs]
    assert script == (TEMPLATES / "kerasvg.js").read_text(encoding="utf-8")
    assert (TEMPLATES / "kerasvg.css").read_text(encoding="utf-8") in text


def test_dark_canvas_gives_a_dark_page():
    dark = layered_view(mlp(), overrides={"canvas": {"background": "#101216", "text_color": "#eeeeee"}}).to_html()
    light = layered_view(mlp()).to_html()
    assert "color-scheme: dark" in dark and "--kv-page: #101216" in dark
    assert "background: #101216" in dark
    assert "color-scheme: light" in light and "--kv-page: #ffffff" in light


def test_theme_colours_reach_the_page():
    text = layered_view(mlp(), overrides={"html": {"highlight": "#00aa55", "match": "#aa0055"}}).to_html()
    assert "--kv-highlight: #00aa55" in text and "--kv-match: #aa0055" in text


def test_font_family_cannot_break_out_of_the_style_block():
    stack = css_font_stack('Evil"; } body { display: none } </style><script>alert(1)</script>, Inter')
    assert stack.startswith('"Evil body display none stylescriptalert1script", "Inter", ')
    assert '"Inter"' in stack and not set(stack) & set("<>;{}\\") and stack.count('"') % 2 == 0
    with pytest.raises(ThemeError, match="font_family.*not a font family name"):
        layered_view(mlp(), overrides={"canvas": {"font_family": "Evil</style><script>alert(1)</script>"}})


def test_templates_ship_inside_the_package():
    package = Path(__import__("kerasvg").__file__).resolve().parent
    assert TEMPLATES.parent == package
    assert {p.name for p in TEMPLATES.iterdir()} >= {"page.html.j2", "kerasvg.js", "kerasvg.css"}


def test_import_kerasvg_does_not_load_jinja2():
    code = "import sys, kerasvg, kerasvg.writers.html; print('jinja2' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == "False"


def test_keras_model_config_reaches_the_page(keras):
    model = keras.Sequential([
        keras.Input((16, 16, 3), name="pixels"),
        keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="conv"),
        keras.layers.Dropout(0.25, name="drop"),
    ], name="convnet")
    text = layered_view(model).to_html()
    conv, drop = page_data(text)["layers"][1:]
    assert conv["shape"] == "(None, 8, 8, 8)" and conv["trainable"] == 3 * 3 * 3 * 8 + 8
    config = dict(conv["config"])
    assert config["filters"] == "8" and config["kernel_size"] == "(3, 3)" and config["strides"] == "(2, 2)"
    assert config["padding"] == "same" and config["activation"] == "relu"
    assert dict(drop["config"])["rate"] == "0.25"
