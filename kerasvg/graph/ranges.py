"""`layer_range=(first, last)`: the layers on a path from first to last, and stubs where edges leave the span."""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Tuple

from ..scene import Connector, Scene
from .model import ModelGraph

STUB_LENGTH = 14.0


def _resolve(graph: ModelGraph, ref, which: str) -> str:
    indexed = sorted((l.index, l.name) for l in graph.layers if l.index is not None)
    if isinstance(ref, bool) or not isinstance(ref, (int, str)):
        raise ValueError(f"layer_range {which}: expected a layer name or an index into model.layers, got {ref!r}")
    if isinstance(ref, int):
        count = indexed[-1][0] + 1 if indexed else 0
        position = ref + count if ref < 0 else ref
        by_index = dict(indexed)
        if position not in by_index:
            raise ValueError(f"layer_range {which}: index {ref} is out of range (model.layers has {count} layers)")
        return by_index[position]
    if ref not in graph._by_name:
        import difflib

        near = difflib.get_close_matches(ref, [l.name for l in graph.layers], n=3)
        raise ValueError(f"layer_range {which}: no layer named {ref!r}" + (f" (nearest: {', '.join(near)})" if near else ""))
    return ref


def _reach(start: str, step: Dict[str, List[str]]) -> set:
    seen, todo = {start}, [start]
    while todo:
        for nxt in step.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def layer_range(graph: ModelGraph, span) -> Tuple[ModelGraph, Tuple[Tuple[str, str], ...]]:
    """The subgraph of every layer on a path from `first` to `last`, and the edges that cross its border."""
    if not isinstance(span, (tuple, list)) or len(span) != 2:
        raise ValueError(f"layer_range={span!r}: expected (first, last), layer names or indices into model.layers")
    first, last = _resolve(graph, span[0], "first"), _resolve(graph, span[1], "last")
    succs: Dict[str, List[str]] = {}
    preds: Dict[str, List[str]] = {}
    for s, t in graph.edges:
        succs.setdefault(s, []).append(t)
        preds.setdefault(t, []).append(s)
    keep = _reach(first, succs) & _reach(last, preds)
    if not keep:
        raise ValueError(f"layer_range=({span[0]!r}, {span[1]!r}): no path leads from {first!r} to {last!r}")
    crossing = tuple(e for e in graph.edges if (e[0] in keep) != (e[1] in keep))
    kept = replace(
        graph,
        layers=tuple(l for l in graph.layers if l.name in keep),
        edges=tuple(e for e in graph.edges if e[0] in keep and e[1] in keep),
        inputs=tuple(n for n in graph.inputs if n in keep) or (first,),
        outputs=tuple(n for n in graph.outputs if n in keep) or (last,),
    )
    return kept, crossing


def with_stubs(scene: Scene, crossing, transposed: bool = False) -> Scene:
    """Short connectors (class `stub`) for edges that enter or leave the drawn span: into a box's
    leading side, out of its trailing side (off-centre where a drawn connector already meets that side)."""
    boxes = {b.name: b for b in scene.boxes}
    fed = {c.target for c in scene.connectors}
    feeding = {c.source for c in scene.connectors}
    stubs = []
    for source, target in crossing:
        incoming = target in boxes
        box = boxes.get(target if incoming else source)
        if box is None:
            continue
        x0, y0, x1, y1 = box.bounds
        busy = (box.name in fed) if incoming else (box.name in feeding)
        if transposed:
            cx = box.x + box.width * (0.25 if busy else 0.5)
            start, end = ((cx, y0 - STUB_LENGTH), (cx, y0 - 1)) if incoming else ((cx, y1 + 1), (cx, y1 + STUB_LENGTH))
        else:
            cy = box.y + box.height * (0.25 if busy else 0.5)
            start, end = ((x0 - STUB_LENGTH, cy), (x0 - 1, cy)) if incoming else ((x1 + 1, cy), (x1 + STUB_LENGTH, cy))
        stubs.append(Connector(source=source, target=target, points=(start, end), arrow=_arrow(start, end), stub=True))
    return replace(scene, connectors=scene.connectors + tuple(stubs))


def _arrow(start, end, size: float = 4.0):
    (x0, y0), (x1, y1) = start, end
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    bx, by = x1 - ux * size, y1 - uy * size
    return ((x1, y1), (bx - uy * size / 2, by + ux * size / 2), (bx + uy * size / 2, by - ux * size / 2))
