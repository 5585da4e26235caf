"""Resolved paint for every writer: face colours after shading, text, connector and frame colours."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

from .raster import PDF_MAX_POINTS as MAX_PAGE_PT
from ..theme import Theme, alpha, fade, rgb, shade

PX_TO_PT = 72 / 96


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


def check_page(width_px: float, height_px: float, what: str) -> None:
    """ValueError when a page would exceed MAX_PAGE_PT a side (or is empty)."""
    w, h = width_px * PX_TO_PT, height_px * PX_TO_PT
    if not (0 < w and 0 < h):
        raise ValueError(f"cannot write {what}: the diagram is empty ({w:g} x {h:g} pt)")
    if max(w, h) > MAX_PAGE_PT:
        raise ValueError(f"cannot write {what}: a {w:,.0f} x {h:,.0f} pt picture is over the {MAX_PAGE_PT:,} pt "
                         f"(200 in) a side that PDF viewers accept; "
                         f"use a wrapping layout (aspect=...) or a lower detail level")
