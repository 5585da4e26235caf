"""Scene + theme → SVG text (svgwrite, non-validating). Colours are concrete attributes."""
from __future__ import annotations

import hashlib
import json
from typing import Dict, List, Optional, Tuple

from ..scene import Scene, nesting_order
from ..scene.text import BOLD_WIDTH, name_key, text_width, xml_safe
from ..theme import Theme, alpha
from .paint import (
    CJK_FAMILY,
    DIFF_BADGES,
    DIFF_DASHES,
    PATTERN_SIZE,
    DiffInk,
    diff_ink,
    face_fills,
    fmt,
    hull,
    needs_cjk_font,
    pattern_lines,
)

EXTENSIONS = (".svg",)
ID_TOKEN = "\x1fKVID\x1f"
FROZEN_LEGEND_TYPE = "kerasvg:frozen"
FROZEN_DASH = ' stroke-dasharray="3 2"'


def _colour_attrs(colour: str, attr: str) -> Dict[str, str]:
    """`#rrggbbaa` becomes `#rrggbb` plus an opacity attribute (cairosvg reads both)."""
    if len(colour) == 9:
        return {attr: colour[:7], f"{attr}-opacity": fmt(alpha(colour))}
    return {attr: colour}


def _count_attr(count) -> str:
    """`data-params`: the count, or empty when it is unknown."""
    return "" if count is None else str(count)


def _title(layer, shape_text: Optional[str] = None) -> str:
    return f"{layer.name} ({layer.type}) {layer.shape_text if shape_text is None else shape_text}"


def write(scene: Scene, theme: Theme, options) -> str:
    """The SVG document: the scene drawn with the theme; labels as outlines with `text_mode="paths"`;
    with a light/dark pair, CSS that repaints it in the other scheme."""
    width_attr = height_attr = None
    if options.physical_width is not None:
        value, unit = options.physical_width
        width_attr = f"{fmt(value)}{unit}"
        exact = f"{value * scene.height / scene.width:.4f}".rstrip("0").rstrip(".")  # 0.01 in would be 3 px at 300 dpi
        height_attr = f"{exact}{unit}"
    svg = draw(scene, theme, shade_step=options.shade_step, id_prefix=options.id_prefix, width_attr=width_attr,
               height_attr=height_attr)
    if options.text_mode == "paths":
        from .outlines import text_as_paths

        svg = text_as_paths(svg, theme.get("canvas", "font_family"), scene.font_size)
    if options.other_theme is not None:
        from .schemes import with_scheme

        svg = with_scheme(svg, scene, options.other_theme, options.other_scheme, shade_step=options.shade_step)
    return svg


