"""Layout: sized layers and graph edges → a Scene. Pure math.

Columns come from the graph (longest path from the inputs), lanes stack parallel branches
below the main path, and rows wrap a long flow ("snake") to an aspect ratio or width.
Connectors run only through corridors that hold no box and no label: straight between
neighbours, elbows in the gaps between columns, along empty lanes, in the skip area above
each row, down the right margin and through the gaps between rows.
"""
from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from .geometry import box_faces, entry_x, exit_x, project_depth, with_arrow
from .scene import Box, Connector, Face, Frame, Label, LegendEntry, Scene

SKIP_BASE = 12.0
TRACK = 5.0
SIDE_MARGIN = 14.0
AUTO_WRAP_ASPECT = 4.0
DEFAULT_ASPECT = 16 / 9
FRAME_MARGIN = 6.0
ASPECT_TOLERANCE = math.log(1.55)
BREAK_WINDOWS = (0.7, 0.85)  # a row may end this far into its width, where fewest edges cross
LEGIBLE_WIDTH_PER_FONT = 90.0
MAX_REGUESSES = 2  # row counts re-guessed from measured figures when the first guesses miss the aspect
NESTING_KINDS = ("nested", "stage", "block")  # frames that stack inside each other; "repeat" badges do not  # drawing width in font sizes: 10 in at 8 pt is 960 / (8 * 4 / 3) = 90


@dataclass(frozen=True)
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
    legend: Tuple[Tuple[str, str, str], ...] = ()  # (type, category, text)
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
class _Node:
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


@dataclass
class _Route:
    source: int
    target: int
    kind: str  # straight, elbow, lane, over, cross
    lane: int = 0
    skip: bool = False
    source_port: str = "side"  # side | top | gap
    target_port: str = "side"  # side | top | gap | margin
    skip_track: int = 0
    margin_track: int = 0
    row_gap_track: int = 0


def layout(items: Sequence[Item], edges: Sequence[Tuple[str, str]], opts: LayoutOptions) -> Scene:
    """Place `items` (in topological order) and route every edge once."""
    nodes = [_node(it, i, opts) for i, it in enumerate(items)]
    position = {it.name: i for i, it in enumerate(items)}
    pairs = [(position[s], position[t]) for s, t in dict.fromkeys(edges)
             if s in position and t in position and s != t]
    _assign_ranks(nodes, pairs)
    _blocks_in_own_columns(nodes, pairs, opts)
    _assign_lanes(nodes, pairs)
    busy = _busy_gaps(nodes, pairs)
    columns = _Columns(nodes)
    rows = _choose_rows(nodes, columns, busy, pairs, opts)
    return _build(nodes, columns, rows, busy, pairs, opts)


def _node(it: Item, index: int, opts: LayoutOptions) -> _Node:
    """Engine geometry: along the flow (u) and across it (v); top-to-bottom swaps the box's axes."""
    dx, dy = project_depth(it.depth, opts.reversed)
    text = max((opts.measure(line) for line in it.lines), default=0.0)
    block = (opts.font_size * 1.2 + opts.line_spacing) * len(it.lines)
    if opts.transposed:
        return _Node(it, index, dy, dx, block, w=it.height, h=it.width, label_block=text)
    return _Node(it, index, dx, dy, text, w=it.width, h=it.height, label_block=block)


def _assign_ranks(nodes: List[_Node], pairs) -> None:
    preds: Dict[int, List[int]] = {}
    succs: Dict[int, List[int]] = {}
    for s, t in pairs:
        preds.setdefault(t, []).append(s)
        succs.setdefault(s, []).append(t)
    for node in nodes:
        earlier = [nodes[p].rank for p in preds.get(node.index, []) if p < node.index]
        node.rank = max(earlier) + 1 if earlier else 0
    for node in reversed(nodes):  # sources sit just before their first consumer
        if node.index not in preds and node.index in succs:
            later = [nodes[t].rank for t in succs[node.index] if t > node.index]
            if later:
                node.rank = max(node.rank, min(later) - 1)


def _blocks_in_own_columns(nodes: List[_Node], pairs, opts: LayoutOptions) -> None:
    """With block frames, re-rank block by block so that no two blocks (or a block and a loose layer) share
    a column: frames then never overlap, and a row can end between any two blocks.

    Blocks whose members interleave in the topological order (NASNet's cells read from two cells back)
    would otherwise spread over each other's columns."""
    blocks = [spec.members for spec in opts.frames if spec.kind == "block"]
    if not blocks:
        return
    index = {n.item.name: n.index for n in nodes}
    unit_of: Dict[int, int] = {}
    units: List[List[int]] = []
    for members in blocks:
        found = sorted(index[m] for m in members if m in index)
        if found and not any(i in unit_of for i in found):
            for i in found:
                unit_of[i] = len(units)
            units.append(found)
    for node in nodes:
        if node.index not in unit_of:
            unit_of[node.index] = len(units)
            units.append([node.index])
    units.sort(key=lambda unit: unit[-1])
    preds: Dict[int, List[int]] = {}
    for s, t in pairs:
        preds.setdefault(t, []).append(s)
    ranked: Set[int] = set()
    end = -1
    for unit in units:
        floor = end + 1
        for i in unit:
            earlier = [nodes[p].rank for p in preds.get(i, []) if p in ranked]
            nodes[i].rank = max([floor] + [r + 1 for r in earlier])
            ranked.add(i)
        end = max(end, max(nodes[i].rank for i in unit))


