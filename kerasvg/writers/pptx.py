"""Scene → PowerPoint: one 16:9 slide of native, editable shapes (python-pptx, the `[pptx]` extra).

Each box face is a freeform with the theme's fill and outline, each connector an open freeform with a
triangle arrowhead, each label a text box that neither wraps nor autofits; a layer's shapes form one
group named after the layer. The drawing is scaled to fit the slide with its aspect kept.
"""
from __future__ import annotations

import io
import itertools
import threading
import zipfile
from contextlib import contextmanager
from typing import Optional

from ..scene import Scene
from ..scene.text import xml_safe
from ..theme import Theme
from . import paint as P

EXTENSIONS = (".pptx",)

SLIDE_WIDTH, SLIDE_HEIGHT = 12192000, 6858000  # 13.333 x 7.5 in, in EMU
MARGIN = 228600  # 0.25 in
EMU_PER_PT = 12700
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _pptx():
    try:
        import pptx
    except ImportError as exc:
        raise ImportError("writing .pptx needs python-pptx: pip install 'kerasvg[pptx]'") from exc
    return pptx


_IDS_LOCK = threading.Lock()


@contextmanager
def _counted_shape_ids(first: int):
    """python-pptx finds each new shape id by scanning every id on the slide (quadratic: ResNet50 took
    20 s); while writing one slide, hand out ids from a counter instead."""
    from pptx.oxml.shapes.groupshape import CT_GroupShape
    from pptx.shapes.shapetree import _BaseShapes

    owners = (CT_GroupShape, _BaseShapes)  # the XML layer and the shape-collection layer each look for ids
    with _IDS_LOCK:
        originals = [owner.__dict__["_next_shape_id"] for owner in owners]
        counted = property(lambda self, counter=itertools.count(first): next(counter))
        for owner in owners:
            owner._next_shape_id = counted
        try:
            yield
        finally:
            for owner, original in zip(owners, originals):
                owner._next_shape_id = original


class _Slide:
    """Scene px → slide EMU, and the shape-making primitives."""

    def __init__(self, scene: Scene):
        self.scale = min((SLIDE_WIDTH - 2 * MARGIN) / scene.width, (SLIDE_HEIGHT - 2 * MARGIN) / scene.height)
        self.left = (SLIDE_WIDTH - scene.width * self.scale) / 2
        self.top = (SLIDE_HEIGHT - scene.height * self.scale) / 2

    def emu(self, point):
        return (round(self.left + point[0] * self.scale), round(self.top + point[1] * self.scale))

    def length(self, px: float) -> int:
        return max(1, round(px * self.scale))

    def freeform(self, shapes, points, close: bool, name: str):
        vertices = [self.emu(p) for p in points]
        builder = shapes.build_freeform(*vertices[0], scale=1.0)
        builder.add_line_segments(vertices[1:], close=close)
        shape = builder.convert_to_shape()
        shape.name = name
        shape.shadow.inherit = False
        return shape


def _set_colour(colour_format, ink: P.Paint) -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn

    colour_format.rgb = RGBColor.from_string(ink.colour[1:].upper())
    if ink.opacity < 1:  # python-pptx has no API for alpha: add <a:alpha> to the <a:srgbClr>
        srgb = colour_format._color._xClr
        srgb.append(srgb.makeelement(qn("a:alpha"), {"val": str(round(ink.opacity * 100000))}))


def _fill(shape, ink: Optional[P.Paint]) -> None:
    if ink is None:
        shape.fill.background()
        return
    shape.fill.solid()
    _set_colour(shape.fill.fore_color, ink)


_PATTERNS = {"hatch": "WIDE_UPWARD_DIAGONAL", "backhatch": "WIDE_DOWNWARD_DIAGONAL", "crosshatch": "DIAGONAL_CROSS",
             "dots": "DOTTED_GRID", "vertical": "VERTICAL", "horizontal": "HORIZONTAL"}


def _face_fill(shape, ink: P.Paint, pattern: str, pattern_ink: P.Paint) -> None:
    """A solid fill, or PowerPoint's nearest preset pattern in the pattern colour over the face colour."""
    if pattern == "none":
        _fill(shape, ink)
        return
    from pptx.enum.dml import MSO_PATTERN_TYPE

    shape.fill.patterned()
    shape.fill.pattern = getattr(MSO_PATTERN_TYPE, _PATTERNS[pattern])
    _set_colour(shape.fill.fore_color, P.Paint(P.mix(ink.colour, pattern_ink.colour, 0.55)))
    _set_colour(shape.fill.back_color, ink)