def draw(scene: Scene, theme: Theme, *, shade_step: Optional[int] = None, id_prefix: Optional[str] = None,
         width_attr: Optional[str] = None, height_attr: Optional[str] = None) -> str:
    """The scene as one SVG document. Ids start with `id_prefix`, or a short hash of the output itself."""
    import svgwrite
    import svgwrite.container
    import svgwrite.shapes

    graph = scene.graph
    canvas, box_style, conn = theme.values["canvas"], theme.values["box"], theme.values["connector"]
    ink = diff_ink(theme) if scene.diff is not None else None
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
        f"{'at least ' if not graph.params_known else ''}{graph.total_params} parameters. Drawn by kerasvg."
    )))
    if scene.diff is not None:
        dwg.elements[1] = _text_element("desc", xml_safe(_diff_description(scene.diff)))
        (_, layers_a, params_a), (_, layers_b, params_b) = scene.diff.models
        root.update({"data-diff-layers": f"{layers_a} {layers_b}", "data-diff-params": f"{params_a} {params_b}"})
    styles = {b.name: theme.style_for(b.type, b.category, b.name) for b in scene.boxes}
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

    hot = [_repeats_xml(scene, canvas), _connectors_xml(scene, conn, ink), _groups_xml(scene, canvas),
           _layers_xml(scene, styles, box_style, canvas, shade_step, ink)]
    if scene.block_key is not None:
        hot.append(_block_key_xml(scene.block_key, theme, shade_step))
    for i in range(len(hot)):
        dwg.elements.append(_TextElement(f"kvslot{i}", None))

    text_fill = _colour_attrs(canvas["text_color"], "fill")
    if scene.legend:
        legend = dwg.g(class_="legend")
        for e in scene.legend:
            style = theme.style_for(e.type, e.category)
            x, y, size = e.swatch
            entry = dwg.g(class_="legend-entry")
            if e.kind == "diff":
                entry.attribs["class"] = "legend-entry diff-legend"
                entry.add(_TextElement(f"kvmark{len(hot)}", None))
                hot.append(_diff_swatch(ink, e.type, x, y, size, style["fill"]))
                text = _text_element("text", xml_safe(e.text))
                text.attribs.update({"x": fmt(e.text_x), "y": fmt(e.text_y), **text_fill})
                entry.add(text)
                legend.add(entry)
                continue
            entry.attribs["data-type"] = FROZEN_LEGEND_TYPE if e.kind == "frozen" else xml_safe(e.type)
            if e.kind == "frozen":
                entry.attribs["class"] = "legend-entry frozen"
                entry.add(_TextElement(f"kvmark{len(hot)}", None))
                hot.append(_frozen_swatch((x, y, size), box_style, canvas))
                text = _text_element("text", xml_safe(e.text))
                text.attribs.update({"x": fmt(e.text_x), "y": fmt(e.text_y), **text_fill})
                entry.add(text)
                legend.add(entry)
                continue
            swatch = dwg.rect((fmt(x), fmt(y)), (fmt(size), fmt(size)), **_colour_attrs(style["fill"], "fill"),
                              **_colour_attrs(style["outline"], "stroke"))
            swatch.attribs["stroke-width"] = fmt(box_style["stroke_width"])
            entry.add(swatch)
            if style["pattern"] != "none":
                entry.add(dwg.rect((fmt(x), fmt(y)), (fmt(size), fmt(size)), fill=f"url(#{ID_TOKEN}-pattern-{style['pattern']})"))
            text = _text_element("text", xml_safe(e.text))
            text.attribs.update({"x": fmt(e.text_x), "y": fmt(e.text_y), **text_fill})
            entry.add(text)
            legend.add(entry)
        dwg.add(legend)

    body = _filled(dwg.tostring(), hot)
    prefix = id_prefix or "kv" + hashlib.sha1(body.encode("utf-8")).hexdigest()[:8]
    return body.replace(ID_TOKEN, xml_safe(prefix).replace('"', "").replace("<", "").replace("&", ""))


def _filled(body: str, hot: List[str]) -> str:
    """svgwrite's text with each `<kvslotN />` or `<kvmarkN />` placeholder replaced by hot[N], in one pass
    (names and text are escaped, so no `<kv` of the user's can be in it)."""
    pieces = body.split("<kv")
    out = [pieces[0]]
    for piece in pieces[1:]:
        end = piece.find(" />")
        marker = piece[:end]
        if end < 0 or marker[:4] not in ("slot", "mark") or not marker[4:].isdigit():
            out.append("<kv" + piece)
            continue
        out.append(hot[int(marker[4:])])
        out.append(piece[end + 3:])
    return "".join(out)


def _diff_description(summary) -> str:
    (name_a, _, params_a), (name_b, _, params_b) = summary.models
    counts = ", ".join(f"{n} {status}" for status, n in summary.counts)
    return (f"Differences from Keras model '{name_a}' to '{name_b}': layers {counts}; "
            f"parameters {params_a} \u2192 {params_b}. Drawn by kerasvg.")


