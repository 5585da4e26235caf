"""Every edge's route: its kind of corridor, its track in the skip area, margin and row gaps, its points."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

from ..scene import Connector
from .geometry import entry_x, exit_x, with_arrow
from .spec import FRAME_MARGIN, SIDE_MARGIN, SKIP_BASE, TRACK, Node

FRAME_CLEARANCE = 3.0  # a return line keeps this far outside the frames it runs beside


@dataclass
class Route:
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


def plan_routes(nodes: List[Node], pairs, rows, columns, tracks_only: bool = False) -> List[Route]:
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
        route = Route(a.index, b.index, "over", skip=b.rank - a.rank > 1)
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


def assign_tracks(routes: List[Route], nodes, rows) -> Tuple[Dict[int, int], Dict[int, int], int]:
    """Skip-area tracks per row, row-gap tracks per row, margin tracks overall."""
    by_row: Dict[int, List[Tuple[Route, Tuple[float, float]]]] = {}
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
    # corridors nearest the row for its later targets; of those in one column, the lower box's corridor higher up
    for route in sorted(crossing, key=lambda r: (-nodes[r.target].rank, nodes[r.target].lane)):
        row = nodes[route.target].row
        route.row_gap_track = gap_tracks.get(row, 0)
        gap_tracks[row] = route.row_gap_track + 1
    return skip_tracks, gap_tracks, (max(margin) + 1 if margin else 0)


def _gap_middle(c: int, columns, centres, spacing: float) -> float:
    """x in the middle of the free strip (`spacing` wide) just before column c + 1, or beyond a row's last column."""
    if c + 1 < len(columns) and (c + 1) in centres and centres[c + 1] > centres[c]:
        end = centres[c + 1] - columns.full[c + 1][0]
    else:
        end = centres[c] + columns.full[c][1] + spacing
    return end - spacing / 2


GAP_STEP = 4.0  # between connectors running up or down one gap
MIN_GAP_STEP = 1.5  # rather than closer, a crowded gap's connectors spread past its middle part


def _gap_positions(routes, nodes, entries, columns, centres, spacing: float) -> Dict[Tuple[int, int], float]:
    """x of each route's vertical in each gap it uses, {(column, route): x}.

    Left to right: connectors that leave the column before the gap (running along their source's axis, then up
    or down), then those that pass through, then those that arrive at the column after it. So no connector's
    horizontal piece runs along another's, whose source and target both differ."""
    users: Dict[int, List[Tuple[int, Optional[float], Optional[float]]]] = {}
    for i, route in enumerate(routes):
        for c, out_y, in_y in _gap_uses(route, i, nodes, entries):
            users.setdefault(c, []).append((i, out_y, in_y))
    positions = {}
    room = max(spacing / 2 - 2.0, 0.0)
    for c, found in users.items():
        order = _order_in_gap(found, routes)
        count = len(order)
        step = GAP_STEP if count < 2 else max(MIN_GAP_STEP, min(GAP_STEP, 2 * room / (count - 1)))
        middle = _gap_middle(c, columns, centres, spacing)
        for k, i in enumerate(order):
            positions[(c, i)] = middle + (k - (count - 1) / 2) * step
    return positions


def _order_in_gap(users, routes) -> List[int]:
    """Routes in a gap, left to right: leaving, passing, arriving; among those passing, one whose arriving piece
    is level with another's leaving piece goes right of it (a stable topological order)."""
    leaving = [i for i, _, in_y in users if in_y is None]
    arriving = [i for i, out_y, _ in users if out_y is None]
    passing = [(i, out_y, in_y) for i, out_y, in_y in users if out_y is not None and in_y is not None]
    before: Dict[int, Set[int]] = {i: set() for i, _, _ in passing}  # routes that must be left of i
    for i, _, in_y in passing:
        for j, out_y, _ in passing:
            if i != j and abs(in_y - out_y) < 1.0 and _unrelated(routes[i], routes[j]):
                before[i].add(j)
    ordered: List[int] = []
    waiting = [i for i, _, _ in passing]
    while waiting:
        ready = next((i for i in waiting if before[i] <= set(ordered)), waiting[0])  # a cycle: keep the order
        ordered.append(ready)
        waiting.remove(ready)
    return leaving + ordered + arriving