def _line(shape, ink: Optional[P.Paint], width_emu: int, dash=None) -> None:
    if ink is None:
        shape.line.fill.background()
        return
    shape.line.width = width_emu
    _set_colour(shape.line.color, ink)
    if dash is not None:
        from pptx.enum.dml import MSO_LINE_DASH_STYLE

        shape.line.dash_style = MSO_LINE_DASH_STYLE.ROUND_DOT if dash[0] < 2.5 else MSO_LINE_DASH_STYLE.DASH


def _text_box(slide: _Slide, shapes, left_px, top_px, width_px, lines, *, line_height_px, font_px, font, ink,
              align: str, name: str, bold: bool = False):
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Emu

    left, top = slide.emu((left_px, top_px))
    box = shapes.add_textbox(left, top, slide.length(width_px), slide.length(line_height_px * len(lines)))
    box.name = name
    frame = box.text_frame
    frame.word_wrap = False
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    size = Emu(max(EMU_PER_PT, slide.length(font_px)))
    for k, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        paragraph.alignment = {"middle": PP_ALIGN.CENTER, "start": PP_ALIGN.LEFT, "end": PP_ALIGN.RIGHT}[align]
        paragraph.line_spacing = Emu(slide.length(line_height_px))
        run = paragraph.add_run()
        run.text = xml_safe(line)
        run.font.size = size
        run.font.name = font
        run.font.bold = bold
        _set_colour(run.font.color, ink)
    return box


def write(scene: Scene, theme: Theme, options) -> bytes:
    """The scene as a one-slide .pptx (bytes), deterministic for the same input."""
    shade_step = options.shade_step
    P.check_page(scene.width, scene.height, ".pptx")
    pptx = _pptx()
    presentation = pptx.Presentation()
    presentation.slide_width, presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    blank = min(presentation.slide_layouts, key=lambda layout: len(layout.placeholders))
    page = presentation.slides.add_slide(blank)
    with _counted_shape_ids(page.shapes._spTree._next_shape_id):
        _draw(page, scene, theme, shade_step)
    presentation.core_properties.title = xml_safe(scene.graph.name)
    presentation.core_properties.author = "kerasvg"
    out = io.BytesIO()
    presentation.save(out)
    return _fixed_zip(out.getvalue())


