"""Columns along the flow (longest path), lanes across it, and the placement of columns within a row."""
from __future__ import annotations

from typing import Dict, Iterator, List, Set, Tuple

from .spec import FrameSpec, LayoutOptions, Node


def assign_ranks(nodes: List[Node], pairs) -> None:
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


def blocks_in_own_columns(nodes: List[Node], pairs, opts: LayoutOptions) -> None:
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
            rank = floor
            for p in preds.get(i, ()):
                if p in ranked and nodes[p].rank >= rank:
                    rank = nodes[p].rank + 1
            nodes[i].rank = rank
            ranked.add(i)
            end = max(end, rank)


def assign_lanes(nodes: List[Node], pairs) -> None:
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


def busy_gaps(nodes: List[Node], pairs) -> Set[int]:
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


def frame_columns(nodes: List[Node], frames: List[FrameSpec]) -> Iterator[Tuple[FrameSpec, int, int]]:
    """(frame spec, its first column, its last column) of each of `frames` with members drawn."""
    rank = {n.item.name: n.rank for n in nodes}
    for spec in frames:
        ranks = [rank[m] for m in spec.members if m in rank]
        if ranks:
            yield spec, min(ranks), max(ranks)


class Columns(list):
    """Nodes per column, with each column's extents left and right of its centre (boxes; boxes and labels), its
    gap before (SpacingDummyLayer) and its labelled nodes."""

    def __init__(self, nodes: List[Node]):
        count = max((n.rank for n in nodes), default=-1) + 1
        super().__init__([] for _ in range(count))
        for node in nodes:
            self[node.rank].append(node)
        self.box = [_extents(column, False) for column in self]
        self.full = [_extents(column, True) for column in self]
        self.gap = [max((n.item.gap_before for n in column), default=0.0) for column in self]
        self.labelled = [[n for n in column if n.item.lines] for column in self]
        self.caption_room: Dict[int, Tuple[int, float]] = {}  # a stage's last column → (first column, caption width)


def _extents(column: List[Node], with_labels: bool) -> Tuple[float, float]:
    if not column:
        return 0.0, 0.0
    if len(column) == 1:  # most columns: max() of one value is the value
        n = column[0]
        if not with_labels:
            return n.left, n.right
        return max(n.left, n.label_left), max(n.right, n.label_right)
    left = max([n.left for n in column])
    right = max([n.right for n in column])
    if with_labels:
        left = max([left] + [n.label_left for n in column])
        right = max([right] + [n.label_right for n in column])
    return left, right


def place(columns, first: int, last: int, busy: Set[int], opts: LayoutOptions, start: float = 0.0) -> Dict[int, float]:
    """Centre x of columns first..last in one row: boxes apart by `spacing`, labels apart by `label_gap`.

    A label may spill over its neighbours, but never over a busy gap (one a connector crosses)."""
    centres: Dict[int, float] = {}
    apart = max(opts.label_gap, 0.8 * opts.font_size)  # neighbouring labels never read as one string
    spacing = opts.spacing
    levels_below = (0, 1) if opts.stagger_labels else (0,)
    boxes, fulls, gaps, caption_room, labels = columns.box, columns.full, columns.gap, columns.caption_room, columns.labelled
    last_label: Dict[Tuple[int, bool, int], Node] = {}
    previous_right = None
    reach = wall = start
    for c in range(first, last + 1):
        box_left, box_right = boxes[c]
        full_left, full_right = fulls[c]
        if previous_right is None:
            centre = start + full_left
        elif gaps[c]:  # a SpacingDummyLayer: clear space after everything before, labels included
            wall = max(previous_right, reach) + spacing + gaps[c]
            centre = wall + full_left
            last_label.clear()
        elif (c - 1) in busy:
            centre = max(previous_right, reach) + spacing + full_left
            wall = centre - full_left
        else:
            centre = previous_right + spacing + box_left
        if caption_room:
            room = caption_room.get(c - 1)
            if room is not None and room[0] in centres:  # the stage before ends here: after its caption
                start_of_stage = centres[room[0]] - boxes[room[0]][0]
                centre = max(centre, start_of_stage + room[1] + spacing + box_left)
        labelled = labels[c]
        for node in labelled:
            if wall + node.label_left > centre:
                centre = wall + node.label_left
            above = node.item.above
            best = None
            for level in ((0,) if above else levels_below):
                other = last_label.get((node.lane, above, level))
                needed = centre if other is None else max(centre, centres[other.rank] + other.label_right + apart
                                                          + node.label_left)
                if best is None or (needed, level) < best:
                    best = (needed, level)
            centre, node.label_level = best
        for node in labelled:
            last_label[(node.lane, node.item.above, node.label_level)] = node
            if centre + node.label_right > reach:
                reach = centre + node.label_right
        centres[c] = centre
        previous_right = centre + (full_right if c in busy else box_right)
    return centres


def row_width(columns, centres, first, last) -> float:
    left = centres[first] - columns.full[first][0]
    right = centres[last] + columns.full[last][1]
    return right - left
