"""Read a kerasvg SVG back into shapes and measure collisions: what the legibility tests assert."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import List, Tuple

from kerasvg.scene.text import text_width

NS = "{http://www.w3.org/2000/svg}"
EPS = 0.6


def _points(text: str) -> List[Tuple[float, float]]:
    return [tuple(float(v) for v in pair.split(",")) for pair in text.split()]


@dataclass
class DrawnLayer:
    name: str
    faces: List[List[Tuple[float, float]]] = field(default_factory=list)
    labels: List[Tuple[float, float, float, float]] = field(default_factory=list)


@dataclass
class Drawing:
    width: float
    height: float
    font_size: float
    layers: List[DrawnLayer]
    connectors: List[Tuple[str, str, List[Tuple[float, float]], bool]]  # from, to, points, skip


def read(svg: str) -> Drawing:
    root = ET.fromstring(svg.encode("utf-8"))
    _, _, width, height = (float(v) for v in root.get("viewBox").replace(",", " ").split())
    font_size = float(root.get("font-size"))
    family = root.get("font-family")
    layers = []
    for g in root.iter(f"{NS}g"):
        classes = g.get("class", "").split()
        if "layer" not in classes:
            continue
        layer = DrawnLayer(g.get("data-name"))
        for poly in g.findall(f"{NS}polygon"):
            if "face" in poly.get("class", "").split():
                layer.faces.append(_points(poly.get("points")))
        for text in g.findall(f"{NS}text"):
            x, y = float(text.get("x")), float(text.get("y"))
            w = text_width(text.text or "", font_size, family)
            left = x if text.get("text-anchor") == "start" else x - w / 2
            layer.labels.append((left, y - 0.78 * font_size, left + w, y + 0.22 * font_size))
        layers.append(layer)
    connectors = []
    for g in root.iter(f"{NS}g"):
        classes = g.get("class", "").split()
        if "connector" in classes:
            line = g.find(f"{NS}polyline")
            head = g.find(f"{NS}polygon")
            pts = _points(line.get("points")) + ([_points(head.get("points"))[0]] if head is not None else [])
            connectors.append((g.get("data-from"), g.get("data-to"), pts, "skip" in classes))
    return Drawing(width, height, font_size, layers, connectors)


def _bbox(points):
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _rect(r):
    x0, y0, x1, y1 = r
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _axes(poly):
    axes = []
    for i in range(len(poly)):
        (x0, y0), (x1, y1) = poly[i], poly[(i + 1) % len(poly)]
        if (x0, y0) != (x1, y1):
            axes.append((y0 - y1, x1 - x0))
    return axes


def convex_overlap(a, b, eps: float = EPS) -> bool:
    """True when convex polygons (or segments) a and b overlap by more than eps (separating axes)."""
    ba, bb = _bbox(a), _bbox(b)
    if ba[2] <= bb[0] + eps or bb[2] <= ba[0] + eps or ba[3] <= bb[1] + eps or bb[3] <= ba[1] + eps:
        return False
    for ax, ay in _axes(a) + _axes(b):
        norm = (ax * ax + ay * ay) ** 0.5
        if norm == 0:
            continue
        pa = [(x * ax + y * ay) / norm for x, y in a]
        pb = [(x * ax + y * ay) / norm for x, y in b]
        if max(pa) <= min(pb) + eps or max(pb) <= min(pa) + eps:
            return False
    return True


def label_overlaps(d: Drawing):
    labels = [(layer.name, r) for layer in d.layers for r in layer.labels]
    labels.sort(key=lambda item: item[1][0])
    found = []
    for i, (name_a, a) in enumerate(labels):
        for name_b, b in labels[i + 1:]:
            if b[0] >= a[2]:
                break
            if name_a != name_b and convex_overlap(_rect(a), _rect(b), 0.0):
                found.append((name_a, name_b))
    return found


def labels_on_other_boxes(d: Drawing):
    found = []
    for layer in d.layers:
        for rect in layer.labels:
            for other in d.layers:
                if other is layer:
                    continue
                if any(convex_overlap(_rect(rect), face) for face in other.faces):
                    found.append((layer.name, other.name))
    return found


def box_overlaps(d: Drawing):
    """Pairs of layers whose faces overlap (the layout never stacks boxes onto each other)."""
    found = []
    items = [(layer.name, _bbox([p for f in layer.faces for p in f]), layer.faces) for layer in d.layers if layer.faces]
    items.sort(key=lambda item: item[1][0])
    for i, (name_a, ba, fa) in enumerate(items):
        for name_b, bb, fb in items[i + 1:]:
            if bb[0] >= ba[2]:
                break
            if any(convex_overlap(p, q) for p in fa for q in fb):
                found.append((name_a, name_b))
    return found


def connectors_through(d: Drawing, boxes: bool = True, labels: bool = True):
    """Connector segments that cross a box (other than their own ends) or any label."""
    found = []
    for source, target, pts, _ in d.connectors:
        segments = list(zip(pts, pts[1:]))
        for layer in d.layers:
            shapes = []
            if boxes and layer.name not in (source, target):
                shapes += layer.faces
            if labels:
                shapes += [_rect(r) for r in layer.labels]
            for seg in segments:
                if any(convex_overlap(list(seg), shape, 0.3) for shape in shapes):
                    found.append((source, target, layer.name))
                    break
    return found


def assert_clean(svg: str) -> None:
    """No two boxes overlap, no two labels overlap, no label lies on another layer's box."""
    drawing = read(svg)
    assert box_overlaps(drawing) == []
    assert label_overlaps(drawing) == []
    assert labels_on_other_boxes(drawing) == []
