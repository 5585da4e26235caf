"""Live Keras model (Keras 3 or tf_keras) → ModelGraph. The only module that touches Keras objects.

Edges come from each layer's inbound nodes: Keras has no cheap public accessor for the graph,
so `_graph_nodes` reads `_inbound_nodes` / `_keras_history` (Keras 3) and
`_network_nodes` / `iterate_inbound` (tf_keras) — and nothing else private.
"""
from __future__ import annotations

import functools
import math
from typing import Dict, List, Tuple

from ..graph.model import UNKNOWN, Layer, ModelGraph, topological_order
from .keras_classes import CONFIG_KEYS


def is_keras_model(obj) -> bool:
    """True for a keras.Model or tf_keras.Model, without importing either."""
    return _is_model_class(type(obj))


@functools.lru_cache(maxsize=1024)
def _is_model_class(cls) -> bool:
    for base in cls.__mro__:
        module = base.__module__.split(".")[0]
        if module in ("keras", "tf_keras", "tensorflow") and base.__name__ == "Model":
            return True
    return False


def _is_keras3(model) -> bool:
    return type(model).__module__.split(".")[0] == "keras" or any(
        c.__module__.startswith("keras.src") for c in type(model).__mro__
    )


def read_model(model) -> Tuple[ModelGraph, Dict[str, object]]:
    """Describe a built Keras model; also return layer name → live layer (for `text_callable`)."""
    if not is_keras_model(model):
        what = type(model).__module__ + "." + type(model).__qualname__
        raise TypeError(
            f"layered_view expects a Keras model (keras.Model or tf_keras.Model), got {what}: {_short_repr(model)}"
        )
    if not getattr(model, "built", False):
        raise ValueError(
            f"model {model.name!r} is not built, so its layers have no shapes yet. Start it with "
            "keras.Input(shape=...) (e.g. Sequential([keras.Input((8,)), ...])), or call "
            "model.build(input_shape) or the model on data first."
        )
    live: Dict[str, object] = {}
    return _describe(model, live), live


def _short_repr(obj) -> str:
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(model, live) -> ModelGraph:
    nodes = _graph_nodes(model)
    if nodes is None:
        return _describe_chain(model, live)
    index_of = {id(layer): i for i, layer in enumerate(model.layers)}
    layers_in_order: List[object] = []
    outputs: Dict[str, list] = {}
    edges: List[Tuple[str, str]] = []
    seen_edges = set()
    for layer, node_outputs, sources in nodes:
        if layer.name not in outputs:
            layers_in_order.append(layer)
            outputs[layer.name] = node_outputs
        for source in sources:
            edge = (source, layer.name)
            if edge not in seen_edges:
                seen_edges.add(edge)
                edges.append(edge)
    names = [layer.name for layer in layers_in_order]
    order = topological_order(names, edges)
    by_name = {layer.name: layer for layer in layers_in_order}
    described = [
        _describe_layer(by_name[n], outputs[n], index_of.get(id(by_name[n])), live) for n in order
    ]
    return ModelGraph(
        name=model.name,
        layers=tuple(described),
        edges=tuple(edges),
        inputs=tuple(l.name for l in described if l.is_input),
        outputs=tuple(_output_layer_names(model, names)),
        type=type(model).__name__,
    )


def _output_layer_names(model, names) -> List[str]:
    result = []
    for tensor in _flatten(getattr(model, "outputs", None) or []):
        history = getattr(tensor, "_keras_history", None)
        if history is not None:
            name = history[0].name
            if name in names and name not in result:
                result.append(name)
    return result


def _describe_chain(model, live) -> ModelGraph:
    """Subclassed (or not yet graph-built) models: tracking order, neighbours connected."""
    layers = list(model.layers)
    described = []
    for i, layer in enumerate(layers):
        described.append(_describe_layer(layer, None, i, live))
    edges = tuple((a.name, b.name) for a, b in zip(described, described[1:]))
    return ModelGraph(
        name=model.name,
        layers=tuple(described),
        edges=edges,
        inputs=(described[0].name,) if described else (),
        outputs=(described[-1].name,) if described else (),
        inferred_edges=True,
        type=type(model).__name__,
    )


def _graph_nodes(model):
    """[(layer, output tensors, [source layer names])] for the model's own graph, or None."""
    if _is_keras3(model):
        graph = getattr(model, "_functional", None) if type(model).__name__ == "Sequential" else model
        node_keys = getattr(graph, "_nodes", None)
        if graph is None or node_keys is None or not hasattr(graph, "operations"):
            return None
        result = []
        for operation in graph.operations:
            for node_index, node in enumerate(operation._inbound_nodes):
                if f"{id(operation)}_ib-{node_index}" not in node_keys:
                    continue
                sources = [t._keras_history.operation.name for t in node.input_tensors]
                result.append((operation, list(node.outputs), sources))
        return _without_mask_operations(result, graph)
    if not getattr(model, "_is_graph_network", False):
        return None
    node_keys = model._network_nodes
    result = []
    for layer in _tf_keras_layers_with_inputs(model):
        for node_index, node in enumerate(layer._inbound_nodes):
            if f"{layer.name}_ib-{node_index}" not in node_keys:
                continue
            sources = [inbound.name for inbound, _, _, _ in node.iterate_inbound()]
            result.append((layer, _flatten(node.outputs), sources))
    return result


