"""The layout put together: columns, rows, routes, frames and legend → a Scene."""
from __future__ import annotations

import bisect
import math
from collections import defaultdict
from typing import Dict, List, Sequence, Set, Tuple

from ..scene import Box, Connector, Frame, Label, LegendEntry, Scene
from ..scene.text import BOLD_WIDTH
from .columns import Columns, assign_lanes, assign_ranks, blocks_in_own_columns, busy_gaps, frame_columns, place
from .geometry import box_bounds, box_faces, project_depth
from .routing import assign_tracks, plan_routes, route_coordinates, swap
from .rows import choose_rows
from .spec import FRAME_MARGIN, NESTING_KINDS, SIDE_MARGIN, SKIP_BASE, TRACK, FrameSpec, Item, LayoutOptions, Node


def layout(items: Sequence[Item], edges: Sequence[Tuple[str, str]], opts: LayoutOptions) -> Scene:
    """Place `items` (in topological order) and route every edge once."""
    nodes = [_node(it, i, opts) for i, it in enumerate(items)]
    position = {it.name: i for i, it in enumerate(items)}
    pairs = [(position[s], position[t]) for s, t in dict.fromkeys(edges)
             if s in position and t in position and s != t]
    assign_ranks(nodes, pairs)
    blocks_in_own_columns(nodes, pairs, opts)
    assign_lanes(nodes, pairs)
    busy = busy_gaps(nodes, pairs)
    columns = Columns(nodes)
    busy |= _stage_boundaries(columns, opts)
    columns.caption_room = _caption_room(nodes, opts)
    rows = choose_rows(nodes, columns, busy, pairs, opts,
                       lambda rows: _measure_rows(nodes, columns, rows, busy, pairs, opts))
    return _build(nodes, columns, rows, busy, pairs, opts)


def _stage_boundaries(columns, opts: LayoutOptions) -> Set[int]:
    """Gaps between columns of different stages: no label spills across them (it would cross a frame)."""
    stage_of = {m: spec.name for spec in opts.frames if spec.kind == "stage" for m in spec.members}
    if not stage_of:
        return set()
    stage = stage_of.get
    stages = [{stage(column[0].item.name)} if len(column) == 1 else {stage(n.item.name) for n in column}
              for column in columns]
    return {c - 1 for c in range(1, len(stages)) if stages[c] != stages[c - 1]}


def _caption_room(nodes, opts: LayoutOptions) -> Dict[int, Tuple[int, float]]:
    """Per stage: its last column → (its first column, the width its whole caption needs from its first box),
    so that the next stage starts after the caption and no number of it is dropped."""
    if opts.transposed:
        return {}
    stages = [spec for spec in opts.frames if spec.kind == "stage"]
    return {last: (first, opts.measure(spec.label) * BOLD_WIDTH + 8.0)
            for spec, first, last in frame_columns(nodes, stages)}


def _node(it: Item, index: int, opts: LayoutOptions) -> Node:
    """Engine geometry: along the flow (u) and across it (v); top-to-bottom swaps the box's axes."""
    dx, dy = project_depth(it.depth, opts.reversed)
    text = max((opts.measure(line) for line in it.lines), default=0.0)
    block = (opts.font_size * 1.2 + opts.line_spacing) * len(it.lines)
    if opts.transposed:
        return Node(it, index, dy, dx, block, w=it.height, h=it.width, label_block=text)
    return Node(it, index, dx, dy, text, w=it.width, h=it.height, label_block=block)


def _measure_rows(nodes, columns, rows, busy, pairs, opts) -> Tuple[float, float]:
    scene = _build(nodes, columns, rows, busy, pairs, opts, measure_only=True)
    return scene.width, scene.height