def _draw(page, scene: Scene, theme: Theme, shade_step: Optional[int]) -> None:
    """Every shape of the scene onto `page`: background, funnels, frames, connectors, layers, legend."""
    slide = _Slide(scene)
    font = theme.values["canvas"]["slide_font"]
    text = P.text_paint(theme)
    box_style, conn = theme.values["box"], theme.values["connector"]
    stroke = slide.length(box_style["stroke_width"])

    background = P.background_paint(theme)
    if background is not None:
        page.background.fill.solid()
        _set_colour(page.background.fill.fore_color, background)

    if scene.funnels:
        group = page.shapes.add_group_shape()
        group.name = "funnels"
        for a, b in scene.funnels:
            _line(slide.freeform(group.shapes, (a, b), False, "funnel"), P.paint(box_style["stroke"]), stroke)

    for frame in scene.frames:
        group = page.shapes.add_group_shape()
        group.name = xml_safe(f"{frame.kind}: {frame.label}")
        for x0, y0, x1, y1 in frame.rects:
            rect = slide.freeform(group.shapes, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), True, "frame")
            _fill(rect, None)
            _line(rect, P.Paint(text.colour, 0.6), slide.length(1), (4, 3) if frame.kind == "repeat" else None)
        x, y = frame.label_at
        for caption, x, y in [(frame.label, x, y), *frame.continued]:
            _caption(slide, group.shapes, caption, x, y, scene.font_size, font, text,
                     align="end" if frame.kind == "repeat" else "start", bold=frame.kind == "repeat")

    marks = P.diff_ink(theme) if scene.diff is not None else None
    if scene.connectors:
        group = page.shapes.add_group_shape()
        group.name = "connectors"
        for c in scene.connectors:
            ink, dash = P.connector_paint(theme, c.skip), P.dash_of(theme, c.skip, c.inferred)
            if c.diff == "same":
                ink = P.Paint(ink.colour, round(ink.opacity * marks.same_opacity, 4))
            elif c.diff is not None:
                ink, dash = P.paint(marks.colours[c.diff]), (1.0, 3.0) if c.diff == "removed" else dash
            _connector(slide, group.shapes, c, ink, slide.length(conn["width"]), dash, conn["arrowheads"])

    paper = P.paint(P.paper(theme))
    for b in scene.boxes:
        look = P.box_paint(theme, b.type, b.category, shade_step, b.name)
        status = b.diff.status if b.diff is not None else None
        fill_fade, line_fade = {"same": (marks.same_opacity,) * 2, "removed": (marks.removed_opacity, 0.5)}.get(
            status, (1.0, 1.0)) if marks is not None else (1.0, 1.0)
        group = page.shapes.add_group_shape()
        group.name = xml_safe(b.name)
        _faces(slide, group.shapes, b, look, stroke, text, fill_fade, line_fade)
        if b.label is not None:
            left, top, right, _ = b.label.bounds
            ink = P.paint(marks.colours["removed"]) if status == "removed" else _faded(text, fill_fade)
            _text_box(slide, group.shapes, left, top, right - left, b.label.lines, line_height_px=b.label.line_height,
                      font_px=scene.font_size, font=font, ink=ink, align=b.label.anchor, name="label")
        if status not in (None, "same"):
            outline = P.hull([p for face in b.faces for p in face.points])
            for colour, width, dash in ((marks.halo, marks.outline_width + 2, None),
                                        (marks.colours[status], marks.outline_width, P.DIFF_DASHES[status])):
                ring = slide.freeform(group.shapes, outline, True, f"diff {status}")
                _fill(ring, None)
                _line(ring, P.paint(colour), slide.length(width), dash)
            _badge(slide, group.shapes, status, max(p[0] for p in outline), min(p[1] for p in outline),
                   scene.font_size, marks, font)
        if b.frozen:
            _lock(slide, group.shapes, b.x + b.width, b.y, text, paper)

    if scene.block_key is not None:
        _block_key(slide, page.shapes, scene.block_key, theme, shade_step, scene.font_size, font)

    if scene.legend:
        legend = page.shapes.add_group_shape()
        legend.name = "legend"
        for e in scene.legend:
            look = P.box_paint(theme, e.type, e.category, shade_step)
            x, y, size = e.swatch
            square = ((x, y), (x + size, y), (x + size, y + size), (x, y + size))
            if e.kind == "diff" and e.type != "same":
                _badge(slide, legend.shapes, e.type, x + size / 2, y + size / 2 - size * 0.05, size * 0.9, marks, font)
            else:
                swatch = slide.freeform(legend.shapes, square, True, xml_safe(e.type or e.kind))
                if e.kind == "frozen":
                    _fill(swatch, None)
                    _line(swatch, text, stroke, (3, 2))
                    _lock(slide, legend.shapes, x + size + 0.5, y - 1.0, text, paper)
                elif e.kind == "diff":
                    _fill(swatch, _faded(look.faces["front"], marks.same_opacity))
                    _line(swatch, _faded(look.faces["front"], marks.same_opacity), stroke)
                else:
                    _face_fill(swatch, look.faces["front"], look.pattern, text)
                    _line(swatch, look.outline, stroke)
            _caption(slide, legend.shapes, e.text, e.text_x, e.text_y, scene.font_size, font, text)


def _caption(slide: _Slide, shapes, text: str, x: float, y: float, font_px: float, font: str, ink: P.Paint, *,
             align: str = "start", bold: bool = False):
    """One line of text on the baseline at `y`, starting at `x` (ending there, with `align="end"`)."""
    width = font_px * 0.7 * max(len(text), 1) + font_px
    return _text_box(slide, shapes, x - width if align == "end" else x, y - font_px, width, (text,),
                     line_height_px=font_px * 1.25, font_px=font_px, font=font, ink=ink, align=align, name="label",
                     bold=bold)


def _connector(slide: _Slide, shapes, c, ink: P.Paint, width_emu: int, dash=None, arrowhead: bool = True) -> None:
    """A connector as an open freeform named `source -> target` and, with `arrowhead`, a filled triangle."""
    line = slide.freeform(shapes, c.points, False, xml_safe(f"{c.source} -> {c.target}"))
    _fill(line, None)
    _line(line, ink, width_emu, dash)
    if arrowhead and c.arrow:
        head = slide.freeform(shapes, c.arrow, True, "arrowhead")
        _fill(head, ink)
        _line(head, None, 0)