def _without_mask_operations(nodes, graph):
    """Drop the ops Keras generated to compute masks (`mask_zero=True`, `Masking`): the user never
    wrote them, and saved files leave them out. An op is generated when each of its outputs is some
    tensor's Keras mask, or when it only feeds such ops; the edges to and from it go with it."""
    masks = {id(m) for _, outputs, _ in nodes for t in outputs
             for m in [getattr(t, "_keras_mask", None)] if m is not None}
    is_layer = {op.name: any(c.__name__ == "Layer" for c in type(op).__mro__) for op, _, _ in nodes}
    dropped = {op.name for op, outputs, _ in nodes
               if not is_layer[op.name] and outputs and all(id(t) in masks for t in outputs)}
    model_outputs = set(_output_layer_names(graph, list(is_layer)))
    consumers: Dict[str, set] = {}
    sources_of: Dict[str, set] = {}
    for op, _, sources in nodes:
        for source in sources:
            consumers.setdefault(source, set()).add(op.name)
            sources_of.setdefault(op.name, set()).add(source)
    # until nothing changes: ops (not model outputs) all of whose consumers are dropped; a worklist, so each
    # consumer is looked at once, when it is dropped
    waiting = {name: len(used_by - dropped) for name, used_by in consumers.items()}
    pending = [name for name, count in waiting.items() if count == 0 and name not in dropped]
    while pending:
        name = pending.pop()
        if is_layer.get(name, True) or name in model_outputs:
            continue
        dropped.add(name)
        for source in sources_of.get(name, ()):
            waiting[source] -= 1
            if waiting[source] == 0 and source not in dropped:
                pending.append(source)
    return [(op, outputs, [s for s in sources if s not in dropped])
            for op, outputs, sources in nodes if op.name not in dropped]


def _tf_keras_layers_with_inputs(model):
    layers = list(model.layers)
    return [layer for layer in getattr(model, "_input_layers", []) if layer not in layers] + layers


def _flatten(value):
    if isinstance(value, dict):
        return [t for key in sorted(value) for t in _flatten(value[key])]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flatten(item)]
    return [value]


def _describe_layer(layer, output_tensors, index, live) -> Layer:
    live[layer.name] = layer
    type_name = type(layer).__name__
    nested = _describe(layer, {}) if is_keras_model(layer) and getattr(layer, "built", False) else None
    if output_tensors is not None:
        shapes = tuple(_shape_tuple(t.shape) for t in output_tensors)
    else:
        shapes = _shapes_without_graph(layer)
    if getattr(layer, "weights", None) == []:  # most layers: nothing to count (weights is both lists together)
        trainable = non_trainable = 0
    else:
        trainable = _count(getattr(layer, "trainable_weights", []))
        non_trainable = _count(getattr(layer, "non_trainable_weights", []))
    return Layer(
        name=layer.name,
        type=type_name,
        output_shapes=shapes,
        trainable_params=trainable,
        non_trainable_params=non_trainable,
        config=_key_config(layer),
        index=index,
        is_input=type_name == "InputLayer",
        nested=nested,
        trainable=bool(layer.trainable) if isinstance(getattr(layer, "trainable", None), bool) else None,
    )


def _count(weights) -> int:
    total = 0
    for w in weights:
        try:
            total += math.prod(w.shape)
        except TypeError:  # a dimension that is not a number
            total += math.prod(_shape_tuple(w.shape))
    return int(total)


def _shape_tuple(shape):
    if hasattr(shape, "as_list"):
        shape = shape.as_list() if shape.rank is not None else None
    if shape is None:
        return UNKNOWN
    return tuple(None if d is None else int(d) for d in shape)


def _shapes_without_graph(layer):
    """Output shapes of a layer outside a graph: from its build config and compute_output_shape."""
    try:
        build = layer.get_build_config() or {}
        input_shape = build.get("input_shape")
        if input_shape is None:
            return (UNKNOWN,)
        result = layer.compute_output_shape(input_shape)
    except Exception:
        return (UNKNOWN,)
    if isinstance(result, (list, tuple)) and result and isinstance(result[0], (list, tuple)):
        return tuple(_any_batch(_shape_tuple(s)) for s in result)
    return (_any_batch(_shape_tuple(result)),)


def _any_batch(shape):
    """The build config records the batch size the layer was first called with: draw it as None."""
    return (None,) + shape[1:] if isinstance(shape, tuple) and shape else shape


def _key_config(layer) -> Tuple[Tuple[str, object], ...]:
    config = []
    on_class = _class_keys(type(layer))
    own = getattr(layer, "__dict__", None) if on_class is not None else None
    keys = CONFIG_KEYS if own is None else [key for key in CONFIG_KEYS if key in own or key in on_class]
    for key in keys:
        value = getattr(layer, key, None)
        if value is None or callable(value) and not hasattr(value, "__name__"):
            continue
        value = _plain(value)
        if value is not None:
            config.append((key, value))
    wrapped = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)
    if wrapped is not None and not is_keras_model(layer):
        config.append(("layer", type(wrapped).__name__))
    return tuple(config)


@functools.lru_cache(maxsize=1024)
def _class_keys(cls):
    """The config keys `cls` defines itself (properties, class attributes): the rest can only be instance
    attributes. None when attribute lookup is the class's own (`__getattr__`, `__getattribute__`)."""
    if any("__getattr__" in vars(base) for base in cls.__mro__) or cls.__getattribute__ is not object.__getattribute__:
        return None
    return frozenset(key for key in CONFIG_KEYS if hasattr(cls, key))


def _plain(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        items = [_plain(v) for v in value]
        return tuple(items)
    if callable(value):
        return getattr(value, "__name__", None)
    return None
