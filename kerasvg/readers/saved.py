"""Saved model files (`.keras`, model-config `.json`, legacy `.h5`) → ModelGraph, without Keras.

Only the model config is read, never the weights, and nothing in the file is executed.
Shapes come from what the file records (Keras-tensor entries of the inbound nodes, build
configs); the rest is inferred by the per-class rules below, and `?` marks what cannot be known.
"""
from __future__ import annotations

import json
import math
import os
import re
import stat
import zipfile
import zlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .. import budgets
from .configcheck import ConfigValueError, check_layer_config, check_shape, short_repr
from ..graph.model import UNKNOWN, Layer, ModelGraph, topological_order
from .oprules import TensorArg, infer_op, infer_value, op_name
from .weights import WeightTree, read_weight_tree, read_weight_tree_h5py, weights_location

CONFIG_KEYS = (
    "units", "filters", "kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier",
    "pool_size", "activation", "rate", "num_heads", "key_dim", "input_dim", "output_dim",
    "target_shape", "return_sequences", "size", "cropping", "merge_mode", "axis", "groups",
)
_KEY_ORDER = {key: i for i, key in enumerate(CONFIG_KEYS)}
MODEL_CLASSES = ("Functional", "Sequential", "Model")
ZIP_MAGIC = b"PK\x03\x04"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


class SavedModelError(ValueError):
    """A saved model file that cannot be read; the message names the file and the problem."""


class NeedsLibraryError(SavedModelError):
    """A model class whose config holds constructor arguments (keras_hub, any registered model class):
    only the library that defines it can build the layer graph."""

    def __init__(self, source: str, registered: str, package: str):
        self.registered, self.package = registered, package
        super().__init__(
            f"{source}: {registered} is a model class whose file holds its constructor arguments, not a layer "
            f"graph, so it can only be drawn by building it with {package}: rerun with --load "
            f"(Python: load=True), for files you trust")


# ---------------------------------------------------------------- files


def read_saved_model(path) -> ModelGraph:
    """Read a `.keras` zip, a model-config `.json` or a legacy `.h5` file into a ModelGraph."""
    path = Path(path)
    if not path.exists():
        raise SavedModelError(f"{path}: no such file")
    if path.is_dir():
        raise SavedModelError(f"{path}: is a folder, not a model file (.keras, .h5 or .json)")
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise SavedModelError(f"{path}: not a regular file (a FIFO, device or socket), so not read")
    with open(path, "rb") as handle:
        head = handle.read(8)
    weights = None
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        text = _config_from_zip(path)
        weights = _weights_of(path)
    elif head.startswith(HDF5_MAGIC):
        text, tree = _config_from_h5(path)
        weights = WeightTree(tree["layers"]) if tree else None
    elif path.suffix.lower() in (".keras", ".h5", ".hdf5"):
        kind = "a zip archive" if path.suffix.lower() == ".keras" else "an HDF5 file"
        raise SavedModelError(f"{path}: not {kind}, so not a saved Keras model (is the file truncated or renamed?)")
    else:
        text = _read_capped(path)
    config = _parse_json(text, path)
    return graph_from_config(config, source=str(path), weights=weights)


def _weights_of(path: Path) -> Optional[WeightTree]:
    """The weight counts of a `.keras` archive's `model.weights.h5`, or None when there are none or they
    cannot be read: counts then come from the config where kerasvg knows the class, and are unknown
    otherwise. Read in pure Python (`kerasvg.readers.hdf5`); files using parts of HDF5 it does not read go to
    h5py in a child process (a crafted HDF5 file can crash the library)."""
    from .hdf5 import FormatError
    from .isolate import IsolationError, run_isolated

    location = weights_location(path)
    if location is None:
        return None
    try:
        tree = read_weight_tree(str(path), *location)
    except (FormatError, OSError):
        try:
            tree = run_isolated(weight_tree_or_none, str(path), *location, memory_bytes=H5_CHILD_MEMORY,
                                seconds=H5_CHILD_SECONDS, what="the HDF5 library")
        except (IsolationError, OSError):
            return None
    return WeightTree(tree["layers"]) if tree else None


def weight_tree_or_none(path: str, offset: int = 0, length: Optional[int] = None) -> Optional[dict]:
    """`read_weight_tree_h5py`, or None when h5py is missing or the weights cannot be parsed (run it isolated)."""
    try:
        import h5py  # noqa: F401
    except ImportError:
        return None
    try:
        return read_weight_tree_h5py(path, offset, length)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, IndexError):
        return None


def _read_capped(path: Path) -> bytes:
    try:
        return budgets.read_bounded(path, "model config")
    except budgets.BudgetError as exc:
        raise SavedModelError(str(exc)) from None