def _assign_lanes(nodes: List[_Node], pairs) -> None:
    """Lane 0 holds the longest path; other nodes take the lane of a predecessor or the first free one."""
    if not nodes:
        return
    preds: Dict[int, List[int]] = {}
    for s, t in pairs:
        preds.setdefault(t, []).append(s)
    end = max(nodes, key=lambda n: (n.rank, n.index))
    main = {end.index}
    current = end
    while current.rank > 0:
        previous = [nodes[p] for p in preds.get(current.index, []) if nodes[p].rank == current.rank - 1]
        if not previous:
            break
        current = min(previous, key=lambda n: n.index)
        main.add(current.index)
    taken: Set[Tuple[int, int]] = {(nodes[i].rank, 0) for i in main}
    for node in nodes:
        if node.index in main:
            node.lane = 0
            continue
        wanted = [nodes[p].lane for p in preds.get(node.index, []) if nodes[p].lane > 0]
        lane = next((l for l in wanted if (node.rank, l) not in taken), None)
        if lane is None:
            lane = 1
            while (node.rank, lane) in taken:
                lane += 1
        node.lane = lane
        taken.add((node.rank, lane))


def _busy_gaps(nodes: List[_Node], pairs) -> Set[int]:
    """Gaps (after column c) that a connector crosses below the main axis: labels may not spill there."""
    busy: Set[int] = set()
    for s, t in pairs:
        a, b = nodes[s], nodes[t]
        if a.lane == 0 and b.lane == 0:
            continue
        if b.rank == a.rank + 1 and a.lane == b.lane:
            continue
        busy.add(a.rank)
        busy.add(b.rank - 1)
    return busy


class _Columns(list):
    """Nodes per column, with each column's extents left and right of its centre (boxes; boxes and labels)."""

    def __init__(self, nodes: List[_Node]):
        count = max((n.rank for n in nodes), default=-1) + 1
        super().__init__([] for _ in range(count))
        for node in nodes:
            self[node.rank].append(node)
        self.box = [_extents(column, False) for column in self]
        self.full = [_extents(column, True) for column in self]
        self.gap = [max((n.item.gap_before for n in column), default=0.0) for column in self]


def _extents(column: List[_Node], with_labels: bool) -> Tuple[float, float]:
    if not column:
        return 0.0, 0.0
    left = max([n.left for n in column])
    right = max([n.right for n in column])
    if with_labels:
        left = max([left] + [n.label_left for n in column])
        right = max([right] + [n.label_right for n in column])
    return left, right


def _place(columns, first: int, last: int, busy: Set[int], opts: LayoutOptions, start: float = 0.0) -> Dict[int, float]:
    """Centre x of columns first..last in one row: boxes apart by `spacing`, labels apart by `label_gap`.

    A label may spill over its neighbours, but never over a busy gap (one a connector crosses)."""
    centres: Dict[int, float] = {}
    apart = max(opts.label_gap, 0.8 * opts.font_size)  # neighbouring labels never read as one string
    last_label: Dict[Tuple[int, bool], _Node] = {}
    previous_right = None
    reach = wall = start
    for c in range(first, last + 1):
        column = columns[c]
        box_left, box_right = columns.box[c]
        full_left, full_right = columns.full[c]
        if previous_right is None:
            centre = start + full_left
        elif columns.gap[c]:  # a SpacingDummyLayer: clear space after everything before, labels included
            wall = max(previous_right, reach) + opts.spacing + columns.gap[c]
            centre = wall + full_left
            last_label.clear()
        elif (c - 1) in busy:
            centre = max(previous_right, reach) + opts.spacing + full_left
            wall = centre - full_left
        else:
            centre = previous_right + opts.spacing + box_left
        for node in column:
            if not node.item.lines:
                continue
            centre = max(centre, wall + node.label_left)
            needed = []
            for level in ((0, 1) if opts.stagger_labels and not node.item.above else (0,)):
                other = last_label.get((node.lane, node.item.above, level))
                other_right = centres[other.rank] + other.label_right if other is not None else -math.inf
                needed.append((max(centre, other_right + apart + node.label_left), level))
            centre, node.label_level = min(needed)
        for node in column:
            if node.item.lines:
                last_label[(node.lane, node.item.above, node.label_level)] = node
                reach = max(reach, centre + node.label_right)
        centres[c] = centre
        previous_right = centre + (full_right if c in busy else box_right)
    return centres


def _row_width(columns, centres, first, last) -> float:
    left = centres[first] - columns.full[first][0]
    right = centres[last] + columns.full[last][1]
    return right - left


def _cut_crossings(nodes, pairs, count) -> List[int]:
    """How many distinct layers send an edge across the cut after each column."""
    sources: List[Set[int]] = [set() for _ in range(count)]
    for s, t in pairs:
        lo, hi = sorted((nodes[s].rank, nodes[t].rank))
        origin = s if nodes[s].rank <= nodes[t].rank else t
        for c in range(lo, hi):
            sources[c].add(origin)
    return [len(group) for group in sources]


