"""A Keras model config (`model.to_json()`, a `.keras` file's config.json) → ModelGraph, without Keras.

Shapes come from what the config records (Keras-tensor entries of the inbound nodes, build configs);
the rest is inferred by `shapes` and `oprules`, and `?` marks what cannot be known."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from .. import budgets
from ..graph.model import UNKNOWN, Layer, ModelGraph, topological_order
from .configcheck import CLASS_CHECKS, ConfigValueError, check_layer_config, check_shape, short_repr
from .errors import NeedsLibraryError, SavedModelError
from .keras_classes import CONFIG_KEYS
from .oprules import TensorArg, infer_op, infer_value, op_name
from .params import PARAM_RULES, layer_param_counts
from .shapes import SHAPE_RULES, json_shape, layer_output_shapes
from .weights import WeightTree

_KEY_ORDER = {key: i for i, key in enumerate(CONFIG_KEYS)}
MODEL_CLASSES = ("Functional", "Sequential", "Model")


def graph_from_config(config: dict, source: str = "config", weights: Optional[WeightTree] = None) -> ModelGraph:
    """A ModelGraph from a Keras model config dict (`model.to_json()` / `.keras` config.json);
    parameter counts from `weights` (the file's weight shapes) where given."""
    if "config" not in config and "layers" in config:
        config = {"class_name": "Functional" if "input_layers" in config else "Sequential", "config": config}
    if not isinstance(config.get("config"), dict) or not isinstance(config["config"].get("layers"), list):
        _refuse_constructor_config(config, source)
        keys = ", ".join(sorted(map(str, config))[:6]) or "none"
        raise SavedModelError(
            f"{source}: unknown config format: expected a Keras model config with config.layers "
            f"(what model.to_json() or a .keras file's config.json holds); top-level keys: {keys}")
    try:
        return _Reader(source).model(config, hints=(), weights=weights)
    except SavedModelError:
        raise
    except RecursionError:
        raise SavedModelError(f"{source}: models nested too deeply") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError) as exc:
        raise SavedModelError(f"{source}: malformed model config ({type(exc).__name__}: {short_repr(str(exc), 200)})") from None


def _refuse_constructor_config(config: dict, source: str) -> None:
    """Raise NeedsLibraryError for a serialized model class (`registered_name` / `module` with a config dict)."""
    cls, registered, module = config.get("class_name"), config.get("registered_name"), config.get("module")
    if not isinstance(cls, str) or not isinstance(config.get("config"), dict):
        return
    if isinstance(registered, str) and ">" in registered:
        raise NeedsLibraryError(source, registered, registered.split(">", 1)[0])
    if isinstance(module, str) and module and not module.startswith("keras."):
        package = module.split(".", 1)[0]
        raise NeedsLibraryError(source, f"{package}>{cls}", package)


def _is_model(entry: dict) -> bool:
    inner = entry.get("config")
    return entry.get("class_name") in MODEL_CLASSES or (
        isinstance(inner, dict) and isinstance(inner.get("layers"), list) and "name" in inner)


def _shape_list(value) -> List[Any]:
    """build_config input_shape: one shape or a list/dict of shapes → list of shapes."""
    if value is None:
        return []
    if isinstance(value, dict) and "class_name" not in value:
        return [json_shape(value[k]) for k in sorted(value)]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple, dict)) or v is None for v in value) \
            and any(isinstance(v, (list, tuple, dict)) for v in value):
        return [json_shape(v) for v in value]
    return [json_shape(value)]


