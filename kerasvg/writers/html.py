"""Scene → interactive HTML: one offline page (or an embeddable fragment) from a Jinja2 template."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping

from ..graph.model import Layer, ModelGraph, format_count
from ..scene import Scene
from ..scene.text import name_key, xml_safe
from ..theme import Theme, parse_colour, rgb, shade
from . import svg as svg_writer
from .paint import mix

EXTENSIONS = (".html",)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_STYLE = {
    "panel_background": "#f6f7f9",
    "panel_text": "#1d1f23",
    "highlight": "#ff8c00",
    "match": "#1f77b4",
    "background": "#ffffff",
    "text_color": "#222222",
    "font_family": "DejaVu Sans",
}
NESTED_LIMIT = 60
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_ROOT_ID = re.compile(r"<svg\b[^>]*?\sid=\"([^\"]*)\"")


@lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("page.html.j2")


def html_style(theme: Theme) -> Dict[str, Any]:
    """The theme values the page uses: its `[html]` table and the canvas colours and font."""
    canvas = theme.values["canvas"]
    return dict(theme.values["html"], **{k: canvas[k] for k in ("background", "text_color", "font_family")})


def write(scene: Scene, theme: Theme, options) -> str:
    """The drawing as a self-contained HTML page, or (`options.standalone` False) one embeddable `<div>`."""
    graph: ModelGraph = scene.graph
    svg = svg_writer.write(scene, theme, replace(options, format="svg"))
    style = html_style(theme)
    expanded = _expanded(options.drill_down)
    script = (TEMPLATES / "kerasvg.js").read_text(encoding="utf-8")
    context = {
        "standalone": options.standalone,
        "view_id": _view_id(svg),
        "title": xml_safe(graph.name),
        "model_type": xml_safe(graph.type),
        "stats": _stats(expanded.graph if expanded is not None else graph),
        "colours": page_colours(style),
        "font_stack": _markup(css_font_stack(dict(DEFAULT_STYLE, **style)["font_family"])),
        "fragment_height": round(min(max(scene.height + 48, 380), 640)),
        "data_json": script_json(_page_data(scene, options.drill_down)),
        "expanded_svg": _markup(expanded.svg) if expanded is not None else "",
        "style": (TEMPLATES / "kerasvg.css").read_text(encoding="utf-8"),
        "script": script,
        "script_hash": base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii"),
    }
    return _template().render(context, svg=_markup(svg))


def _expanded(drill):
    """The layer-level drawing behind a blocks/stages diagram (rendered once, on first use), or None."""
    if not drill:
        return None
    if "diagram" not in drill:
        drill["diagram"] = drill["expand"]()
    return drill["diagram"]


def _page_data(scene: Scene, drill) -> Dict[str, Any]:
    """The diagram's data; for glyphs their member layers, and the layer-level drawing's data."""
    data = diagram_data(scene.graph)
    if drill:
        by_key = {name_key(k): v for k, v in drill["members"].items()}
        for layer in data["layers"]:
            members = by_key.get(layer["name"])
            if members is not None:
                layer["members"] = [[name_key(l.name), xml_safe(l.type), xml_safe(l.shape_text), l.params]
                                    for l in members]
        data["expanded"] = diagram_data(_expanded(drill).graph)
        data["detail"] = scene.detail
    return data


def _markup(text: str):
    """Mark already-safe text (the SVG, a sanitised font list) so autoescaping leaves it alone."""
    from markupsafe import Markup

    return Markup(text)


def _view_id(svg: str) -> str:
    """The container id: the SVG root id plus `-view`, or a content hash when that id is unusable."""
    match = _ROOT_ID.search(svg)
    if match and _SAFE_ID.match(match.group(1)):
        return match.group(1) + "-view"
    return "kv" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:8] + "-view"


def _stats(graph: ModelGraph) -> Dict[str, str]:
    """The header's counts, for the model's layers (not the blocks or stages a coarser drawing shows)."""
    bound = not graph.params_known
    return {
        "total": format_count(graph.total_params, bound),
        "trainable": format_count(graph.trainable_params, bound),
        "non_trainable": format_count(graph.non_trainable_params, bound),
        "layers": f"{len(graph.layers):,}",
    }


def script_json(data: Any) -> str:
    """JSON that is safe inside a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_ESCAPES[m.group(0)], text)


