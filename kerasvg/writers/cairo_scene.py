"""PNG and PDF drawn straight from the scene with cairo, as `svg.py` draws it and cairosvg paints that SVG.

Every element the SVG writer emits is drawn here in the same order with the paint cairosvg gives it: the
same coordinates (rounded to 0.01 as the SVG writes them), inherited fill and stroke opacity, group
opacity (an offscreen group painted with alpha), the 6 px fill patterns, rounded rectangles, the lock's
arc, and text set with cairo's toy font API in the SVG's font family (the first of the list), anchored
as cairosvg anchors it. So the pixels match cairosvg's rendering of the SVG without writing or parsing
any SVG. PDF text stays text (selectable). cairo (cairocffi) is imported only when something is drawn.

One deliberate difference: cairosvg multiplies a pattern's opacity into the pattern itself on every use,
so in a diff with a patterned theme the hatching of each removed layer fades more than the one before;
here each gets the removed opacity, as browsers draw it.
"""
from __future__ import annotations

import io
import math
import re
from typing import Dict, NamedTuple, Optional, Tuple

from ..scene import nesting_order
from ..scene.text import xml_safe
from ..theme import alpha
from .paint import (
    CJK_FAMILY,
    DIFF_BADGES,
    DIFF_DASHES,
    PATTERN_SIZE,
    diff_ink,
    face_fills,
    fmt,
    hull,
    needs_cjk_font,
    paper,
    pattern_lines,
)

# What cairosvg makes of the SVG writer's lengths (helpers.UNITS), and of a colour keyword.
_USER_UNITS = {"mm": 1 / 25.4, "cm": 1 / 2.54, "in": 1.0, "pt": 1 / 72, "px": None}
_PT_PER_PX = 1 / (96.0 * (1 / 72))  # cairosvg's points per px at 96 dpi, as it computes it
_NO_PAINT = (0.0, 0.0, 0.0, 0.0)
_HEX6 = re.compile("#[0-9a-f]{6}")
_HEX3 = re.compile("#[0-9a-f]{3}")


class Picture(NamedTuple):
    """What the scene writer draws: the scene, its theme and the writing options (`WriteOptions`)."""

    scene: object
    theme: object
    options: object


def drawable(options) -> bool:
    """Whether the scene is drawn here (False: labels as outlines, which only the SVG path draws)."""
    return options.text_mode == "text"


def cairo_module():
    """cairocffi, or an ImportError that names what to install."""
    try:
        import cairocffi
    except (ImportError, OSError) as exc:
        raise ImportError(
            "rasterizing needs cairocffi and the system cairo library: pip install cairocffi (it comes with "
            "cairosvg) (Debian/Ubuntu: apt-get install libcairo2)"
        ) from exc
    return cairocffi


def page_size(picture: Picture, dpi: float = 96.0) -> Tuple[float, float, float, float]:
    """(width, height, view width, view height) in px as cairosvg reads the SVG root's size and viewBox."""
    scene, options = picture.scene, picture.options
    view_w, view_h = round(scene.width, 2), round(scene.height, 2)
    if options.physical_width is None:
        return view_w, view_h, view_w, view_h
    value, unit = options.physical_width
    exact = f"{value * scene.height / scene.width:.4f}".rstrip("0").rstrip(".")
    return _length(float(fmt(value)), unit, dpi), _length(float(exact or 0), unit, dpi), view_w, view_h


def _length(number: float, unit: str, dpi: float) -> float:
    coefficient = _USER_UNITS[unit]
    return number * (dpi * coefficient if coefficient else 1)


def png(picture: Picture, scale: float = 1.0, dpi: Optional[float] = None) -> bytes:
    """PNG bytes at `scale` (device pixels per px), lengths with units converted at `dpi` (96 when None)."""
    cairo = cairo_module()
    width, height, view_w, view_h = page_size(picture, 96.0 if dpi is None else dpi)
    width, height = width * scale, height * scale
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, int(round(width)), int(round(height)))
    _draw(cairo, cairo.Context(surface), picture, (width, height, view_w, view_h))
    out = io.BytesIO()
    surface.write_to_png(out)  # libpng, as cairosvg writes it: the same pixels give the same bytes
    return out.getvalue()