def _config_from_zip(path: Path) -> bytes:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SavedModelError(f"{path}: not a readable zip archive ({exc})") from None
    with archive:
        try:
            info = archive.getinfo("config.json")
        except KeyError:
            names = ", ".join(archive.namelist()[:5]) or "nothing"
            raise SavedModelError(f"{path}: the archive has no config.json, so it is not a .keras model (it holds {names})") from None
        limit = budgets.current().input_bytes
        if info.file_size > limit:
            raise SavedModelError(str(budgets.exceeded(f"{path}: config.json unpacks to {info.file_size:,} bytes, which",
                                                       "input_bytes")))
        try:
            with archive.open(info) as member:
                data = member.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise SavedModelError(f"{path}: config.json cannot be unpacked ({exc})") from None
    if len(data) > limit:
        raise SavedModelError(str(budgets.exceeded(f"{path}: config.json unpacks to more than it declares, which",
                                                   "input_bytes")))
    return data


def _config_from_h5(path: Path) -> Tuple[bytes, Optional[dict]]:
    """The `model_config` attribute and the weight counts, read in a child process: a crafted HDF5 file
    can crash the library."""
    from .isolate import IsolationError, run_isolated

    limit = budgets.current().input_bytes
    try:
        return run_isolated(h5_model_config_and_weights, str(path), limit, memory_bytes=4 * limit + H5_CHILD_MEMORY,
                            seconds=H5_CHILD_SECONDS, what="the HDF5 library")
    except IsolationError as exc:
        raise SavedModelError(f"{path}: {exc} (reading this file in a child process)") from None


H5_CHILD_MEMORY = 1536 * 1024 ** 2  # address space h5py and numpy need before reading anything
H5_CHILD_SECONDS = 15


def h5_model_config_and_weights(path: str, limit: int) -> Tuple[bytes, Optional[dict]]:
    """`model_config` and the weight counts of a legacy `.h5` file, in one child process."""
    return h5_model_config(path, limit), weight_tree_or_none(path)


def h5_model_config(path: str, limit: int) -> bytes:
    """`model_config` of a legacy `.h5` file as bytes, at most `limit` of them (run it isolated)."""
    try:
        import h5py
    except ImportError:
        raise SavedModelError(f"{path}: reading legacy .h5 files needs h5py: pip install 'kerasvg[h5]'") from None
    try:
        with h5py.File(path, "r") as handle:
            if "model_config" not in handle.attrs:
                raw = None
            else:
                stored = h5py.h5a.open(handle.id, b"model_config").get_storage_size()
                if stored > limit:
                    raise SavedModelError(str(budgets.exceeded(
                        f"{path}: the model_config attribute of {stored:,} bytes", "input_bytes", limit)))
                raw = handle.attrs.get("model_config")
    except OSError as exc:
        raise SavedModelError(f"{path}: not a readable HDF5 file ({exc})") from None
    if raw is None:
        raise SavedModelError(f"{path}: the HDF5 file has no model_config (a weights-only file?), so there is no model to draw")
    data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
    if len(data) > limit:
        raise SavedModelError(str(budgets.exceeded(
            f"{path}: the model_config attribute of {len(data):,} bytes", "input_bytes", limit)))
    return data


def _parse_json(data: bytes, path) -> dict:
    try:
        config = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SavedModelError(f"{path}: not a JSON model config (the bytes are not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SavedModelError(f"{path}: corrupt JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise SavedModelError(f"{path}: JSON nested too deeply to be a model config") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        digits = re.search(r"has (\d+) digits", str(exc))
        what = f"an integer of {digits.group(1)} digits" if digits else str(exc)
        raise SavedModelError(f"{path}: not a usable JSON model config ({what}; no model needs such a number)") from None
    depth = _json_depth(config)
    if depth > budgets.current().depth:
        raise SavedModelError(str(budgets.exceeded(f"{path}: JSON nested {depth} deep, which", "depth")))
    if not isinstance(config, dict):
        raise SavedModelError(f"{path}: expected a JSON object (what model.to_json() writes), got a JSON {type(config).__name__}")
    return config


def _json_depth(value) -> int:
    """How deeply lists and objects nest (level by level, so any depth is safe to measure)."""
    depth, level = 0, [value] if isinstance(value, (list, dict)) else []
    while level:
        depth += 1
        deeper = []
        for item in level:
            deeper += [c for c in (item.values() if isinstance(item, dict) else item) if isinstance(c, (list, dict))]
        level = deeper
    return depth


# ---------------------------------------------------------------- configs


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


def _shape(value) -> Any:
    """A JSON shape list → tuple (None kept), or UNKNOWN."""
    if isinstance(value, dict) and "class_name" in value and isinstance(value.get("config"), dict):
        value = value["config"].get("shape", value["config"].get("items"))
    if isinstance(value, (list, tuple)) and all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value):
        return tuple(value)
    return UNKNOWN


def _shape_list(value) -> List[Any]:
    """build_config input_shape: one shape or a list/dict of shapes → list of shapes."""
    if value is None:
        return []
    if isinstance(value, dict) and not ("class_name" in value):
        return [_shape(value[k]) for k in sorted(value)]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple, dict)) or v is None for v in value) \
            and any(isinstance(v, (list, tuple, dict)) for v in value):
        return [_shape(v) for v in value]
    return [_shape(value)]