def _build(nodes, columns, rows, busy, pairs, opts: LayoutOptions, measure_only: bool = False) -> Scene:
    routes = plan_routes(nodes, pairs, rows, columns, tracks_only=measure_only)
    skip_tracks, gap_tracks, margin_tracks = assign_tracks(routes, nodes, rows)
    line_height = opts.font_size * 1.2 + opts.line_spacing
    multi_row = len(rows) > 1
    left_margin = SIDE_MARGIN if multi_row else 0.0

    centres: Dict[int, float] = {}
    row_right: Dict[int, float] = {}
    for r, (first, last) in enumerate(rows):
        centres.update(place(columns, first, last, busy, opts, start=left_margin))
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
    members_of_row: Dict[int, List[Node]] = {}
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
    if measure_only:  # the legend counts toward the aspect too
        _, width, height = _with_legend(opts, width, height, bool(opts.frames), line_height)
        return Scene(width + 2 * opts.padding, height + 2 * opts.padding, (), ())

    boxes = []
    extents = []  # the boxes' bounds, which frames and the final translation need
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
        extents.append(box_bounds(x, axis, it.width, it.height, dx, dy))

    connectors = route_coordinates(routes, nodes, rows, columns, centres, row_top, margin_x, opts)
    if opts.transposed:
        connectors = [Connector(c.source, c.target, swap(c.points), swap(c.arrow), c.skip, c.inferred)
                      for c in connectors]
        width, height = height, width
    funnels = _funnels(boxes, nodes, pairs, opts.transposed) if opts.funnel else []
    frames = _frames(nodes, boxes, extents, opts, line_height, connectors)
    legend, width, height = _with_legend(opts, width, height, bool(frames), line_height)
    scene = Scene(width, height, tuple(boxes), tuple(connectors), tuple(legend), tuple(funnels), opts.font_size,
                  tuple(frames))
    return _translate(scene, opts.padding, extents)