def _choose_rows(nodes, columns, busy, pairs, opts: LayoutOptions) -> List[Tuple[int, int]]:
    count = len(columns)
    if count == 0:
        return []
    single = [(0, count - 1)]
    centres = _place(columns, 0, count - 1, busy, opts)
    total = _row_width(columns, centres, 0, count - 1)
    breaker = _RowBreaker(columns, (_cut_crossings(nodes, pairs, count), _frame_interiors(nodes, opts),
                                    _frame_interiors(nodes, opts, kinds=("block",))), centres)
    if opts.max_width is not None:
        target = opts.max_width - 2 * opts.padding - 2 * SIDE_MARGIN
        for _ in range(8):
            rows = breaker.rows(target)
            overflow = _measure_rows(nodes, columns, rows, busy, pairs, opts)[0] - opts.max_width
            if overflow <= 0 or all(first == last for first, last in rows):
                break
            target -= overflow + 1.0
        return rows
    aspect = opts.aspect
    if aspect is None:
        height = _band_height(nodes, opts)
        if total / max(height, 1.0) <= AUTO_WRAP_ASPECT * 1.5:
            return single
        aspect = DEFAULT_ASPECT
    if opts.transposed:
        aspect = 1 / aspect
    height = _band_height(nodes, opts) + opts.row_gap + SKIP_BASE
    guess = max(1, round(math.sqrt(total / (height * aspect))))
    best, best_score = single, None
    measured: Dict[Tuple[Tuple[int, int], ...], Tuple[float, float]] = {}
    for window in BREAK_WINDOWS:  # a wider window finds block boundaries; a narrower one packs tighter
        counts, tried = sorted({max(1, guess + d) for d in range(-1, 3)}), set()
        for _ in range(MAX_REGUESSES + 1):
            for k in counts:
                tried.add(k)
                rows = single if k == 1 else _balanced_rows(breaker, total, k, window)
                key = tuple(rows)
                if key not in measured:  # the two windows often split alike
                    measured[key] = _measure_rows(nodes, columns, rows, busy, pairs, opts)
                scene_width, scene_height = measured[key]
                ratio = scene_width / max(scene_height, 1.0)
                miss = abs(math.log(ratio / aspect))
                page_width = scene_height if opts.transposed else scene_width
                small_text = max(0.0, page_width / opts.font_size - LEGIBLE_WIDTH_PER_FONT)
                score = (miss > ASPECT_TOLERANCE, small_text, miss)
                if best_score is None or score < best_score:
                    best, best_score, best_ratio = rows, score, ratio
            if not best_score[0] or len(best) == 1:
                break
            # the guess was far off (row heights differ from the estimate): the ratio goes with 1 / rows²
            stretch = math.sqrt(best_ratio / aspect) if not opts.transposed else math.sqrt(aspect / best_ratio)
            better = max(1, round(len(best) * stretch))
            counts = [k for k in (better - 1, better, better + 1) if k >= 1 and k not in tried]
            if not counts:
                break
        miss_too_big, small_text = best_score[:2]
        if not miss_too_big and (small_text == 0.0 or small_text > 0.15 * LEGIBLE_WIDTH_PER_FONT):
            break  # good already, or too far from legible for another window to help
    return best


def _balanced_rows(breaker, total, k, window) -> List[Tuple[int, int]]:
    """The narrowest row width that still fits the flow into k rows (binary search)."""
    low, high = total / k, total
    rows = breaker.rows(high, window)
    for _ in range(9):
        middle = (low + high) / 2
        attempt = breaker.rows(middle, window)
        if len(attempt) <= k:
            high, rows = middle, attempt
        else:
            low = middle
    return rows


def _band_height(nodes, opts) -> float:
    lanes: Dict[int, float] = {}
    for n in nodes:
        h = n.up + n.down + (n.label_block + opts.label_gap if n.item.lines else 0)
        lanes[n.lane] = max(lanes.get(n.lane, 0.0), h)
    return sum(lanes.values()) + opts.lane_gap * max(len(lanes) - 1, 0)


class _RowBreaker:
    """Splits the columns of a one-row placement into rows (see `rows`); built once per layout, since the
    row search asks for many splits."""

    def __init__(self, columns, cuts, centres):
        count = len(columns)
        self.count = count
        self.crossings, self.inside, self.within_block = cuts
        self.lefts = [centres[c] - columns.full[c][0] for c in range(count)]
        self.rights = [centres[c] + columns.full[c][1] for c in range(count)]
        self.reach = list(itertools.accumulate(self.rights, max))  # rightmost extent of columns 0..c

    def rows(self, target, window=0.8) -> List[Tuple[int, int]]:
        """Rows at most `target` wide; near the end of a row, cut where fewest edges cross.

        The cuts given were (crossings per cut, columns after which a frame would split, those after which a
        block would: never cut there unless the block alone is wider than a row)."""
        count, rights, reach = self.count, self.rights, self.reach
        crossings, inside, within_block = self.crossings, self.inside, self.within_block
        rows, first = [], 0
        while first < count:
            left = self.lefts[first]
            wide = target * window
            width = lambda right: right - left  # noqa: E731 (widths as the one-row placement measures them)
            if width(reach[first]) > target:  # a label up to here reaches past the row: look at each column
                last = first
                for c in range(first + 1, count):
                    if width(rights[c]) > target:
                        break
                    last = c
            else:  # the first column after `first` reaching past the target ends the row
                last = bisect.bisect_right(reach, target, first + 1, key=width) - 1
            start = bisect.bisect_left(reach, wide, first, key=width)  # no column before it is wide enough
            candidates = [c for c in range(start, last + 1) if rights[c] - left >= wide and c not in inside]
            if last < count - 1 and candidates:
                last = min(candidates, key=lambda c: (crossings[c], -c))
            elif last < count - 1 and last in within_block:
                last = next((c for c in range(last - 1, first - 1, -1) if c not in within_block), last)
                while last < count - 1 and last in within_block:  # a block wider than a row gets a wider row
                    last += 1
            rows.append((first, last))
            first = last + 1
        return rows


