"""Plain, framework-free description of a model: layers, edges and nested models.

Everything after the readers works on these objects only, so it never needs Keras.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from typing import Optional, Tuple, Union

UNKNOWN = "?"
Dim = Union[int, None, str]
Shape = Union[Tuple[Dim, ...], str]


@dataclass(frozen=True)
class Layer:
    """One drawable layer (or nested model) and what the diagram says about it."""

    name: str
    type: str
    output_shapes: Tuple[Shape, ...] = ()
    trainable_params: int = 0
    non_trainable_params: int = 0
    config: Tuple[Tuple[str, object], ...] = ()
    index: Optional[int] = None
    is_input: bool = False
    nested: Optional["ModelGraph"] = None

    @property
    def params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def shape(self) -> Shape:
        """The first output shape, or UNKNOWN."""
        return self.output_shapes[0] if self.output_shapes else UNKNOWN

    @property
    def shape_text(self) -> str:
        """The Python-style repr used in `data-shape`: a tuple, or a list of tuples."""
        if not self.output_shapes:
            return UNKNOWN
        if len(self.output_shapes) == 1:
            return format_shape(self.output_shapes[0])
        return "[" + ", ".join(format_shape(s) for s in self.output_shapes) + "]"


@dataclass(frozen=True)
class ModelGraph:
    """Layers in topological order and the directed edges (by layer name) between them."""

    name: str
    layers: Tuple[Layer, ...]
    edges: Tuple[Tuple[str, str], ...] = ()
    inputs: Tuple[str, ...] = ()
    outputs: Tuple[str, ...] = ()
    inferred_edges: bool = False
    type: str = "Functional"
    _by_name: dict = field(default=None, repr=False, compare=False, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {layer.name: layer for layer in self.layers})

    def layer(self, name: str) -> Layer:
        return self._by_name[name]

    @property
    def total_params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(layer.trainable_params for layer in self.layers)


def format_dim(dim: Dim) -> str:
    return "None" if dim is None else str(dim)


def format_shape(shape: Shape) -> str:
    """`(None, 112, 112, 64)`; a 1-tuple keeps its comma; an unknown shape is `?`."""
    if isinstance(shape, str):
        return shape
    if len(shape) == 1:
        return f"({format_dim(shape[0])},)"
    return "(" + ", ".join(format_dim(d) for d in shape) + ")"


def compact_shape(shape: Shape) -> str:
    """The label form of a shape: batch dimension dropped, `112×112×64`."""
    if isinstance(shape, str):
        return shape
    dims = shape[1:] if len(shape) > 1 else shape
    return "×".join("?" if d is None else str(d) for d in dims) or "scalar"


def topological_order(names, edges):
    """Kahn's algorithm; ties broken by the order of `names`. Cycles keep their given order."""
    position = {name: i for i, name in enumerate(names)}
    indegree = {name: 0 for name in names}
    successors = {name: [] for name in names}
    for src, dst in edges:
        if src in indegree and dst in indegree:
            successors[src].append(dst)
            indegree[dst] += 1
    ready = [(position[n], n) for n in names if indegree[n] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for nxt in successors[name]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (position[nxt], nxt))
    placed = set(order)
    order.extend(n for n in names if n not in placed)
    return order


def without_layers(graph: ModelGraph, names) -> ModelGraph:
    """Drop layers by name; every path through a dropped layer becomes a direct edge."""
    drop = set(names)
    if not drop:
        return graph
    edges = list(graph.edges)
    for name in [layer.name for layer in graph.layers if layer.name in drop]:
        preds = [s for s, t in edges if t == name]
        succs = [t for s, t in edges if s == name]
        edges = [e for e in edges if name not in e]
        edges += [(p, s) for p in preds for s in succs if (p, s) not in edges]
    kept = tuple(layer for layer in graph.layers if layer.name not in drop)
    return replace(
        graph,
        layers=kept,
        edges=tuple(dict.fromkeys(edges)),
        inputs=tuple(n for n in graph.inputs if n not in drop),
        outputs=tuple(n for n in graph.outputs if n not in drop),
    )


def spatial_dims(shape) -> Tuple:
    """The dimensions between batch and channels (all of them for rank-2 shapes)."""
    if isinstance(shape, str) or len(shape) < 2:
        return ()
    return tuple(shape[1:-1]) if len(shape) > 2 else tuple(shape[1:])


def key_layers(graph: ModelGraph) -> set:
    """Names worth labelling in a large model: inputs, outputs, merges and stage ends
    (the last layer before the spatial resolution changes)."""
    from .categories import category_of

    succs, preds = {}, {}
    for s, t in graph.edges:
        succs.setdefault(s, []).append(t)
        preds.setdefault(t, []).append(s)
    keep = set(graph.inputs) | set(graph.outputs)
    for layer in graph.layers:
        if layer.is_input or category_of(layer.type) == "merge" or not succs.get(layer.name):
            keep.add(layer.name)
            continue
        here = spatial_dims(layer.shape)
        changes = any(spatial_dims(graph.layer(t).shape) != here for t in succs[layer.name])
        if changes and len(here) >= 2 and not any(p in keep for p in preds.get(layer.name, ())):
            keep.add(layer.name)
    return keep
