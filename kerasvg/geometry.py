"""Layout: sized layers and edges → a Scene of projected boxes, connectors, labels and legend.

Pure math. Boxes stand on one row, front faces centred on a common axis, the depth axis
drawn up and to the right (or left, reversed). Painting in row order is back to front.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .scene import Box, Connector, Face, Label, LegendEntry, Scene

DEPTH_X = 0.5
DEPTH_Y = 0.32
ARROW_LENGTH = 7.0
ARROW_HALF_WIDTH = 3.5


@dataclass(frozen=True)
class Item:
    """One layer to place: its size and its label text."""

    name: str
    type: str
    category: str
    width: float
    height: float
    depth: float
    lines: Tuple[str, ...] = ()
    above: bool = False


@dataclass(frozen=True)
class LayoutOptions:
    spacing: float = 28.0
    padding: float = 16.0
    font_size: float = 12.0
    line_spacing: float = 2.0
    label_gap: float = 10.0
    reversed: bool = False
    funnel: bool = False
    inferred_edges: bool = False
    legend: Tuple[Tuple[str, str, str], ...] = ()  # (type, category, text)
    legend_extra: float = 0.0
    measure: Callable[[str], float] = field(default=lambda text: 7.0 * len(text), compare=False)


def layout(items: Sequence[Item], edges: Sequence[Tuple[str, str]], opts: LayoutOptions) -> Scene:
    """Place `items` left to right and route every edge once."""
    n = len(items)
    line_height = opts.font_size * 1.2 + opts.line_spacing
    dxs = [(-1 if opts.reversed else 1) * it.depth * DEPTH_X for it in items]
    dys = [-it.depth * DEPTH_Y for it in items]
    label_widths = [max((opts.measure(line) for line in it.lines), default=0.0) for it in items]
    xs = _place_row(items, dxs, label_widths, opts)
    position = {it.name: i for i, it in enumerate(items)}

    tops = [-it.height / 2 + dys[i] for i, it in enumerate(items)]
    bottoms = [it.height / 2 for it in items]

    edges = [e for e in dict.fromkeys(edges) if e[0] in position and e[1] in position and e[0] != e[1]]
    skips = [e for e in edges if abs(position[e[1]] - position[e[0]]) != 1]
    lanes = _assign_lanes(skips, position, tops)
    ports = _skip_ports(skips, position, items, xs, dxs)

    lane_top = min(lanes.values(), default=0.0)
    row_top = min(min(tops, default=0.0), lane_top)
    row_bottom = max(bottoms, default=0.0)
    labels: List[Optional[Label]] = []
    above_height = max((line_height * len(it.lines) for it in items if it.above and it.lines), default=0.0)
    for i, it in enumerate(items):
        if not it.lines:
            labels.append(None)
            continue
        centre = xs[i] + (it.width + dxs[i]) / 2
        height = line_height * len(it.lines)
        top = row_top - opts.label_gap - height if it.above else row_bottom + opts.label_gap
        if it.above:
            top = row_top - opts.label_gap - above_height + (above_height - height)
        labels.append(Label(centre, top, it.lines, line_height, label_widths[i], it.above))

    raw_boxes = [_box(it, xs[i], dxs[i], dys[i], labels[i]) for i, it in enumerate(items)]
    connectors = []
    for source, target in edges:
        a, b = position[source], position[target]
        if (source, target) in lanes:
            start, end = ports[(source, target)]
            y = lanes[(source, target)]
            points = (start, (start[0], y), (end[0], y), end)
        else:
            first, second = (a, b) if a < b else (b, a)
            start = (_exit_x(items[first], xs[first], dxs[first], dys[first]), 0.0)
            end = (_entry_x(items[second], xs[second], dxs[second], dys[second]), 0.0)
            points = (start, end) if a < b else (end, start)
        connectors.append(_with_arrow(source, target, points, (source, target) in lanes, opts.inferred_edges))

    funnels = []
    if opts.funnel:
        for a, b in zip(raw_boxes, raw_boxes[1:]):
            if (a.name, b.name) in edges:
                fa, fb = a.faces[0].points, b.faces[0].points
                funnels.append((fa[1], fb[0]))
                funnels.append((fa[2], fb[3]))

    extent = _extent(raw_boxes, connectors, labels)
    legend = _legend(opts, extent, line_height)
    if legend:
        x0, y0, x1, y1 = extent
        y1 = max(y1, max(e.swatch[1] + e.swatch[2] for e in legend))
        x1 = max(x1, max(e.text_x + opts.measure(e.text) for e in legend))
        extent = (x0, y0, x1, y1)
    x0, y0, x1, y1 = extent
    ox, oy = opts.padding - x0, opts.padding - y0
    return Scene(
        width=round(x1 - x0 + 2 * opts.padding, 2),
        height=round(y1 - y0 + 2 * opts.padding, 2),
        boxes=tuple(_shift_box(b, ox, oy) for b in raw_boxes),
        connectors=tuple(_shift_connector(c, ox, oy) for c in connectors),
        legend=tuple(_shift_legend(e, ox, oy) for e in legend),
        funnels=tuple(tuple((x + ox, y + oy) for x, y in f) for f in funnels),
        font_size=opts.font_size,
    )


def _place_row(items, dxs, label_widths, opts) -> List[float]:
    """x of each front face: boxes never touch, labels on the same side never overlap."""
    xs: List[float] = []
    last_label = {True: None, False: None}
    for i, it in enumerate(items):
        x = 0.0
        if i:
            prev_right = xs[i - 1] + items[i - 1].width + max(dxs[i - 1], 0.0)
            x = prev_right + opts.spacing - min(dxs[i], 0.0)
        if it.lines:
            previous = last_label[it.above]
            if previous is not None:
                j = previous
                centre_j = xs[j] + (items[j].width + dxs[j]) / 2
                need = centre_j + (label_widths[i] + label_widths[j]) / 2 + opts.label_gap
                x = max(x, need - (it.width + dxs[i]) / 2)
            last_label[it.above] = i
        xs.append(x)
    return xs


def _box(it: Item, x: float, dx: float, dy: float, label: Optional[Label]) -> Box:
    top, bottom = -it.height / 2, it.height / 2
    front = Face("front", ((x, top), (x + it.width, top), (x + it.width, bottom), (x, bottom)))
    faces = [front]
    if it.depth > 0:
        faces.append(Face("top", ((x, top), (x + it.width, top), (x + it.width + dx, top + dy), (x + dx, top + dy))))
        edge = x + it.width if dx >= 0 else x
        faces.append(Face("side", ((edge, top), (edge + dx, top + dy), (edge + dx, bottom + dy), (edge, bottom))))
    return Box(it.name, it.type, it.category, x, top, it.width, it.height, dx, dy, tuple(faces), label)


def _exit_x(it: Item, x: float, dx: float, dy: float) -> float:
    """Where the axis (y = 0) leaves the box's silhouette on the right."""
    if dx <= 0:
        return x + it.width
    reach = 1.0 if dy == 0 else min(1.0, (it.height / 2) / abs(dy))
    return x + it.width + dx * reach