class _Reader:
    def __init__(self, source: str):
        self.source = source
        self.count = 0
        self.edges = 0
        self.depth = 0
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
        self.weights.append(weights.match([(_layer_name(e, i), str(e.get("class_name")))
                                           for i, e in enumerate(layers)]) if weights is not None else {})
        try:
            if "input_layers" in config or any(l.get("inbound_nodes") for l in layers):
                return self._functional(name, kind, config, hints)
            return self._sequential(name, kind, config, hints, given_inputs)
        finally:
            self.weights.pop()

    # -------- structure

    def _sequential(self, name, kind, config, hints, given_inputs) -> ModelGraph:
        entries = list(config["layers"])
        if not entries or entries[0].get("class_name") != "InputLayer":
            first = entries[0]["config"] if entries else {}
            shape = _shape(first.get("batch_input_shape", first.get("batch_shape"))) if first else UNKNOWN
            if shape == UNKNOWN:
                build = config.get("build_input_shape")
                shape = _shape(build) if build is not None else (given_inputs[0] if given_inputs else UNKNOWN)
            if shape != UNKNOWN:
                first_name = first.get("name", "layer") if first else name
                entries.insert(0, {"class_name": "InputLayer",
                                   "config": {"name": f"{first_name}_input", "batch_shape": list(shape)}})
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

    def _functional(self, name, kind, config, hints) -> ModelGraph:
        entries = config["layers"]
        names = [_layer_name(e, i) for i, e in enumerate(entries)]
        masks = _mask_operations(names, entries, config.get("output_layers")) | _outside_graph(names, entries, config)
        if masks:
            entries = [e for n, e in zip(names, entries) if n not in masks]
            names = [n for n in names if n not in masks]
        layer_names = [n for n, e in zip(names, entries) if not _is_operation(e)]
        position = {n: i for i, n in enumerate(layer_names)}
        by_name = dict(zip(names, entries))
        calls = {n: [_node_call(node) for node in _inbound_nodes(e)] for n, e in zip(names, entries)}
        nodes: Dict[str, List[List[Tuple[str, int, int, Any]]]] = {
            n: [call[2] for call in calls[n]] for n in names}
        recorded: Dict[Tuple[str, int, int], Any] = {}
        for tensors in nodes.values():
            for node in tensors:
                for src, node_index, tensor_index, shape in node:
                    if shape != UNKNOWN:
                        recorded.setdefault((src, node_index, tensor_index), shape)
        for n in names:
            for key, shape in _built_on(by_name[n], calls[n]):
                recorded.setdefault(key, shape)
        for (src, node_index, tensor_index), shape in zip(_history_list(config.get("output_layers")), hints):
            if shape != UNKNOWN:
                recorded.setdefault((src, node_index, tensor_index), shape)
        edges: List[Tuple[str, str]] = []
        seen_edges = set()
        limit = budgets.current().edge_limit(self.count)
        for n in names:
            for node in nodes[n]:
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
            layer_nodes = nodes[n] or [[]]
            first = None
            for k, node in enumerate(layer_nodes):
                inputs = [shape if shape != UNKNOWN else produced.get((src, ni, ti), UNKNOWN)
                          for src, ni, ti, shape in node]
                if k == 0 and (not inputs or UNKNOWN in inputs):
                    build = _shape_list((entry.get("build_config") or {}).get("input_shape"))
                    if build and UNKNOWN not in build:
                        inputs = build
                known = [recorded.get((n, k, t), UNKNOWN) for t in range(_tensor_count(recorded, n, k))]
                call = calls[n][k] if k < len(calls[n]) else None
                known_values = [values.get((src, ni, ti)) for src, ni, ti, _ in node]
                layer, outputs = self._layer(entry, n, inputs, known, position.get(n), call, known_values)
                for t, shape in enumerate(outputs):
                    produced[(n, k, t)] = shape
                if call and _is_op_layer(entry) and len(outputs) == 1:
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

    # -------- one layer

    def _layer(self, entry: dict, name: str, inputs: List[Any], recorded: List[Any], index: Optional[int],
               call=None, values: Sequence[Any] = ()):
        cls = str(entry.get("class_name", "Layer"))
        config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        nested = None
        stored = self.weights[-1].get(name) if self.weights else None
        op_layer = _is_op_layer(entry)
        try:
            if (cls in _RULES or cls in _PARAM_RULES) and not op_layer:  # others' keys mean other things
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
            inferred = _infer(cls, config, inputs)
            trainable, frozen = _params(cls, config, inputs)
        if stored is not None and nested is None:
            trainable, frozen = _split_count(stored[0], trainable, frozen)
        if config.get("trainable") is False and trainable is not None and frozen is not None:
            trainable, frozen = 0, trainable + frozen
        if all(isinstance(v, int) for v in (trainable, frozen)) and trainable + frozen > budgets.current().params:
            raise SavedModelError(str(budgets.exceeded(
                f"{self.source}: layer {short_repr(name)} has {trainable + frozen:,} parameters, which", "params")))
        count = max(len(inferred), len(recorded))
        outputs = tuple(
            recorded[t] if t < len(recorded) and recorded[t] != UNKNOWN else (inferred[t] if t < len(inferred) else UNKNOWN)
            for t in range(count))
        for shape in outputs:
            problem = check_shape(shape, "the output shape")
            if problem:
                raise SavedModelError(f"{self.source}: layer {short_repr(name)}: {problem}")
        layer = Layer(
            name=name, type=_type_name(cls, entry), output_shapes=outputs or (UNKNOWN,),
            trainable_params=trainable, non_trainable_params=frozen, config=_key_config(config),
            index=index, is_input=cls == "InputLayer", nested=nested,
            trainable=config.get("trainable") if isinstance(config.get("trainable"), bool) else None,
            full_config=config,
        )
        return layer, outputs


