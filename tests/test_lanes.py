"""Clean lanes (issue 19.6): connectors keep apart, return lines keep off frames, captions and labels stay clear.

A checker reads the SVG back and counts four kinds of violation:
- `shared_runs`: two connectors that share neither source nor target run along one line (less than 1 px
  apart) for more than 2 px, so that one seems to feed the other's target;
- `returns_on_frames`: a row-wrap return line (a connector running right to left) within 2 px of a group
  frame's border it runs parallel to;
- `captions_crossed`: a connector through a group's caption;
- `labels_on_frames`: a layer's label cut by a group frame's edge.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

import pytest

from kerasvg import layered_view, zoo
from kerasvg.scene.text import text_width

NS = "{http://www.w3.org/2000/svg}"
RUN = 2.0  # longest shared run allowed between unrelated connectors
APART = 1.0  # parallel connectors at least this far apart
FRAME_CLEARANCE = 2.0  # return lines at least this far from a frame border they run along
EPS = 1e-6

Point = Tuple[float, float]
Segment = Tuple[Point, Point]
Rect = Tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass
class Lines:
    connectors: List[Tuple[str, str, List[Point]]]  # from, to, points (the arrowhead's tip last)
    frames: List[Rect]
    captions: List[Tuple[str, Rect]]
    labels: List[Tuple[str, Rect]]
    backdrops: List[Rect] = field(default_factory=list)  # opaque patches drawn over connectors, under captions


def _pairs(text: str) -> List[Point]:
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in text.split())]


def _path_points(d: str) -> List[Point]:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    return list(zip(numbers[0::2], numbers[1::2]))


def read(svg: str) -> Lines:
    """The connectors, group frames, captions and layer labels of a kerasvg SVG."""
    root = ET.fromstring(svg.encode("utf-8"))
    family = root.get("font-family")
    lines = Lines([], [], [], [])

    def text_box(text, inherited):
        size = float(text.get("font-size", inherited["font-size"]))
        bold = 1.1 if text.get("font-weight", inherited.get("font-weight")) == "bold" else 1.0
        x, y = float(text.get("x")), float(text.get("y"))
        width = text_width(text.text or "", size, family) * bold
        anchor = text.get("text-anchor", inherited.get("text-anchor", "start"))
        left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
        return left, y - 0.78 * size, left + width, y + 0.22 * size

    def visit(element, inherited, layer, group):
        inherited = {**inherited, **{k: element.get(k) for k in ("font-size", "font-weight", "text-anchor")
                                     if element.get(k) is not None}}
        classes = element.get("class", "").split()
        tag = element.tag.replace(NS, "")
        if tag == "g" and "connector" in classes:
            line, path, head = element.find(f"{NS}polyline"), element.find(f"{NS}path"), element.find(f"{NS}polygon")
            points = _pairs(line.get("points")) if line is not None else _path_points(path.get("d"))
            if head is not None:
                points.append(_pairs(head.get("points"))[0])
            lines.connectors.append((element.get("data-from"), element.get("data-to"), points))
            return
        if tag == "g" and "layer" in classes:
            layer = element.get("data-name")
        if tag == "g" and "group" in classes:
            group = element.get("data-group-name", "")
        if tag == "rect" and "group-frame" in classes:
            x, y, w, h = (float(element.get(k)) for k in ("x", "y", "width", "height"))
            lines.frames.append((x, y, x + w, y + h))
        if tag == "rect" and "caption-backdrop" in classes:
            x, y, w, h = (float(element.get(k)) for k in ("x", "y", "width", "height"))
            lines.backdrops.append((x, y, x + w, y + h))
        if tag == "text" and group is not None and "caption" in classes:
            lines.captions.append((element.text or "", text_box(element, inherited)))
        elif tag == "text" and layer is not None:
            lines.labels.append((layer, text_box(element, inherited)))
        for child in element:
            visit(child, inherited, layer, group)

    visit(root, {"font-size": root.get("font-size")}, None, None)
    return lines


def _segments(points: List[Point]) -> List[Segment]:
    return [(p, q) for p, q in zip(points, points[1:]) if abs(p[0] - q[0]) + abs(p[1] - q[1]) > EPS]


def _shared_run(s: Segment, t: Segment) -> float:
    """How far segments s and t run along one line (less than APART from each other); 0 if they do not."""
    (ax, ay), (bx, by) = s
    length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
    ux, uy = (bx - ax) / length, (by - ay) / length
    (cx, cy), (dx, dy) = t
    tl = ((dx - cx) ** 2 + (dy - cy) ** 2) ** 0.5
    if abs(ux * (dy - cy) - uy * (dx - cx)) > 1e-3 * tl:  # not parallel
        return 0.0
    if abs(ux * (cy - ay) - uy * (cx - ax)) >= APART:  # parallel, but apart
        return 0.0
    along = sorted(((cx - ax) * ux + (cy - ay) * uy, (dx - ax) * ux + (dy - ay) * uy))
    return max(0.0, min(length, along[1]) - max(0.0, along[0]))


def shared_runs(lines: Lines) -> List[Tuple[str, str, str, str, float]]:
    """Pairs of connectors sharing neither source nor target that run together for more than RUN px."""
    found = []
    segments = [(source, target, _segments(points)) for source, target, points in lines.connectors]
    for i, (s1, t1, first) in enumerate(segments):
        for s2, t2, second in segments[i + 1:]:
            if s1 == s2 or t1 == t2:
                continue
            run = max((_shared_run(a, b) for a in first for b in second), default=0.0)
            if run > RUN:
                found.append((s1, t1, s2, t2, round(run, 2)))
    return found


def _returns(lines: Lines):
    """Connectors that run right to left somewhere: the lines returning from one row to the next."""
    for source, target, points in lines.connectors:
        if any(q[0] < p[0] - 1.0 and abs(q[1] - p[1]) < EPS for p, q in zip(points, points[1:])):
            yield source, target, points


def _borders(rect: Rect) -> List[Segment]:
    x0, y0, x1, y1 = rect
    return [((x0, y0), (x1, y0)), ((x0, y1), (x1, y1)), ((x0, y0), (x0, y1)), ((x1, y0), (x1, y1))]


def _near_parallel(segment: Segment, border: Segment, clearance: float) -> bool:
    """Axis-parallel segment and border closer than `clearance` across, overlapping along by more than 1 px."""
    (ax, ay), (bx, by) = segment
    (cx, cy), (dx, dy) = border
    if abs(ay - by) < EPS and abs(cy - dy) < EPS:
        across, lo, hi, blo, bhi = abs(ay - cy), min(ax, bx), max(ax, bx), min(cx, dx), max(cx, dx)
    elif abs(ax - bx) < EPS and abs(cx - dx) < EPS:
        across, lo, hi, blo, bhi = abs(ax - cx), min(ay, by), max(ay, by), min(cy, dy), max(cy, dy)
    else:
        return False
    return across < clearance and min(hi, bhi) - max(lo, blo) > 1.0


def returns_on_frames(lines: Lines, everyone: bool = False):
    """Return lines (or, with `everyone`, any connector) within FRAME_CLEARANCE of a frame border along it."""
    found = []
    for source, target, points in (lines.connectors if everyone else _returns(lines)):
        for segment in _segments(points):
            if any(_near_parallel(segment, border, FRAME_CLEARANCE)
                   for rect in lines.frames for border in _borders(rect)):
                found.append((source, target, segment))
    return found


def _crosses(segment: Segment, rect: Rect, inset: float = 0.3) -> bool:
    """Whether the segment passes through the rectangle's interior (shrunk by `inset`)."""
    x0, y0, x1, y1 = rect[0] + inset, rect[1] + inset, rect[2] - inset, rect[3] - inset
    if x0 >= x1 or y0 >= y1:
        return False
    (ax, ay), (bx, by) = segment
    lo, hi = 0.0, 1.0  # Liang–Barsky clipping
    for p, q in ((-(bx - ax), ax - x0), (bx - ax, x1 - ax), (-(by - ay), ay - y0), (by - ay, y1 - ay)):
        if abs(p) < EPS:
            if q < 0:
                return False
        elif p < 0:
            lo = max(lo, q / p)
        else:
            hi = min(hi, q / p)
        if lo > hi:
            return False
    return True


