"""Parameter counts of Keras layers from their saved config and input shapes, for the common classes."""
from __future__ import annotations

import math
from typing import Any, List, Optional, Tuple

from ..graph.model import UNKNOWN
from .shapes import channels_first, int_tuple, rnn_units


def layer_param_counts(cls: str, config: dict, inputs: List[Any]) -> Tuple[Optional[int], Optional[int]]:
    """(trainable, non-trainable) weight counts for the common layers; (None, None) when unknown."""
    if cls in WEIGHTLESS:
        return 0, 0
    rule = PARAM_RULES.get(cls)
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
    return _dim(shape[1] if channels_first(config) else shape[-1])


def _dense_params(config, inputs):
    units = config["units"]
    return _dim(inputs[0][-1]) * units + (units if config.get("use_bias", True) else 0)


def _conv_params(config, inputs):
    channels = _last_channels(config, inputs[0])
    n = len(inputs[0]) - 2
    kernel = math.prod(int_tuple(config["kernel_size"], n))
    filters = config["filters"]
    groups = config.get("groups", 1) or 1
    return kernel * channels // groups * filters + (filters if config.get("use_bias", True) else 0)


def _deconv_params(config, inputs):
    channels = _last_channels(config, inputs[0])
    n = len(inputs[0]) - 2
    kernel = math.prod(int_tuple(config["kernel_size"], n))
    filters = config["filters"]
    return kernel * channels * filters + (filters if config.get("use_bias", True) else 0)


def _depthwise_params(config, inputs):
    channels = _last_channels(config, inputs[0])
    n = len(inputs[0]) - 2
    kernel = math.prod(int_tuple(config["kernel_size"], n))
    multiplier = config.get("depth_multiplier", 1)
    return kernel * channels * multiplier + (channels * multiplier if config.get("use_bias", True) else 0)


def _separable_params(config, inputs):
    channels = _last_channels(config, inputs[0])
    n = len(inputs[0]) - 2
    kernel = math.prod(int_tuple(config["kernel_size"], n))
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
        units = rnn_units(config)
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
    kernel = math.prod(int_tuple(config["kernel_size"], n))
    filters = config["filters"]
    return 4 * (kernel * channels * filters + kernel * filters * filters) + (4 * filters if config.get("use_bias", True) else 0)


def _bidirectional_params(config, inputs):
    total = 0
    for key in ("layer", "backward_layer"):
        inner = config.get(key)
        if inner is None:
            inner = config["layer"]
        trainable, frozen = layer_param_counts(inner["class_name"], inner["config"], inputs)
        total += trainable + frozen
    return total


def _time_distributed_params(config, inputs):
    inner = config["layer"]
    shape = inputs[0]
    return layer_param_counts(inner["class_name"], inner["config"], [(shape[0], *shape[2:])])


def _mha_params(config, inputs):
    heads, key_dim = config["num_heads"], config["key_dim"]
    value_dim = config.get("value_dim") or key_dim
    query = inputs[0]
    value = inputs[1] if len(inputs) > 1 else query
    key = inputs[2] if len(inputs) > 2 else value
    bias = bool(config.get("use_bias", True))
    out = config.get("output_shape")
    out_dim = _dim(query[-1]) if out is None else math.prod(int_tuple(out, 1))
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


PARAM_RULES = {
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
    PARAM_RULES[_name] = _conv_params
for _name in ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Deconvolution2D", "Deconvolution3D"):
    PARAM_RULES[_name] = _deconv_params
for _name in ("DepthwiseConv1D", "DepthwiseConv2D"):
    PARAM_RULES[_name] = _depthwise_params
for _name in ("SeparableConv1D", "SeparableConv2D", "SeparableConvolution2D"):
    PARAM_RULES[_name] = _separable_params