class _Reader:
    """Reads one model config, nested models included, counting layers, edges, calls and depth against the budgets."""

    def __init__(self, source: str):
        self.source = source
        self.count = 0
        self.edges = 0
        self.calls = 0
        self.depth = 0
        self.budgets = budgets.current()
        self.weights: List[Dict[str, Tuple[int, Optional[WeightTree]]]] = []

    def model(self, entry: dict, hints: Sequence[Any], given_inputs: Sequence[Any] = (),
              weights: Optional[WeightTree] = None) -> ModelGraph:
        config = entry["config"]
        layers = config["layers"]
        self.count += len(layers)
        if self.count > budgets.current().layers:
            raise SavedModelError(str(budgets.exceeded(f"{self.source}: {self.count:,} layers", "layers")))
        if self.depth >= budgets.current().depth:
            raise SavedModelError(str(budgets.exceeded(f"{self.source}: models nested {self.depth + 1} deep", "depth")))
        self.depth += 1
        try:
            return self._model(entry, config, layers, hints, given_inputs, weights)
        finally:
            self.depth -= 1

    def _model(self, entry, config, layers, hints, given_inputs, weights=None) -> ModelGraph:
        name = str(config.get("name", "model"))
        kind = str(entry.get("class_name", "Functional"))
        names: List[str] = []
        seen = set()
        for i, layer_entry in enumerate(layers):
            layer_name = _layer_name(layer_entry, i)
            if layer_name in seen:
                raise SavedModelError(f"{self.source}: two layers of model {short_repr(name)} are named "
                                      f"{short_repr(layer_name)} (Keras refuses duplicate layer names, so the "
                                      f"diagram could not tell them apart)")
            seen.add(layer_name)
            names.append(layer_name)
        self.weights.append(weights.match([(n, str(e.get("class_name"))) for n, e in zip(names, layers)])
                            if weights is not None else {})
        try:
            if "input_layers" in config or any(l.get("inbound_nodes") for l in layers):
                return self._functional(name, kind, config, hints, names)
            return self._sequential(name, kind, config, hints, given_inputs)
        finally:
            self.weights.pop()

    # -------- structure

    def _sequential(self, name, kind, config, hints, given_inputs) -> ModelGraph:
        entries = list(config["layers"])
        if not entries or entries[0].get("class_name") != "InputLayer":
            first = entries[0]["config"] if entries else {}
            shape = json_shape(first.get("batch_input_shape", first.get("batch_shape"))) if first else UNKNOWN
            if shape == UNKNOWN:
                build = config.get("build_input_shape")
                shape = json_shape(build) if build is not None else (given_inputs[0] if given_inputs else UNKNOWN)
            if shape != UNKNOWN:
                taken = {_layer_name(e, i) for i, e in enumerate(entries)}
                input_name = f"{first.get('name', 'layer') if first else name}_input"
                while input_name in taken:
                    input_name += "_"
                entries.insert(0, {"class_name": "InputLayer", "config": {"name": input_name, "batch_shape": list(shape)}})
        names = [_layer_name(e, i) for i, e in enumerate(entries)]
        described = []
        current: List[Any] = []
        index = 0
        built = [_shape_list((e.get("build_config") or {}).get("input_shape")) for e in entries]
        for position, (entry, layer_name) in enumerate(zip(entries, names)):
            is_input = entry.get("class_name") == "InputLayer"
            if not is_input:
                build = built[position]
                if build and all(s != UNKNOWN for s in build) and (not current or UNKNOWN in current):
                    current = list(build)
            recorded = []
            if position + 1 < len(entries):
                nxt = built[position + 1]
                if len(nxt) == 1:
                    recorded = list(nxt)
            elif hints:
                recorded = list(hints)
            layer, outputs = self._layer(entry, layer_name, current, recorded, None if is_input else index)
            if not is_input:
                index += 1
            described.append(layer)
            current = list(outputs)
        edges = tuple((a, b) for a, b in zip(names, names[1:]))
        return ModelGraph(name=name, layers=tuple(described), edges=edges,
                          inputs=tuple(l.name for l in described if l.is_input),
                          outputs=(names[-1],) if names else (), type=kind)

    def _functional(self, name, kind, config, hints, names) -> ModelGraph:
        entries = config["layers"]
        inbound = [_inbound_nodes(e) for e in entries]
        self.check_calls(names, inbound)
        every_call = [[_node_call(node) for node in nodes] for nodes in inbound]
        operations = {n for n, e in zip(names, entries) if _is_operation(e)}
        masks = _mask_operations(names, every_call, operations, config.get("output_layers")) | \
            _outside_graph(names, entries, inbound, every_call, config)
        calls = dict(zip(names, every_call))
        if masks:
            entries = [e for n, e in zip(names, entries) if n not in masks]
            names = [n for n in names if n not in masks]
        layer_names = [n for n in names if n not in operations]
        position = {n: i for i, n in enumerate(layer_names)}
        by_name = dict(zip(names, entries))
        op_layers = {n for n, e in by_name.items() if n in operations or e.get("class_name") in OP_LAMBDAS}
        recorded: Dict[Tuple[str, int, int], Any] = {}
        for n in names:
            for _, _, node in calls[n]:  # a node's tensors: (layer, call, tensor, shape)
                for src, node_index, tensor_index, shape in node:
                    if shape != UNKNOWN:
                        recorded.setdefault((src, node_index, tensor_index), shape)
        for n in names:
            for key, shape in _built_on(by_name[n], calls[n]):
                recorded.setdefault(key, shape)
        for (src, node_index, tensor_index), shape in zip(_history_list(config.get("output_layers")), hints):
            if shape != UNKNOWN:
                recorded.setdefault((src, node_index, tensor_index), shape)
        tensor_counts: Dict[Tuple[str, int], int] = {}  # (layer, node) → how many output tensors are recorded
        most = self.budgets.outputs
        for src, node_index, tensor_index in recorded:
            if tensor_index >= most:
                raise SavedModelError(str(budgets.exceeded(
                    f"{self.source}: output {tensor_index:,} of layer {short_repr(src)} (call {node_index}) is read, "
                    f"so that call would have {tensor_index + 1:,} output tensors, which", "outputs")))
            key = (src, node_index)
            if tensor_index + 1 > tensor_counts.get(key, 0):
                tensor_counts[key] = tensor_index + 1
        edges: List[Tuple[str, str]] = []
        seen_edges = set()
        limit = self.budgets.edge_limit(self.count)
        for n in names:
            for _, _, node in calls[n]:
                for src, _, _, _ in node:
                    if (src, n) not in seen_edges and src in by_name and src not in masks:
                        seen_edges.add((src, n))
                        edges.append((src, n))
                        self.edges += 1
                        if self.edges > limit:
                            raise SavedModelError(str(budgets.exceeded(
                                f"{self.source}: more than {limit:,} connections between layers, which", "edges", limit)))
        order = topological_order(names, edges)
        produced: Dict[Tuple[str, int, int], Any] = {}
        values: Dict[Tuple[str, int, int], tuple] = {}  # contents of shape vectors (`tf.shape(x)[1:3]`)
        described: Dict[str, Layer] = {}
        for n in order:
            entry = by_name[n]
            op_layer = n in op_layers
            first = None
            for k, call in enumerate(calls[n] or [None]):
                node = call[2] if call else []
                inputs = [shape if shape != UNKNOWN else produced.get((src, ni, ti), UNKNOWN)
                          for src, ni, ti, shape in node]
                if k == 0 and (not inputs or UNKNOWN in inputs):
                    build = _shape_list((entry.get("build_config") or {}).get("input_shape"))
                    if build and UNKNOWN not in build:
                        inputs = build
                known = [recorded.get((n, k, t), UNKNOWN) for t in range(tensor_counts.get((n, k), 0))]
                known_values = [values.get((src, ni, ti)) for src, ni, ti, _ in node] if values else [None] * len(node)
                layer, outputs = self._layer(entry, n, inputs, known, position.get(n), call, known_values, op_layer)
                for t, shape in enumerate(outputs):
                    produced[(n, k, t)] = shape
                if call and op_layer and len(outputs) == 1:
                    op_config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
                    value = infer_value(_op_name(entry), op_config, call[0], call[1], inputs, known_values)
                    if value is not None:
                        values[(n, k, 0)] = value
                if first is None:
                    first = layer
            described[n] = first
        layers = tuple(described[n] for n in order)
        outputs = []
        for src, _, _ in _history_list(config.get("output_layers")):
            if src in described and src not in outputs:
                outputs.append(src)
        return ModelGraph(name=name, layers=layers, edges=tuple(edges),
                          inputs=tuple(l.name for l in layers if l.is_input), outputs=tuple(outputs), type=kind)

    def check_calls(self, names: List[str], inbound: List[list]) -> None:
        """Refuse, before reading them, more calls (inbound nodes) than one per layer and the calls budget."""
        counts = [len(nodes) for nodes in inbound]
        self.calls += sum(counts)
        if counts and self.calls - self.count > self.budgets.calls:
            busiest = max(range(len(counts)), key=counts.__getitem__)
            raise SavedModelError(str(budgets.exceeded(
                f"{self.source}: {self.calls - self.count:,} calls beyond one per layer (layer "
                f"{short_repr(names[busiest])} has {counts[busiest]:,} inbound nodes), which", "calls")))

    # -------- one layer

    def _layer(self, entry: dict, name: str, inputs: List[Any], recorded: List[Any], index: Optional[int],
               call=None, values: Sequence[Any] = (), op_layer: Optional[bool] = None):
        cls = str(entry.get("class_name", "Layer"))
        config = entry.get("config")
        if not isinstance(config, dict):
            config = {}
        nested = None
        stored = self.weights[-1].get(name) if self.weights else None
        if op_layer is None:
            op_layer = _is_op_layer(entry)
        try:
            if (cls in SHAPE_RULES or cls in PARAM_RULES or cls in CLASS_CHECKS) and not op_layer:  # others' keys mean other things
                check_layer_config(cls, config)
        except ConfigValueError as exc:
            raise SavedModelError(f"{self.source}: layer {short_repr(name)} ({short_repr(cls, 40)}): {exc}") from None
        for shape in inputs:
            problem = check_shape(shape, "an input shape")
            if problem:
                raise SavedModelError(f"{self.source}: layer {short_repr(name)}: {problem}")
        if _is_model(entry):
            nested = self.model(entry, hints=recorded, given_inputs=inputs, weights=stored[1] if stored else None)
            inferred = [l.output_shapes[0] if l.output_shapes else UNKNOWN
                        for o in nested.outputs for l in [nested.layer(o)]] or [UNKNOWN]
            trainable, frozen = (nested.trainable_params, nested.non_trainable_params) if nested.params_known else (None, None)
        elif op_layer:
            args, kwargs = (call[0], call[1]) if call else ([], {})
            inferred = infer_op(_op_name(entry), config, args, kwargs, inputs, values)
            trainable, frozen = 0, 0
        else:
            inferred = layer_output_shapes(cls, config, inputs)
            trainable, frozen = layer_param_counts(cls, config, inputs)
        if stored is not None and nested is None:
            trainable, frozen = _split_count(stored[0], trainable, frozen)
        flag = config.get("trainable")
        if flag is False and trainable is not None and frozen is not None:
            trainable, frozen = 0, trainable + frozen
        if isinstance(trainable, int) and isinstance(frozen, int) and trainable + frozen > self.budgets.params:
            raise SavedModelError(str(budgets.exceeded(
                f"{self.source}: layer {short_repr(name)} has {trainable + frozen:,} parameters, which", "params")))
        if recorded:
            outputs = tuple(
                recorded[t] if t < len(recorded) and recorded[t] != UNKNOWN else (inferred[t] if t < len(inferred) else UNKNOWN)
                for t in range(max(len(inferred), len(recorded))))
        else:
            outputs = tuple(inferred)
        for shape in outputs:
            problem = check_shape(shape, "the output shape")
            if problem:
                raise SavedModelError(f"{self.source}: layer {short_repr(name)}: {problem}")
        layer = Layer(
            name=name, type=_type_name(cls, entry), output_shapes=outputs or (UNKNOWN,),
            trainable_params=trainable, non_trainable_params=frozen, config=_key_config(config),
            index=index, is_input=cls == "InputLayer", nested=nested,
            trainable=flag if isinstance(flag, bool) else None, full_config=config,
        )
        return layer, outputs