def _frame_interiors(nodes, opts: LayoutOptions, kinds=None) -> Set[int]:
    """Columns after which a row break would split a frame (of one of `kinds`, or any)."""
    rank = {n.item.name: n.rank for n in nodes}
    inside: Set[int] = set()
    for spec in opts.frames:
        if kinds is not None and spec.kind not in kinds:
            continue
        ranks = [rank[m] for m in spec.members if m in rank]
        if ranks:
            inside.update(range(min(ranks), max(ranks)))
    return inside


def _frames(nodes, boxes, opts: LayoutOptions, line_height: float) -> List[Frame]:
    """Outline rectangles (one per row) around each frame's members; inner frames inset."""
    by_name = {n.item.name: (n, b) for n, b in zip(nodes, boxes)}
    framed = {m for spec in opts.frames for m in spec.members if m in by_name}
    box_bounds = {m: by_name[m][1].bounds for m in framed}
    full_bounds = {m: _box_and_label_bounds(by_name[m][1]) for m in framed}
    depth: Dict[str, int] = {}
    for spec in opts.frames:
        if spec.kind in NESTING_KINDS:
            for m in spec.members:
                depth[m] = depth.get(m, 0) + 1
    frames = []
    for spec in opts.frames:
        members = [by_name[m] for m in spec.members if m in by_name]
        if not members:
            continue
        nesting = spec.kind in NESTING_KINDS
        level = _frame_level(spec, members, depth, opts.frames) if nesting else 0
        inset = FRAME_MARGIN - 2.0 * level
        rects = []
        for row in sorted({n.row for n, _ in members}):
            in_row = [n.item.name for n, _ in members if n.row == row]
            extent = [full_bounds[m] for m in in_row]
            if spec.kind in ("stage", "block"):  # neighbouring groups touch: frames hug the boxes, not the labels
                extent = [(box_bounds[m][0], e[1], box_bounds[m][2], e[3]) for m, e in zip(in_row, extent)]
            top = min(box_bounds[m][1] - by_name[m][0].item.pad_top for m in in_row)
            top += (level if nesting else 0) * (line_height + 2)
            side = inset
            if spec.kind in ("stage", "block"):  # neighbouring groups stay apart; a block sits inside its stage
                side = min(inset, opts.spacing / 2 - 0.5)
                side = max(0.5, side - 1.5) if spec.kind == "block" else side
            rects.append((min(e[0] for e in extent) - side, top - 2.0,
                          max(e[2] for e in extent) + side, max(e[3] for e in extent) + inset - 2.0 * level))
        x0, y0, x1, _ = rects[0]
        label = spec.label
        for shorter in spec.shorter:
            if opts.measure(label) * (1.1 if spec.kind == "stage" else 1.0) <= x1 - x0 - 8.0:  # stage captions are bold
                break
            label = shorter
        label_at = (x0 + 4.0, y0 + line_height * 0.8) if nesting else (x1 - 4.0, y0 + line_height * 0.8)
        frames.append(Frame(spec.name, spec.kind, label, tuple(spec.members), tuple(rects), label_at))
    return frames


def _frame_level(spec: FrameSpec, members, depth, frames) -> int:
    """How many frames enclose this one: nested models by depth; group frames by containment."""
    if spec.kind == "nested":
        return min(depth.get(n.item.name, 1) for n, _ in members) - 1
    names = {n.item.name for n, _ in members}
    order = {id(f): i for i, f in enumerate(frames)}
    return sum(1 for f in frames if f is not spec and f.kind in NESTING_KINDS and names <= set(f.members)
               and (names < set(f.members) or order[id(f)] < order[id(spec)]))


def _box_and_label_bounds(box: Box) -> Tuple[float, float, float, float]:
    x0, y0, x1, y1 = box.bounds
    if box.label is not None:
        lx0, ly0, lx1, ly1 = box.label.bounds
        x0, y0, x1, y1 = min(x0, lx0), min(y0, ly0), max(x1, lx1), max(y1, ly1)
    return x0, y0, x1, y1


def _measure_rows(nodes, columns, rows, busy, pairs, opts) -> Tuple[float, float]:
    scene = _build(nodes, columns, rows, busy, pairs, opts, measure_only=True)
    return scene.width, scene.height


def _plan_routes(nodes: List[_Node], pairs, rows, columns, tracks_only: bool = False) -> List[_Route]:
    """Each edge's kind of route; with `tracks_only`, just the routes that take tracks or lanes (to measure)."""
    row_of_column = {}
    for r, (first, last) in enumerate(rows):
        for c in range(first, last + 1):
            row_of_column[c] = r
    for node in nodes:
        node.row = row_of_column[node.rank]
    claimed: Optional[Set[Tuple[int, int]]] = None  # (column, lane) cells taken: built when first needed
    routes = []
    for s, t in pairs:
        a, b = nodes[s], nodes[t]
        if a.rank > b.rank:
            a, b = b, a
        if tracks_only and b.rank == a.rank + 1 and a.row == b.row:
            continue
        route = _Route(a.index, b.index, "over", skip=b.rank - a.rank > 1)
        if a.row != b.row:
            route.kind = "cross"
            first, last = rows[b.row][0], rows[a.row][1]
            route.source_port = "side" if a.rank == last else ("top" if a.lane == 0 else "gap")
            route.target_port = "margin" if b.rank == first else ("top" if b.lane == 0 else "gap")
        elif b.rank == a.rank + 1:
            route.kind = "straight" if a.lane == b.lane else "elbow"
        else:
            between = range(a.rank + 1, b.rank)
            if claimed is None:
                claimed = {(n.rank, n.lane) for n in nodes}
            for lane in dict.fromkeys((a.lane, b.lane)):
                if lane > 0 and all((c, lane) not in claimed for c in between):
                    route.kind, route.lane = "lane", lane
                    claimed.update((c, lane) for c in between)
                    break
            if route.kind == "over":
                route.source_port = "top" if a.lane == 0 else "gap"
                route.target_port = "top" if b.lane == 0 else "gap"
        routes.append(route)
    return routes