def lock_badge(x: float, y: float, ink: str, paper: str) -> str:
    """A small padlock whose top-right corner is at (x, y) (a box's front face corner), inside the face."""
    left, top = x - 10.5, y + 1.5
    return (f'<g class="lock"><rect x="{fmt(left)}" y="{fmt(top)}" width="9" height="10" rx="2" fill="{paper}" '
            f'fill-opacity="0.85" stroke="none" />'
            f'<path d="M{fmt(left + 2.75)} {fmt(top + 5)}v-1.5a1.75 1.75 0 0 1 3.5 0v1.5" fill="none" stroke="{ink}" '
            f'stroke-width="1.1" stroke-dasharray="none" />'
            f'<rect x="{fmt(left + 1.5)}" y="{fmt(top + 5)}" width="6" height="4" rx="0.6" fill="{ink}" stroke="none" /></g>')


def _frozen_swatch(swatch, box_style, canvas) -> str:
    x, y, size = swatch
    ink = canvas["text_color"][:7]
    paper = canvas["background"][:7] if canvas["background"] != "transparent" else "#ffffff"
    return (f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(size)}" height="{fmt(size)}" fill="none" stroke="{ink}" '
            f'stroke-width="{fmt(box_style["stroke_width"])}"{FROZEN_DASH} />'
            + lock_badge(x + size + 0.5, y - 1.0, ink, paper))


def _face_paints(style, box_style, shade_step: Optional[int], opacity) -> Dict[str, Dict[str, str]]:
    """Fill and stroke attributes of the three faces of a box in `style`."""
    stroke = _colour_attrs(style["outline"], "stroke")
    return {role: {**_colour_attrs(colour, "fill"), **stroke, **opacity}
            for role, colour in face_fills(style, box_style, shade_step).items()}


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
    s = PATTERN_SIZE
    pattern = dwg.pattern(id=f"{ID_TOKEN}-pattern-{name}", size=(s, s), patternUnits="userSpaceOnUse")
    ink = {"stroke": colour, "stroke-opacity": "0.55", "stroke-width": "0.8", "fill": "none"}
    if name == "dots":
        pattern.add(dwg.circle((s / 2, s / 2), 1.0, fill=colour, **{"fill-opacity": "0.6"}))
    for start, end in pattern_lines(name):
        pattern.add(dwg.line(start, end, **ink))
    return pattern


