"""Output shapes of operation nodes in saved graphs: Keras 3 `keras.ops` calls and tf_keras op layers
(`TFOpLambda`, `SlicingOpLambda`), from their input shapes and call arguments.

A call is given as `args` and `kwargs` in which every tensor is a `TensorArg` (its position in
`shapes`). A rule returns a list of output shapes; anything it cannot be sure of is UNKNOWN.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from ..graph.model import UNKNOWN


@dataclass(frozen=True)
class TensorArg:
    """A tensor argument of a call: index into the call's input shapes."""

    index: int


class _Unsure(Exception):
    """The rule cannot tell the shape."""


def op_name(class_name: str, function: Optional[str] = None) -> str:
    """The canonical op name: `not_equal` for Keras 3's `NotEqual` and tf's `math.not_equal`."""
    if function:
        name = str(function).rsplit(".", 1)[-1]
        return _TF_ALIASES.get(name, name[len("reduce_"):] if name.startswith("reduce_") else name)
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", str(class_name)).lower()
    return _KERAS_ALIASES.get(name, name)


def infer_op(name: str, config: Dict[str, Any], args: Sequence[Any], kwargs: Dict[str, Any],
             shapes: Sequence[Any], values: Sequence[Any] = ()) -> List[Any]:
    """Output shapes of one op call; [UNKNOWN] when the op is not known or a shape is missing.
    `values`: per input tensor, its contents where `infer_value` knows them, else None."""
    rule = _RULES.get(name)
    if rule is None:
        return [UNKNOWN]
    call = _Call(config, list(args), dict(kwargs), list(shapes), values)
    try:
        result = rule(call)
    except (_Unsure, TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError):
        return [UNKNOWN]
    return result if isinstance(result, list) else [result]