def _mask_operations(names: List[str], every_call: List[list], ops: set, output_layers) -> set:
    """Keras 3 ops (`ops`) that Keras generated to compute masks (`mask_zero=True`, `Masking`), which the live
    drawing leaves out too: ops used only as a call's `mask` / `*_mask` argument, or by nothing when
    not a model output, or only by such ops. `every_call`: each layer's `_node_call`s."""
    if not ops:
        return set()
    uses: Dict[str, List[Tuple[str, bool]]] = {}
    for n, layer_calls in zip(names, every_call):
        for _, kwargs, found in layer_calls:
            as_mask = {t.index for key, value in kwargs.items() if key == "mask" or str(key).endswith("_mask")
                       for t in _tensor_args(value)}
            for i, (src, _, _, _) in enumerate(found):
                uses.setdefault(src, []).append((n, i in as_mask))
    outputs = {src for src, _, _ in _history_list(output_layers)}
    dropped = {n for n in ops if n not in outputs and all(mask for _, mask in uses.get(n, []))}
    # then, until nothing changes, ops whose every use is a mask or by a dropped op: each use is looked at
    # once, when its user is dropped (a worklist, linear in the uses)
    blocking = {n: sum(1 for _, mask in uses.get(n, []) if not mask) for n in ops}
    feeds: Dict[str, List[str]] = {}
    for src, found in uses.items():
        for user, mask in found:
            if not mask:
                feeds.setdefault(user, []).append(src)
    pending = list(dropped)
    while pending:
        for src in feeds.get(pending.pop(), ()):
            if src in blocking:
                blocking[src] -= 1
                if blocking[src] == 0 and src not in dropped and src not in outputs:
                    dropped.add(src)
                    pending.append(src)
    return dropped