def _colour_intervals(intervals: List[Tuple[float, float]]) -> List[int]:
    """Greedy interval colouring, shortest first: each interval (of positive length) takes the lowest free track."""
    order = sorted(range(len(intervals)), key=lambda i: (intervals[i][1] - intervals[i][0], intervals[i][0]))
    points = sorted({p for interval in intervals for p in interval})
    index = {p: i for i, p in enumerate(points)}
    occupancy = _Occupancy(max(1, len(points) - 1))
    result = [0] * len(intervals)
    for i in order:
        lo, hi = index[intervals[i][0]], index[intervals[i][1]]
        used = occupancy.tracks(lo, hi)
        track = (~used & (used + 1)).bit_length() - 1
        occupancy.take(lo, hi, 1 << track)
        result[i] = track
    return result


class _Occupancy:
    """Which tracks are taken along elementary segments 0..n-1: a segment tree of track bitmasks."""

    def __init__(self, n: int):
        self.size = 1 << max(0, (n - 1).bit_length())
        self.cover = [0] * (2 * self.size)  # tracks taken along a node's whole range
        self.within = [0] * (2 * self.size)  # tracks taken anywhere in a node's range

    def _edges(self, lo: int, hi: int):
        return lo + self.size, hi - 1 + self.size

    def tracks(self, lo: int, hi: int) -> int:
        """Tracks taken anywhere in segments lo..hi-1."""
        first, last = self._edges(lo, hi)
        found = 0
        left, right = first, last + 1
        while left < right:
            if left & 1:
                found |= self.within[left]
                left += 1
            if right & 1:
                right -= 1
                found |= self.within[right]
            left >>= 1
            right >>= 1
        for leaf in (first, last):
            node = leaf >> 1
            while node:
                found |= self.cover[node]
                node >>= 1
        return found

    def take(self, lo: int, hi: int, bit: int) -> None:
        first, last = self._edges(lo, hi)
        left, right = first, last + 1
        while left < right:
            if left & 1:
                self.cover[left] |= bit
                self.within[left] |= bit
                left += 1
            if right & 1:
                right -= 1
                self.cover[right] |= bit
                self.within[right] |= bit
            left >>= 1
            right >>= 1
        for leaf in (first, last):
            node = leaf >> 1
            while node:
                self.within[node] |= bit
                node >>= 1


def _assign_tracks(routes: List[_Route], nodes, rows) -> Tuple[Dict[int, int], Dict[int, int], int]:
    """Skip-area tracks per row, row-gap tracks per row, margin tracks overall."""
    by_row: Dict[int, List[Tuple[_Route, Tuple[float, float]]]] = {}
    for route in routes:
        a, b = nodes[route.source], nodes[route.target]
        if route.kind == "over":
            by_row.setdefault(a.row, []).append((route, (a.rank + 0.5, b.rank + 0.5)))
        elif route.kind == "cross" and route.source_port != "side":
            by_row.setdefault(a.row, []).append((route, (a.rank + 0.5, math.inf)))
    skip_tracks: Dict[int, int] = {}
    for row, entries in by_row.items():
        colours = _colour_intervals([iv for _, iv in entries])
        for (route, _), k in zip(entries, colours):
            route.skip_track = k
        skip_tracks[row] = max(colours) + 1
    crossing = [r for r in routes if r.kind == "cross"]
    margin = _colour_intervals([(nodes[r.source].row, nodes[r.target].row + 0.5) for r in crossing])
    for route, k in zip(crossing, margin):
        route.margin_track = k
    gap_tracks: Dict[int, int] = {}
    for route in sorted(crossing, key=lambda r: -nodes[r.target].rank):
        row = nodes[route.target].row
        route.row_gap_track = gap_tracks.get(row, 0)
        gap_tracks[row] = route.row_gap_track + 1
    return skip_tracks, gap_tracks, (max(margin) + 1 if margin else 0)