def infer_value(name: str, config: Dict[str, Any], args: Sequence[Any], kwargs: Dict[str, Any],
                shapes: Sequence[Any], values: Sequence[Any] = ()) -> Optional[tuple]:
    """The contents of an op's output where the graph fixes them, else None: `tf.shape(x)` holds x's
    dimensions (None for one unknown until run time), and a slice of such a vector its part."""
    call = _Call(config, list(args), dict(kwargs), list(shapes), values)
    try:
        if name == "shape":
            return call.shape(call.param(0, "input", "x"))
        if name == "get_item":
            vector = call.value(call.param(0, "x", "tensor"))
            key = call.param(1, "slice_spec", "key")
            item = _slice_item(key[0] if isinstance(key, list) and len(key) == 1 else key)
            return vector[item] if isinstance(item, slice) else None
    except (_Unsure, TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None
    return None


class _Call:
    def __init__(self, config, args, kwargs, shapes, values=()):
        self.config, self.args, self.kwargs, self.shapes = config, args, kwargs, shapes
        self.values = list(values)

    def shape(self, value) -> tuple:
        if isinstance(value, TensorArg):
            shape = self.shapes[value.index]
            if shape == UNKNOWN:
                raise _Unsure()
            return tuple(shape)
        if isinstance(value, bool) or isinstance(value, (int, float)) or value is None:
            return ()
        if isinstance(value, list) and all(isinstance(v, (int, float)) for v in value):
            return (len(value),)
        raise _Unsure()

    def value(self, value) -> tuple:
        """The contents of a 1-D integer argument: a literal list, or a tensor `infer_value` knows."""
        if isinstance(value, TensorArg):
            known = self.values[value.index] if value.index < len(self.values) else None
            if known is None:
                raise _Unsure()
            return tuple(known)
        if isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return tuple(value)
        raise _Unsure()

    def param(self, position: int, *names: str, default=None):
        """An argument by position among the call args, or by any of its names in kwargs / config."""
        if position < len(self.args):
            return self.args[position]
        for name in names:
            if name in self.kwargs:
                return self.kwargs[name]
        for name in names:
            if name in self.config:
                return self.config[name]
        return default

    def tensors(self) -> List[TensorArg]:
        found: List[TensorArg] = []
        _collect((self.args, self.kwargs), found)
        return found


def _collect(value, found) -> None:
    if isinstance(value, TensorArg):
        found.append(value)
    elif isinstance(value, dict):
        for key in sorted(value):
            _collect(value[key], found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)


def _axis(axis: int, rank: int) -> int:
    if not isinstance(axis, int) or isinstance(axis, bool) or not -rank <= axis < rank:
        raise _Unsure()
    return axis % rank


def broadcast(shapes: Sequence[tuple]) -> tuple:
    """NumPy broadcasting of known-rank shapes; an unknown dimension stays unknown unless another fixes it."""
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(rank):
        dims = [s[i - rank + len(s)] for s in shapes if i - rank + len(s) >= 0]
        sizes = {d for d in dims if d is not None and d != 1}
        if len(sizes) > 1:
            raise _Unsure()
        if sizes:
            out.append(sizes.pop())
        elif all(d == 1 for d in dims):
            out.append(1)
        else:
            out.append(None)
    return tuple(out)


def _elementwise(call: _Call):
    operands = [a for a in call.args if not isinstance(a, str)]
    for key in ("y", "x2"):
        if key in call.kwargs:
            operands.append(call.kwargs[key])
    if not operands:
        raise _Unsure()
    return broadcast([call.shape(a) for a in operands])


def _unary(call: _Call):
    return call.shape(call.param(0, "x", "input", "a", "features", "logits"))


def _transpose(call: _Call):
    shape = call.shape(call.param(0, "x", "a"))
    perm = call.param(1, "perm", "axes")
    if perm is None:
        perm = list(range(len(shape)))[::-1]
    if sorted(_axis(p, len(shape)) for p in perm) != list(range(len(shape))):
        raise _Unsure()
    return tuple(shape[_axis(p, len(shape))] for p in perm)


def _matrix_transpose(call: _Call):
    shape = call.shape(call.param(0, "x", "a"))
    if len(shape) < 2:
        raise _Unsure()
    return (*shape[:-2], shape[-1], shape[-2])


def _reshape(call: _Call):
    shape = call.shape(call.param(0, "x", "tensor"))
    target = call.param(1, "shape", "newshape", "new_shape")
    if isinstance(target, int):
        target = [target]
    target = list(target)
    if not all(isinstance(d, int) or d is None for d in target):
        raise _Unsure()
    target = [-1 if d is None else d for d in target]
    if target.count(-1) > 1:
        raise _Unsure()
    if -1 in target:
        fixed = math.prod(d for d in target if d != -1)
        known = None if any(d is None for d in shape) else math.prod(shape)
        target[target.index(-1)] = None if known is None or fixed == 0 else known // fixed
    return tuple(target)


def _split(call: _Call):
    shape = call.shape(call.param(0, "value", "x", "ary"))
    sections = call.param(1, "num_or_size_splits", "indices_or_sections")
    axis = _axis(call.param(2, "axis", default=0), len(shape))
    size = shape[axis]
    keras_indices = "indices_or_sections" in call.config or "indices_or_sections" in call.kwargs
    if isinstance(sections, int) and not isinstance(sections, bool):
        if size is not None and size % sections:
            raise _Unsure()
        parts = [None if size is None else size // sections] * sections
    elif isinstance(sections, list) and keras_indices:
        bounds = [0, *sections, size]
        parts = [None if b is None or a is None else max(0, min(b, size if size is not None else b) - a)
                 for a, b in zip(bounds, bounds[1:])]
    elif isinstance(sections, list):
        parts = list(sections)
        if -1 in parts:
            rest = None if size is None else size - sum(p for p in parts if p != -1)
            parts[parts.index(-1)] = rest
    else:
        raise _Unsure()
    return [tuple(p if i == axis else d for i, d in enumerate(shape)) for p in parts]


def _concat(call: _Call):
    values = call.param(0, "values", "xs", "tensors")
    values = values if isinstance(values, list) else [values]
    shapes = [call.shape(v) for v in values]
    axis = call.param(1, "axis", default=0)
    if not shapes or len({len(s) for s in shapes}) != 1:
        raise _Unsure()
    axis = _axis(axis, len(shapes[0]))
    out = []
    for i in range(len(shapes[0])):
        dims = [s[i] for s in shapes]
        if i == axis:
            out.append(None if None in dims else sum(dims))
        else:
            out.append(next((d for d in dims if d is not None), None))
    return tuple(out)


def _stack(call: _Call):
    values = call.param(0, "values", "x")
    values = values if isinstance(values, list) else [values]
    shapes = [call.shape(v) for v in values]
    base = broadcast(shapes)
    axis = _axis(call.param(1, "axis", default=0), len(base) + 1)
    return (*base[:axis], len(shapes), *base[axis:])


def _reduction(call: _Call):
    shape = call.shape(call.param(0, "input_tensor", "x", "input"))
    axis = call.param(1, "axis")
    keepdims = bool(call.param(2, "keepdims", "keep_dims", default=False))
    axes = range(len(shape)) if axis is None else [axis] if isinstance(axis, int) else axis
    axes = {_axis(a, len(shape)) for a in axes}
    return tuple(1 if i in axes else d for i, d in enumerate(shape) if keepdims or i not in axes)


def _argminmax(call: _Call):
    shape = call.shape(call.param(0, "input", "x"))
    axis = call.param(1, "axis", "dimension")
    if axis is None:
        if "function" in call.config:
            axis = 0
        else:
            return ()
    axis = _axis(axis, len(shape))
    keepdims = bool(call.param(2, "keepdims", default=False))
    return tuple(1 if i == axis else d for i, d in enumerate(shape) if keepdims or i != axis)


def _matmul(call: _Call):
    a = call.shape(call.param(0, "a", "x1"))
    b = call.shape(call.param(1, "b", "x2"))
    if len(a) < 2 or len(b) < 2:
        raise _Unsure()
    if call.param(2, "transpose_a", default=False):
        a = (*a[:-2], a[-1], a[-2])
    if call.param(3, "transpose_b", default=False):
        b = (*b[:-2], b[-1], b[-2])
    return (*broadcast([a[:-2], b[:-2]]), a[-2], b[-1])


def _einsum(call: _Call):
    equation = next((a for a in call.args if isinstance(a, str)), None)
    equation = equation or call.kwargs.get("equation") or call.config.get("subscripts") or call.config.get("equation")
    if not isinstance(equation, str):
        raise _Unsure()
    operands = [call.shape(t) for t in call.tensors()]
    spec = equation.replace(" ", "")
    if "..." in spec or "->" not in spec:
        raise _Unsure()
    left, right = spec.split("->")
    terms = left.split(",")
    if len(terms) != len(operands):
        raise _Unsure()
    dims: Dict[str, list] = {}
    for term, shape in zip(terms, operands):
        if len(term) != len(shape):
            raise _Unsure()
        for letter, dim in zip(term, shape):
            dims.setdefault(letter, []).append((dim,))
    if any(letter not in dims for letter in right):
        raise _Unsure()
    return tuple(broadcast(dims[letter])[0] for letter in right)


def _expand_dims(call: _Call):
    shape = call.shape(call.param(0, "input", "x"))
    axis = _axis(call.param(1, "axis"), len(shape) + 1)
    return (*shape[:axis], 1, *shape[axis:])


def _squeeze(call: _Call):
    shape = call.shape(call.param(0, "input", "x"))
    axis = call.param(1, "axis", "squeeze_dims")
    if axis is None:
        if None in shape:
            raise _Unsure()
        return tuple(d for d in shape if d != 1)
    axes = {_axis(a, len(shape)) for a in ([axis] if isinstance(axis, int) else axis)}
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _getitem(call: _Call):
    shape = call.shape(call.param(0, "x", "tensor"))
    key = call.param(1, "slice_spec", "key")
    items = key if isinstance(key, list) else [key]
    items = [_slice_item(item) for item in items]
    if items.count(Ellipsis) > 1:
        raise _Unsure()
    used = sum(1 for item in items if item is not None and item is not Ellipsis)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at:at + 1] = [slice(None)] * (len(shape) - used)
    out, dim = [], 0
    for item in items:
        if item is None:
            out.append(1)
            continue
        if dim >= len(shape):
            raise _Unsure()
        size = shape[dim]
        dim += 1
        if isinstance(item, int):
            continue
        if size is not None:
            out.append(len(range(*item.indices(size))))
        elif item == slice(None) or (item.start is None and item.stop is None and item.step in (None, 1)):
            out.append(None)
        else:
            out.append(None)
    out.extend(shape[dim:])
    return tuple(out)


def _slice_item(item):
    if isinstance(item, dict):
        inner = item.get("config", item) if item.get("class_name") == "__slice__" else item
        if item.get("class_name") in ("__ellipsis__", "__Ellipsis__"):
            return Ellipsis
        if set(inner) <= {"start", "stop", "step"} and inner:
            parts = [inner.get(k) for k in ("start", "stop", "step")]
            if not all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
                raise _Unsure()
            if parts[2] == 0:
                raise _Unsure()
            return slice(*parts)
        raise _Unsure()
    if item in ("...", "Ellipsis", "__ellipsis__"):
        return Ellipsis
    if item is None:
        return None
    if isinstance(item, int) and not isinstance(item, bool):
        return item
    raise _Unsure()


def _shape_op(call: _Call):
    return (len(call.shape(call.param(0, "input", "x"))),)


def _resize(call: _Call):
    """`tf.image.resize(images, size)` (channels last) and Keras 3's `Resize` (its `data_format` stated)."""
    images = call.shape(call.param(0, "images", "image"))
    size = call.value(call.param(1, "size"))
    if "function" in call.config:
        if call.param(3, "preserve_aspect_ratio", default=False):
            raise _Unsure()
        channels_last = True
    elif call.config.get("data_format") in ("channels_last", "channels_first"):
        channels_last = call.config["data_format"] == "channels_last"
    else:
        raise _Unsure()
    if len(size) != 2 or len(images) not in (3, 4):
        raise _Unsure()
    if channels_last:
        return (*images[:-3], *size, images[-1])
    return (*images[:-2], *size)


def _one_hot(call: _Call):
    shape = call.shape(call.param(0, "indices", "x"))
    depth = call.param(1, "depth", "num_classes")
    if not isinstance(depth, int):
        raise _Unsure()
    axis = call.param(2, "axis", default=-1)
    axis = len(shape) if axis == -1 else _axis(axis, len(shape) + 1)
    return (*shape[:axis], depth, *shape[axis:])


def _where(call: _Call):
    tensors = [call.param(i, n) for i, n in enumerate(("condition", "x", "y"))]
    if tensors[1] is None and tensors[2] is None:
        raise _Unsure()
    return broadcast([call.shape(t) for t in tensors])


_BINARY = (
    "add", "subtract", "multiply", "divide", "true_divide", "truediv", "floordiv", "floor_divide", "mod",
    "pow", "power", "maximum", "minimum", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_xor", "squared_difference", "divide_no_nan",
    "and_", "or_", "xor",
)
_UNARY = (
    "abs", "absolute", "negative", "neg", "exp", "log", "log1p", "sqrt", "rsqrt", "square", "sin", "cos",
    "tanh", "sigmoid", "relu", "relu6", "gelu", "silu", "swish", "softplus", "softsign", "elu", "selu",
    "leaky_relu", "softmax", "log_softmax", "cast", "identity", "stop_gradient", "sign", "floor", "ceil",
    "round", "logical_not", "invert", "reciprocal", "erf", "hard_sigmoid", "hard_swish", "clip",
    "clip_by_value", "convert_to_tensor", "zeros_like", "ones_like", "is_nan", "isnan", "is_finite", "isfinite",
    "l2_normalize", "normalize", "cumsum", "cumprod", "sort",
)
_REDUCTIONS = ("mean", "sum", "max", "min", "prod", "any", "all", "std", "var", "logsumexp", "amax", "amin",
               "variance", "euclidean_norm")

_TF_ALIASES = {"concat": "concatenate", "matrix_transpose": "matrix_transpose", "getitem": "get_item",
               "truediv": "divide", "realdiv": "divide", "sub": "subtract", "mul": "multiply",
               "__add__": "add", "radd": "add", "rsub": "subtract", "rmul": "multiply"}
_KERAS_ALIASES = {"absolute": "abs", "true_divide": "divide"}

_RULES = {
    "transpose": _transpose, "matrix_transpose": _matrix_transpose,
    "reshape": _reshape, "split": _split, "concatenate": _concat, "stack": _stack,
    "matmul": _matmul, "einsum": _einsum, "expand_dims": _expand_dims, "squeeze": _squeeze,
    "get_item": _getitem, "one_hot": _one_hot, "where": _where,
    "argmax": _argminmax, "argmin": _argminmax, "shape": _shape_op, "resize": _resize,
}
for _name in _BINARY:
    _RULES[_name] = _elementwise
for _name in _UNARY:
    _RULES.setdefault(_name, _unary)
for _name in _REDUCTIONS:
    _RULES[_name] = _reduction