def _frames(nodes, boxes, extents, opts: LayoutOptions, line_height: float, connectors=()) -> List[Frame]:
    """Outline rectangles (one per row) around each frame's members (`extents`: the boxes' bounds); inner frames
    inset. A group's frame sides keep off labels, and its captions off connectors, where they can."""
    if not opts.frames:
        return []
    names = [b.name for b in boxes]
    row_list = [n.row for n in nodes]
    # per layer: its box's top less the room its frames' captions take above it, its bottom with the label, its
    # box's left and right, and its left and right with the label
    tops = [bounds[1] - n.item.pad_top for n, bounds in zip(nodes, extents)]
    bottoms = [bounds[3] for bounds in extents]
    box_lefts = [bounds[0] for bounds in extents]
    box_rights = [bounds[2] for bounds in extents]
    lefts, rights = box_lefts[:], box_rights[:]
    labels = {i: b.label.bounds for i, b in enumerate(boxes) if b.label is not None}
    for i, label in labels.items():
        bottoms[i] = max(bottoms[i], label[3])
        lefts[i], rights[i] = min(lefts[i], label[0]), max(rights[i], label[2])
    row_shapes: Dict[int, List[Tuple[bool, str, Tuple[float, float, float, float]]]] = {}  # (label?, name, bounds)
    for i, row in enumerate(row_list):
        shapes = row_shapes.get(row)
        if shapes is None:
            shapes = row_shapes[row] = []
        shapes.append((False, names[i], extents[i]))
        if i in labels:
            shapes.append((True, names[i], labels[i]))
    drawn = _drawn_frames(opts.frames, {name: i for i, name in enumerate(names)}, row_list,
                          (tops, bottoms, box_lefts, box_rights, lefts, rights))
    depth: Dict[str, int] = {}  # how many nesting frames hold each layer (for nested models' frames)
    if any(spec.kind == "nested" for spec in opts.frames):
        for spec in opts.frames:
            if spec.kind in NESTING_KINDS:
                for m in spec.members:
                    depth[m] = depth.get(m, 0) + 1
    # the nesting frames holding each drawn frame's first layer (a frame inside another holds it too)
    firsts = {members[0] for spec, members, _, _ in drawn if spec.kind in NESTING_KINDS}
    holders: Dict[str, List[int]] = {}
    for i, spec in enumerate(opts.frames):
        if spec.kind in NESTING_KINDS:
            for m in firsts.intersection(spec.members):
                holders.setdefault(m, []).append(i)
    shapes_of_row: Dict[int, _ShapeIndex] = {}
    lines = None
    frames = []
    captions: List[Tuple[float, float, float]] = []  # stage captions placed: (left, baseline, right)
    stage_starts: Dict[int, List[float]] = {}  # per row, where each stage's boxes start: captions stop before
    for spec, _, _, extent in drawn:
        if spec.kind == "stage":
            for row, bounds in extent.items():
                stage_starts.setdefault(row, []).append(bounds[2])
    member_sets: Dict[int, Set[str]] = {}
    for spec, members, rows, extent in drawn:
        nesting = spec.kind in NESTING_KINDS
        group = spec.kind in ("stage", "block")
        level = _frame_level(spec, members, depth, opts.frames, member_sets, holders) if nesting else 0
        inset = FRAME_MARGIN - 2.0 * level
        side = inset
        if group:  # neighbouring groups stay apart; a block sits inside its stage
            side = min(inset, opts.spacing / 2 - 0.5)
            side = max(0.5, side - 1.5) if spec.kind == "block" else side
        rects = []
        for row in sorted(rows):
            top, bottom, left, right, label_left, label_right = extent[row]
            top = top + (level if nesting else 0) * (line_height + 2)
            bottom = bottom + inset - 2.0 * level
            if group:  # neighbouring groups touch: frames hug the boxes, not the labels
                shapes = shapes_of_row.get(row)
                if shapes is None:
                    shapes = shapes_of_row[row] = _ShapeIndex(row_shapes[row])
                rect = _sides_off_labels((left - side, top - 2.0, right + side, bottom), rows[row], left, right,
                                         shapes, level)
            else:
                rect = (label_left - side, top - 2.0, label_right + side, bottom)
            rects.append(rect)
        x0, y0, x1, _ = rects[0]
        bold = BOLD_WIDTH if spec.kind == "stage" else 1.0  # stage captions are bold
        label = spec.label
        for shorter in spec.shorter:
            if opts.measure(label) * bold <= x1 - x0 - 8.0:
                break
            label = shorter
        label_at = (x0 + 4.0, y0 + line_height * 0.8) if nesting else (x1 - 4.0, y0 + line_height * 0.8)
        continued = []
        if group and lines is None:
            lines = _SegmentIndex(connectors)
        if spec.kind == "stage":  # every number stays: the full caption, past the frame's end if it must
            first_row = min(rows)
            stop = min((s for s in stage_starts.get(first_row, ()) if s > rects[0][2]), default=math.inf) - 12.0
            label, x = _stage_caption(spec, rects[0], label_at[1], bold, opts, lines, captions, stop)
            label_at = (x, label_at[1])
            end = x + opts.measure(label) * bold
            captions.append((x, label_at[1], end))
            if end + 4.0 > rects[0][2] and end + 4.0 <= stop + 12.0 - FRAME_MARGIN:  # the frame widens to it
                rects[0] = (rects[0][0], rects[0][1], end + 4.0, rects[0][3])
        elif spec.kind == "block":
            widest = opts.measure(label) * bold
            texts = [label] + [t for t in spec.shorter if opts.measure(t) * bold < widest]
            label, x = _caption_spot(texts, rects[0], label_at[1], bold, opts, lines)
            label_at = (x, label_at[1])
        if group:  # a group wrapped onto later rows says whose they are
            for rect in rects[1:]:
                texts = [t for t in (f"{spec.name} (continued)", f"{spec.name} (cont.)")
                         if opts.measure(t) * bold <= rect[2] - rect[0] - 8.0]  # never the bare name: a new stage
                if texts:
                    text, x = _caption_spot(texts, rect, rect[1] + line_height * 0.8, bold, opts, lines)
                    continued.append((text, x, rect[1] + line_height * 0.8))
        frames.append(Frame(spec.name, spec.kind, label, tuple(spec.members), tuple(rects), label_at,
                            tuple(continued)))
    return frames