def _esc(text: str) -> str:
    """Attribute escaping exactly as ElementTree writes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _esc_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attrs(attrs, sort=True) -> str:
    items = sorted(attrs.items()) if sort else attrs.items()
    return "".join(f' {k}="{_esc(v)}"' for k, v in items if v)


class _Formatted(dict):
    """fmt() of each coordinate, remembered: a drawing repeats most of its coordinates (faces share corners)."""

    def __missing__(self, value: float) -> str:
        if len(self) > 100_000:
            self.clear()
        text = self[value] = fmt(value)
        return text


_FORMATTED = _Formatted()


def _pts(points) -> str:
    formatted = _FORMATTED
    return " ".join([f"{formatted[x]},{formatted[y]}" for x, y in points])


def _split_at_points(attrs) -> Tuple[str, str]:
    """Sorted attributes before and after `points` (svgwrite sorts attribute names)."""
    before = {k: v for k, v in attrs.items() if k < "points"}
    after = {k: v for k, v in attrs.items() if k > "points"}
    return _attrs(before), _attrs(after)


def _connectors_xml(scene, conn, ink: Optional[DiffInk] = None) -> str:
    dash = None if conn["skip_style"] == "solid" else "5 3" if conn["skip_style"] == "dashed" else "1.5 2.5"
    out = [f'<g class="connectors" fill="none" stroke-linejoin="round" stroke-width="{fmt(conn["width"])}">']
    line_attrs, head_attrs, dashes = {}, {}, {}
    for skip in (False, True):
        for inferred in (False, True):
            extra = {"stroke-dasharray": "2 3" if inferred else (dash if skip else None)}
            dashes[skip, inferred] = extra["stroke-dasharray"]
            colour = conn["skip_color"] if skip else conn["color"]
            line_attrs[skip, inferred] = _split_at_points({**_colour_attrs(colour, "stroke"), **extra})
        colour = conn["skip_color"] if skip else conn["color"]
        head_attrs[skip] = _split_at_points({"class": "arrowhead", **_colour_attrs(colour, "fill")})
    arrowheads = conn["arrowheads"]
    for c in scene.connectors:
        classes = "connector" + (" skip" if c.skip else "") + (" inferred" if c.inferred else "") + (" stub" if c.stub else "")
        before, after = line_attrs[c.skip, c.inferred]
        head, extra = head_attrs[c.skip], ""
        if c.diff is not None:
            if c.diff == "same":
                extra = _attrs({"data-diff": c.diff, "opacity": fmt(ink.same_opacity)})
            else:
                colour = ink.colours[c.diff]
                line = {"stroke": colour, "stroke-width": fmt(ink.outline_width * 0.8)}
                if c.diff == "removed":
                    line.update({"stroke-dasharray": "1 3", "stroke-linecap": "round"})
                extra = _attrs({"data-diff": c.diff})
                before, after = _split_at_points({"stroke-dasharray": dashes[c.skip, c.inferred], **line})
                head = _split_at_points({"class": "arrowhead", "fill": colour})
        out.append(f'<g class="{classes}" data-from="{_esc(name_key(c.source))}" data-to="{_esc(name_key(c.target))}"{extra}>'
                   f'<polyline{before} points="{_pts(c.points)}"{after} />')
        if arrowheads:
            before, after = head
            out.append(f'<polygon{before} points="{_pts(c.arrow)}"{after} />')
        out.append("</g>")
    out.append("</g>")
    return "".join(out)


def _block_key_xml(key, theme: Theme, shade_step: Optional[int]) -> str:
    """`g.block-key`: per kind a `g.key-block` of `g.key-layer` boxes and `g.key-connector` lines."""
    canvas, box_style, conn = theme.values["canvas"], theme.values["box"], theme.values["connector"]
    text_fill = _attrs(_colour_attrs(canvas["text_color"], "fill"), sort=False)
    opacity = {"fill-opacity": fmt(box_style["opacity"])} if box_style["opacity"] < 1 else {}
    line = _attrs({**_colour_attrs(conn["color"], "stroke"), "fill": "none"}, sort=False)
    head = _attrs(_colour_attrs(conn["color"], "fill"), sort=False)
    x, y = key.caption_at
    out = [f'<g class="block-key" stroke-linejoin="round" stroke-width="{fmt(box_style["stroke_width"])}">',
           f'<text class="key-caption" x="{fmt(x)}" y="{fmt(y)}" font-weight="bold"{text_fill}>'
           f'{_esc_text(xml_safe(key.caption))}</text>']
    for block in key.blocks:
        x, y = block.caption_at
        out.append(f'<g class="key-block" data-block="{_esc(name_key(block.block))}">'
                   f'<text class="key-caption" x="{fmt(x)}" y="{fmt(y)}"{text_fill}>{_esc_text(xml_safe(block.caption))}</text>')
        for c in block.connectors:
            skip = " skip" if c.skip else ""
            out.append(f'<g class="key-connector{skip}" data-from="{_esc(name_key(c.source))}" '
                       f'data-to="{_esc(name_key(c.target))}"><polyline{line} points="{_pts(c.points)}" />'
                       f'<polygon{head} points="{_pts(c.arrow)}" /></g>')
        for b in block.boxes:
            style = theme.style_for(b.type, b.category)
            paints = _face_paints(style, box_style, shade_step, opacity)
            out.append(f'<g class="key-layer" data-type="{_esc(xml_safe(b.type))}" data-name="{_esc(name_key(b.name))}">')
            for face in b.faces:
                out.append(f'<polygon class="face {face.role}"{_attrs(paints[face.role])} points="{_pts(face.points)}" />')
            out.append("</g>")
        out.append("</g>")
    out.append("</g>")
    return "".join(out)


def _frame_rects(frame, colour: str, dashed: bool) -> str:
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return "".join(
        f'<rect class="frame" x="{fmt(x0)}" y="{fmt(y0)}" width="{fmt(x1 - x0)}" height="{fmt(y1 - y0)}" rx="4" '
        f'fill="none" stroke="{colour}" stroke-opacity="0.6" stroke-width="1"{dash} />'
        for x0, y0, x1, y1 in frame.rects
    )


def _repeats_xml(scene, canvas) -> str:
    """Folded runs: a dashed outline around the block drawn once, and its ×N badge."""
    if not any(f.kind == "repeat" for f in scene.frames):
        return ""
    colour = canvas["text_color"][:7]
    out = ['<g class="repeats">']
    for frame in scene.frames:
        if frame.kind != "repeat":
            continue
        x, y = frame.label_at
        count = frame.label.lstrip("×")
        out.append(f'<g class="repeat" data-count="{_esc(count)}">{_frame_rects(frame, colour, True)}'
                   f'<text class="badge" x="{fmt(x)}" y="{fmt(y)}" text-anchor="end" font-weight="bold" '
                   f'fill="{colour}">{_esc_text(frame.label)}</text></g>')
    out.append("</g>")
    return "".join(out)


def _groups_xml(scene, canvas) -> str:
    """Stage and block frames, behind the boxes: one outline per row (a block has one) and a caption
    on a patch of background, so that connectors passing under it leave it legible."""
    groups = [f for f in scene.frames if f.kind in ("stage", "block")]
    if not groups:
        return ""
    colour = canvas["text_color"][:7]
    backdrop = canvas["background"] if canvas["background"] != "transparent" else None
    paint = "".join(f' {k}="{v}"' for k, v in _colour_attrs(backdrop, "fill").items()) if backdrop is not None else ""
    rise, backdrop_height = scene.font_size * 0.85, fmt(scene.font_size * 1.1)
    number = _FORMATTED.__getitem__
    out = ['<g class="groups">']
    for frame in groups:
        x, y = frame.label_at
        dash = ' stroke-dasharray="4 3"' if frame.kind == "block" else ""
        weight = "1.2" if frame.kind == "stage" else "0.8"
        out.append(f'<g class="group" data-group-name="{_esc(name_key(frame.name))}" data-level="{frame.kind}">')
        for x0, y0, x1, y1 in frame.rects:
            out.append(f'<rect class="group-frame" x="{number(x0)}" y="{number(y0)}" width="{number(x1 - x0)}" '
                       f'height="{number(y1 - y0)}" rx="4" fill="none" stroke="{colour}" stroke-opacity="0.55" '
                       f'stroke-width="{weight}"{dash} />')
        bold = ' font-weight="bold"' if frame.kind == "stage" else ""
        for kind, text, x, y in [("caption", frame.label, x, y)] + [("caption continued", *c) for c in frame.continued]:
            if backdrop is not None:
                width = text_width(text, scene.font_size, canvas["font_family"]) * (BOLD_WIDTH if bold else 1.0)
                out.append(f'<rect class="caption-backdrop" x="{number(x - 1.5)}" y="{number(y - rise)}" '
                           f'width="{number(width + 3)}" height="{backdrop_height}"{paint} />')
            out.append(f'<text class="{kind}" x="{number(x)}" y="{number(y)}" text-anchor="start"{bold} fill="{colour}">'
                       f'{_esc_text(xml_safe(text))}</text>')
        out.append("</g>")
    out.append("</g>")
    return "".join(out)


def _layers_xml(scene, styles, box_style, canvas, shade_step, ink: Optional[DiffInk] = None) -> str:
    """One group per layer; an expanded nested model is a layer group holding its layers' groups."""
    out = [f'<g class="layers" stroke-linejoin="round" stroke-width="{fmt(box_style["stroke_width"])}" text-anchor="middle">']
    group_layers = {layer.name: layer for layer, _ in scene.graph.groups}
    text_colour = canvas["text_color"][:7]
    emit_layer = _layer_xml_writer(scene, styles, box_style, canvas, shade_step, out, ink)
    for event, index, frame in nesting_order(scene):
        if event == "box":
            emit_layer(index)
        elif event == "close":
            out.append("</g>")
        else:
            layer = group_layers[frame.name]
            diff_attrs, diff_title = _diff_attrs(frame.diff, ink, nested=True)
            out.append(f'<g class="layer nested" data-category="other" data-name="{_esc(name_key(layer.name))}" '
                       f'data-params="{_count_attr(layer.params)}" data-shape="{_esc(xml_safe(layer.shape_text))}" '
                       f'data-type="{_esc(xml_safe(layer.type))}" id="{ID_TOKEN}-group-{index}"{diff_attrs}>'
                       f'<title>{_esc_text(xml_safe(_title(layer) + diff_title))}</title>'
                       f'{_frame_rects(frame, text_colour, False)}')
            x, y = frame.label_at
            out.append(f'<text class="frame-label" x="{fmt(x)}" y="{fmt(y)}" text-anchor="start" '
                       f'fill="{text_colour}">{_esc_text(xml_safe(frame.label))}</text>')
    out.append("</g>")
    return "".join(out)


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False) makes one per call


