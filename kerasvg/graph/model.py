"""Plain, framework-free description of a model: layers, edges and nested models.

Everything after the readers works on these objects only, so it never needs Keras.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from typing import Any, List, Mapping, Optional, Tuple, Union

UNKNOWN = "?"
Dim = Union[int, None, str]
Shape = Union[Tuple[Dim, ...], str]


@dataclass(unsafe_hash=True)  # not frozen, so that readers build thousands fast; no code changes one once built
class Layer:
    """One drawable layer (or nested model) and what the diagram says about it."""

    name: str
    type: str
    output_shapes: Tuple[Shape, ...] = ()
    trainable_params: Optional[int] = 0  # None: unknown (a class kerasvg cannot count, no weights in the file)
    non_trainable_params: Optional[int] = 0
    config: Tuple[Tuple[str, object], ...] = ()
    index: Optional[int] = None
    is_input: bool = False
    nested: Optional["ModelGraph"] = None
    trainable: Optional[bool] = None  # the layer's own `trainable` flag; None when unknown
    full_config: Optional[Mapping[str, Any]] = field(default=None, compare=False, repr=False)  # saved files: every config value

    @property
    def params(self) -> Optional[int]:
        """The weight count, or None when it is not known."""
        if self.trainable_params is None or self.non_trainable_params is None:
            return None
        return self.trainable_params + self.non_trainable_params

    @property
    def shape(self) -> Shape:
        """The first output shape, or UNKNOWN."""
        return self.output_shapes[0] if self.output_shapes else UNKNOWN

    @property
    def shape_text(self) -> str:
        """The Python-style repr used in `data-shape`: a tuple, or a list of tuples."""
        try:
            return _SHAPE_TEXTS[self.output_shapes]
        except KeyError:
            text = _SHAPE_TEXTS[self.output_shapes] = shapes_text(self.output_shapes)
            if len(_SHAPE_TEXTS) > 10_000:
                _SHAPE_TEXTS.clear()
            return text
        except TypeError:  # a hand-made shape that cannot be a key
            return shapes_text(self.output_shapes)


_SHAPE_TEXTS: dict = {}  # layers share their shapes: each formatted once


def shapes_text(shapes: Tuple[Shape, ...]) -> str:
    """`Layer.shape_text` of these output shapes."""
    if not shapes:
        return UNKNOWN
    if len(shapes) == 1:
        return format_shape(shapes[0])
    return "[" + ", ".join(format_shape(s) for s in shapes) + "]"


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
    groups: Tuple[Tuple[Layer, Tuple[str, ...]], ...] = ()  # expanded nested models: (model layer, member names)
    repeats: Tuple[Tuple[Tuple[str, ...], int], ...] = ()  # folded runs: (kept member names, count)
    _by_name: dict = field(default=None, repr=False, compare=False, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {layer.name: layer for layer in self.layers})

    def layer(self, name: str) -> Layer:
        return self._by_name[name]

    @property
    def total_params(self) -> int:
        """The sum of the known counts: a lower bound unless `params_known`."""
        return sum(layer.params or 0 for layer in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(layer.trainable_params or 0 for layer in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(layer.non_trainable_params or 0 for layer in self.layers)

    @property
    def params_known(self) -> bool:
        """True when every layer's count is known, so the totals are exact."""
        return all(layer.trainable_params is not None and layer.non_trainable_params is not None
                   for layer in self.layers)


def format_count(count: Optional[int], lower_bound: bool = False) -> str:
    """`1,234`; `?` for an unknown count; `≥ 1,234` for a total that misses some layers."""
    if count is None:
        return UNKNOWN
    return f"≥ {count:,}" if lower_bound else f"{count:,}"


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
    position = {name: i for i, name in enumerate(names)}  # a repeated name: its last position
    indegree = [0] * len(names)  # by position
    successors: List[List[int]] = [[] for _ in names]
    for src, dst in edges:
        if src in position and dst in position:
            successors[position[src]].append(position[dst])
            indegree[position[dst]] += 1
    ready = [position[n] for n in names if indegree[position[n]] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        here = heapq.heappop(ready)
        order.append(names[here])
        for nxt in successors[here]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, nxt)
    placed = set(order)
    order.extend(n for n in names if n not in placed)
    return order