def _build(nodes, columns, rows, busy, pairs, opts: LayoutOptions, measure_only: bool = False) -> Scene:
    routes = _plan_routes(nodes, pairs, rows, columns, tracks_only=measure_only)
    skip_tracks, gap_tracks, margin_tracks = _assign_tracks(routes, nodes, rows)
    line_height = opts.font_size * 1.2 + opts.line_spacing
    multi_row = len(rows) > 1
    left_margin = SIDE_MARGIN if multi_row else 0.0

    centres: Dict[int, float] = {}
    row_right: Dict[int, float] = {}
    for r, (first, last) in enumerate(rows):
        centres.update(_place(columns, first, last, busy, opts, start=left_margin))
        row_right[r] = max(centres[c] + columns.full[c][1] for c in range(first, last + 1))
    for node in nodes:
        node.centre = centres[node.rank]

    # vertical: per row, the skip area, then each used lane's band (above labels, boxes, labels)
    lane_axis: Dict[Tuple[int, int], float] = {}
    label_top: Dict[Tuple[int, int], float] = {}
    above_top: Dict[Tuple[int, int], float] = {}
    second_top: Dict[Tuple[int, int], float] = {}
    row_top: Dict[int, float] = {}
    row_bottom: Dict[int, float] = {}
    members_of_row: Dict[int, List[_Node]] = {}
    for node in nodes:
        members_of_row.setdefault(node.row, []).append(node)
    y = 0.0
    for r in range(len(rows)):
        if r:
            y += opts.row_gap + TRACK * gap_tracks.get(r, 0)
        row_top[r] = y
        members = members_of_row.get(r, [])
        if skip_tracks.get(r):
            y += SKIP_BASE + TRACK * (skip_tracks[r] - 1)
        lanes = sorted({n.lane for n in members})
        for k, lane in enumerate(lanes):
            band = [n for n in members if n.lane == lane]
            above = max((n.label_block for n in band if n.item.lines and n.item.above), default=0.0)
            below = max((n.label_block for n in band if n.item.lines and not n.item.above
                         and n.label_level == 0), default=0.0)
            below_second = max((n.label_block for n in band if n.item.lines and not n.item.above
                                and n.label_level == 1), default=0.0)
            if below_second:
                second_top[(r, lane)] = below + 2.0
                below += 2.0 + below_second
            if k:
                y += opts.lane_gap
            if above:
                above_top[(r, lane)] = y
                y += above + opts.label_gap
            y += max(n.up for n in band)
            lane_axis[(r, lane)] = y
            y += max(n.down for n in band)
            if below:
                y += opts.label_gap
                label_top[(r, lane)] = y
                y += below
        row_bottom[r] = y
    for node in nodes:
        node.axis = lane_axis[(node.row, node.lane)]

    right_edge = max(row_right.values(), default=0.0)
    margin_x = [right_edge + SIDE_MARGIN + TRACK * k for k in range(margin_tracks)]
    width = right_edge + (SIDE_MARGIN + TRACK * margin_tracks if margin_tracks else 0.0)
    height = y
    if measure_only:
        return Scene(width + 2 * opts.padding, height + 2 * opts.padding, (), ())

    boxes = []
    for node in nodes:
        it = node.item
        label = None
        if it.lines:
            top = above_top[(node.row, node.lane)] if it.above else label_top[(node.row, node.lane)]
            if node.label_level and not it.above:
                top += second_top[(node.row, node.lane)]
            if opts.transposed:
                middle = node.centre + node.dx / 2
                label = Label(top, middle - node.label_width / 2, it.lines, line_height, node.label_block, False,
                              "start")
            else:
                label = Label(node.centre + node.dx / 2, top, it.lines, line_height, node.label_width, it.above)
        if opts.transposed:  # the engine's (u, v) is the page's (y, x); the box keeps its own axes
            x, axis, dx, dy = node.axis - it.width / 2, node.centre, node.dy, node.dx
        else:
            x, axis, dx, dy = node.front_x, node.axis, node.dx, node.dy
        boxes.append(Box(it.name, it.type, it.category, x, axis - it.height / 2, it.width, it.height,
                         dx, dy, box_faces(x, axis, it.width, it.height, dx, dy), label))

    connectors = _route_coordinates(routes, nodes, rows, columns, busy, centres, row_top, margin_x, opts)
    if opts.transposed:
        connectors = [Connector(c.source, c.target, _swap(c.points), _swap(c.arrow), c.skip, c.inferred)
                      for c in connectors]
        width, height = height, width
    funnels = _funnels(boxes, nodes, pairs, opts.transposed) if opts.funnel else []
    frames = _frames(nodes, boxes, opts, line_height)
    legend = _legend(opts, width, height + (FRAME_MARGIN if frames else 0.0), line_height)
    if legend:
        height = max(height, max(e.swatch[1] + e.swatch[2] for e in legend))
        width = max(width, max(e.text_x + opts.measure(e.text) for e in legend))
    scene = Scene(width, height, tuple(boxes), tuple(connectors), tuple(legend), tuple(funnels), opts.font_size,
                  tuple(frames))
    return _translate(scene, opts.padding)


def _gap_x(c: int, columns, centres, spacing: float, track: float = 0.0) -> float:
    """x in the free strip (`spacing` wide) just before column c + 1, or beyond a row's last column."""
    if c + 1 < len(columns) and (c + 1) in centres and centres[c + 1] > centres[c]:
        end = centres[c + 1] - columns.full[c + 1][0]
    else:
        end = centres[c] + columns.full[c][1] + spacing
    room = max(spacing / 2 - 2.0, 0.0)
    return end - spacing / 2 + max(-room, min(room, track))