def _built_on(entry: dict, calls: list) -> List[Tuple[Tuple[str, int, int], Any]]:
    """(tensor, shape) for the tensors a layer was built on, from its `build_config` (tf_keras `.keras`
    files record no tensor shapes, but every layer's build input shape): so the output shape of a layer
    kerasvg has no rule for is known where a layer consumes it. Only for a layer called once, on a
    first argument made of tensors alone, as many as the build shapes."""
    if len(calls) != 1 or not calls[0][0]:
        return []
    build = entry.get("build_config")
    build = build.get("input_shape") if isinstance(build, dict) else None
    if build is None:
        return []
    first, found = calls[0][0][0], calls[0][2]
    tensors = _tensor_args(first)
    shapes = _shape_list(build)
    if not _tensors_only(first) or len(tensors) != len(shapes):
        return []
    return [(found[t.index][:3], shape) for t, shape in zip(tensors, shapes) if shape != UNKNOWN]


def _tensors_only(value) -> bool:
    if isinstance(value, TensorArg):
        return True
    items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else None
    return bool(items) and all(_tensors_only(item) for item in items)


def _outside_graph(names: List[str], entries: List[dict], inbound: List[list], every_call: List[list],
                   config: dict) -> set:
    """Layers a functional config lists but its graph never calls: tf_keras saves every layer the model
    tracks (kecam's YOLOv8 keeps a `DecodePredictions` layer as an attribute) with no inbound nodes;
    the loaded model, like the live drawing, leaves them out. `inbound` and `every_call`: each layer's
    nodes and their `_node_call`s."""
    ends = {src for key in ("input_layers", "output_layers") for src, _, _ in _history_list(config.get(key))}
    idle = {n for n, e, nodes in zip(names, entries, inbound) if not nodes and e.get("class_name") != "InputLayer"
            and n not in ends}
    if not idle:
        return idle
    used = {src for layer_calls in every_call for call in layer_calls for src, _, _, _ in call[2]}
    return idle - used