def without_layers(graph: ModelGraph, names) -> ModelGraph:
    """Drop layers by name; every path through dropped layers becomes a direct edge.

    Each kept layer that feeds dropped ones walks through them once, so the work follows the edges kept and
    made; more new edges than the edges budget allows (a hub feeding one dropped layer that feeds thousands)
    is a BudgetError, as is a walk of more than 50 steps per allowed edge."""
    from .. import budgets

    drop = {name for name in names if name in graph._by_name}
    if not drop:
        return graph
    successors: dict = {}
    into: dict = {}
    for s, t in graph.edges:
        if s in drop or t in drop:
            successors.setdefault(s, []).append(t)
            into.setdefault(t, []).append(s)
    edges = [(s, t) for s, t in graph.edges if s not in drop and t not in drop]
    present = set(edges)
    limit = budgets.current().edge_limit(len(graph.layers))
    steps, walked = 0, set()
    for name in [layer.name for layer in graph.layers if layer.name in drop]:
        for source in into.get(name, ()):
            if source in drop or source in walked:
                continue
            walked.add(source)
            seen, pending = set(), [t for t in reversed(successors[source]) if t in drop]
            while pending:
                here = pending.pop()
                if here in seen:
                    continue
                seen.add(here)
                steps += len(successors.get(here, ()))
                if steps > 50 * limit:
                    raise budgets.exceeded(f"joining the neighbours of the {len(drop):,} layer(s) left out of model "
                                           f"{graph.name!r} takes more than {50 * limit:,} steps, so it", "edges", limit)
                deeper = []
                for target in successors.get(here, ()):
                    if target in drop:
                        deeper.append(target)
                    elif (source, target) not in present:
                        present.add((source, target))
                        edges.append((source, target))
                pending.extend(reversed(deeper))
                if len(present) > limit:
                    raise budgets.exceeded(f"leaving out {len(drop):,} layer(s) of model {graph.name!r} joins their "
                                           f"neighbours directly: more than {limit:,} connections, which", "edges", limit)
    return replace(
        graph,
        layers=tuple(layer for layer in graph.layers if layer.name not in drop),
        edges=tuple(dict.fromkeys(edges)),
        inputs=tuple(n for n in graph.inputs if n not in drop),
        outputs=tuple(n for n in graph.outputs if n not in drop),
    )


def spatial_dims(shape) -> Tuple:
    """The dimensions between batch and channels (all of them for rank-2 shapes)."""
    if isinstance(shape, str) or len(shape) < 2:
        return ()
    return tuple(shape[1:-1]) if len(shape) > 2 else tuple(shape[1:])


def _resolution(shape):
    """Spatial size of an image-like tensor; None for vectors and 1×1 maps (squeeze-excite, global pools)."""
    dims = spatial_dims(shape)
    if len(dims) < 2 or all(d == 1 for d in dims):
        return None
    return dims


def key_layers(graph: ModelGraph) -> set:
    """Names worth labelling in a large model: inputs, outputs, merges and stage ends
    (the last layer before the spatial resolution changes)."""
    from .categories import category_of

    succs, preds = {}, {}
    for s, t in graph.edges:
        succs.setdefault(s, []).append(t)
        preds.setdefault(t, []).append(s)
    keep = set(graph.inputs) | set(graph.outputs)
    merges: dict = {}  # layer class → a merge?
    resolutions: dict = {}  # layer name → _resolution of its shape

    def resolution(name):
        if name not in resolutions:
            resolutions[name] = _resolution(graph.layer(name).shape)
        return resolutions[name]

    for layer in graph.layers:
        if not layer.is_input and layer.type not in merges:
            merges[layer.type] = category_of(layer.type) == "merge"
        if layer.is_input or merges[layer.type] or not succs.get(layer.name):
            keep.add(layer.name)
            continue
        here = resolution(layer.name)
        after = [resolution(t) for t in succs[layer.name]]
        if here is not None and any(r is not None and r != here for r in after) and \
                not any(p in keep for p in preds.get(layer.name, ())):
            keep.add(layer.name)
    return keep


def expand_nested(graph: ModelGraph) -> ModelGraph:
    """Replace each nested model by its own layers, named `outer/inner`; the model becomes a group.

    The nested model's input layers are not drawn: outer inputs connect to the layers they feed."""
    layers: list = []
    groups: list = list(graph.groups)
    entries: dict = {}
    exits: dict = {}
    for layer in graph.layers:
        if layer.nested is None or not layer.nested.layers:
            layers.append(layer)
            continue
        inner = expand_nested(layer.nested)
        prefix = layer.name + "/"
        inner_inputs = [n for n in inner.inputs] or [l.name for l in inner.layers if l.is_input]
        members = [replace(l, name=prefix + l.name, index=None) for l in inner.layers if l.name not in inner_inputs]
        layers.extend(members)
        groups.extend((replace(g, name=prefix + g.name), tuple(prefix + m for m in names)) for g, names in inner.groups)
        groups.append((layer, tuple(m.name for m in members)))
        consumers = {name: [prefix + t for s, t in inner.edges if s == name and t not in inner_inputs] for name in inner_inputs}
        entries[layer.name] = [consumers[name] for name in inner_inputs]
        exits[layer.name] = [prefix + n for n in inner.outputs if n not in inner_inputs] or [members[-1].name]
        inner_edges = [(prefix + s, prefix + t) for s, t in inner.edges if s not in inner_inputs]
        entries.setdefault("__edges__", []).extend(inner_edges)
    if not entries:
        return graph
    edges = list(entries.pop("__edges__", []))
    incoming: dict = {}
    for s, t in graph.edges:
        if t in entries:
            incoming.setdefault(t, []).append(s)
    for s, t in graph.edges:
        sources = exits.get(s, [s])
        if t in entries:
            slots = entries[t]
            preds = incoming[t]
            targets = slots[preds.index(s)] if len(preds) == len(slots) else [x for slot in slots for x in slot]
        else:
            targets = [t]
        edges.extend((a, b) for a in sources for b in targets)
    names = [l.name for l in layers]
    order = topological_order(names, edges)
    by_name = {l.name: l for l in layers}
    return replace(
        graph,
        layers=tuple(by_name[n] for n in order),
        edges=tuple(dict.fromkeys(edges)),
        outputs=tuple(x for n in graph.outputs for x in exits.get(n, [n])),
        groups=tuple(groups),
    )


