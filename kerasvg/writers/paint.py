"""What every writer shares: resolved paint (face colours after shading, text, connector, diff and frozen
marks), numbers at fixed precision, units, and the page and raster limits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ..theme import Theme, alpha, fade, rgb, shade

PX_TO_PT = 72 / 96
PT_TO_PX = 96 / 72
UNITS_PER_INCH = {"in": 1.0, "cm": 2.54, "mm": 25.4, "pt": 72.0, "px": 96.0}
MAX_PAGE_PT = 14_400  # the largest page side PDF viewers accept (Acrobat's limit: 200 in)
MAX_RASTER_SIDE = 32767  # cairo's limit
PILLOW_MAX_PIXELS = 89_478_485  # Pillow's decompression-bomb threshold (Image.MAX_IMAGE_PIXELS): JPEG and PIL formats
DIFF_BADGES = {"added": "+", "removed": "\u2212", "changed": "~"}
DIFF_DASHES = {"added": None, "changed": (5.0, 2.5), "removed": (0.1, 3.0)}


def fmt(value: float) -> str:
    """Fixed precision: two decimals, trailing zeros dropped, never `-0`."""
    text = "%.2f" % value
    if text[-1] == "0":
        text = text[:-3] if text[-2] == "0" else text[:-1]
        if text == "-0":
            return "0"
    return text


@dataclass(frozen=True)
class Paint:
    """One colour as `#rrggbb` plus its opacity (0..1)."""

    colour: str
    opacity: float = 1.0


def paint(colour: str, opacity: float = 1.0) -> Paint:
    """`#rrggbb[aa]` → Paint; the alpha byte multiplies `opacity`."""
    return Paint(colour[:7], round(alpha(colour) * opacity, 4))


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0..1) of the way toward `other` (both #rrggbb)."""
    return "#" + "".join(f"{round(a + (b - a) * amount):02x}" for a, b in zip(rgb(colour), rgb(other)))


def face_colour(fill: str, amount: float, shade_step: Optional[int], steps: int) -> str:
    """A shaded face: visualkeras's `shade_step` subtraction when given, else the theme's mix."""
    if shade_step is not None:
        return fade(fill, shade_step * steps)
    return shade(fill, amount)


def face_fills(style: Dict[str, str], box_style, shade_step: Optional[int] = None) -> Dict[str, str]:
    """The fill colour of each face role of a box drawn in `style` (a `Theme.style_for` result)."""
    fill = style["fill"]
    return {
        "front": fill,
        "top": face_colour(fill, box_style["top_shade"], shade_step, 1),
        "side": face_colour(fill, box_style["side_shade"], shade_step, 2),
    }


@dataclass(frozen=True)
class BoxPaint:
    faces: Dict[str, Paint]  # role → fill
    outline: Paint
    pattern: str


def box_paint(theme: Theme, type_name: str, category: str, shade_step: Optional[int] = None,
              name: Optional[str] = None) -> BoxPaint:
    """Fill of each face, outline and pattern of a layer's box (named `name`), as the SVG writer draws it."""
    box = theme.values["box"]
    style = theme.style_for(type_name, category, name)
    faces = {role: paint(colour, box["opacity"]) for role, colour in face_fills(style, box, shade_step).items()}
    return BoxPaint(faces, paint(style["outline"]), style["pattern"])


def text_paint(theme: Theme) -> Paint:
    return paint(theme.values["canvas"]["text_color"])


def connector_paint(theme: Theme, skip: bool) -> Paint:
    conn = theme.values["connector"]
    return paint(conn["skip_color"] if skip else conn["color"])


def background_paint(theme: Theme) -> Optional[Paint]:
    """The canvas colour, or None when transparent."""
    background = theme.values["canvas"]["background"]
    return None if background == "transparent" else paint(background)


def dash_of(theme: Theme, skip: bool, inferred: bool) -> Optional[tuple]:
    """The connector's dash pattern (on, off, ...) in px, or None for a solid line."""
    if inferred:
        return (2.0, 3.0)
    if not skip:
        return None
    style = theme.values["connector"]["skip_style"]
    return None if style == "solid" else (5.0, 3.0) if style == "dashed" else (1.5, 2.5)


def paper(theme: Theme) -> str:
    """The colour behind the drawing: the canvas, or white when it is transparent (#rrggbb)."""
    background = theme.values["canvas"]["background"]
    return "#ffffff" if background == "transparent" else background[:7]


@dataclass(frozen=True)
class DiffInk:
    """The theme's `[diff]` table, resolved: a colour per status, the badge text, outline width, fades."""

    colours: Dict[str, str]
    badge_text: str
    halo: str
    outline_width: float
    same_opacity: float
    removed_opacity: float


def diff_ink(theme: Theme) -> DiffInk:
    table = theme.values["diff"]
    return DiffInk({s: table[s] for s in ("added", "removed", "changed")}, table["badge_text"], paper(theme),
                   float(table["outline_width"]), float(table["same_opacity"]), float(table["removed_opacity"]))


def hull(points) -> List[Tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), counter-clockwise from the lowest x: a box's diff outline."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: List[Tuple[float, float]] = []
    upper: List[Tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def check_page(width_px: float, height_px: float, what: str) -> None:
    """ValueError, before anything is drawn, when a page is empty or over MAX_PAGE_PT (200 in) a side."""
    w, h = width_px * PX_TO_PT, height_px * PX_TO_PT
    if not (0 < w and 0 < h):
        raise ValueError(f"cannot write {what}: the diagram is empty ({w:g} x {h:g} pt)")
    if not max(w, h) <= MAX_PAGE_PT:
        raise ValueError(f"cannot write {what}: a {w:,.0f} x {h:,.0f} pt page is over the {MAX_PAGE_PT:,} pt "
                         f"(200 in) a side that PDF viewers accept; give a smaller width (e.g. --width 7in), "
                         f"a wrapping layout (aspect=...) or a lower detail level")


PATTERN_SIZE = 6  # px: one tile of a fill pattern
CJK_FAMILY = "Noto Sans CJK SC"


def pattern_lines(name: str, size: float = PATTERN_SIZE):
    """The strokes of one tile of fill pattern `name` ((start, end) pairs; "dots" is a dot, no strokes)."""
    s = size
    lines = {
        "hatch": [((0, s), (s, 0)), ((-1, 1), (1, -1)), ((s - 1, s + 1), (s + 1, s - 1))],
        "backhatch": [((0, 0), (s, s)), ((-1, s - 1), (1, s + 1)), ((s - 1, -1), (s + 1, 1))],
        "vertical": [((s / 2, 0), (s / 2, s))],
        "horizontal": [((0, s / 2), (s, s / 2))],
    }
    lines["crosshatch"] = lines["hatch"] + lines["backhatch"]
    return lines.get(name, [])


def needs_cjk_font(text: str) -> bool:
    """cairo uses one font per text element: CJK text needs a family that covers it (fonts-noto-cjk)."""
    import unicodedata

    return any(unicodedata.east_asian_width(c) in ("W", "F") and ord(c) < 0x1F000 for c in text)