def _drawn_frames(specs, index_of: Dict[str, int], rows: List[int], spans):
    """(spec, its members drawn, those by row, per row their extent) of each frame with a member drawn, in order.
    `spans`: per layer (by index), its top, bottom, box left, box right, left and right; a row's extent is the
    least top, greatest bottom, least box left and greatest box right, and for a frame that is not a group's the
    least left and greatest right."""
    tops, bottoms, box_lefts, box_rights, lefts, rights = spans
    drawn = []
    get_index, row_at = index_of.get, rows.__getitem__
    for spec in specs:
        at = list(map(get_index, spec.members))
        names = spec.members
        if None in at:
            names = tuple(m for m, i in zip(names, at) if i is not None)
            at = [i for i in at if i is not None]
        if not names:
            continue
        rows_of = list(map(row_at, at))
        first = min(rows_of)
        if first == max(rows_of):
            by_row = {first: names}
            at_row = {first: at}
        else:
            by_row, at_row = {}, {}
            for m, i, r in zip(names, at, rows_of):
                by_row.setdefault(r, []).append(m)
                at_row.setdefault(r, []).append(i)
        group = spec.kind in ("stage", "block")
        extent = {}
        for row, ix in at_row.items():
            extent[row] = (min(map(tops.__getitem__, ix)), max(map(bottoms.__getitem__, ix)),
                           min(map(box_lefts.__getitem__, ix)), max(map(box_rights.__getitem__, ix)),
                           None if group else min(map(lefts.__getitem__, ix)),
                           None if group else max(map(rights.__getitem__, ix)))
        drawn.append((spec, names, by_row, extent))
    return drawn


def _sides_off_labels(rect, names, left: float, right: float, shapes: _ShapeIndex, level: int):
    """The frame `rect` with each side moved, as little as it can, to where it cuts fewer labels: outward past its
    own layers' labels (never over a box it does not hold), or inward past labels spilling in from outside (never
    over its own boxes). An inner frame goes out less and in more, so that it stays inside the frame around it.
    `left` and `right`: where its boxes start and end."""
    x0, y0, x1, y1 = rect
    cut_left, cut_right = shapes.cutting(x0, y0, y1), shapes.cutting(x1, y0, y1)
    if not cut_left and not cut_right:  # the common case: neither side cuts anything
        return rect
    outward, inward = max(3.0 - 1.5 * level, 0.5), 1.5 + 1.5 * level
    names = set(names)

    def best(x, limit, direction, cut):  # direction -1: the left side (outward is to the left)
        if not any(is_label or name not in names for is_label, name, _ in cut):
            return x  # it cuts no label and no other box: it stays
        near = [(is_label, name in names, r) for is_label, name, r in shapes.near(x, y0, y1)]  # a side moves little
        across = [r for is_label, mine, r in near if is_label or not mine]
        others = [r for is_label, mine, r in near if not is_label and not mine]
        starts = sorted(r[0] + 0.3 for r in across if r[0] + 0.3 < r[2] - 0.3)  # where each cut begins, ends
        ends = sorted(r[2] - 0.3 for r in across if r[0] + 0.3 < r[2] - 0.3)

        def cuts(x):  # how many of `across` have x strictly inside (r[0] + 0.3, r[2] - 0.3)
            return bisect.bisect_left(starts, x) - bisect.bisect_right(ends, x)

        spots = [r[0] - outward if direction < 0 else r[2] + outward for is_label, mine, r in near if is_label and mine]
        spots += [r[2] + inward if direction < 0 else r[0] - inward for is_label, mine, r in near
                  if is_label and not mine]
        lo, hi = (-1e18, limit) if direction < 0 else (limit, 1e18)
        ranked = sorted((cuts(s), abs(s - x), i, s) for i, s in enumerate(spots) if lo <= s <= hi)
        found = next((s for _, _, _, s in ranked  # the first that swallows no other box
                      if not any(r[2] > min(s, x) and r[0] < max(s, x) for r in others)), x)
        return found if cuts(found) < cuts(x) else x

    return best(x0, left - 0.5, -1, cut_left), y0, best(x1, right + 0.5, 1, cut_right), y1