def _tensor_args(value) -> List[TensorArg]:
    if isinstance(value, TensorArg):
        return [value]
    if isinstance(value, dict):
        return [t for key in sorted(value) for t in _tensor_args(value[key])]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensor_args(item)]
    return []


def _split_count(count: int, trainable: Optional[int], frozen: Optional[int]) -> Tuple[int, int]:
    """A layer's stored weight count, split as its class's rule splits it (BatchNormalization's moving
    statistics are non-trainable); all trainable when the rule does not know the class."""
    if trainable is not None and frozen is not None and trainable + frozen == count:
        return trainable, frozen
    return count, 0


def _is_operation(entry: dict) -> bool:
    """A `keras.ops` call in a functional graph: drawn, but not one of `model.layers`.

    Keras 3 names each entry's module, except in its legacy `.h5` files; there an operation is told
    by its config, which lacks the `trainable` that every layer but InputLayer writes."""
    if "module" in entry:
        return str(entry.get("module") or "").startswith(("keras.src.ops", "keras.ops"))
    config, nodes = entry.get("config"), _inbound_nodes(entry)
    return (isinstance(config, dict) and "trainable" not in config and entry.get("class_name") != "InputLayer"
            and bool(nodes) and all(isinstance(node, dict) for node in nodes))


OP_LAMBDAS = ("TFOpLambda", "SlicingOpLambda")  # tf_keras's layers calling one op