def _route_coordinates(routes, nodes, rows, columns, busy, centres, row_top, margin_x, opts) -> List[Connector]:
    top_ports = _top_ports(routes, nodes)
    entries = _left_entries(routes, nodes)
    gap_use: Dict[int, List[int]] = {}
    for i, route in enumerate(routes):
        for c in _gaps_used(route, nodes):
            gap_use.setdefault(c, []).append(i)

    def gap(c, i):
        users = gap_use.get(c, [i])
        k = users.index(i) if i in users else 0
        return _gap_x(c, columns, centres, opts.spacing, (k - (len(users) - 1) / 2) * 4.0)

    skip_counts = _row_skip_counts(routes, nodes)
    connectors = []
    for i, route in enumerate(routes):
        a, b = nodes[route.source], nodes[route.target]
        start_side = (exit_x(a.front_x, a.w, a.h, a.dx, a.dy), a.axis)
        end_side = (entry_x(b.front_x, b.w, b.h, b.dx, b.dy), entries.get((i, b.index), b.axis))
        if route.kind == "straight":
            points = [start_side, (end_side[0], start_side[1]) if abs(end_side[1] - a.axis) < 1e-9 else end_side]
            if abs(points[-1][1] - points[0][1]) > 1e-9:
                mid = gap(a.rank, i)
                points = [start_side, (mid, a.axis), (mid, end_side[1]), end_side]
        elif route.kind == "elbow":
            mid = gap(a.rank, i)
            points = [start_side, (mid, a.axis), (mid, end_side[1]), end_side]
        elif route.kind == "lane":
            lane_y = nodes[route.source].axis if route.lane == a.lane else b.axis
            if route.lane == a.lane:
                mid = gap(b.rank - 1, i)
                points = [start_side, (mid, lane_y), (mid, end_side[1]), end_side]
            else:
                mid = gap(a.rank, i)
                points = [start_side, (mid, a.axis), (mid, lane_y), end_side]
        elif route.kind == "over":
            track_y = row_top[a.row] + SKIP_BASE * 0.5 + TRACK * (skip_counts.get(a.row, 1) - 1 - route.skip_track)
            points = []
            if route.source_port == "top":
                sx, sy = top_ports[(i, "start")]
                points += [(sx, sy), (sx, track_y)]
            else:
                mid = gap(a.rank, i)
                points += [start_side, (mid, a.axis), (mid, track_y)]
            if route.target_port == "top":
                tx, ty = top_ports[(i, "end")]
                points += [(tx, track_y), (tx, ty)]
            else:
                mid = gap(b.rank - 1, i)
                points += [(mid, track_y), (mid, end_side[1]), end_side]
        else:
            points = _cross_points(route, i, a, b, rows, columns, busy, centres, row_top, margin_x,
                                   top_ports, start_side, end_side, gap, skip_counts, opts)
        connectors.append(with_arrow(a.item.name, b.item.name, _simplify(points), route.skip, opts.inferred_edges))
    return connectors


def _row_skip_counts(routes, nodes) -> Dict[int, int]:
    """Skip-area tracks used in each row (a row without any counts as 1)."""
    counts: Dict[int, int] = {}
    for r in routes:
        if r.kind == "over" or (r.kind == "cross" and r.source_port != "side"):
            row = nodes[r.source].row
            counts[row] = max(counts.get(row, 1), r.skip_track + 1)
    return counts


def _cross_points(route, i, a, b, rows, columns, busy, centres, row_top, margin_x, top_ports, start_side,
                  end_side, gap, skip_counts, opts):
    x_margin = margin_x[route.margin_track] if margin_x else start_side[0] + SIDE_MARGIN
    track_y = row_top[a.row] + SKIP_BASE * 0.5 + TRACK * (skip_counts.get(a.row, 1) - 1 - route.skip_track)
    if route.source_port == "top":
        sx, sy = top_ports[(i, "start")]
        points = [(sx, sy), (sx, track_y), (x_margin, track_y)]
    elif route.source_port == "gap":
        mid = gap(a.rank, i)
        points = [start_side, (mid, a.axis), (mid, track_y), (x_margin, track_y)]
    else:
        points = [start_side, (x_margin, a.axis)]
    corridor = row_top[b.row] - opts.row_gap / 2 - TRACK * route.row_gap_track
    points.append((x_margin, corridor))
    if route.target_port == "margin":
        x_left = centres[b.rank] - columns.full[b.rank][0] - SIDE_MARGIN / 2
        points += [(x_left, corridor), (x_left, end_side[1]), end_side]
    elif route.target_port == "top":
        tx, ty = top_ports[(i, "end")]
        points += [(tx, corridor), (tx, ty)]
    else:
        mid = gap(b.rank - 1, i)
        points += [(mid, corridor), (mid, end_side[1]), end_side]
    return points


def _gaps_used(route: _Route, nodes) -> List[int]:
    a, b = nodes[route.source], nodes[route.target]
    used = []
    if route.kind == "elbow":
        used.append(a.rank)
    if route.kind == "lane":
        used.append(b.rank - 1 if route.lane == a.lane else a.rank)
    if route.kind in ("over", "cross"):
        if route.source_port == "gap":
            used.append(a.rank)
        if route.target_port == "gap":
            used.append(b.rank - 1)
    return used


def _top_ports(routes, nodes) -> Dict[Tuple[int, str], Tuple[float, float]]:
    """Points on the top-back edge of a box, spread so connectors at one box stay apart."""
    uses: Dict[int, List[Tuple[float, int, str]]] = {}
    for i, route in enumerate(routes):
        if route.source_port == "top":
            uses.setdefault(route.source, []).append((nodes[route.target].rank + 0.5, i, "start"))
        if route.target_port == "top":
            uses.setdefault(route.target, []).append((nodes[route.source].rank - 0.5, i, "end"))
    ports = {}
    for index, entries in uses.items():
        node = nodes[index]
        entries.sort()
        y = node.axis - node.h / 2 + min(node.dy, 0.0)
        for k, (_, i, end) in enumerate(entries):
            x = node.front_x + (node.dx if node.dy < 0 else 0.0) + node.w * (k + 1) / (len(entries) + 1)
            ports[(i, end)] = (x, y)
    return ports