def _shielded(rect: Rect, backdrops: List[Rect]) -> bool:
    """A caption drawn on an opaque backdrop: connectors pass under it, interrupted, never through its text."""
    return any(b[0] <= rect[0] + 1 and b[2] >= rect[2] - 1 and b[1] <= rect[1] + 1 and b[3] >= rect[3] - 1
               for b in backdrops)


def captions_crossed(lines: Lines):
    """(caption, connector source, connector target) where a connector runs through a caption's text."""
    return [(text, source, target) for text, rect in lines.captions for source, target, points in lines.connectors
            if not _shielded(rect, lines.backdrops) and any(_crosses(segment, rect) for segment in _segments(points))]


def labels_on_frames(lines: Lines):
    """(layer, frame) where a frame's edge cuts a layer's label."""
    return [(name, frame) for name, rect in lines.labels for frame in lines.frames
            if any(_crosses(border, rect) for border in _borders(frame))]


def violations(svg: str) -> Dict[str, int]:
    lines = read(svg)
    return {"shared_runs": len(shared_runs(lines)), "returns_on_frames": len(returns_on_frames(lines)),
            "captions_crossed": len(captions_crossed(lines)), "labels_on_frames": len(labels_on_frames(lines))}


CLEAN = {"shared_runs": 0, "returns_on_frames": 0, "captions_crossed": 0, "labels_on_frames": 0}