def _mask_operations(names: List[str], entries: List[dict], output_layers) -> set:
    """Keras 3 ops that Keras generated to compute masks (`mask_zero=True`, `Masking`), which the live
    drawing leaves out too: ops used only as a call's `mask` / `*_mask` argument, or by nothing when
    not a model output, or only by such ops."""
    ops = {n for n, e in zip(names, entries) if _is_operation(e)}
    if not ops:
        return set()
    uses: Dict[str, List[Tuple[str, bool]]] = {}
    for n, entry in zip(names, entries):
        for node in _inbound_nodes(entry):
            _, kwargs, found = _node_call(node)
            as_mask = {t.index for key, value in kwargs.items() if key == "mask" or str(key).endswith("_mask")
                       for t in _tensor_args(value)}
            for i, (src, _, _, _) in enumerate(found):
                uses.setdefault(src, []).append((n, i in as_mask))
    outputs = {src for src, _, _ in _history_list(output_layers)}
    dropped = {n for n in ops if n not in outputs and all(mask for _, mask in uses.get(n, []))}
    while True:
        more = {n for n in ops - dropped if n not in outputs and uses.get(n)
                and all(mask or user in dropped for user, mask in uses[n])}
        if not more:
            return dropped
        dropped |= more


def _built_on(entry: dict, calls: list) -> List[Tuple[Tuple[str, int, int], Any]]:
    """(tensor, shape) for the tensors a layer was built on, from its `build_config` (tf_keras `.keras`
    files record no tensor shapes, but every layer's build input shape): so the output shape of a layer
    kerasvg has no rule for is known where a layer consumes it. Only for a layer called once, on a
    first argument made of tensors alone, as many as the build shapes."""
    build = (entry.get("build_config") or {}).get("input_shape") if isinstance(entry.get("build_config"), dict) else None
    if build is None or len(calls) != 1 or not calls[0][0]:
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


def _outside_graph(names: List[str], entries: List[dict], config: dict) -> set:
    """Layers a functional config lists but its graph never calls: tf_keras saves every layer the model
    tracks (kecam's YOLOv8 keeps a `DecodePredictions` layer as an attribute) with no inbound nodes;
    the loaded model, like the live drawing, leaves them out."""
    ends = {src for key in ("input_layers", "output_layers") for src, _, _ in _history_list(config.get(key))}
    idle = {n for n, e in zip(names, entries) if not _inbound_nodes(e) and e.get("class_name") != "InputLayer"
            and n not in ends}
    if not idle:
        return idle
    used = {src for entry in entries for node in _inbound_nodes(entry) for src, _, _, _ in _node_call(node)[2]}
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
    """A `keras.ops` call in a functional graph: drawn, but not one of `model.layers`."""
    module = str(entry.get("module") or "")
    return module.startswith(("keras.src.ops", "keras.ops"))


def _is_op_layer(entry: dict) -> bool:
    """A weightless call of one tensor op: a Keras 3 operation node or a tf_keras `TFOpLambda`."""
    return _is_operation(entry) or entry.get("class_name") in ("TFOpLambda", "SlicingOpLambda")


def _op_name(entry: dict) -> str:
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    function = config.get("function") if entry.get("class_name") in ("TFOpLambda", "SlicingOpLambda") else None
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


def _node_tensors(node) -> List[Tuple[str, int, int, Any]]:
    """(source layer, node index, tensor index, recorded shape) for every tensor a node consumes."""
    return _node_call(node)[2]


def _node_call(node) -> Tuple[list, dict, List[Tuple[str, int, int, Any]]]:
    """A node's call arguments, with each tensor replaced by a `TensorArg` indexing the tensor list.

    Keras 3 writes `{"args": [...], "kwargs": {...}}` with `__keras_tensor__` entries; Keras 2 and
    tf_keras write the first argument's tensors as `[name, node, tensor, kwargs]` (a list of them, or a
    single one for op layers, or `["_CONSTANT_VALUE", -1, value, kwargs]`) and further tensors in the
    kwargs as `[name, node, tensor]`, at any depth."""
    found: List[Tuple[str, int, int, Any]] = []
    if isinstance(node, dict):
        args = _walk(node.get("args", []), found)
        kwargs = _walk(node.get("kwargs", {}), found)
        return list(args) if isinstance(args, list) else [args], kwargs if isinstance(kwargs, dict) else {}, found
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
                found.append((str(history[0]), int(history[1]), int(history[2]), _shape(value["config"].get("shape"))))
                return TensorArg(len(found) - 1)
            return None
        return {key: _walk(value[key], found) for key in sorted(value)}
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