def _left_entries(routes, nodes) -> Dict[Tuple[int, int], float]:
    """y where each connector enters a box's left side, spread when several arrive."""
    arriving: Dict[int, List[Tuple[float, int]]] = {}
    for i, route in enumerate(routes):
        if route.target_port in ("side", "gap", "margin"):
            source = nodes[route.source]
            arriving.setdefault(route.target, []).append((source.axis + source.row * 1e6, i))
    entries = {}
    for index, arrivals in arriving.items():
        node = nodes[index]
        arrivals.sort()
        count = len(arrivals)
        step = min(7.0, node.h / (count + 1))
        for k, (_, i) in enumerate(arrivals):
            entries[(i, index)] = node.axis + (k - (count - 1) / 2) * step
    return entries


def _simplify(points) -> Tuple[Tuple[float, float], ...]:
    """Drop repeated and collinear points."""
    result: List[Tuple[float, float]] = []
    for p in points:
        if result and abs(p[0] - result[-1][0]) < 1e-6 and abs(p[1] - result[-1][1]) < 1e-6:
            continue
        if len(result) >= 2:
            (x0, y0), (x1, y1) = result[-2], result[-1]
            if abs((x1 - x0) * (p[1] - y1) - (y1 - y0) * (p[0] - x1)) < 1e-6:
                result[-1] = p
                continue
        result.append(p)
    return tuple(result)


def _funnels(boxes, nodes, pairs, transposed: bool):
    """visualkeras's funnel: lines joining the facing corners of neighbouring front faces."""
    corners = ((3, 0), (2, 1)) if transposed else ((1, 0), (2, 3))
    funnels = []
    for s, t in set(pairs):
        a, b = nodes[s], nodes[t]
        if b.rank == a.rank + 1 and a.lane == b.lane and a.row == b.row:
            fa, fb = boxes[s].faces[0].points, boxes[t].faces[0].points
            funnels.extend((fa[i], fb[j]) for i, j in corners)
    return sorted(funnels)


def _swap(points):
    return tuple((y, x) for x, y in points)


def _legend(opts: LayoutOptions, width, height, line_height) -> List[LegendEntry]:
    if not opts.legend:
        return []
    size = opts.font_size
    row_width = max(width, 360.0)
    entries = []
    x, y = 0.0, height + 1.5 * line_height
    widths = [size + 6 + opts.measure(text) + 18 + opts.legend_extra for _, _, text in opts.legend]
    if opts.legend_position == "right":
        columns = max(1, opts.legend_columns)
        for i, (type_name, category, text) in enumerate(opts.legend):
            x = width + 2 * line_height + (i % columns) * max(widths)
            y = (i // columns) * (line_height + 4)
            entries.append(LegendEntry(type_name, category, text, (x, y, size), x + size + 6, y + size * 0.85))
        return entries
    for i, (type_name, category, text) in enumerate(opts.legend):
        entry_width = max(widths) if opts.legend_columns else widths[i]
        wrap = i % opts.legend_columns == 0 if opts.legend_columns else x + entry_width > row_width
        if x > 0 and wrap:
            x, y = 0.0, y + line_height + 4
        entries.append(LegendEntry(type_name, category, text, (x, y, size), x + size + 6, y + size * 0.85))
        x += entry_width
    return entries


def _translate(scene: Scene, padding: float) -> Scene:
    """Move everything so the drawing's extent starts at (padding, padding)."""
    points = [p for b in scene.boxes for f in b.faces for p in f.points]
    points += [p for c in scene.connectors for p in c.points + c.arrow]
    labels = [b.label.bounds for b in scene.boxes if b.label is not None]
    labels += [r for f in scene.frames for r in f.rects]
    xs = [0.0, scene.width] + [p[0] for p in points] + [r[0] for r in labels] + [r[2] for r in labels]
    ys = [0.0, scene.height] + [p[1] for p in points] + [r[1] for r in labels] + [r[3] for r in labels]
    x0, y0 = min(xs), min(ys)
    ox, oy = padding - x0, padding - y0
    move = lambda pts: tuple([(x + ox, y + oy) for x, y in pts])  # noqa: E731
    boxes = []
    for b in scene.boxes:  # constructors, not dataclasses.replace (~10 µs a call)
        label = b.label and Label(b.label.x + ox, b.label.y + oy, b.label.lines, b.label.line_height, b.label.width,
                                  b.label.above, b.label.anchor)
        faces = tuple(Face(f.role, move(f.points)) for f in b.faces)
        boxes.append(Box(b.name, b.type, b.category, b.x + ox, b.y + oy, b.width, b.height, b.dx, b.dy, faces, label))
    return Scene(
        width=round(max(xs) - x0 + 2 * padding, 2),
        height=round(max(ys) - y0 + 2 * padding, 2),
        boxes=tuple(boxes),
        connectors=tuple(Connector(c.source, c.target, move(c.points), move(c.arrow), c.skip, c.inferred)
                         for c in scene.connectors),
        legend=tuple(replace(e, swatch=(e.swatch[0] + ox, e.swatch[1] + oy, e.swatch[2]), text_x=e.text_x + ox,
                             text_y=e.text_y + oy) for e in scene.legend),
        funnels=tuple(move(f) for f in scene.funnels),
        font_size=scene.font_size,
        frames=tuple(replace(f, rects=tuple((a + ox, b + oy, c + ox, d + oy) for a, b, c, d in f.rects),
                             label_at=(f.label_at[0] + ox, f.label_at[1] + oy)) for f in scene.frames),
    )
