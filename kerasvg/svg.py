"""Scene + theme → SVG text (svgwrite, non-validating). Colours are concrete attributes."""
from __future__ import annotations

import hashlib
import unicodedata
from typing import Dict, Optional

from .model import ModelGraph, compact_shape
from .scene import Scene
from .text import xml_safe
from .theme import Theme, alpha, fade, rgb, shade

PT_TO_PX = 96 / 72
ID_TOKEN = "\x1fKVID\x1f"
_PATTERN_SIZE = 6


def fmt(value: float) -> str:
    """Fixed precision: two decimals, trailing zeros dropped, never `-0`."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _points(points):
    """Points rounded to the fixed precision, as svgwrite takes them."""
    return [(float(fmt(x)), float(fmt(y))) for x, y in points]


def _colour_attrs(colour: str, attr: str) -> Dict[str, str]:
    """`#rrggbbaa` becomes `#rrggbb` plus an opacity attribute (cairosvg reads both)."""
    if len(colour) == 9:
        return {attr: colour[:7], f"{attr}-opacity": fmt(alpha(colour))}
    return {attr: colour}


CJK_FAMILY = "Noto Sans CJK SC"


def _needs_cjk_font(text: str) -> bool:
    """cairo uses one font per text element: CJK text needs a family that covers it (fonts-noto-cjk)."""
    return any(unicodedata.east_asian_width(c) in ("W", "F") and ord(c) < 0x1F000 for c in text)


def _title(layer) -> str:
    return f"{layer.name} ({layer.type}) {layer.shape_text}"


def write_svg(
    scene: Scene,
    graph: ModelGraph,
    theme: Theme,
    *,
    shade_step: Optional[int] = None,
    id_prefix: Optional[str] = None,
    width_attr: Optional[str] = None,
    height_attr: Optional[str] = None,
) -> str:
    """Render the scene. Ids start with `id_prefix`, or a short hash of the output itself."""
    import svgwrite

    canvas, box_style, conn = theme.values["canvas"], theme.values["box"], theme.values["connector"]
    dwg = svgwrite.Drawing(size=(width_attr or fmt(scene.width), height_attr or fmt(scene.height)), debug=False)
    dwg.viewbox(0, 0, float(fmt(scene.width)), float(fmt(scene.height)))
    root = dwg.attribs
    root["class"] = "kerasvg"
    root["id"] = ID_TOKEN
    root["font-family"] = canvas["font_family"]
    root["font-size"] = fmt(scene.font_size)
    root["data-model"] = xml_safe(graph.name)
    dwg.elements.insert(0, _text_element("title", xml_safe(graph.name)))
    dwg.elements.insert(1, _text_element("desc", xml_safe(
        f"Layered diagram of Keras model '{graph.name}': {len(scene.boxes)} layers, "
        f"{graph.total_params} parameters. Drawn by kerasvg."
    )))
    styles = {b.name: theme.style_for(b.type, b.category) for b in scene.boxes}
    patterns = sorted({s["pattern"] for s in styles.values() if s["pattern"] != "none"})
    if patterns:
        defs = dwg.defs
        for name in patterns:
            defs.add(_pattern(dwg, name, canvas["text_color"]))
    background = canvas["background"]
    if background != "transparent":
        dwg.add(dwg.rect((0, 0), (fmt(scene.width), fmt(scene.height)), class_="background",
                         **_colour_attrs(background, "fill")))

    if scene.funnels:
        funnels = dwg.g(class_="funnels", fill="none", stroke=box_style["stroke"], **{"stroke-width": fmt(box_style["stroke_width"])})
        for a, b in scene.funnels:
            funnels.add(dwg.line((fmt(a[0]), fmt(a[1])), (fmt(b[0]), fmt(b[1]))))
        dwg.add(funnels)

    connectors = dwg.g(class_="connectors")
    for c in scene.connectors:
        colour = conn["skip_color"] if c.skip else conn["color"]
        classes = "connector" + (" skip" if c.skip else "") + (" inferred" if c.inferred else "")
        group = dwg.g(class_=classes)
        group.attribs["data-from"] = xml_safe(c.source)
        group.attribs["data-to"] = xml_safe(c.target)
        line = dwg.polyline(_points(c.points), fill="none", **_colour_attrs(colour, "stroke"))
        line.attribs["stroke-width"] = fmt(conn["width"])
        line.attribs["stroke-linejoin"] = "round"
        if c.skip and conn["skip_style"] != "solid":
            line.attribs["stroke-dasharray"] = "5 3" if conn["skip_style"] == "dashed" else "1.5 2.5"
        if c.inferred:
            line.attribs["stroke-dasharray"] = "2 3"
        group.add(line)
        if conn["arrowheads"]:
            head = dwg.polygon(_points(c.arrow), class_="arrowhead", **_colour_attrs(colour, "fill"))
            group.add(head)
        connectors.add(group)
    dwg.add(connectors)

    layers = dwg.g(class_="layers")
    text_colour = canvas["text_color"]
    for i, b in enumerate(scene.boxes):
        layer = graph.layer(b.name)
        style = styles[b.name]
        group = dwg.g(class_="layer", id=f"{ID_TOKEN}-layer-{i}")
        attrs = group.attribs
        attrs["data-name"] = xml_safe(layer.name)
        attrs["data-type"] = xml_safe(layer.type)
        attrs["data-shape"] = xml_safe(layer.shape_text)
        attrs["data-params"] = str(layer.params)
        attrs["data-category"] = b.category
        group.add(_text_element("title", xml_safe(_title(layer))))
        fill = style["fill"]
        face_fill = {
            "front": fill,
            "top": _face_colour(fill, box_style["top_shade"], shade_step, 1),
            "side": _face_colour(fill, box_style["side_shade"], shade_step, 2),
        }
        for face in b.faces:
            poly = dwg.polygon(_points(face.points), class_=f"face {face.role}",
                               **_colour_attrs(face_fill[face.role], "fill"), **_colour_attrs(style["outline"], "stroke"))
            poly.attribs["stroke-width"] = fmt(box_style["stroke_width"])
            poly.attribs["stroke-linejoin"] = "round"
            if box_style["opacity"] < 1:
                poly.attribs["fill-opacity"] = fmt(box_style["opacity"])
            group.add(poly)
            if style["pattern"] != "none":
                overlay = dwg.polygon(_points(face.points), class_=f"pattern {face.role}",
                                      fill=f"url(#{ID_TOKEN}-pattern-{style['pattern']})", stroke="none")
                group.add(overlay)
        if b.label is not None:
            for k, line_text in enumerate(b.label.lines):
                baseline = b.label.y + b.label.line_height * k + scene.font_size
                text = _text_element("text", xml_safe(line_text))
                text.attribs.update({"class": "label", "x": fmt(b.label.x), "y": fmt(baseline),
                                     "text-anchor": "middle", **_colour_attrs(text_colour, "fill")})
                if _needs_cjk_font(line_text):
                    text.attribs["font-family"] = CJK_FAMILY
                group.add(text)
        layers.add(group)
    dwg.add(layers)

    if scene.legend:
        legend = dwg.g(class_="legend")
        for e in scene.legend:
            style = theme.style_for(e.type, e.category)
            x, y, size = e.swatch
            entry = dwg.g(class_="legend-entry")
            entry.attribs["data-type"] = xml_safe(e.type)
            swatch = dwg.rect((fmt(x), fmt(y)), (fmt(size), fmt(size)), **_colour_attrs(style["fill"], "fill"),
                              **_colour_attrs(style["outline"], "stroke"))
            swatch.attribs["stroke-width"] = fmt(box_style["stroke_width"])
            entry.add(swatch)
            if style["pattern"] != "none":
                entry.add(dwg.rect((fmt(x), fmt(y)), (fmt(size), fmt(size)), fill=f"url(#{ID_TOKEN}-pattern-{style['pattern']})"))
            text = _text_element("text", xml_safe(e.text))
            text.attribs.update({"x": fmt(e.text_x), "y": fmt(e.text_y), **_colour_attrs(text_colour, "fill")})
            entry.add(text)
            legend.add(entry)
        dwg.add(legend)

    body = dwg.tostring()
    prefix = id_prefix or "kv" + hashlib.sha1(body.encode("utf-8")).hexdigest()[:8]
    return body.replace(ID_TOKEN, xml_safe(prefix).replace('"', "").replace("<", "").replace("&", ""))


def _face_colour(fill: str, amount: float, shade_step: Optional[int], steps: int) -> str:
    if shade_step is not None:
        return fade(fill, shade_step * steps)
    return shade(fill, amount)


def _text_element(tag: str, text: str) -> "_TextElement":
    return _TextElement(tag, text)


class _TextElement:
    """Minimal svgwrite-compatible element that serialises as <tag attrs>text</tag>."""

    def __init__(self, tag: str, text: str):
        self.elementname = tag
        self.text = text
        self.attribs: Dict[str, str] = {}

    def get_xml(self):
        from xml.etree.ElementTree import Element

        element = Element(self.elementname, {k: str(v) for k, v in self.attribs.items()})
        element.text = self.text
        return element


def _pattern(dwg, name: str, colour: str):
    s = _PATTERN_SIZE
    pattern = dwg.pattern(id=f"{ID_TOKEN}-pattern-{name}", size=(s, s), patternUnits="userSpaceOnUse")
    ink = {"stroke": colour, "stroke-opacity": "0.55", "stroke-width": "0.8", "fill": "none"}
    lines = {
        "hatch": [((0, s), (s, 0)), ((-1, 1), (1, -1)), ((s - 1, s + 1), (s + 1, s - 1))],
        "backhatch": [((0, 0), (s, s)), ((-1, s - 1), (1, s + 1)), ((s - 1, -1), (s + 1, 1))],
        "vertical": [((s / 2, 0), (s / 2, s))],
        "horizontal": [((0, s / 2), (s, s / 2))],
    }
    lines["crosshatch"] = lines["hatch"] + lines["backhatch"]
    if name == "dots":
        pattern.add(dwg.circle((s / 2, s / 2), 1.0, fill=colour, **{"fill-opacity": "0.6"}))
    for start, end in lines.get(name, []):
        pattern.add(dwg.line(start, end, **ink))
    return pattern