def _json_list(names) -> str:
    """Names as a JSON list, each as `data-name` writes it (one-to-one)."""
    return _JSON.encode([name_key(n) for n in names])


def _diff_attrs(mark, ink: Optional[DiffInk], nested: bool = False) -> Tuple[str, str]:
    """A diff status's attributes on a `g.layer` and the lines it adds to the `<title>` tooltip."""
    if mark is None:
        return "", ""
    attrs = {"data-diff": mark.status}
    if mark.details:
        attrs["data-diff-detail"] = xml_safe("; ".join(mark.details))
    if mark.name_a is not None:
        attrs["data-name-a"] = name_key(mark.name_a)
    if not nested and mark.status == "same":
        attrs["opacity"] = fmt(ink.same_opacity)
    elif not nested and mark.status == "removed":
        attrs["fill-opacity"] = fmt(ink.removed_opacity)
        attrs["stroke-opacity"] = "0.5"
    if mark.status == "same":
        title = ""
    elif mark.status == "changed" and mark.details:
        title = "\nchanged: " + "\n".join(mark.details)
    else:
        title = "\n" + {"added": "added (only in b)", "removed": "removed (only in a)", "changed": "changed"}[mark.status]
    return _attrs(attrs), title


def _diff_overlay(box, ink: DiffInk, font_size: float) -> str:
    """The status outline around a box and its badge (nothing for `same`)."""
    status = box.diff.status
    if status == "same":
        return ""
    outline = hull([p for face in box.faces for p in face.points])
    dash = DIFF_DASHES[status]
    dash_attrs = f' stroke-dasharray="{fmt(dash[0])} {fmt(dash[1])}" stroke-linecap="round"' if dash else ""
    points = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in outline)
    xs, ys = [p[0] for p in outline], [p[1] for p in outline]
    return (f'<polygon class="diff-halo" points="{points}" fill="none" stroke="{ink.halo}" '
            f'stroke-opacity="1" stroke-width="{fmt(ink.outline_width + 2)}" />'
            f'<polygon class="diff-outline" points="{points}" fill="none" stroke="{ink.colours[status]}" stroke-opacity="1" '
            f'stroke-width="{fmt(ink.outline_width)}"{dash_attrs} />'
            + _diff_badge(ink, status, max(xs), min(ys), font_size))