def diagram_data(graph: ModelGraph) -> Dict[str, Any]:
    """What the page script needs, all strings already display-ready and XML-safe like the SVG's.

    Layer names use `name_key` (the SVG's `data-name`), so two distinct names never meet as one."""
    names = {layer.name for layer in graph.layers}
    inbound: Dict[str, List[str]] = {}
    outbound: Dict[str, List[str]] = {}
    for source, target in graph.edges:
        if source in names and target in names:
            outbound.setdefault(source, []).append(name_key(target))
            inbound.setdefault(target, []).append(name_key(source))
    return {
        "name": xml_safe(graph.name),
        "layers": [
            dict(_layer_data(layer), inbound=inbound.get(layer.name, []), outbound=outbound.get(layer.name, []))
            for layer in graph.layers
        ],
    }


def _layer_data(layer: Layer) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "name": name_key(layer.name),
        "type": xml_safe(layer.type),
        "shape": xml_safe(layer.shape_text),
        "trainable": layer.trainable_params,
        "nonTrainable": layer.non_trainable_params,
        "config": [[xml_safe(key), config_text(value)] for key, value in layer.config],
    }
    if layer.nested is not None:
        nested = layer.nested
        data["nested"] = {
            "count": len(nested.layers),
            "layers": [[name_key(l.name), xml_safe(l.type), xml_safe(l.shape_text), l.params]
                       for l in nested.layers[:NESTED_LIMIT]],
        }
    return data


def config_text(value: Any) -> str:
    """A configuration value as the panel shows it: strings bare, everything else as Python writes it."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, tuple):
        if len(value) == 1:
            return f"({config_text(value[0])},)"
        return "(" + ", ".join(config_text(v) for v in value) + ")"
    return xml_safe(repr(value))


def css_font_stack(family: str) -> str:
    """A CSS font-family list from the theme's family, reduced to characters that are inert in a `<style>`."""
    families = []
    for part in str(family).split(","):
        name = " ".join(re.sub(r"[^A-Za-z0-9 _-]", "", part).split())
        if name and name.lower() not in ("sans-serif", "serif", "monospace", "system-ui"):
            families.append(f'"{name}"')
    return ", ".join(families + ["system-ui", "-apple-system", '"Segoe UI"', "Roboto", "Helvetica", "Arial", "sans-serif"])


def _colour(value, fallback: str) -> str:
    parsed = parse_colour(value) if value not in (None, "transparent") else None
    return (parsed or fallback)[:7]


def _luminance(colour: str) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def page_colours(style: Mapping[str, Any]) -> Dict[str, str]:
    """CSS colours of the page from the theme's html + canvas colours; a dark canvas gives a dark page."""
    merged = dict(DEFAULT_STYLE, **style)
    text = _colour(merged["text_color"], DEFAULT_STYLE["text_color"])
    background = _colour(merged["background"], "#ffffff")
    dark = _luminance(background) < 0.18
    panel = _colour(merged["panel_background"], DEFAULT_STYLE["panel_background"])
    lift = 0.08 if dark else -0.06
    return {
        "scheme": "dark" if dark else "light",
        "page": background,
        "text": text,
        "muted": mix(text, background, 0.38),
        "border": mix(text, background, 0.84),
        "chrome": shade(background, lift) if dark else mix(background, panel, 0.5),
        "control": shade(background, 0.12) if dark else "#ffffff",
        "panel": panel,
        "panel_text": _colour(merged["panel_text"], DEFAULT_STYLE["panel_text"]),
        "panel_muted": mix(_colour(merged["panel_text"], DEFAULT_STYLE["panel_text"]), panel, 0.42),
        "panel_border": mix(_colour(merged["panel_text"], DEFAULT_STYLE["panel_text"]), panel, 0.86),
        "highlight": _colour(merged["highlight"], DEFAULT_STYLE["highlight"]),
        "match": _colour(merged["match"], DEFAULT_STYLE["match"]),
    }