def _tensor_count(recorded, name, node) -> int:
    return max((t + 1 for (n, k, t) in recorded if n == name and k == node), default=0)


def _key_config(config: dict) -> Tuple[Tuple[str, object], ...]:
    result = []
    wrapped = config.get("layer") if isinstance(config.get("layer"), dict) else {}
    keys = [k for k in config if k in _KEY_ORDER]
    if "merge_mode" in config and "return_sequences" not in keys:  # Bidirectional: the wrapped layer's
        keys.append("return_sequences")
    for key in sorted(keys, key=_KEY_ORDER.__getitem__):
        value = config.get(key)
        if value is None and key == "return_sequences" and "merge_mode" in config:
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


# ---------------------------------------------------------------- shape rules


def _infer(cls: str, config: dict, inputs: List[Any]) -> List[Any]:
    """Output shapes of one call of a layer from its config and input shapes; UNKNOWN where unsure."""
    if cls == "InputLayer":
        return [_shape(config.get("batch_shape", config.get("batch_input_shape")))]
    rule = _RULES.get(cls)
    if rule is None or not inputs or any(s == UNKNOWN for s in inputs[:1]):
        return [UNKNOWN]
    try:
        result = rule(config, inputs)
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError):
        return [UNKNOWN]
    return result if isinstance(result, list) else [result]


def _ints(value, n: int) -> Tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * n
    return tuple(value)


def _channels_first(config) -> bool:
    return config.get("data_format") == "channels_first"


def _split(config, shape):
    """(batch, spatial dims, channels) of an N-D feature map."""
    if _channels_first(config):
        return shape[0], list(shape[2:]), shape[1]
    return shape[0], list(shape[1:-1]), shape[-1]


def _join(config, batch, spatial, channels):
    if _channels_first(config):
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


def _conv_length(n, kernel, stride, padding, dilation):
    if n is None:
        return None
    effective = dilation * (kernel - 1) + 1
    if padding == "valid":
        return (n - effective) // stride + 1
    return (n - 1) // stride + 1


def _deconv_length(n, kernel, stride, padding, dilation, output_padding):
    if n is None:
        return None
    effective = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        return n * stride + max(effective - stride, 0) if padding == "valid" else n * stride
    pad = effective // 2 if padding == "same" else 0
    return (n - 1) * stride + effective - 2 * pad + output_padding


def _window(config, n):
    """A convolution's kernel size, strides and dilation, one per spatial dimension."""
    return (_ints(config["kernel_size"], n), _ints(config.get("strides", 1), n),
            _ints(config.get("dilation_rate", 1), n))


def _conv(config, inputs):
    batch, spatial, channels = _split(config, inputs[0])
    n = len(spatial)
    kernel, strides, dilation = _window(config, n)
    padding = config.get("padding", "valid")
    out = [_conv_length(spatial[i], kernel[i], strides[i], padding, dilation[i]) for i in range(n)]
    filters = config.get("filters")
    if filters is None:  # depthwise
        filters = None if channels is None else channels * config.get("depth_multiplier", 1)
    return _join(config, batch, out, filters)


def _deconv(config, inputs):
    batch, spatial, _ = _split(config, inputs[0])
    n = len(spatial)
    kernel, strides, dilation = _window(config, n)
    extra = config.get("output_padding")
    extra = _ints(extra, n) if extra is not None else (None,) * n
    out = [_deconv_length(spatial[i], kernel[i], strides[i], config.get("padding", "valid"), dilation[i], extra[i])
           for i in range(n)]
    return _join(config, batch, out, config["filters"])


def _pool(config, inputs):
    batch, spatial, channels = _split(config, inputs[0])
    n = len(spatial)
    size = _ints(config.get("pool_size", 2), n)
    strides = _ints(config.get("strides") or size, n)
    padding = config.get("padding", "valid")
    out = [_conv_length(spatial[i], size[i], strides[i], padding, 1) for i in range(n)]
    return _join(config, batch, out, channels)


def _global_pool(config, inputs):
    batch, spatial, channels = _split(config, inputs[0])
    if config.get("keepdims"):
        return _join(config, batch, [1] * len(spatial), channels)
    return (batch, channels)


def _same(config, inputs):
    return inputs[0]


def _dense(config, inputs):
    return (*inputs[0][:-1], config["units"])


def _flatten(config, inputs):
    shape = inputs[0]
    rest = shape[1:]
    return (shape[0], None if any(d is None for d in rest) else math.prod(rest))


def _reshape(config, inputs):
    target = list(config["target_shape"])
    known = inputs[0][1:]
    if -1 in target:
        total = None if any(d is None for d in known) else math.prod(known)
        fixed = math.prod(d for d in target if d != -1)
        target[target.index(-1)] = None if total is None or fixed == 0 else total // fixed
    return (inputs[0][0], *target)