def _diff_badge(ink: DiffInk, status: str, x: float, y: float, font_size: float) -> str:
    r = font_size * 0.55
    return (f'<g class="diff-badge" fill-opacity="1" stroke-opacity="1">'
            f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(r)}" fill="{ink.colours[status]}" '
            f'stroke="{ink.badge_text}" stroke-width="0.8" stroke-dasharray="none" />'
            f'<text x="{fmt(x)}" y="{fmt(y + font_size * 0.36)}" text-anchor="middle" font-weight="bold" '
            f'font-size="{fmt(font_size * 0.95)}" fill="{ink.badge_text}">{DIFF_BADGES[status]}</text></g>')


def _diff_swatch(ink: DiffInk, status: str, x: float, y: float, size: float, grey: str) -> str:
    """The legend swatch of a diff status: its badge, or a faded box for `same`."""
    if status == "same":
        return (f'<rect class="diff-swatch" x="{fmt(x)}" y="{fmt(y)}" width="{fmt(size)}" height="{fmt(size)}" '
                f'fill="{grey}" stroke="{grey}" opacity="{fmt(ink.same_opacity)}" />')
    return _diff_badge(ink, status, x + size / 2, y + size / 2 - size * 0.05, size * 0.9)


def _layer_xml_writer(scene, styles, box_style, canvas, shade_step, out, ink: Optional[DiffInk] = None):
    """A function that appends box i's layer group to `out`."""
    graph = scene.graph
    text_fill = _attrs(_colour_attrs(canvas["text_color"], "fill"), sort=False)
    face_opacity = {"fill-opacity": fmt(box_style["opacity"])} if box_style["opacity"] < 1 else {}
    face_parts: Dict[tuple, Dict[str, Tuple[str, str]]] = {}
    font_size = scene.font_size
    text_colour = canvas["text_color"][:7]
    behind = canvas["background"][:7] if canvas["background"] != "transparent" else "#ffffff"
    group_attrs: Dict[Tuple[str, ...], str] = {}  # the layers of a block share their groups

    def emit(i):
        b = scene.boxes[i]
        layer = graph.layer(b.name)
        style = styles[b.name]
        key = (style["fill"], style["outline"])
        parts = face_parts.get(key)
        if parts is None:
            paints = _face_paints(style, box_style, shade_step, face_opacity)
            parts = face_parts[key] = {role: _split_at_points({"class": "face " + role, **paint})
                                       for role, paint in paints.items()}
        diff_attrs, diff_title = _diff_attrs(b.diff, ink)
        kind = f" {b.level}" if b.level is not None else ""
        is_frozen = b.frozen
        kind += " frozen" if is_frozen else ""
        within = ""
        if b.groups:
            within = group_attrs.get(b.groups)
            if within is None:
                within = group_attrs[b.groups] = f' data-group="{_esc(_json_list(b.groups))}"'
        listed = f' data-members="{_esc(_json_list(b.members))}"' if b.level is not None else ""
        shape_text = layer.shape_text
        out.append(f'<g class="layer{kind}" data-category="{_esc(b.category)}"{within}{listed} '
                   f'data-name="{_esc(name_key(layer.name))}" '
                   f'data-params="{_count_attr(layer.params)}" data-shape="{_esc(xml_safe(shape_text))}" '
                   f'data-type="{_esc(xml_safe(layer.type))}" id="{ID_TOKEN}-layer-{i}"{diff_attrs}>'
                   f'<title>{_esc_text(xml_safe(_title(layer, shape_text) + diff_title))}</title>')
        overlay = style["pattern"] != "none" and f'fill="url(#{ID_TOKEN}-pattern-{style["pattern"]})"'
        for face in b.faces:
            points = _pts(face.points)
            before, after = parts[face.role]
            if is_frozen:
                after += FROZEN_DASH
            out.append(f'<polygon{before} points="{points}"{after} />')
            if overlay:
                out.append(f'<polygon class="pattern {face.role}" {overlay} points="{points}" stroke="none" />')
        if b.diff is not None:
            out.append(_diff_overlay(b, ink, font_size))
        if is_frozen:
            out.append(lock_badge(b.x + b.width, b.y, text_colour, behind))
        if b.label is not None:
            removed = b.diff is not None and b.diff.status == "removed"
            fill = _attrs({"fill": ink.colours["removed"], "fill-opacity": "1"}, sort=False) if removed else text_fill
            x = fmt(b.label.x)
            anchor = "" if b.label.anchor == "middle" else f' text-anchor="{b.label.anchor}"'
            for k, line_text in enumerate(b.label.lines):
                baseline = b.label.y + b.label.line_height * k + font_size
                cjk = f' font-family="{CJK_FAMILY}"' if needs_cjk_font(line_text) else ""
                out.append(f'<text class="label" x="{x}" y="{fmt(baseline)}"{anchor}{fill}{cjk}>'
                           f'{_esc_text(xml_safe(line_text))}</text>')
        out.append("</g>")

    return emit