def _unrelated(a: Route, b: Route) -> bool:
    return a.source != b.source and a.target != b.target


def route_coordinates(routes, nodes, rows, columns, centres, row_top, margin_x, opts) -> List[Connector]:
    top_ports = _top_ports(routes, nodes)
    entries = _left_entries(routes, nodes)
    positions = _gap_positions(routes, nodes, entries, columns, centres, opts.spacing)
    margin_entries = _margin_entries(routes, nodes, rows, columns, centres, bool(opts.frames))

    def gap(c, i):
        return positions[(c, i)]

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
            lane_y = a.axis if route.lane == a.lane else end_side[1]
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
            points = _cross_points(route, i, a, b, row_top, margin_x, top_ports, start_side, end_side, gap,
                                   skip_counts, margin_entries, opts)
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


def _cross_points(route, i, a, b, row_top, margin_x, top_ports, start_side, end_side, gap, skip_counts,
                  margin_entries, opts):
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
        x_left = margin_entries[b.index]
        points += [(x_left, corridor), (x_left, end_side[1]), end_side]
    elif route.target_port == "top":
        tx, ty = top_ports[(i, "end")]
        points += [(tx, corridor), (tx, ty)]
    else:
        mid = gap(b.rank - 1, i)
        points += [(mid, corridor), (mid, end_side[1]), end_side]
    return points


def _gap_uses(route: Route, i: int, nodes, entries) -> List[Tuple[int, Optional[float], Optional[float]]]:
    """The gaps a route runs up or down in: (column before the gap, y it comes in along from the left or None,
    y it goes out along to the right or None)."""
    a, b = nodes[route.source], nodes[route.target]
    end_y = entries.get((i, b.index), b.axis)
    if route.kind == "straight":
        return [(a.rank, a.axis, end_y)] if abs(end_y - a.axis) > 1e-9 else []
    if route.kind == "elbow":
        return [(a.rank, a.axis, end_y)]
    if route.kind == "lane":
        return [(b.rank - 1, a.axis, end_y)] if route.lane == a.lane else [(a.rank, a.axis, end_y)]
    used = []
    if route.source_port == "gap":
        used.append((a.rank, a.axis, None))
    if route.target_port == "gap":
        used.append((b.rank - 1, None, end_y))
    return used


def _margin_entries(routes, nodes, rows, columns, centres, framed: bool) -> Dict[int, float]:
    """x where connectors returning from an earlier row come down to a row's first boxes, left of the row (and of
    any frame around it, when there are frames): boxes fed from one source share an x, others each have their
    own, the lowest box outermost."""
    sources: Dict[int, Set[int]] = {}
    for route in routes:
        if route.kind == "cross" and route.target_port == "margin":
            sources.setdefault(route.target, set()).add(route.source)
    slots: Dict[int, Dict[Tuple[str, int], List[Node]]] = {}
    for index, found in sources.items():
        node = nodes[index]
        key = ("from", min(found)) if len(found) == 1 else ("to", index)
        slots.setdefault(node.row, {}).setdefault(key, []).append(node)
    clearance = FRAME_MARGIN + FRAME_CLEARANCE if framed else SIDE_MARGIN / 2
    entries = {}
    for row, found in slots.items():
        first, last = rows[row]
        left = min(centres[c] - columns.full[c][0] for c in range(first, last + 1))
        ordered = sorted(found.values(), key=lambda group: max((n.axis, n.index) for n in group))
        for k, group in enumerate(ordered):
            for node in group:
                entries[node.index] = left - clearance - TRACK * k
    return entries


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
    """y where each connector enters a box's left side, spread when several arrive: in the order of the levels
    they come from (a lane route along the target's own lane comes from its level), so they do not cross."""
    arriving: Dict[int, List[Tuple[float, int]]] = {}
    for i, route in enumerate(routes):
        if route.target_port in ("side", "gap", "margin"):
            source = nodes[route.source]
            level = nodes[route.target].axis if route.kind == "lane" and route.lane != source.lane else source.axis
            arriving.setdefault(route.target, []).append((level + source.row * 1e6, i))
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


def swap(points):
    return tuple((y, x) for x, y in points)