def pdf(picture: Picture) -> bytes:
    """A one-page PDF (points = px × 0.75) without cairo's creation date, its text real text."""
    cairo = cairo_module()
    width, height, view_w, view_h = page_size(picture)
    out = io.BytesIO()
    surface = cairo.PDFSurface(out, width * _PT_PER_PX, height * _PT_PER_PX)
    surface.set_metadata(cairo.PDF_METADATA_CREATE_DATE, "")
    _draw(cairo, cairo.Context(surface), picture, (width, height, view_w, view_h), _PT_PER_PX)
    surface.finish()
    return out.getvalue()


def page_points(picture: Picture) -> Tuple[float, float]:
    """The PDF page size in points."""
    width, height, _, _ = page_size(picture)
    return width * _PT_PER_PX, height * _PT_PER_PX


def _draw(cairo, ctx, picture: Picture, page: Tuple[float, float, float, float], points_per_px: float = 0.0) -> None:
    """The root as cairosvg sets it up (clip to the viewport, viewBox scaled to fit, centred), then the scene;
    a PDF's device unit is the point (`points_per_px`), a raster's the pixel."""
    width, height, view_w, view_h = page
    if points_per_px:
        ctx.scale(points_per_px, points_per_px)
    scale_x = width / view_w if view_w > 0 else 1
    scale_y = height / view_h if view_h > 0 else 1
    fit = min(scale_x, scale_y)
    ctx.rectangle(0, 0, width, height)
    ctx.clip()
    ctx.scale(fit, fit)
    ctx.translate((width / fit - view_w) / 2, (height / fit - view_h) / 2)
    ctx.set_miter_limit(4)
    _Painter(cairo, ctx, picture, raster=not points_per_px).draw()
    ctx.new_path()  # cairocffi checks the context's status after each call: raises if drawing failed


def colour(value: Optional[str], opacity: float = 1.0) -> Tuple[float, float, float, float]:
    """An SVG colour attribute as cairosvg reads it: `#rrggbb` (the first six digits of a longer one), `#rgb`,
    `none`; `opacity` is the element's fill- or stroke-opacity."""
    if not value:
        return _NO_PAINT
    value = value.strip().lower()
    if value in ("none", "transparent"):
        return _NO_PAINT
    match = _HEX6.search(value)
    if match:
        return (int(value[1:3], 16) / 255, int(value[3:5], 16) / 255, int(value[5:7], 16) / 255, opacity)
    if _HEX3.search(value):
        return (int(value[1], 16) / 15, int(value[2], 16) / 15, int(value[3], 16) / 15, opacity)
    from ..theme import CSS_COLOURS

    named = CSS_COLOURS.get(value)
    return colour(named, opacity) if named else (0.0, 0.0, 0.0, 1.0)


def attr_colour(value: str, inherited: float = 1.0) -> Tuple[float, float, float, float]:
    """A theme colour written as the SVG writer writes it: `#rrggbbaa` as `#rrggbb` plus an opacity of its
    alpha (two decimals); otherwise the opacity the element inherits."""
    return colour(value, float(fmt(alpha(value))) if len(value) == 9 else inherited)


def svg_text(text: str) -> str:
    """A label as cairosvg reads it back from the SVG: XML-safe, line breaks dropped, runs of spaces and tabs
    one space, no space at either end."""
    text = xml_safe(text)
    if "\r" in text or "\n" in text:
        text = text.replace("\r", "").replace("\n", "")
    if "\t" in text:
        text = text.replace("\t", " ")
    if "  " in text:
        text = re.sub(" +", " ", text)
    return text.strip(" ")


def _label_family(line: str) -> Optional[str]:
    """A layer label's own font family: Noto Sans CJK SC for wide characters, else None (the figure's)."""
    return CJK_FAMILY if not line.isascii() and needs_cjk_font(line) else None