def _faces(slide: _Slide, shapes, box, look: P.BoxPaint, stroke: int, pattern_ink: P.Paint, fill_fade: float = 1.0,
           line_fade: float = 1.0) -> None:
    """A box's faces, one freeform each named by its role, filled and outlined as `look` says (faded by the
    given amounts, the outline dashed when the box is frozen)."""
    for face in box.faces:
        shape = slide.freeform(shapes, face.points, True, face.role)
        _face_fill(shape, _faded(look.faces[face.role], fill_fade), look.pattern, pattern_ink)
        _line(shape, _faded(look.outline, line_fade), stroke, (3, 2) if box.frozen else None)


def _block_key(slide: _Slide, shapes, key, theme: Theme, shade_step: Optional[int], font_px: float, font: str) -> None:
    """The block key as the SVG writer draws it: a group `block key` with its caption in bold, and per kind a
    group named after the block with its caption, its connectors (connector colour, box stroke width) and a
    group per layer of its faces."""
    text = P.text_paint(theme)
    ink = P.paint(theme.values["connector"]["color"])
    stroke = slide.length(theme.values["box"]["stroke_width"])
    group = shapes.add_group_shape()
    group.name = "block key"
    _caption(slide, group.shapes, key.caption, *key.caption_at, font_px, font, text, bold=True)
    for block in key.blocks:
        kind = group.shapes.add_group_shape()
        kind.name = xml_safe(block.block)
        _caption(slide, kind.shapes, block.caption, *block.caption_at, font_px, font, text)
        for c in block.connectors:
            _connector(slide, kind.shapes, c, ink, stroke)
        for b in block.boxes:
            layer = kind.shapes.add_group_shape()
            layer.name = xml_safe(b.name)
            _faces(slide, layer.shapes, b, P.box_paint(theme, b.type, b.category, shade_step), stroke, text)


def _faded(ink: P.Paint, amount: float) -> P.Paint:
    return ink if amount >= 1 else P.Paint(ink.colour, round(ink.opacity * amount, 4))


def _circle(x: float, y: float, r: float, steps: int = 24):
    import math

    return [(x + r * math.cos(2 * math.pi * k / steps), y + r * math.sin(2 * math.pi * k / steps)) for k in range(steps)]


def _badge(slide: _Slide, shapes, status: str, x: float, y: float, font_px: float, marks: P.DiffInk, font: str) -> None:
    """A diff badge: a disc in the status colour with its symbol, centred at (x, y)."""
    disc = slide.freeform(shapes, _circle(x, y, font_px * 0.55), True, f"badge {status}")
    _fill(disc, P.paint(marks.colours[status]))
    _line(disc, P.paint(marks.badge_text), slide.length(0.8))
    _text_box(slide, shapes, x - font_px, y - font_px * 0.62, font_px * 2, (P.DIFF_BADGES[status],),
              line_height_px=font_px * 1.2, font_px=font_px * 0.95, font=font, ink=P.paint(marks.badge_text),
              align="middle", name="badge text", bold=True)


def _lock(slide: _Slide, shapes, x: float, y: float, ink: P.Paint, paper: P.Paint) -> None:
    """The frozen mark: a small padlock whose top-right corner is at (x, y)."""
    left, top = x - 10.5, y + 1.5
    plate = slide.freeform(shapes, ((left, top), (left + 9, top), (left + 9, top + 10), (left, top + 10)), True, "lock")
    _fill(plate, P.Paint(paper.colour, 0.85))
    _line(plate, None, 0)
    shackle = slide.freeform(shapes, [(left + 2.75, top + 5), (left + 2.75, top + 3.2), (left + 3.5, top + 2),
                                      (left + 4.5, top + 1.7), (left + 5.5, top + 2), (left + 6.25, top + 3.2),
                                      (left + 6.25, top + 5)], False, "shackle")
    _fill(shackle, None)
    _line(shackle, ink, slide.length(1.1))
    body = slide.freeform(shapes, ((left + 1.5, top + 5), (left + 7.5, top + 5), (left + 7.5, top + 9),
                                   (left + 1.5, top + 9)), True, "lock body")
    _fill(body, ink)
    _line(body, None, 0)


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps and no dates in the core properties, so output is deterministic."""
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", blob)
            target.writestr(zipfile.ZipInfo(info.filename, _FIXED_TIME), blob, zipfile.ZIP_DEFLATED)
    return out.getvalue()
