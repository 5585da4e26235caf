"""What the layout engine is given (items, frames, options) and its working state per layer."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple

from ..scene import record

SKIP_BASE = 12.0
TRACK = 5.0
SIDE_MARGIN = 14.0
FRAME_MARGIN = 6.0
NESTING_KINDS = ("nested", "stage", "block")  # frames that stack inside each other; "repeat" badges do not


@record
class Item:
    """One layer to place: its box size and its label text."""

    name: str
    type: str
    category: str
    width: float
    height: float
    depth: float
    lines: Tuple[str, ...] = ()
    above: bool = False
    pad_top: float = 0.0
    gap_before: float = 0.0  # extra space before this box along the flow (SpacingDummyLayer)


@dataclass(frozen=True)
class FrameSpec:
    """Boxes to outline together: kind "nested" (label = model name) or "repeat" (label = ×N)."""

    name: str
    kind: str
    label: str
    members: Tuple[str, ...]
    shorter: Tuple[str, ...] = ()  # shorter captions, tried in order when `label` is wider than the frame


@dataclass(frozen=True)
class LayoutOptions:
    spacing: float = 28.0
    padding: float = 16.0
    font_size: float = 12.0
    line_spacing: float = 2.0
    label_gap: float = 8.0
    reversed: bool = False
    funnel: bool = False
    inferred_edges: bool = False
    aspect: Optional[float] = None
    max_width: Optional[float] = None
    legend: Tuple[Tuple[str, str, str, str], ...] = ()  # (kind, type, category, text): see scene.LegendEntry
    legend_extra: float = 0.0
    legend_columns: int = 0  # entries per row; 0 fills the drawing's width
    legend_position: str = "bottom"  # or "right"
    frames: Tuple[FrameSpec, ...] = ()
    lane_gap: float = 16.0
    row_gap: float = 18.0
    transposed: bool = False  # flow top to bottom
    stagger_labels: bool = False
    measure: Callable[[str], float] = field(default=lambda text: 7.0 * len(text), compare=False)


@dataclass
class Node:
    item: Item
    index: int
    dx: float
    dy: float
    label_width: float  # along the flow
    w: float = 0.0  # box extent along the flow
    h: float = 0.0  # box extent across the flow
    label_block: float = 0.0  # label extent across the flow
    rank: int = 0
    lane: int = 0
    row: int = 0
    centre: float = 0.0
    axis: float = 0.0
    label_level: int = 0
    left: float = field(init=False, default=0.0)
    right: float = field(init=False, default=0.0)
    label_left: float = field(init=False, default=0.0)
    label_right: float = field(init=False, default=0.0)
    up: float = field(init=False, default=0.0)
    down: float = field(init=False, default=0.0)

    def __post_init__(self):  # extents around the centre and axis, fixed once the node exists
        self.left = self.w / 2 - min(self.dx, 0.0)
        self.right = self.w / 2 + max(self.dx, 0.0)
        self.label_left = self.label_width / 2 - self.dx / 2 if self.item.lines else 0.0
        self.label_right = self.label_width / 2 + self.dx / 2 if self.item.lines else 0.0
        self.up = self.h / 2 - min(self.dy, 0.0) + self.item.pad_top
        self.down = self.h / 2 + max(self.dy, 0.0)

    @property
    def front_x(self) -> float:
        return self.centre - self.w / 2
