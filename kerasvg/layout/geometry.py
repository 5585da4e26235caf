"""Box geometry: isometric projection of a box to face polygons, its ports, and arrowheads. Pure math."""
from __future__ import annotations

from typing import Tuple

from ..scene import Connector, Face

DEPTH_X = 0.5
DEPTH_Y = 0.32
ARROW_LENGTH = 7.0
ARROW_HALF_WIDTH = 3.5


def project_depth(depth: float, reversed_: bool = False) -> Tuple[float, float]:
    """Screen offset of the back face: up and to the right (left when reversed)."""
    return ((-1 if reversed_ else 1) * depth * DEPTH_X, -depth * DEPTH_Y)


def box_faces(x: float, axis: float, width: float, height: float, dx: float, dy: float) -> Tuple[Face, ...]:
    """Front rectangle (left edge x, centred on axis), then top and side parallelograms if it has depth."""
    top, bottom = axis - height / 2, axis + height / 2
    front = Face("front", ((x, top), (x + width, top), (x + width, bottom), (x, bottom)))
    if dx == 0 and dy == 0:
        return (front,)
    top_face = Face("top", ((x, top), (x + width, top), (x + width + dx, top + dy), (x + dx, top + dy)))
    edge = x + width if dx >= 0 else x
    side = Face("side", ((edge, top), (edge + dx, top + dy), (edge + dx, bottom + dy), (edge, bottom)))
    return (front, top_face, side)


def box_bounds(x: float, axis: float, width: float, height: float, dx: float, dy: float) -> Tuple[float, float, float, float]:
    """(left, top, right, bottom) of the points `box_faces` gives for the same box, without making them."""
    top, bottom = axis - height / 2, axis + height / 2
    right = x + width
    if dx == 0 and dy == 0:
        return min(x, right), min(top, bottom), max(x, right), max(top, bottom)
    xs, ys = (x, right, right + dx, x + dx), (top, bottom, top + dy, bottom + dy)
    return min(xs), min(ys), max(xs), max(ys)


def _reach(height: float, dy: float) -> float:
    return 1.0 if dy == 0 else min(1.0, (height / 2) / abs(dy))


def exit_x(x: float, width: float, height: float, dx: float, dy: float) -> float:
    """Where the axis leaves the box's silhouette on the right."""
    return x + width + (dx * _reach(height, dy) if dx > 0 else 0.0)


def entry_x(x: float, width: float, height: float, dx: float, dy: float) -> float:
    """Where the axis enters the box's silhouette on the left."""
    return x + (dx * _reach(height, dy) if dx < 0 else 0.0)


def with_arrow(source: str, target: str, points, skip: bool, inferred: bool) -> Connector:
    """A connector whose line stops at the base of a triangular arrowhead at the last point."""
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    size = min(ARROW_LENGTH, length * 0.6)
    bx, by = x1 - ux * size, y1 - uy * size
    half = ARROW_HALF_WIDTH * size / ARROW_LENGTH
    arrow = ((x1, y1), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half))
    return Connector(source, target, tuple(points[:-1]) + ((bx, by),), arrow, skip, inferred)