def cut_indices(count: int, spans) -> List[int]:
    """Positions 0..count-1 that no span (a, b) of positions jumps over: the layers every path passes."""
    covered = [0] * (count + 1)
    for a, b in spans:
        if b - a > 1:
            covered[a + 1] += 1
            covered[b] -= 1
    cuts, running = [], 0
    for i in range(count):
        running += covered[i]
        if running == 0:
            cuts.append(i)
    return cuts


def fold_repeats(graph: ModelGraph, longest_period: int = 8) -> ModelGraph:
    """Draw a run of identical blocks (same layer types and shapes, same wiring) once, with its count.

    Blocks are the stretches between cut layers: those that every path through the model passes."""
    names = [l.name for l in graph.layers]
    position = {n: i for i, n in enumerate(names)}
    cuts = cut_indices(len(names), ((position[s], position[t]) for s, t in graph.edges))
    segments, start = [], 0
    for cut in cuts:
        segments.append(list(range(start, cut + 1)))
        start = cut + 1
    if start < len(names):
        segments.append(list(range(start, len(names))))
    segment_of = [0] * len(names)
    for number, seg in enumerate(segments):
        for k in seg:
            segment_of[k] = number
    inbound: list = [[] for _ in segments]  # each segment's incoming edges, by position
    for s, t in graph.edges:
        inbound[segment_of[position[t]]].append((position[s], position[t]))
    signatures = [_segment_signature(graph, seg, inbound[number]) for number, seg in enumerate(segments)]
    def best_run(i):
        best = None
        for period in range(1, longest_period + 1):
            count = 1
            while signatures[i + count * period:i + (count + 1) * period] == signatures[i:i + period] and \
                    i + (count + 1) * period <= len(segments):
                count += 1
            if count >= 2 and (best is None or period * count > best[0] * best[1]):
                best = (period, count)
        return best

    drop, remap, repeats = set(), {}, list(graph.repeats)
    i = 0
    while i < len(segments):
        best = best_run(i)
        if best is None:
            i += 1
            continue
        # of the rotations that fold as much, start with the longest segment (a block, not its tail)
        rotations = [(i + k, best_run(i + k)) for k in range(best[0])]
        rotations = [(j, run) for j, run in rotations if run and run[0] * run[1] >= best[0] * best[1]]
        i, best = max(rotations, key=lambda jr: (len(segments[jr[0]]), -jr[0]))
        period, count = best
        kept = [names[k] for seg in segments[i:i + period] for k in seg]
        for seg in segments[i + period:i + period * count]:
            drop.update(names[k] for k in seg)
        remap[names[segments[i + period * count - 1][-1]]] = names[segments[i + period - 1][-1]]
        repeats.append((tuple(kept), count))
        i += period * count
    if not drop:
        return graph
    edges = []
    for s, t in graph.edges:
        s = remap.get(s, s)
        if s not in drop and t not in drop:
            edges.append((s, t))
    return replace(
        graph,
        layers=tuple(l for l in graph.layers if l.name not in drop),
        edges=tuple(dict.fromkeys(edges)),
        outputs=tuple(remap.get(n, n) for n in graph.outputs),
        repeats=tuple(repeats),
    )


def _segment_signature(graph: ModelGraph, segment, inbound):
    """The layers of a segment (a run of positions) and its wiring, from `inbound`: the (source, target)
    positions of the edges into it."""
    first, last = segment[0], segment[-1]
    layers = tuple((graph.layers[k].type, graph.layers[k].shape_text, graph.layers[k].params) for k in segment)
    wiring = tuple(sorted((s - first if first <= s <= last else -1, t - first) for s, t in inbound))
    return layers, wiring