SIDE_REACH = 240.0  # px: how far a frame side looks for labels to keep off


class _ShapeIndex:
    """A row's boxes and labels as (label?, name, bounds), found by how near they come to an x."""

    def __init__(self, shapes):
        self.shapes = shapes
        self.order = sorted(range(len(shapes)), key=lambda i: shapes[i][2][0])
        self.lefts = [shapes[i][2][0] for i in self.order]
        self.widest = max(r[2] - r[0] for _, _, r in shapes) + 1.0

    def cutting(self, x: float, top: float, bottom: float):
        """The shapes reaching into the band top..bottom that a vertical line at x cuts (0.3 px in, at least)."""
        first = bisect.bisect_left(self.lefts, x - self.widest)
        last = bisect.bisect_left(self.lefts, x)
        shapes = self.shapes
        return [shapes[i] for i in self.order[first:last] if shapes[i][2][0] + 0.3 < x < shapes[i][2][2] - 0.3
                and shapes[i][2][1] < bottom and shapes[i][2][3] > top]

    def near(self, x: float, top: float, bottom: float):
        """The shapes (in their given order) reaching within SIDE_REACH of x and into the band top..bottom."""
        first = bisect.bisect_left(self.lefts, x - SIDE_REACH - self.widest)
        last = bisect.bisect_left(self.lefts, x + SIDE_REACH)
        shapes = self.shapes
        found = [i for i in self.order[first:last] if shapes[i][2][2] > x - SIDE_REACH
                 and shapes[i][2][1] < bottom and shapes[i][2][3] > top]
        found.sort()
        return [shapes[i] for i in found]


