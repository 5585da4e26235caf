"""Output shapes of Keras layers from their saved config and input shapes, one rule per class.

`UNKNOWN` stands for what a rule cannot know (or a class without a rule)."""
from __future__ import annotations

import math
from typing import Any, List, Tuple

from ..graph.model import UNKNOWN


def layer_output_shapes(cls: str, config: dict, inputs: List[Any]) -> List[Any]:
    """Output shapes of one call of a layer from its config and input shapes; UNKNOWN where unsure."""
    if cls == "InputLayer":
        return [json_shape(config.get("batch_shape", config.get("batch_input_shape")))]
    rule = SHAPE_RULES.get(cls)
    if rule is None or not inputs or inputs[0] == UNKNOWN:
        return [UNKNOWN]
    try:
        result = rule(config, inputs)
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError):
        return [UNKNOWN]
    return result if isinstance(result, list) else [result]


def json_shape(value) -> Any:
    """A JSON shape list → tuple (None kept), or UNKNOWN."""
    if isinstance(value, dict) and "class_name" in value and isinstance(value.get("config"), dict):
        value = value["config"].get("shape", value["config"].get("items"))
    if not isinstance(value, (list, tuple)):
        return UNKNOWN
    for d in value:
        if d is not None and (not isinstance(d, int) or isinstance(d, bool)):
            return UNKNOWN
    return tuple(value)


def int_tuple(value, n: int) -> Tuple[int, ...]:
    """A config value given as one int or one per dimension → a tuple of `n` ints."""
    if isinstance(value, int):
        return (value,) * n
    return tuple(value)


def channels_first(config) -> bool:
    """True when the layer's channels come before its spatial dimensions."""
    return config.get("data_format") == "channels_first"


def _split(config, shape):
    """(batch, spatial dims, channels) of an N-D feature map."""
    if channels_first(config):
        return shape[0], list(shape[2:]), shape[1]
    return shape[0], list(shape[1:-1]), shape[-1]


def _join(config, batch, spatial, channels):
    if channels_first(config):
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
    return (int_tuple(config["kernel_size"], n), int_tuple(config.get("strides", 1), n),
            int_tuple(config.get("dilation_rate", 1), n))


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
    extra = int_tuple(extra, n) if extra is not None else (None,) * n
    out = [_deconv_length(spatial[i], kernel[i], strides[i], config.get("padding", "valid"), dilation[i], extra[i])
           for i in range(n)]
    return _join(config, batch, out, config["filters"])


def _pool(config, inputs):
    batch, spatial, channels = _split(config, inputs[0])
    n = len(spatial)
    size = int_tuple(config.get("pool_size", 2), n)
    strides = int_tuple(config.get("strides") or size, n)
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
            size = int_tuple(config.get("size", 2), n)
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


def rnn_units(config):
    """A recurrent layer's units, from its config or its cell's."""
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
        units = rnn_units(config)
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
    forward = layer_output_shapes(inner_cls, inner["config"], inputs)
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
    step = layer_output_shapes(inner["class_name"], inner["config"], [(shape[0], *shape[2:])])
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
        out = int_tuple(out, 1) if isinstance(out, int) else tuple(out)
        result = (*query[:-1], *out)
    return [result]


def _lambda(config, inputs):
    shape = config.get("output_shape")
    if isinstance(shape, list) and all(d is None or isinstance(d, int) for d in shape):
        return (inputs[0][0], *shape)
    raise ValueError("no output_shape")


SHAPE_RULES = {
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
    SHAPE_RULES[_name] = _conv
for _name in ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Deconvolution2D", "Deconvolution3D"):
    SHAPE_RULES[_name] = _deconv
for _dims in ("1D", "2D", "3D"):
    for _kind in ("MaxPooling", "AveragePooling", "MaxPool", "AvgPool"):
        SHAPE_RULES[_kind + _dims] = _pool
    for _kind in ("GlobalMaxPooling", "GlobalAveragePooling", "GlobalMaxPool", "GlobalAvgPool"):
        SHAPE_RULES[_kind + _dims] = _global_pool
    SHAPE_RULES["UpSampling" + _dims] = _resample("up")
    SHAPE_RULES["ZeroPadding" + _dims] = _resample("pad")
    SHAPE_RULES["Cropping" + _dims] = _resample("crop")
for _name in ("Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU", "Dropout",
              "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
              "AlphaDropout", "ActivityRegularization", "BatchNormalization", "LayerNormalization",
              "GroupNormalization", "UnitNormalization", "RMSNormalization", "Normalization", "Rescaling",
              "Masking", "Identity", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
              "RandomContrast", "RandomBrightness", "SyncBatchNormalization"):
    SHAPE_RULES[_name] = _same