def _entry_x(it: Item, x: float, dx: float, dy: float) -> float:
    """Where the axis enters the box's silhouette on the left."""
    if dx >= 0:
        return x
    reach = 1.0 if dy == 0 else min(1.0, (it.height / 2) / abs(dy))
    return x + dx * reach


def _assign_lanes(skips, position, tops) -> Dict[Tuple[str, str], float]:
    """A y for each skip edge above the boxes it spans; overlapping skips get separate levels."""
    order = sorted(skips, key=lambda e: (abs(position[e[1]] - position[e[0]]), min(position[e[0]], position[e[1]])))
    levels: List[List[Tuple[int, int]]] = []
    lanes = {}
    for edge in order:
        lo, hi = sorted((position[edge[0]], position[edge[1]]))
        level = 0
        while level < len(levels) and any(not (hi <= a or lo >= b) for a, b in levels[level]):
            level += 1
        if level == len(levels):
            levels.append([])
        levels[level].append((lo, hi))
        lanes[edge] = min(tops[lo:hi + 1]) - 14.0 - 7.0 * level
    # an outer skip must clear every skip nested under it
    for edge in order:
        lo, hi = sorted((position[edge[0]], position[edge[1]]))
        inner = [lanes[e] for e in order if e != edge and lo <= min(position[e[0]], position[e[1]])
                 and max(position[e[0]], position[e[1]]) <= hi and lanes[e] <= lanes[edge]]
        if inner:
            lanes[edge] = min(inner) - 7.0
    return lanes