def _is_op_layer(entry: dict) -> bool:
    """A weightless call of one tensor op: a Keras 3 operation node or a tf_keras `TFOpLambda`."""
    return _is_operation(entry) or entry.get("class_name") in OP_LAMBDAS


def _op_name(entry: dict) -> str:
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    function = config.get("function") if entry.get("class_name") in OP_LAMBDAS else None
    return op_name(str(entry.get("class_name")), function if isinstance(function, str) else None)


def _inbound_nodes(entry: dict) -> list:
    """A layer's inbound nodes; an op layer written as one flat `[name, node, tensor, kwargs]` is one node."""
    nodes = _node_list(entry.get("inbound_nodes"))
    if nodes and isinstance(nodes[0], str):
        return [nodes]
    return nodes


def _type_name(cls: str, entry: dict) -> str:
    """The class name as live models show it: tf_keras `.h5` files write a registered class as `package>Name`."""
    registered = entry.get("registered_name")
    if isinstance(registered, str) and ">" in registered:
        return registered.split(">")[-1]
    return cls.split(">")[-1]


def _layer_name(entry: dict, position: int) -> str:
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    return str(entry.get("name") or config.get("name") or f"layer_{position}")


def _node_list(value) -> list:
    return value if isinstance(value, list) else []


def _node_call(node) -> Tuple[list, dict, List[Tuple[str, int, int, Any]]]:
    """A node's call arguments, with each tensor replaced by a `TensorArg` indexing the tensor list.

    Keras 3 writes `{"args": [...], "kwargs": {...}}` with `__keras_tensor__` entries; Keras 2 and
    tf_keras write the first argument's tensors as `[name, node, tensor, kwargs]` (a list of them, or a
    single one for op layers, or `["_CONSTANT_VALUE", -1, value, kwargs]`) and further tensors in the
    kwargs as `[name, node, tensor]`, at any depth."""
    found: List[Tuple[str, int, int, Any]] = []
    if isinstance(node, dict):
        args = _walk(node.get("args", []), found)  # a new list, or one value
        kwargs = _walk(node.get("kwargs", {}), found)
        return args if isinstance(args, list) else [args], kwargs if isinstance(kwargs, dict) else {}, found
    if not isinstance(node, list):
        return [], {}, found
    attached: List[dict] = []
    first = _walk_legacy_first(node, found, attached)
    kwargs = _walk_legacy(attached[0], found) if attached else {}
    return [first], kwargs, found