def _permute(config, inputs):
    shape = inputs[0]
    return (shape[0], *(shape[d] for d in config["dims"]))


def _repeat(config, inputs):
    return (inputs[0][0], config["n"], *inputs[0][1:])


def _resample(kind):
    def rule(config, inputs):
        batch, spatial, channels = _split(config, inputs[0])
        n = len(spatial)
        if kind == "up":
            size = _ints(config.get("size", 2), n)
            out = [None if d is None else d * s for d, s in zip(spatial, size)]
        else:
            amounts = config.get("padding" if kind == "pad" else "cropping", 1)
            pairs = _pairs(amounts, n)
            sign = 1 if kind == "pad" else -1
            out = [None if d is None else d + sign * sum(p) for d, p in zip(spatial, pairs)]
        return _join(config, batch, out, channels)
    return rule


def _pairs(amounts, n):
    if isinstance(amounts, int):
        return [(amounts, amounts)] * n
    amounts = list(amounts)
    if n == 1 and len(amounts) == 2 and all(isinstance(a, int) for a in amounts):
        return [tuple(amounts)]
    return [(a, a) if isinstance(a, int) else tuple(a) for a in amounts]


def _embedding(config, inputs):
    return (*inputs[0], config["output_dim"])


def _rnn_units(config):
    if "units" in config:
        return config["units"]
    cell = config.get("cell")
    if isinstance(cell, dict):
        return cell.get("config", {}).get("units")
    raise KeyError("units")


_STATES = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1, "ConvLSTM1D": 2, "ConvLSTM2D": 2, "ConvLSTM3D": 2}


def _rnn(cls):
    def rule(config, inputs):
        shape = inputs[0]
        units = _rnn_units(config)
        out = (shape[0], shape[1], units) if config.get("return_sequences") else (shape[0], units)
        if config.get("return_state"):
            return [out] + [(shape[0], units)] * _STATES.get(cls, 1)
        return [out]
    return rule


def _conv_rnn(config, inputs):
    shape = inputs[0]
    cell_input = (shape[0], *shape[2:])
    step = _conv(config, [cell_input])
    out = (shape[0], shape[1], *step[1:]) if config.get("return_sequences") else step
    if config.get("return_state"):
        return [out, step, step]
    return [out]


def _bidirectional(config, inputs):
    inner = config["layer"]
    inner_cls = inner["class_name"]
    forward = _infer(inner_cls, inner["config"], inputs)
    if UNKNOWN in forward:
        return [UNKNOWN]
    main = forward[0]
    mode = config.get("merge_mode", "concat")
    if mode == "concat":
        merged = [(*main[:-1], None if main[-1] is None else main[-1] * 2)]
    elif mode is None:
        merged = [main, main]
    else:
        merged = [main]
    return merged + forward[1:] * 2


def _time_distributed(config, inputs):
    shape = inputs[0]
    inner = config["layer"]
    step = _infer(inner["class_name"], inner["config"], [(shape[0], *shape[2:])])
    if UNKNOWN in step:
        return [UNKNOWN]
    return [(s[0], shape[1], *s[1:]) for s in step]


def _merge(config, inputs):
    if any(s == UNKNOWN for s in inputs):
        return UNKNOWN
    rank = max(len(s) for s in inputs)
    out = []
    for i in range(rank):
        dims = [s[i - rank + len(s)] for s in inputs if i - rank + len(s) >= 0]
        concrete = [d for d in dims if d not in (None, 1)]
        out.append(concrete[0] if concrete else (1 if all(d == 1 for d in dims) else None))
    return tuple(out)


def _concatenate(config, inputs):
    if any(s == UNKNOWN for s in inputs):
        return UNKNOWN
    axis = config.get("axis", -1)
    first = list(inputs[0])
    dims = [s[axis] for s in inputs]
    first[axis] = None if any(d is None for d in dims) else sum(dims)
    for i in range(len(first)):
        if first[i] is None and i != axis % len(first):
            first[i] = next((s[i] for s in inputs if s[i] is not None), None)
    return tuple(first)


def _resize(config, inputs):
    batch, _, channels = _split(config, inputs[0])
    return _join(config, batch, [config["height"], config["width"]], channels)


def _attention(config, inputs):
    query = inputs[0]
    out = config.get("output_shape")
    if out is None:
        result = query
    else:
        out = _ints(out, 1) if isinstance(out, int) else tuple(out)
        result = (*query[:-1], *out)
    return [result]


def _lambda(config, inputs):
    shape = config.get("output_shape")
    if isinstance(shape, list) and all(d is None or isinstance(d, int) for d in shape):
        return (inputs[0][0], *shape)
    raise ValueError("no output_shape")


