"""The scene: positioned shapes tagged by role, in drawing order. No colours, no SVG."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

Point = Tuple[float, float]


@dataclass(frozen=True)
class Face:
    role: str  # "front", "top" or "side"
    points: Tuple[Point, ...]


@dataclass(frozen=True)
class Label:
    x: float  # centre of the text block (or its left edge, see anchor)
    y: float  # top of the text block
    lines: Tuple[str, ...]
    line_height: float
    width: float
    above: bool
    anchor: str = "middle"  # "middle": x is the centre; "start": x is the left edge

    @property
    def height(self) -> float:
        return self.line_height * len(self.lines)

    @property
    def bounds(self) -> Tuple[float, float, float, float]:
        left = self.x if self.anchor == "start" else self.x - self.width / 2
        return (left, self.y, left + self.width, self.y + self.height)


@dataclass(frozen=True)
class Box:
    """One layer drawn as a projected 3-D box (or a flat rectangle)."""

    name: str
    type: str
    category: str
    x: float
    y: float
    width: float
    height: float
    dx: float
    dy: float
    faces: Tuple[Face, ...]
    label: Optional[Label]

    @property
    def bounds(self) -> Tuple[float, float, float, float]:
        xs = [p[0] for f in self.faces for p in f.points]
        ys = [p[1] for f in self.faces for p in f.points]
        return (min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True)
class Connector:
    """An edge of the model graph as a polyline ending in an arrowhead triangle."""

    source: str
    target: str
    points: Tuple[Point, ...]
    arrow: Tuple[Point, ...]
    skip: bool = False
    inferred: bool = False
    stub: bool = False  # an edge to or from a layer outside layer_range


@dataclass(frozen=True)
class LegendEntry:
    type: str
    category: str
    text: str
    swatch: Tuple[float, float, float]  # x, y, size
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Frame:
    """A labelled outline around several boxes: a stage or block, an expanded nested model, or a folded repeat (×N)."""

    name: str
    kind: str  # "stage", "block", "nested" or "repeat"
    label: str
    members: Tuple[str, ...]
    rects: Tuple[Tuple[float, float, float, float], ...]  # one per row the members occupy
    label_at: Tuple[float, float] = (0.0, 0.0)  # baseline start of the label text
    continued: Tuple[Tuple[str, float, float], ...] = ()  # (caption, x, y) on the rows after the first


@dataclass(frozen=True)
class Scene:
    width: float
    height: float
    boxes: Tuple[Box, ...]
    connectors: Tuple[Connector, ...]
    legend: Tuple[LegendEntry, ...] = ()
    funnels: Tuple[Tuple[Point, ...], ...] = ()
    font_size: float = 12.0
    frames: Tuple[Frame, ...] = ()