def _walk(value, found):
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__" and isinstance(value.get("config"), dict):
            history = value["config"].get("keras_history") or []
            if len(history) >= 3:
                found.append((str(history[0]), int(history[1]), int(history[2]), json_shape(value["config"].get("shape"))))
                return TensorArg(len(found) - 1)
            return None
        return {key: _walk(value[key], found) for key in sorted(value)} if value else {}
    if isinstance(value, (list, tuple)):
        return [_walk(item, found) for item in value]
    return value


def _is_legacy_ref(value, size: int) -> bool:
    return (isinstance(value, list) and len(value) == size and isinstance(value[0], str)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:3]))


def _walk_legacy_first(value, found, attached):
    """The first call argument of a Keras 2 node: `[name, node, tensor, kwargs]` entries in any nesting."""
    if isinstance(value, list) and len(value) == 4 and value[:2] == ["_CONSTANT_VALUE", -1]:
        if isinstance(value[3], dict):
            attached.append(value[3])
        return value[2]
    if _is_legacy_ref(value, 4) and isinstance(value[3], dict) or _is_legacy_ref(value, 3):
        found.append((value[0], int(value[1]), int(value[2]), UNKNOWN))
        if len(value) == 4:
            attached.append(value[3])
        return TensorArg(len(found) - 1)
    if isinstance(value, list):
        return [_walk_legacy_first(item, found, attached) for item in value]
    if isinstance(value, dict):
        return {key: _walk_legacy_first(value[key], found, attached) for key in sorted(value)}
    return value


def _walk_legacy(value, found):
    """Keras 2 call kwargs: tensors are `[name, node, tensor]` at any depth of lists and dicts."""
    if _is_legacy_ref(value, 3):
        found.append((value[0], int(value[1]), int(value[2]), UNKNOWN))
        return TensorArg(len(found) - 1)
    if isinstance(value, list):
        return [_walk_legacy(item, found) for item in value]
    if isinstance(value, dict):
        return {key: _walk_legacy(value[key], found) for key in sorted(value)}
    return value


def _history_list(value) -> List[Tuple[str, int, int]]:
    """input_layers / output_layers: a triple, a list of triples, or a dict of them."""
    if isinstance(value, dict):
        return [t for key in sorted(value) for t in _history_list(value[key])]
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and isinstance(value[1], int):
        return [(value[0], value[1], value[2])]
    if isinstance(value, list):
        return [t for item in value for t in _history_list(item)]
    return []


def _key_config(config: dict) -> Tuple[Tuple[str, object], ...]:
    result = []
    keys = [k for k in config if k in _KEY_ORDER]
    if "merge_mode" in config and "return_sequences" not in keys:  # Bidirectional: the wrapped layer's
        keys.append("return_sequences")
    if len(keys) > 1:
        keys.sort(key=_KEY_ORDER.__getitem__)
    for key in keys:
        value = config.get(key)
        if value is None and key == "return_sequences" and "merge_mode" in config:
            wrapped = config.get("layer") if isinstance(config.get("layer"), dict) else {}
            value = (wrapped.get("config") or {}).get(key)
        value = _plain(value)
        if value is not None:
            result.append((key, value))
    wrapped = config.get("layer") or config.get("forward_layer")
    if isinstance(wrapped, dict) and "class_name" in wrapped:
        result.append(("layer", str(wrapped["class_name"])))
    return tuple(result)


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        items = tuple(_plain(v) for v in value)
        return None if any(v is None and o is not None for v, o in zip(items, value)) else items
    if isinstance(value, dict):
        name = value.get("class_name") if "class_name" in value else None
        return str(name) if name is not None else None
    return None