_RULES = {
    "Dense": _dense,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Permute": _permute,
    "RepeatVector": _repeat,
    "Embedding": _embedding,
    "LSTM": _rnn("LSTM"), "GRU": _rnn("GRU"), "SimpleRNN": _rnn("SimpleRNN"),
    "CuDNNLSTM": _rnn("LSTM"), "CuDNNGRU": _rnn("GRU"),
    "ConvLSTM1D": _conv_rnn, "ConvLSTM2D": _conv_rnn, "ConvLSTM3D": _conv_rnn,
    "Bidirectional": _bidirectional,
    "TimeDistributed": _time_distributed,
    "Concatenate": _concatenate,
    "Add": _merge, "Subtract": _merge, "Multiply": _merge, "Average": _merge, "Maximum": _merge, "Minimum": _merge,
    "Resizing": _resize, "CenterCrop": _resize,
    "MultiHeadAttention": _attention, "GroupedQueryAttention": _attention,
    "Attention": lambda c, i: i[0], "AdditiveAttention": lambda c, i: i[0],
    "Lambda": _lambda,
}
for _name in ("Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D",
              "DepthwiseConv2D", "Convolution1D", "Convolution2D", "Convolution3D", "SeparableConvolution2D"):
    _RULES[_name] = _conv
for _name in ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Deconvolution2D", "Deconvolution3D"):
    _RULES[_name] = _deconv
for _dims in ("1D", "2D", "3D"):
    for _kind in ("MaxPooling", "AveragePooling", "MaxPool", "AvgPool"):
        _RULES[_kind + _dims] = _pool
    for _kind in ("GlobalMaxPooling", "GlobalAveragePooling", "GlobalMaxPool", "GlobalAvgPool"):
        _RULES[_kind + _dims] = _global_pool
    _RULES["UpSampling" + _dims] = _resample("up")
    _RULES["ZeroPadding" + _dims] = _resample("pad")
    _RULES["Cropping" + _dims] = _resample("crop")
for _name in ("Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU", "Dropout",
              "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
              "AlphaDropout", "ActivityRegularization", "BatchNormalization", "LayerNormalization",
              "GroupNormalization", "UnitNormalization", "RMSNormalization", "Normalization", "Rescaling",
              "Masking", "Identity", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
              "RandomContrast", "RandomBrightness", "SyncBatchNormalization"):
    _RULES[_name] = _same


# ---------------------------------------------------------------- parameter counts


def _params(cls: str, config: dict, inputs: List[Any]) -> Tuple[Optional[int], Optional[int]]:
    """(trainable, non-trainable) weight counts for the common layers; (None, None) when unknown."""
    if cls in WEIGHTLESS:
        return 0, 0
    rule = _PARAM_RULES.get(cls)
    if rule is None or not inputs or inputs[0] == UNKNOWN:
        return None, None
    try:
        result = rule(config, inputs)
    except (TypeError, ValueError, KeyError, IndexError):
        return None, None
    trainable, frozen = result if isinstance(result, tuple) else (result, 0)
    if trainable is None or frozen is None:
        return None, None
    return int(trainable), int(frozen)


WEIGHTLESS = frozenset((
    "InputLayer", "Flatten", "Reshape", "Permute", "RepeatVector", "Concatenate", "Add", "Subtract", "Multiply",
    "Average", "Maximum", "Minimum", "Dot", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "ThresholdedReLU",
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "ActivityRegularization", "Masking", "Identity", "Resizing", "CenterCrop", "Rescaling",
    "Lambda", "TFOpLambda", "SlicingOpLambda", "UnitNormalization",
    *(kind + dims for dims in ("1D", "2D", "3D") for kind in (
        "MaxPooling", "AveragePooling", "MaxPool", "AvgPool", "GlobalMaxPooling", "GlobalAveragePooling",
        "GlobalMaxPool", "GlobalAvgPool", "UpSampling", "ZeroPadding", "Cropping")),
))


def _dim(value) -> int:
    if value is None:
        raise ValueError("unknown dimension")
    return int(value)


def _last_channels(config, shape) -> int:
    return _dim(shape[1] if _channels_first(config) else shape[-1])


def _dense_params(config, inputs):
    units = config["units"]
    return _dim(inputs[0][-1]) * units + (units if config.get("use_bias", True) else 0)


def _conv_params(config, inputs):
    channels = _last_channels(config, inputs[0])
    n = len(inputs[0]) - 2
    kernel = math.prod(_ints(config["kernel_size"], n))
    filters = config["filters"]
    groups = config.get("groups", 1) or 1
    return kernel * channels // groups * filters + (filters if config.get("use_bias", True) else 0)


def _deconv_params(config, inputs):
    channels = _last_channels(config, inputs[0])
    n = len(inputs[0]) - 2
    kernel = math.prod(_ints(config["kernel_size"], n))
    filters = config["filters"]
    return kernel * channels * filters + (filters if config.get("use_bias", True) else 0)


def _depthwise_params(config, inputs):
    channels = _last_channels(config, inputs[0])
    n = len(inputs[0]) - 2
    kernel = math.prod(_ints(config["kernel_size"], n))
    multiplier = config.get("depth_multiplier", 1)
    return kernel * channels * multiplier + (channels * multiplier if config.get("use_bias", True) else 0)


