"""Type checks for the layer-config values the shape and parameter rules compute with.

Each key is checked against the type Keras documents for it before any arithmetic, so a
hostile config (`units: "AAAA"`, `input_dim: 1e308`) is an error naming the key, never a
multi-gigabyte string or an overflow.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, Optional

from ..budgets import current

MAX_RANK = 254  # TensorFlow's largest tensor rank


class ConfigValueError(Exception):
    """A config value of the wrong type; `key`, `value` and `expected` say which and why."""

    def __init__(self, key: str, value: Any, expected: str):
        super().__init__(f"{key} = {short_repr(value)}: expected {expected}")
        self.key, self.value, self.expected = key, value, expected


def short_repr(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive(key, value, nullable=False):
    if value is None and nullable:
        return
    top = current().dimension
    if not _is_int(value) or not 1 <= value <= top:
        raise ConfigValueError(key, value, f"a whole number from 1 to {top:,}")


def _non_negative_ints(key, value):
    """An int, or (nested) lists of ints, each from 0 to the dimension budget."""
    top = current().dimension
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if isinstance(item, (list, tuple)) and seen <= MAX_RANK * 3:
            stack.extend(item)
        elif not _is_int(item) or not 0 <= item <= top:
            raise ConfigValueError(key, value, f"whole numbers from 0 to {top:,} (one, or a list of them)")


def _positive_ints(key, value, nullable=False):
    if value is None and nullable:
        return
    top = current().dimension
    items = value if isinstance(value, (list, tuple)) else [value]
    if len(items) > MAX_RANK or not items or not all(_is_int(v) and 1 <= v <= top for v in items):
        raise ConfigValueError(key, value, f"a whole number from 1 to {top:,}, or a list of them")


def _axes(key, value):
    items = value if isinstance(value, (list, tuple)) else [value]
    if len(items) > MAX_RANK or not all(_is_int(v) and -MAX_RANK <= v <= MAX_RANK for v in items):
        raise ConfigValueError(key, value, f"an axis (a whole number from {-MAX_RANK} to {MAX_RANK}) or a list of them")


def _optional_axes(key, value):
    if value is not None:
        _axes(key, value)


def _target_shape(key, value):
    top = current().dimension
    expected = f"a list of whole numbers from 1 to {top:,}, with at most one -1"
    if not isinstance(value, (list, tuple)) or len(value) > MAX_RANK:
        raise ConfigValueError(key, value, expected)
    if not all(_is_int(v) and (v == -1 or 1 <= v <= top) for v in value) or list(value).count(-1) > 1:
        raise ConfigValueError(key, value, expected)


def _output_shape(key, value):
    if value is None:
        return
    top = current().dimension
    items = value if isinstance(value, (list, tuple)) else [value]
    if len(items) > MAX_RANK or not all(v is None or (_is_int(v) and 1 <= v <= top) for v in items):
        raise ConfigValueError(key, value, f"a whole number from 1 to {top:,} (or null), or a list of them")


def _rate(key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigValueError(key, value, "a finite number")


def _flag(key, value):
    if not isinstance(value, bool) and value not in (0, 1):
        raise ConfigValueError(key, value, "true or false")


_CHECKS: Dict[str, Callable[[str, Any], None]] = {
    "units": _positive, "filters": _positive, "input_dim": _positive, "output_dim": _positive,
    "num_heads": _positive, "key_dim": _positive, "depth_multiplier": _positive, "n": _positive,
    "height": _positive, "width": _positive, "groups": _positive,
    "value_dim": lambda k, v: _positive(k, v, nullable=True),
    "kernel_size": _positive_ints, "strides": _positive_ints, "dilation_rate": _positive_ints,
    "pool_size": lambda k, v: _positive_ints(k, v, nullable=True), "size": _positive_ints,
    "cropping": _non_negative_ints,
    "output_padding": lambda k, v: None if v is None else _non_negative_ints(k, v),
    "axis": _axes, "dims": _axes, "shared_axes": _optional_axes,
    "target_shape": _target_shape, "output_shape": _output_shape,
    "rate": _rate,
    "use_bias": _flag, "center": _flag, "scale": _flag, "rms_scaling": _flag, "keepdims": _flag,
    "return_sequences": _flag, "return_state": _flag, "reset_after": _flag,
}
_SKIP_FOR = {"scale": ("Rescaling",)}  # keys whose meaning (and type) differs for these classes
MAX_SPACING = 1_000_000  # px, as the keywords' numbers


def _spacing(key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_SPACING:
        raise ConfigValueError(key, value, f"a number of px from 0 to {MAX_SPACING:,}")


CLASS_CHECKS: Dict[str, Dict[str, Callable[[str, Any], None]]] = {
    "SpacingDummyLayer": {"spacing": _spacing},  # visualkeras's gap before the next layer, drawn as space
}


def check_layer_config(cls: str, config: dict, depth: int = 0) -> None:
    """Raise ConfigValueError for the first value of the wrong type (wrapped layers and cells included)."""
    if depth and depth > current().depth:  # the budget is at least 1
        raise ConfigValueError("layer", "...", f"wrapped layers nested at most {current().depth} deep")
    for key in [k for k in config if k in _CHECKS]:
        if cls in _SKIP_FOR.get(key, ()):
            continue
        value = config[key]
        if value is None and key not in ("value_dim", "pool_size", "output_padding", "shared_axes", "output_shape"):
            continue
        _CHECKS[key](key, value)
    for key, check in CLASS_CHECKS.get(cls, {}).items():
        if config.get(key) is not None:
            check(key, config[key])
    if cls.startswith("ZeroPadding") and "padding" in config:
        _non_negative_ints("padding", config["padding"])
    for key in ("layer", "backward_layer", "cell"):
        inner = config.get(key)
        if isinstance(inner, dict) and isinstance(inner.get("config"), dict):
            try:
                check_layer_config(str(inner.get("class_name", "")), inner["config"], depth + 1)
            except ConfigValueError as exc:
                raise ConfigValueError(f"{key}.{exc.key}", exc.value, exc.expected) from None


def check_shape(shape, what: str) -> Optional[str]:
    """None when every dimension is within budget, else the reason."""
    if not isinstance(shape, tuple):
        return None
    top = current().dimension
    if len(shape) > MAX_RANK:
        return f"{what} has {len(shape):,} dimensions (at most {MAX_RANK})"
    for d in shape:
        if isinstance(d, int) and not -1 <= d <= top:  # a bool is in range
            return f"{what} dimension {short_repr(d)} is outside 0 to {top:,} (the dimension budget; raise it with --budget dimension=N)"
    return None
