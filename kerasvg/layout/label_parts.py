"""Label parts that say what a layer does: `activation`, `kernel`, `units`, `config.KEY`."""
from __future__ import annotations

from typing import Any, Optional

from ..graph.model import Layer

_ACTIVATION_LAYERS = {"ReLU": "relu", "Softmax": "softmax", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu"}


def part_text(layer: Layer, part: str, live=None) -> Optional[str]:
    """The text of one label part for `layer`, or None when the layer has nothing to say for it."""
    config = dict(layer.config)
    if part == "activation":
        value = config.get("activation")
        if isinstance(value, str) and value != "linear":
            return value
        return _ACTIVATION_LAYERS.get(layer.type) if value is None else None
    if part == "kernel":
        window = config.get("kernel_size", config.get("pool_size"))
        if window is None:
            return None
        text = _dims(window)
        strides = config.get("strides")
        if strides is not None and any(s != 1 for s in _tuple(strides)):
            text += " /" + _dims(strides, collapse=True)
        return text
    if part == "units":
        units = config.get("units")
        return f"{units} units" if isinstance(units, int) and not isinstance(units, bool) else None
    if part.startswith("config."):
        key = part[len("config."):]
        value = config_value(layer, key, live)
        return None if value is None else f"{key}={value_text(value)}"
    return None


def config_value(layer: Layer, key: str, live=None) -> Any:
    """A configuration value by key: the live layer's get_config(), the saved file's config, or the key config."""
    if live is not None:
        try:
            return live.get_config().get(key)
        except Exception:  # a custom layer whose get_config fails: fall back on what the reader kept
            pass
    if layer.full_config is not None:
        return layer.full_config.get(key)
    return dict(layer.config).get(key)


def value_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("class_name", "{…}"))
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(value_text(v) for v in value) + ")"
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    return str(value)


def _tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _dims(value, collapse: bool = False) -> str:
    dims = _tuple(value)
    if collapse and len(set(dims)) == 1:
        return str(dims[0])
    return "×".join(str(d) for d in dims)