class _SegmentIndex:
    """The connectors' straight pieces (arrowheads included): the level ones sorted by their y, the upright and
    slanted ones found by the band of y they cross."""

    TALL = 32.0

    def __init__(self, connectors):
        level: List[Tuple[float, float, float]] = []  # (y, left, right)
        upright: Dict[int, List[Tuple[float, float, float]]] = defaultdict(list)  # (x, top, bottom)
        slanted: Dict[int, List[Tuple[float, ...]]] = defaultdict(list)  # (left, right, top, bottom, ax, ay, bx, by)
        tall = self.TALL
        for c in connectors:
            if not c.points:
                continue
            ax, ay = c.points[0]
            for bx, by in c.points[1:] + c.arrow[:1]:
                if ay == by:
                    level.append((ay, ax, bx) if ax <= bx else (ay, bx, ax))
                else:
                    top, bottom = (ay, by) if ay < by else (by, ay)
                    cells = range(int(top // tall), int(bottom // tall) + 1)
                    if ax == bx:
                        for j in cells:
                            upright[j].append((ax, top, bottom))
                    else:
                        piece = (min(ax, bx), max(ax, bx), top, bottom, ax, ay, bx, by)
                        for j in cells:
                            slanted[j].append(piece)
                ax, ay = bx, by
        level.sort()
        self.level = level
        self.level_ys = [piece[0] for piece in level]
        self.upright = upright
        self.slanted = slanted
        self.bands: Dict[Tuple[float, float], List[Tuple[float, float, float, float]]] = {}

    def band(self, top: float, bottom: float) -> List[Tuple[float, float, float, float]]:
        """The pieces reaching into y = top..bottom, as (left, right) and the x-extent of their part within it."""
        if (top, bottom) in self.bands:
            return self.bands[top, bottom]
        found = [(left, right, left, right) for _, left, right in
                 self.level[bisect.bisect_left(self.level_ys, top):bisect.bisect_right(self.level_ys, bottom)]]
        for j in range(int(top // self.TALL), int(bottom // self.TALL) + 1):
            found += [(x, x, x, x) for x, p_top, p_bottom in self.upright.get(j, ()) if p_bottom >= top and p_top <= bottom]
            for left, right, p_top, p_bottom, ax, ay, bx, by in self.slanted.get(j, ()):
                if p_bottom < top or p_top > bottom:
                    continue
                if abs(by - ay) > 1e-9:  # the part within the band
                    t0, t1 = sorted(((top - ay) / (by - ay), (bottom - ay) / (by - ay)))
                    t0, t1 = max(t0, 0.0), min(t1, 1.0)
                    ax, bx = ax + (bx - ax) * t0, ax + (bx - ax) * t1
                found.append((left, right, min(ax, bx), max(ax, bx)))
        self.bands[top, bottom] = found
        return found

    def crossing(self, top: float, bottom: float, left: float, right: float) -> List[Tuple[float, float]]:
        """x-extents of the pieces' parts between y = top and bottom, where they reach into left..right."""
        return sorted({(lo, hi) for p_left, p_right, lo, hi in self.band(top, bottom) if p_right >= left and p_left <= right})


def _stage_caption(spec: FrameSpec, rect, baseline: float, bold: float, opts: LayoutOptions, lines, placed,
                   stop: float):
    """(text, x) of a stage's caption, which keeps its shape and block count: clear of connectors inside
    the frame where it fits; else at the frame's left, running past its end while no other stage caption
    on that line is in the way (connectors pass under its backdrop); only then a shorter one."""
    full = spec.label
    width = opts.measure(full) * bold
    text, x = _caption_spot([full], rect, baseline, bold, opts, lines)
    if x + width <= rect[2] - 4.0:
        return text, x
    x = rect[0] + 4.0
    clear = not any(abs(b - baseline) < 1.0 and left < x + width + 8.0 and x < right + 8.0 for left, b, right in placed)
    if clear and x + width <= stop:
        return full, x
    texts = [full] + [t for t in spec.shorter if opts.measure(t) < opts.measure(full)]
    return _caption_spot(texts, rect, baseline, bold, opts, lines)


def _caption_spot(texts, rect, baseline: float, bold: float, opts: LayoutOptions, lines: _SegmentIndex):
    """(text, x) of a caption on the top of a frame's `rect`: the first of `texts` that fits between the
    connectors crossing its line, as far left as it can; else the first, at the left."""
    x0, _, x1, _ = rect
    top, bottom = baseline - opts.font_size * 0.85 - 1.0, baseline + opts.font_size * 0.25 + 1.0
    blocked = [(lo - 4.0, hi + 4.0) for lo, hi in lines.crossing(top, bottom, x0, x1)]
    for text in texts:
        width = opts.measure(text) * bold
        x = x0 + 4.0
        for lo, hi in blocked:
            if hi > x and lo < x + width:
                x = hi
        if x + width <= x1 - 4.0:
            return text, x
    return texts[0], x0 + 4.0


def _frame_level(spec: FrameSpec, drawn, depth, frames, member_sets, holders) -> int:
    """How many frames enclose this one (`drawn`: its members drawn): nested models by depth; group frames by
    containment (`holders`: the indices of the nesting frames holding each frame's first layer drawn;
    `member_sets`: index → those frames' members as a set, filled as needed)."""
    if spec.kind == "nested":
        return min(depth.get(name, 1) for name in drawn) - 1
    names = None
    level = 0
    for i in holders.get(drawn[0], ()):
        f = frames[i]
        if f is spec:
            continue
        others = member_sets.get(i)
        if others is None:
            others = member_sets[i] = set(f.members)
        if others.issuperset(drawn):
            names = set(drawn) if names is None else names
            if names < others or i < frames.index(spec):
                level += 1
    return level


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


def _with_legend(opts: LayoutOptions, width, height, framed: bool, line_height):
    """The legend for a drawing of `width` × `height`, and the drawing's size with it."""
    legend = _legend(opts, width, height + (FRAME_MARGIN if framed else 0.0), line_height)
    if legend:
        height = max(height, max(e.swatch[1] + e.swatch[2] for e in legend))
        width = max(width, max(e.text_x + opts.measure(e.text) for e in legend))
    return legend, width, height


def _legend(opts: LayoutOptions, width, height, line_height) -> List[LegendEntry]:
    """The legend below the drawing (or right of it, as the theme asks, or where an `aspect=` wider than
    the drawing leaves room beside it)."""
    if not opts.legend:
        return []
    size = opts.font_size
    row_width = max(width, 360.0 if opts.max_width is None else min(360.0, opts.max_width - 2 * opts.padding))
    entries = []
    x, y = 0.0, height + 1.5 * line_height
    widths = [size + 6 + opts.measure(text) + 18 + opts.legend_extra for _, _, _, text in opts.legend]
    beside = opts.aspect is not None and not opts.transposed and width / max(height, 1.0) < opts.aspect / 1.15
    if opts.legend_position == "right" or beside:
        columns = max(1, opts.legend_columns)
        if beside:
            per_column = max(1, int(height // (line_height + 4)))
            columns = -(-len(opts.legend) // per_column)
        rows = -(-len(opts.legend) // columns)
        for i, (kind, type_name, category, text) in enumerate(opts.legend):
            column, row = (i // rows, i % rows) if beside else (i % columns, i // columns)
            x = width + 2 * line_height + column * max(widths)
            y = row * (line_height + 4)
            entries.append(LegendEntry(type_name, category, text, (x, y, size), x + size + 6, y + size * 0.85, kind))
        return entries
    for i, (kind, type_name, category, text) in enumerate(opts.legend):
        entry_width = max(widths) if opts.legend_columns else widths[i]
        wrap = i % opts.legend_columns == 0 if opts.legend_columns else x + entry_width > row_width
        if x > 0 and wrap:
            x, y = 0.0, y + line_height + 4
        entries.append(LegendEntry(type_name, category, text, (x, y, size), x + size + 6, y + size * 0.85, kind))
        x += entry_width
    return entries


def _translate(scene: Scene, padding: float, extents) -> Scene:
    """Move everything so the drawing's extent starts at (padding, padding); `extents` are the boxes' bounds.
    The scene's records are this layout's own, not yet seen by anyone: they move in place."""
    points = [p for c in scene.connectors for p in c.points + c.arrow]
    rects = [b.label.bounds for b in scene.boxes if b.label is not None]  # label blocks, boxes and frames
    rects += extents
    rects += [r for f in scene.frames for r in f.rects]
    xs = [0.0, scene.width] + [p[0] for p in points] + [r[0] for r in rects] + [r[2] for r in rects]
    ys = [0.0, scene.height] + [p[1] for p in points] + [r[1] for r in rects] + [r[3] for r in rects]
    x0, y0 = min(xs), min(ys)
    ox, oy = padding - x0, padding - y0
    move = lambda pts: tuple([(x + ox, y + oy) for x, y in pts])  # noqa: E731
    for b in scene.boxes:
        b.x += ox
        b.y += oy
        if b.label is not None:
            b.label.x += ox
            b.label.y += oy
        for face in b.faces:
            face.points = move(face.points)
    for c in scene.connectors:
        c.points, c.arrow = move(c.points), move(c.arrow)
    for e in scene.legend:
        e.swatch, e.text_x, e.text_y = (e.swatch[0] + ox, e.swatch[1] + oy, e.swatch[2]), e.text_x + ox, e.text_y + oy
    for f in scene.frames:
        f.rects = tuple([(a + ox, b + oy, c + ox, d + oy) for a, b, c, d in f.rects])
        f.label_at = (f.label_at[0] + ox, f.label_at[1] + oy)
        f.continued = tuple([(t, x + ox, y + oy) for t, x, y in f.continued])
    return Scene(round(max(xs) - x0 + 2 * padding, 2), round(max(ys) - y0 + 2 * padding, 2), scene.boxes,
                 scene.connectors, scene.legend, tuple(move(f) for f in scene.funnels), scene.font_size, scene.frames)