# ---- models --------------------------------------------------------------------------------------------

def split_shared(head: str = "half", mean: str = "average", name: str = "split_shared"):
    """One input, a Dense, `keras.ops.split` into halves, a shared Dense on both, their mean, heads `fb` and `reg`.

    `head`: what `fb` reads ("half": a half of the split; "both": the split's halves joined; "shared": a half
    and the shared Dense's output); `mean`: "average" (an Average layer) or "ops" (`keras.ops.mean`)."""
    import keras
    from keras import layers as L

    features = keras.Input((16,), name="features")
    x = L.Dense(32, activation="relu", name="encode")(features)
    first, second = keras.ops.split(x, 2, axis=-1)
    shared = L.Dense(8, activation="relu", name="shared")
    a, b = shared(first), shared(second)
    if mean == "average":
        averaged = L.Average(name="mean")([a, b])
    else:
        averaged = keras.ops.mean(keras.ops.stack([a, b], axis=1), axis=1)
    if head == "half":
        fb_in = second
    elif head == "both":
        fb_in = L.Concatenate(name="halves")([first, second])
    else:
        fb_in = L.Concatenate(name="joined")([second, b])
    fb = L.Dense(1, activation="sigmoid", name="fb")(fb_in)
    reg = L.Dense(1, name="reg")(averaged)
    return keras.Model(features, [fb, reg], name=name)


SPLIT_VARIANTS = [(head, mean) for head in ("half", "both", "shared") for mean in ("average", "ops")]
SPLIT_LAYOUTS = [{}, {"direction": "tb"}, {"labels": ("name", "shape")}, {"max_width": 300}, {"aspect": 0.5},
                 {"direction": "tb", "aspect": 3}]


@pytest.mark.parametrize("head,mean", SPLIT_VARIANTS)
def test_split_and_shared_dense_keep_lanes_apart(head, mean):
    """Wrapped, `split → joined` and `shared → mean` came down the row's left margin on one line, so that
    `mean` seemed to feed `joined` (issue 19.6)."""
    model = split_shared(head, mean)
    for kwargs in SPLIT_LAYOUTS:
        svg = layered_view(model, **kwargs).to_svg()
        assert violations(svg) == CLEAN, (kwargs, shared_runs(read(svg)))


def _random_graph(seed: int):
    """A layered DAG of 4–40 layers, each reading its predecessor and sometimes up to two layers shortly before."""
    import random

    from kerasvg import Layer, ModelGraph

    rnd = random.Random(seed)
    count = rnd.randint(4, 40)
    layers, edges = [], []
    for i in range(count):
        shape = (None, rnd.choice([8, 16, 32]), rnd.choice([8, 16, 32]), rnd.choice([4, 16, 64]))
        kind = "InputLayer" if i == 0 else rnd.choice(["Dense", "Conv2D", "Add", "Concatenate"])
        layers.append(Layer(f"l{i}", kind, (shape,), 10, is_input=i == 0, index=i))
        if i:
            reads = 1 if rnd.random() < 0.6 else rnd.randint(2, 3)
            sources = {rnd.randint(max(0, i - rnd.choice([1, 2, 4, 8])), i - 1) for _ in range(reads)}
            if rnd.random() < 0.7:
                sources.add(i - 1)
            edges += [(f"l{s}", f"l{i}") for s in sorted(sources)]
    read_from = {s for s, _ in edges}
    outputs = tuple(f"l{i}" for i in range(count) if f"l{i}" not in read_from)
    return ModelGraph("random", tuple(layers), tuple(edges), ("l0",), outputs)