class _Painter:
    """Draws one scene on one cairo context, element by element in the SVG writer's order."""

    def __init__(self, cairo, ctx, picture: Picture, raster: bool):
        self.cairo, self.ctx, self.raster = cairo, ctx, raster
        self.lib, self.pointer = cairo.cairo, ctx._pointer  # cffi's library, for the calls made per shape
        self.point, self.glyph = cairo.ffi.new("double[2]"), cairo.ffi.new("cairo_glyph_t *")
        self.scene, self.theme, self.options = picture
        canvas = self.theme.values["canvas"]
        self.family = (canvas["font_family"] or "sans-serif").split(",")[0].strip("\"' ")
        self.font_size = round(self.scene.font_size, 2)
        # the stroke state set on the context (cairo's defaults to start), to skip calls that change nothing
        self.width: Optional[float] = None
        self.dash: Tuple[float, ...] = ()
        self.round_join, self.cap = False, "butt"
        self.patterns: Dict[tuple, object] = {}
        self.faces: Dict[tuple, Dict[str, Tuple[tuple, tuple]]] = {}

    # --- primitives

    def _stroke_state(self, width: float, dash: Tuple[float, ...], round_join: bool, cap: str) -> None:
        ctx, cairo = self.ctx, self.cairo
        if width != self.width:
            ctx.set_line_width(width)
            self.width = width
        if dash != self.dash:
            ctx.set_dash(list(dash) if sum(dash) else [], 0)  # all zeros: solid, as cairosvg reads it
            self.dash = dash
        if round_join != self.round_join:
            ctx.set_line_join(cairo.LINE_JOIN_ROUND if round_join else cairo.LINE_JOIN_MITER)
            self.round_join = round_join
        if cap != self.cap:
            ctx.set_line_cap(cairo.LINE_CAP_ROUND if cap == "round" else cairo.LINE_CAP_BUTT)
            self.cap = cap

    def _paint(self, fill, stroke=_NO_PAINT, width: float = 1.0, dash: Tuple[float, ...] = (),
               round_join: bool = False, cap: str = "butt") -> None:
        """Fill, then stroke, the current path (as cairosvg does for every shape), then clear it."""
        lib, p = self.lib, self.pointer
        if isinstance(fill, tuple):
            if fill[3] > 0:
                lib.cairo_set_source_rgba(p, *fill)
                lib.cairo_fill_preserve(p)
        elif fill is not None:
            self.ctx.set_source(fill)
            lib.cairo_fill_preserve(p)
        if stroke[3] > 0:
            self._stroke_state(width, dash, round_join, cap)
            lib.cairo_set_source_rgba(p, *stroke)
            lib.cairo_stroke(p)
        else:
            lib.cairo_new_path(p)

    def _poly(self, points, close: bool = True) -> None:
        lib, p = self.lib, self.pointer
        (x, y), *rest = points
        lib.cairo_move_to(p, round(x, 2), round(y, 2))
        line_to = lib.cairo_line_to
        for x, y in rest:
            line_to(p, round(x, 2), round(y, 2))
        if close:
            lib.cairo_close_path(p)

    def _rect(self, x: float, y: float, width: float, height: float, r: float = 0.0) -> bool:
        """A rect's path as cairosvg builds it (rounded corners as four Bézier quarters); False when it is
        not drawn (a zero width or height)."""
        x, y, width, height = round(x, 2), round(y, 2), round(width, 2), round(height, 2)
        if width == 0 or height == 0:
            return False
        ctx = self.ctx
        if r == 0:
            ctx.rectangle(x, y, width, height)
            return True
        rx, ry = min(r, width / 2), min(r, height / 2)
        c1, c2 = 4 * (2 ** .5 - 1) / 3 * rx, 4 * (2 ** .5 - 1) / 3 * ry
        ctx.new_path()
        ctx.move_to(x + rx, y)
        ctx.rel_line_to(width - 2 * rx, 0)
        ctx.rel_curve_to(c1, 0, rx, c2, rx, ry)
        ctx.rel_line_to(0, height - 2 * ry)
        ctx.rel_curve_to(0, c2, c1 - rx, ry, -rx, ry)
        ctx.rel_line_to(-width + 2 * rx, 0)
        ctx.rel_curve_to(-c1, 0, -rx, -c2, -rx, -ry)
        ctx.rel_line_to(0, -height + 2 * ry)
        ctx.rel_curve_to(0, -c2, rx - c1, -ry, rx, -ry)
        ctx.close_path()
        return True

    def _circle(self, cx: float, cy: float, r: float) -> None:
        ctx = self.ctx
        ctx.new_sub_path()
        ctx.arc(round(cx, 2), round(cy, 2), round(r, 2), 0, 2 * math.pi)
        ctx.close_path()

    def _text(self, x: float, y: float, text: str, fill, anchor: str = "start", bold: bool = False,
              size: Optional[float] = None, family: Optional[str] = None) -> None:
        """One `<text>`: cairo's toy font, anchored on the ink extents; glyphs at their advances (no
        kerning), whitespace not drawn, as cairosvg sets text letter by letter."""
        text = svg_text(text)
        if not text or fill[3] <= 0:
            return
        ctx, cairo = self.ctx, self.cairo
        if family is None:
            family = self.family
        ctx.select_font_face(family, cairo.FONT_SLANT_NORMAL, cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL)
        ctx.set_font_size(self.font_size if size is None else size)
        x, y = round(x, 2), round(y, 2)
        shift = 0.0
        if anchor != "start":
            x_bearing, _, width, _, _, _ = ctx.text_extents(text)
            shift = -(width / 2 + x_bearing) if anchor == "middle" else -(width + x_bearing)
        glyphs = ctx.get_scaled_font().text_to_glyphs(x, y, text, False)  # at x + the advances before each
        ctx.set_source_rgba(*fill)
        # cairosvg shows each letter at move_to(its x, y) + rel_move_to(the anchor's shift): cairo keeps that
        # current point in 24.8 fixed point on the device, where the glyph origin is rounded to a pixel. So each
        # origin is quantized the same way, and each glyph is shown by itself (overlapping glyphs, as in "ff",
        # composite one over the other).
        lib, p, point = self.lib, self.pointer, self.point
        point[0], point[1] = shift, 0.0
        lib.cairo_user_to_device_distance(p, point, point + 1)
        shift_x, shift_y = round(point[0] * 256) / 256, round(point[1] * 256) / 256
        glyph = self.glyph
        for (index, gx, gy), char in zip(glyphs, text):
            if char.isspace():
                continue
            point[0], point[1] = gx, gy
            lib.cairo_user_to_device(p, point, point + 1)
            point[0] = round(point[0] * 256) / 256 + shift_x
            point[1] = round(point[1] * 256) / 256 + shift_y
            lib.cairo_device_to_user(p, point, point + 1)
            glyph.index, glyph.x, glyph.y = index, point[0], point[1]
            lib.cairo_show_glyphs(p, glyph, 1)

    def _pattern(self, name: str, ink: str, opacity: float):
        """The SVG writer's 6 px pattern tile, drawn as cairosvg draws a `<pattern>`: on a vector surface,
        clipped to the tile, repeated."""
        key = (name, ink, opacity)
        found = self.patterns.get(key)
        if found is not None:
            return found
        cairo = self.cairo
        s = PATTERN_SIZE
        tile = cairo.SVGSurface(None, s, s)
        ctx = cairo.Context(tile)
        ctx.rectangle(0, 0, s, s)
        ctx.clip()
        ctx.set_miter_limit(4)
        if opacity < 1:
            ctx.push_group()
        if name == "dots":
            ctx.new_sub_path()
            ctx.arc(s / 2, s / 2, 1.0, 0, 2 * math.pi)
            ctx.close_path()
            ctx.set_source_rgba(*colour(ink, 0.6))
            ctx.fill()
        ctx.set_line_width(0.8)
        for (x1, y1), (x2, y2) in pattern_lines(name):
            ctx.move_to(x1, y1)
            ctx.line_to(x2, y2)
            ctx.set_source_rgba(*colour(ink, 0.55))
            ctx.stroke()
        if opacity < 1:
            ctx.pop_group_to_source()
            ctx.paint_with_alpha(opacity)
        pattern = cairo.SurfacePattern(tile)
        pattern.set_extend(cairo.EXTEND_REPEAT)
        pattern.set_matrix(cairo.Matrix(1, 0, 0, 1, -0.0, -0.0))
        self.patterns[key] = pattern
        return pattern

    def _save(self) -> tuple:
        """cairo.save(), remembering the stroke state this painter keeps to skip redundant calls."""
        self.ctx.save()
        return (self.width, self.dash, self.round_join, self.cap)

    def _restore(self, state: tuple) -> None:
        self.ctx.restore()
        self.width, self.dash, self.round_join, self.cap = state

    def _group(self, opacity: float, bounds=None) -> Optional[tuple]:
        """An element with `opacity` < 1 and children: drawn offscreen, then painted with that alpha. On a
        raster the offscreen surface is clipped to `bounds` (user space, all the element inks), rounded out
        to whole pixels, which changes no pixel and spares compositing the whole image per element."""
        if opacity >= 1:
            return None
        state = self._save()
        if self.raster and bounds is not None:
            ctx = self.ctx
            x0, y0, x1, y1 = bounds
            (dx0, dy0), (dx1, dy1) = ctx.user_to_device(x0, y0), ctx.user_to_device(x1, y1)
            ctx.save()
            ctx.identity_matrix()
            left, top = math.floor(min(dx0, dx1)) - 1, math.floor(min(dy0, dy1)) - 1
            ctx.rectangle(left, top, math.ceil(max(dx0, dx1)) + 1 - left, math.ceil(max(dy0, dy1)) + 1 - top)
            ctx.restore()
            ctx.clip()
        self.ctx.push_group()
        return state

    def _end_group(self, opacity: float, state: Optional[tuple]) -> None:
        if state is None:
            return
        ctx = self.ctx
        ctx.pop_group_to_source()
        ctx.paint_with_alpha(opacity)
        self._restore(state)

    def _text_bounds(self, x: float, y: float, text: str, anchor: str, family: Optional[str]):
        """The ink box of one `<text>` as `_text` draws it, or None when nothing is drawn."""
        text = svg_text(text)
        if not text:
            return None
        ctx = self.ctx
        ctx.select_font_face(family or self.family, self.cairo.FONT_SLANT_NORMAL, self.cairo.FONT_WEIGHT_NORMAL)
        ctx.set_font_size(self.font_size)
        x_bearing, y_bearing, width, height, _, _ = ctx.text_extents(text)
        x, y = round(x, 2), round(y, 2)
        if anchor != "start":
            x += -(width / 2 + x_bearing) if anchor == "middle" else -(width + x_bearing)
        return (x + x_bearing, y + y_bearing, x + x_bearing + width, y + y_bearing + height)

    def _layer_bounds(self, b):
        """What a layer group inks: its faces and their outlines, its lock and its label lines."""
        margin = self.box_width / 2 + 2
        x0, y0, x1, y1 = b.bounds
        boxes = [(x0 - margin, y0 - margin, x1 + margin, y1 + margin)]
        if b.frozen:
            boxes.append((b.x + b.width - 12, b.y, b.x + b.width + 1, b.y + 13))
        if b.label is not None:
            label = b.label
            for k, line in enumerate(label.lines):
                found = self._text_bounds(label.x, label.y + label.line_height * k + self.scene.font_size, line,
                                          label.anchor, _label_family(line))
                if found is not None:
                    boxes.append((found[0] - 2, found[1] - 2, found[2] + 2, found[3] + 2))
        return (min(x[0] for x in boxes), min(x[1] for x in boxes), max(x[2] for x in boxes),
                max(x[3] for x in boxes))

    # --- the scene, in the SVG writer's order

    def draw(self) -> None:
        scene, theme = self.scene, self.theme
        canvas, box = theme.values["canvas"], theme.values["box"]
        self.ink = diff_ink(theme) if scene.diff is not None else None
        self.styles = {b.name: theme.style_for(b.type, b.category, b.name) for b in scene.boxes}
        self.box_width = round(box["stroke_width"], 2)
        background = canvas["background"]
        if background != "transparent" and self._rect(0, 0, scene.width, scene.height):
            self._paint(attr_colour(background))
        if scene.funnels:
            stroke = colour(box["stroke"])
            for a, b in scene.funnels:
                self._poly((a, b), close=False)
                self._paint(None, stroke, self.box_width)
        self.repeats()
        self.connectors()
        self.groups()
        self.layers()
        if scene.block_key is not None:
            self.block_key(scene.block_key)
        self.legend()
        # Let go of the pattern tiles before the PDF is written: a tile gone by then goes into the PDF as
        # vector art (as cairosvg's, dropped after each use), one still alive as a bitmap.
        self.patterns.clear()

    def _frame_rects(self, frame, ink, dashed: bool, round_join: bool) -> None:
        stroke = colour(ink, 0.6)
        for x0, y0, x1, y1 in frame.rects:
            if self._rect(x0, y0, x1 - x0, y1 - y0, 4):
                self._paint(None, stroke, 1.0, (4.0, 3.0) if dashed else (), round_join)

    def repeats(self) -> None:
        ink = self.theme.values["canvas"]["text_color"][:7]
        for frame in self.scene.frames:
            if frame.kind != "repeat":
                continue
            self._frame_rects(frame, ink, True, False)
            x, y = frame.label_at
            self._text(x, y, frame.label, colour(ink), "end", bold=True)

    def connectors(self) -> None:
        conn, ink = self.theme.values["connector"], self.ink
        width = round(conn["width"], 2)
        skip_dash = {"solid": (), "dashed": (5.0, 3.0)}.get(conn["skip_style"], (1.5, 2.5))
        inks = {skip: attr_colour(conn["skip_color"] if skip else conn["color"]) for skip in (False, True)}
        for c in self.scene.connectors:
            line = head = inks[c.skip]
            dash, line_width, cap, opacity = (2.0, 3.0) if c.inferred else (skip_dash if c.skip else ()), width, "butt", 1.0
            if c.diff == "same":
                opacity = round(ink.same_opacity, 2)
            elif c.diff is not None:
                line = head = colour(ink.colours[c.diff])
                line_width = round(ink.outline_width * 0.8, 2)
                if c.diff == "removed":
                    dash, cap = (1.0, 3.0), "round"
            bounds = None
            if opacity < 1:
                points = c.points + (c.arrow if conn["arrowheads"] else ())
                margin = line_width / 2 + 2
                bounds = (min(p[0] for p in points) - margin, min(p[1] for p in points) - margin,
                          max(p[0] for p in points) + margin, max(p[1] for p in points) + margin)
            grouped = self._group(opacity, bounds)
            self._poly(c.points, close=False)
            self._paint(None, line, line_width, dash, True, cap)
            if conn["arrowheads"]:
                self._poly(c.arrow)
                self._paint(head)
            self._end_group(opacity, grouped)

    def groups(self) -> None:
        scene, canvas = self.scene, self.theme.values["canvas"]
        frames = [f for f in scene.frames if f.kind in ("stage", "block")]
        if not frames:
            return
        from ..scene.text import BOLD_WIDTH, text_width

        ink = canvas["text_color"][:7]
        stroke = colour(ink, 0.55)
        backdrop = attr_colour(canvas["background"]) if canvas["background"] != "transparent" else None
        for frame in frames:
            dash = (4.0, 3.0) if frame.kind == "block" else ()
            weight = 1.2 if frame.kind == "stage" else 0.8
            for x0, y0, x1, y1 in frame.rects:
                if self._rect(x0, y0, x1 - x0, y1 - y0, 4):
                    self._paint(None, stroke, weight, dash)
            bold = frame.kind == "stage"
            x, y = frame.label_at
            for text, x, y in [(frame.label, x, y)] + list(frame.continued):
                if backdrop is not None:
                    width = text_width(text, scene.font_size, canvas["font_family"]) * (BOLD_WIDTH if bold else 1.0)
                    if self._rect(x - 1.5, y - scene.font_size * 0.85, width + 3, scene.font_size * 1.1):
                        self._paint(backdrop)
                self._text(x, y, text, colour(ink), bold=bold)

    def layers(self) -> None:
        """Boxes in `nesting_order`, as the SVG writer writes them: a nested model's frame, then its layers."""
        scene = self.scene
        ink = self.theme.values["canvas"]["text_color"][:7]
        for event, index, frame in nesting_order(scene):
            if event == "box":
                self.layer(scene.boxes[index])
            elif event == "open":
                self._frame_rects(frame, ink, False, True)
                x, y = frame.label_at
                self._text(x, y, frame.label, colour(ink))

    def _face_paints(self, style, fill_opacity: float, stroke_opacity: float):
        """Fill and stroke of each face role, with the opacities the faces inherit (or set themselves)."""
        key = (style["fill"], style["outline"], fill_opacity, stroke_opacity)
        found = self.faces.get(key)
        if found is None:
            box = self.theme.values["box"]
            stroke = attr_colour(style["outline"], stroke_opacity)
            own = round(box["opacity"], 2) if box["opacity"] < 1 else None
            found = {}
            for role, fill in face_fills(style, box, self.options.shade_step).items():
                paint = attr_colour(fill, fill_opacity)
                found[role] = ((paint[:3] + (own,)) if own is not None else paint, stroke)
            self.faces[key] = found
        return found

    def layer(self, b) -> None:
        ink, diff = self.ink, b.diff
        opacity, fill_opacity, stroke_opacity = 1.0, 1.0, 1.0
        if diff is not None and diff.status == "same":
            opacity = round(ink.same_opacity, 2)
        elif diff is not None and diff.status == "removed":
            fill_opacity, stroke_opacity = round(ink.removed_opacity, 2), 0.5
        grouped = self._group(opacity, self._layer_bounds(b) if opacity < 1 else None)
        style = self.styles[b.name]
        paints = self._face_paints(style, fill_opacity, stroke_opacity)
        dash = (3.0, 2.0) if b.frozen else ()
        pattern = None
        if style["pattern"] != "none":
            pattern = self._pattern(style["pattern"], self.theme.values["canvas"]["text_color"], fill_opacity)
        for face in b.faces:
            fill, stroke = paints[face.role]
            self._poly(face.points)
            self._paint(fill, stroke, self.box_width, dash, True)
            if pattern is not None:
                self._poly(face.points)
                self._paint(pattern)
        if diff is not None and diff.status != "same":
            self.diff_overlay(b)
        canvas = self.theme.values["canvas"]
        if b.frozen:
            self.lock(b.x + b.width, b.y, canvas["text_color"][:7], paper(self.theme), True, fill_opacity,
                      stroke_opacity)
        if b.label is not None:
            label = b.label
            removed = diff is not None and diff.status == "removed"
            fill = colour(ink.colours["removed"]) if removed else attr_colour(canvas["text_color"], fill_opacity)
            for k, line in enumerate(label.lines):
                self._text(label.x, label.y + label.line_height * k + self.scene.font_size, line, fill,
                           label.anchor, family=_label_family(line))
        self._end_group(opacity, grouped)

    def lock(self, x: float, y: float, ink: str, behind: str, round_join: bool, fill_opacity: float = 1.0,
             stroke_opacity: float = 1.0) -> None:
        """`svg.lock_badge`: a padlock whose top-right corner is at (x, y)."""
        left, top = x - 10.5, y + 1.5
        ctx = self.ctx
        if self._rect(left, top, 9, 10, 2):
            self._paint(colour(behind, 0.85))
        x1, y1 = round(left + 2.75, 2), round(top + 5, 2)
        ctx.move_to(x1, y1)
        ctx.rel_line_to(0, -1.5)
        state = self._save()
        ctx.set_tolerance(0.00001)  # cairosvg draws a path's arcs at this tolerance
        ctx.save()
        ctx.translate(x1, y1 + -1.5)
        ctx.arc(1.75, -0.0, 1.75, math.pi, 0.0)
        ctx.restore()
        ctx.rel_line_to(0, 1.5)
        self._paint(None, colour(ink, stroke_opacity), 1.1, (), round_join)
        self._restore(state)
        if self._rect(left + 1.5, top + 5, 6, 4, 0.6):
            self._paint(colour(ink, fill_opacity))

    def diff_overlay(self, b) -> None:
        ink, status = self.ink, b.diff.status
        outline = hull([p for face in b.faces for p in face.points])
        dash = DIFF_DASHES[status]
        self._poly(outline)
        self._paint(None, colour(ink.halo), round(ink.outline_width + 2, 2), (), True)
        self._poly(outline)
        dashes = (round(dash[0], 2), round(dash[1], 2)) if dash else ()
        self._paint(None, colour(ink.colours[status]), round(ink.outline_width, 2), dashes, True,
                    "round" if dash else "butt")
        xs, ys = [p[0] for p in outline], [p[1] for p in outline]
        self.diff_badge(status, max(xs), min(ys), self.scene.font_size, True)

    def diff_badge(self, status: str, x: float, y: float, font_size: float, round_join: bool) -> None:
        ink = self.ink
        self._circle(x, y, font_size * 0.55)
        self._paint(colour(ink.colours[status]), colour(ink.badge_text), 0.8, (), round_join)
        self._text(x, y + font_size * 0.36, DIFF_BADGES[status], colour(ink.badge_text), "middle", bold=True,
                   size=round(font_size * 0.95, 2))

    def block_key(self, key) -> None:
        theme = self.theme
        canvas, conn = theme.values["canvas"], theme.values["connector"]
        text = attr_colour(canvas["text_color"])
        line, head = attr_colour(conn["color"]), attr_colour(conn["color"])
        x, y = key.caption_at
        self._text(x, y, key.caption, text, bold=True)
        for block in key.blocks:
            x, y = block.caption_at
            self._text(x, y, block.caption, text)
            for c in block.connectors:
                self._poly(c.points, close=False)
                self._paint(None, line, self.box_width, (), True)
                self._poly(c.arrow)
                self._paint(head)
            for b in block.boxes:
                paints = self._face_paints(theme.style_for(b.type, b.category), 1.0, 1.0)
                for face in b.faces:
                    fill, stroke = paints[face.role]
                    self._poly(face.points)
                    self._paint(fill, stroke, self.box_width, (), True)

    def legend(self) -> None:
        theme, canvas = self.theme, self.theme.values["canvas"]
        text = attr_colour(canvas["text_color"])
        for e in self.scene.legend:
            style = theme.style_for(e.type, e.category)
            x, y, size = e.swatch
            if e.kind == "diff":
                ink = self.ink
                if e.type == "same":
                    opacity = round(ink.same_opacity, 2)
                    if self._rect(x, y, size, size):
                        self._paint(colour(style["fill"], opacity), colour(style["fill"], opacity))
                else:
                    self.diff_badge(e.type, x + size / 2, y + size / 2 - size * 0.05, size * 0.9, False)
            elif e.kind == "frozen":
                ink = canvas["text_color"][:7]
                if self._rect(x, y, size, size):
                    self._paint(None, colour(ink), self.box_width, (3.0, 2.0))
                self.lock(x + size + 0.5, y - 1.0, ink, paper(theme), False)
            else:
                if self._rect(x, y, size, size):
                    self._paint(attr_colour(style["fill"]), attr_colour(style["outline"]), self.box_width)
                if style["pattern"] != "none" and self._rect(x, y, size, size):
                    self._paint(self._pattern(style["pattern"], canvas["text_color"], 1.0))
            self._text(e.text_x, e.text_y, e.text, text)