def _skip_ports(skips, position, items, xs, dxs):
    """Start and end points on the top-back edges, spread so skips at one box stay apart."""
    at_box: Dict[int, List[Tuple[int, Tuple[str, str], str]]] = {}
    for edge in skips:
        a, b = position[edge[0]], position[edge[1]]
        at_box.setdefault(a, []).append((b, edge, "start"))
        at_box.setdefault(b, []).append((a, edge, "end"))
    ports: Dict[Tuple[str, str], Dict[str, Tuple[float, float]]] = {}
    for i, uses in at_box.items():
        it = items[i]
        uses.sort(key=lambda u: (u[0], u[2]))
        back_left = xs[i] + dxs[i]
        y = -it.height / 2 - it.depth * DEPTH_Y
        for k, (_, edge, end) in enumerate(uses):
            x = back_left + it.width * (k + 1) / (len(uses) + 1)
            ports.setdefault(edge, {})[end] = (x, y)
    return {edge: (p["start"], p["end"]) for edge, p in ports.items()}


def _with_arrow(source, target, points, skip, inferred) -> Connector:
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    size = min(ARROW_LENGTH, length * 0.6)
    bx, by = x1 - ux * size, y1 - uy * size
    half = ARROW_HALF_WIDTH * size / ARROW_LENGTH
    arrow = ((x1, y1), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half))
    line = points[:-1] + ((bx, by),)
    return Connector(source, target, line, arrow, skip, inferred)


def _extent(boxes, connectors, labels):
    xs, ys = [], []
    for b in boxes:
        x0, y0, x1, y1 = b.bounds
        xs += [x0, x1]
        ys += [y0, y1]
    for c in connectors:
        for x, y in c.points + c.arrow:
            xs.append(x)
            ys.append(y)
    for label in labels:
        if label is not None:
            x0, y0, x1, y1 = label.bounds
            xs += [x0, x1]
            ys += [y0, y1]
    if not xs:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(xs), min(ys), max(xs), max(ys))


def _legend(opts: LayoutOptions, extent, line_height) -> List[LegendEntry]:
    if not opts.legend:
        return []
    x0, _, x1, y1 = extent
    size = opts.font_size
    row_width = max(x1 - x0, 360.0)
    entries = []
    x, y = x0, y1 + 2 * line_height
    for type_name, category, text in opts.legend:
        width = size + 6 + opts.measure(text) + 18 + opts.legend_extra
        if x > x0 and x + width > x0 + row_width:
            x, y = x0, y + line_height + 4
        entries.append(LegendEntry(type_name, category, text, (x, y, size), x + size + 6, y + size * 0.85))
        x += width
    return entries


def _shift_label(label: Optional[Label], ox, oy) -> Optional[Label]:
    if label is None:
        return None
    return Label(label.x + ox, label.y + oy, label.lines, label.line_height, label.width, label.above)


def _shift_box(b: Box, ox, oy) -> Box:
    faces = tuple(Face(f.role, tuple((x + ox, y + oy) for x, y in f.points)) for f in b.faces)
    return Box(b.name, b.type, b.category, b.x + ox, b.y + oy, b.width, b.height, b.dx, b.dy, faces,
               _shift_label(b.label, ox, oy))


def _shift_connector(c: Connector, ox, oy) -> Connector:
    move = lambda pts: tuple((x + ox, y + oy) for x, y in pts)
    return Connector(c.source, c.target, move(c.points), move(c.arrow), c.skip, c.inferred)


def _shift_legend(e: LegendEntry, ox, oy) -> LegendEntry:
    x, y, s = e.swatch
    return LegendEntry(e.type, e.category, e.text, (x + ox, y + oy, s), e.text_x + ox, e.text_y + oy)