@pytest.mark.parametrize("seed", range(0, 40, 4))
def test_random_graphs_keep_lanes_apart(seed):
    """Gaps crowded with connectors leaving, passing and arriving (before: 449 shared runs in 800 drawings)."""
    graph = _random_graph(seed)
    for kwargs in ({}, {"aspect": 1.0}, {"direction": "tb"}, {"groups": "auto", "aspect": 1.0}):
        svg = layered_view(graph, **kwargs).to_svg()
        assert violations(svg) == CLEAN, kwargs


@pytest.mark.parametrize("name", sorted(zoo.CUSTOM))
def test_custom_zoo_is_clean(name):
    model = zoo.CUSTOM[name]()
    for kwargs in ({}, {"groups": "auto"}, {"aspect": 1.0}):
        assert violations(layered_view(model, **kwargs).to_svg()) == CLEAN, kwargs


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "DenseNet121", "InceptionV3"])
def test_applications_are_clean(apps, name):
    for kwargs in ({}, {"detail": "blocks"}):
        lines = read(layered_view(apps(name), **kwargs).to_svg())
        assert (shared_runs(lines), returns_on_frames(lines), captions_crossed(lines)) == ([], [], [])
        assert labels_on_frames(lines) == []  # no label spills across a stage's boundary


# ---- the checker itself ---------------------------------------------------------------------------------

def _svg(connectors=(), frames=(), captions=(), labels=()):
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="DejaVu Sans">']
    for source, target, points in connectors:
        text = " ".join(f"{x},{y}" for x, y in points[:-1])
        tip = points[-1]
        parts.append(f'<g class="connector" data-from="{source}" data-to="{target}"><polyline points="{text}" />'
                     f'<polygon class="arrowhead" points="{tip[0]},{tip[1]} 0,0 0,0" /></g>')
    parts.append('<g class="groups"><g class="group">')
    for x0, y0, x1, y1 in frames:
        parts.append(f'<rect class="group-frame" x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" />')
    for x, y, text in captions:
        parts.append(f'<text class="caption" x="{x}" y="{y}">{text}</text>')
    parts.append("</g></g>")
    for name, x, y, text in labels:
        parts.append(f'<g class="layer" data-name="{name}"><text x="{x}" y="{y}" text-anchor="middle">{text}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def test_checker_finds_each_kind():
    svg = _svg(connectors=[("split", "fb", [(0, 10), (50, 10), (50, 80), (60, 80)]),
                           ("mean", "reg", [(40, 10.5), (100, 10.5)]),
                           ("mean", "fb", [(40, 10), (50, 10)]),  # shares a target: fine
                           ("a", "b", [(200, 40), (20, 40), (20, 60)])],  # a return line
               frames=[(10, 41, 150, 100)],
               captions=[(60, 95, "conv3")],
               labels=[("x", 150, 70, "a label")])
    lines = read(svg)
    assert shared_runs(lines) == [("split", "fb", "mean", "reg", 10.0)]
    assert [(s, t) for s, t, _ in returns_on_frames(lines)] == [("a", "b")]
    assert captions_crossed(lines) == []
    assert labels_on_frames(lines) == [("x", (10, 41, 150, 100))]
    crossing = _svg(connectors=[("a", "b", [(60, 70), (60, 100)])], captions=[(55, 95, "conv3")])
    assert captions_crossed(read(crossing)) == [("conv3", "a", "b")]
    apart = _svg(connectors=[("a", "b", [(0, 10), (50, 10)]), ("c", "d", [(0, 11), (50, 11)])])
    assert shared_runs(read(apart)) == []