def _separable_params(config, inputs):
    channels = _last_channels(config, inputs[0])
    n = len(inputs[0]) - 2
    kernel = math.prod(_ints(config["kernel_size"], n))
    multiplier = config.get("depth_multiplier", 1)
    filters = config["filters"]
    return kernel * channels * multiplier + channels * multiplier * filters + (filters if config.get("use_bias", True) else 0)


def _axis_size(config, shape):
    axes = config.get("axis", -1)
    axes = axes if isinstance(axes, list) else [axes]
    return math.prod(_dim(shape[a]) for a in axes)


def _batch_norm_params(config, inputs):
    size = _axis_size(config, inputs[0])
    trainable = size * (int(config.get("center", True)) + int(config.get("scale", True)))
    return trainable, 2 * size


def _layer_norm_params(config, inputs):
    size = _axis_size(config, inputs[0])
    if config.get("rms_scaling"):
        return size
    return size * (int(config.get("center", True)) + int(config.get("scale", True)))


def _group_norm_params(config, inputs):
    size = _dim(inputs[0][config.get("axis", -1)])
    return size * (int(config.get("center", True)) + int(config.get("scale", True)))


def _normalization_params(config, inputs):
    if config.get("mean") is not None:
        return 0, 0
    return 0, 2 * _axis_size(config, inputs[0]) + 1


def _embedding_params(config, inputs):
    return config["input_dim"] * config["output_dim"]


_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def _rnn_params(cls):
    def rule(config, inputs):
        units = _rnn_units(config)
        features = _dim(inputs[0][-1])
        gates = _GATES[cls]
        bias = 0
        if config.get("use_bias", True):
            bias = gates * units * (2 if cls == "GRU" and config.get("reset_after", True) else 1)
        return gates * units * (features + units) + bias
    return rule


def _conv_rnn_params(config, inputs):
    step = (inputs[0][0], *inputs[0][2:])
    channels = _last_channels(config, step)
    n = len(step) - 2
    kernel = math.prod(_ints(config["kernel_size"], n))
    filters = config["filters"]
    return 4 * (kernel * channels * filters + kernel * filters * filters) + (4 * filters if config.get("use_bias", True) else 0)


def _bidirectional_params(config, inputs):
    total = 0
    for key in ("layer", "backward_layer"):
        inner = config.get(key)
        if inner is None:
            inner = config["layer"]
        trainable, frozen = _params(inner["class_name"], inner["config"], inputs)
        total += trainable + frozen
    return total


def _time_distributed_params(config, inputs):
    inner = config["layer"]
    shape = inputs[0]
    return _params(inner["class_name"], inner["config"], [(shape[0], *shape[2:])])


def _mha_params(config, inputs):
    heads, key_dim = config["num_heads"], config["key_dim"]
    value_dim = config.get("value_dim") or key_dim
    query = inputs[0]
    value = inputs[1] if len(inputs) > 1 else query
    key = inputs[2] if len(inputs) > 2 else value
    bias = bool(config.get("use_bias", True))
    out = config.get("output_shape")
    out_dim = _dim(query[-1]) if out is None else math.prod(_ints(out, 1))
    total = (_dim(query[-1]) * heads * key_dim + _dim(key[-1]) * heads * key_dim
             + _dim(value[-1]) * heads * value_dim + heads * value_dim * out_dim)
    if bias:
        total += 2 * heads * key_dim + heads * value_dim + out_dim
    return total


def _prelu_params(config, inputs):
    dims = list(inputs[0][1:])
    for axis in config.get("shared_axes") or []:
        dims[axis - 1] = 1
    return math.prod(_dim(d) for d in dims)


_PARAM_RULES = {
    "Dense": _dense_params,
    "Embedding": _embedding_params,
    "BatchNormalization": _batch_norm_params, "SyncBatchNormalization": _batch_norm_params,
    "LayerNormalization": _layer_norm_params,
    "GroupNormalization": _group_norm_params,
    "Normalization": _normalization_params,
    "SimpleRNN": _rnn_params("SimpleRNN"), "GRU": _rnn_params("GRU"), "LSTM": _rnn_params("LSTM"),
    "ConvLSTM1D": _conv_rnn_params, "ConvLSTM2D": _conv_rnn_params, "ConvLSTM3D": _conv_rnn_params,
    "Bidirectional": _bidirectional_params,
    "TimeDistributed": _time_distributed_params,
    "MultiHeadAttention": _mha_params,
    "PReLU": _prelu_params,
}
for _name in ("Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D"):
    _PARAM_RULES[_name] = _conv_params
for _name in ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Deconvolution2D", "Deconvolution3D"):
    _PARAM_RULES[_name] = _deconv_params
for _name in ("DepthwiseConv1D", "DepthwiseConv2D"):
    _PARAM_RULES[_name] = _depthwise_params
for _name in ("SeparableConv1D", "SeparableConv2D", "SeparableConvolution2D"):
    _PARAM_RULES[_name] = _separable_params
