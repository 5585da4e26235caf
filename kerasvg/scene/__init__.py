"""The scene: everything a writer draws, positioned and tagged by role, in drawing order. No colours, no SVG.

Boxes carry what the model says about them (group membership, the layers a glyph stands for, the frozen
flag, a diff status); the legend says what each entry is (a layer type, the frozen mark, a diff status);
`graph` is the model description drawn, for titles, tooltips and pages.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from ..graph.table import StageRecord

Point = Tuple[float, float]

# The records a layout builds by the thousand are not frozen: a frozen dataclass's constructor sets each field
# through object.__setattr__, 7 times slower (issue 22). Only the layout that builds them moves them, before it
# returns its scene; after that no code changes them.
record = dataclass(unsafe_hash=True)


@record
class Face:
    role: str  # "front", "top" or "side"
    points: Tuple[Point, ...]


@record
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
class DiffMark:
    """What a diff says of one layer, glyph or nested model."""

    status: str  # "added", "removed", "changed" or "same"
    details: Tuple[str, ...] = ()  # what changed, each as `field old → new`
    name_a: Optional[str] = None  # its name in the first model, when it was renamed


@record
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
    groups: Tuple[str, ...] = ()  # the stages and blocks it lies in
    level: Optional[str] = None  # a glyph standing for a whole "block" or "stage"
    members: Tuple[str, ...] = ()  # a glyph's layers
    frozen: bool = False  # drawn with the frozen mark (trainable=False, show_trainable=True)
    diff: Optional[DiffMark] = None

    @property
    def bounds(self) -> Tuple[float, float, float, float]:
        xs = [p[0] for f in self.faces for p in f.points]
        ys = [p[1] for f in self.faces for p in f.points]
        return (min(xs), min(ys), max(xs), max(ys))


@record
class Connector:
    """An edge of the model graph as a polyline ending in an arrowhead triangle."""

    source: str
    target: str
    points: Tuple[Point, ...]
    arrow: Tuple[Point, ...]
    skip: bool = False
    inferred: bool = False
    stub: bool = False  # an edge to or from a layer outside layer_range
    diff: Optional[str] = None  # in a diff: "added", "removed" or "same"


LEGEND_KINDS = ("type", "frozen", "diff")


@record
class LegendEntry:
    """One legend line: a layer type's swatch, the frozen mark, or a diff status's badge."""

    type: str  # kind "type": the layer class; "diff": the status; "frozen": empty
    category: str
    text: str
    swatch: Tuple[float, float, float]  # x, y, size
    text_x: float
    text_y: float
    kind: str = "type"


@record
class Frame:
    """A labelled outline around several boxes: a stage or block, an expanded nested model, or a folded repeat (×N)."""

    name: str
    kind: str  # "stage", "block", "nested" or "repeat"
    label: str
    members: Tuple[str, ...]
    rects: Tuple[Tuple[float, float, float, float], ...]  # one per row the members occupy
    label_at: Tuple[float, float] = (0.0, 0.0)  # baseline start of the label text
    continued: Tuple[Tuple[str, float, float], ...] = ()  # (caption, x, y) on the rows after the first
    diff: Optional[DiffMark] = None  # an expanded nested model in a diff


@dataclass(frozen=True)
class DiffSummary:
    """A diff drawing as a whole: both models, and how many layers have each status."""

    models: Tuple[Tuple[str, int, str], ...]  # (name, layer count, parameter total: `≥N` if partly unknown)
    counts: Tuple[Tuple[str, int], ...]  # (status, layers), for added, removed, changed, same


@dataclass(frozen=True)
class KeyBlock:
    """One kind of block drawn layer by layer in the block key, captioned with its name and repeats."""

    block: str  # the block drawn (the first of its kind)
    caption: str  # `conv2_block2 ×12`
    caption_at: Point  # baseline start
    boxes: Tuple[Box, ...]  # its layers (normalization and activations folded into the layer before)
    connectors: Tuple[Connector, ...]


@dataclass(frozen=True)
class BlockKey:
    """What a block is made of, beside a figure of stage or block glyphs (as papers print it)."""

    caption: str  # `Blocks` (and the kinds not drawn)
    caption_at: Point
    blocks: Tuple[KeyBlock, ...]


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
    graph: Any = None  # the `graph.model.ModelGraph` drawn
    detail: str = "layers"  # "layers", "blocks" or "stages"
    diff: Optional[DiffSummary] = None
    block_key: Optional[BlockKey] = None
    stages: Sequence["StageRecord"] = ()  # the whole model's stages (and loose blocks), for the table


def nesting_order(scene: Scene) -> Iterator[Tuple[str, int, Optional[Frame]]]:
    """The order every writer draws the boxes in: an expanded nested model's frame opens, its layers and inner
    frames follow in model order, then it closes. Yields ("open", k, frame), ("box", i, None) and
    ("close", k, frame), where i indexes `scene.boxes` and k the nested frames, largest first."""
    nested = sorted((f for f in scene.frames if f.kind == "nested"), key=lambda f: -len(f.members))
    parents: Dict[str, List[Frame]] = {}
    for frame in nested:
        for member in frame.members:
            parents.setdefault(member, []).append(frame)
    position = {b.name: i for i, b in enumerate(scene.boxes)}
    done = set()

    def within(frame: Frame, depth: int):
        k = nested.index(frame)
        yield "open", k, frame
        for member in sorted((m for m in frame.members if m in position), key=position.get):
            if member in done:
                continue
            chain = parents[member]
            if len(chain) > depth + 1:
                yield from within(chain[depth + 1], depth + 1)
            else:
                done.add(member)
                yield "box", position[member], None
        yield "close", k, frame

    for i, box in enumerate(scene.boxes):
        if box.name in done:
            continue
        if box.name in parents:
            yield from within(parents[box.name][0], 0)
        else:
            done.add(box.name)
            yield "box", i, None
