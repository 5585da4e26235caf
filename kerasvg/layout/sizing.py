"""Tensor shape → box size in pixels: (width along the flow, height, depth into the page)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Tuple

SIZING_MODES = ("accurate", "balanced", "capped", "logarithmic", "relative")
ORIENTATIONS = ("x", "y", "z")
MIN_VISIBLE = 5.0


@dataclass(frozen=True)
class Sizing:
    """Sizing options. `mode=None` is kerasvg's own legible log scale; the rest follow visualkeras."""

    mode: Optional[str] = None
    min_z: float = 20
    min_xy: float = 20
    max_z: float = 400
    max_xy: float = 2000
    scale_z: float = 1.5
    scale_xy: float = 4
    one_dim_orientation: str = "y"
    dimension_caps: Optional[dict] = None
    relative_base_size: float = 20
    scale: float = 1.0


def _dims(shape) -> Tuple[int, ...]:
    if isinstance(shape, str):
        return ()
    return tuple(d for d in shape[1:] if isinstance(d, int) and not isinstance(d, bool))


def box_size(shape, sizing: Sizing) -> Tuple[float, float, float]:
    """(width, height, depth): width is the channel axis (visualkeras z), height visualkeras y,
    depth visualkeras x."""
    if sizing.mode is None:
        w, h, d = _legible_size(_dims(shape), sizing.one_dim_orientation)
    else:
        x, y, z = _visualkeras_size(_dims(shape), sizing)
        w, h, d = z, y, x
    s = sizing.scale
    if sizing.mode is None:  # shrunk for a large model, a box still shows as a box
        return (max(w * s, MIN_VISIBLE), max(h * s, MIN_VISIBLE), d * s)
    return (w * s, h * s, d * s)


def _spatial_size(value: int) -> float:
    """A power law, not a log: each halving of the resolution shrinks the box by ~1.37×, so the pyramid shows."""
    if value <= 1:
        return 14.0
    return min(14.0 * value ** 0.45, 140.0)


def _legible_size(dims, orientation) -> Tuple[float, float, float]:
    """Logarithmic sizes that keep a 224×224×64 conv and a Dense(10) both readable."""
    spatial = _spatial_size

    def channels(v):  # a power law: each doubling 1.23× wider, 32× the channels 2.8× wider
        return min(max(9.0 * v ** 0.3, 6.0), 100.0)
    if not dims:
        return (14, 14, 10)
    if len(dims) == 1:
        size = dims[0]
        if orientation == "z":
            return (channels(size), 14, 10)
        if orientation == "x":
            return (10, 14, spatial(size))
        return (10, spatial(size), 10)
    if len(dims) == 2:
        return (channels(dims[1]), spatial(dims[0]), 10)
    return (channels(math.prod(dims[2:])), spatial(dims[0]), spatial(dims[1]))


def _clamp(value, low, high):
    return min(max(value, low), high)


def _visualkeras_size(dims, s: Sizing) -> Tuple[float, float, float]:
    """visualkeras 0.2.0's five sizing modes, as (x = depth, y = height, z = width)."""
    if not dims:
        return (s.min_xy, s.min_xy, s.min_z)
    caps = s.dimension_caps or {}
    channel_cap = caps.get("channels", s.max_z)
    sequence_cap = caps.get("sequence", s.max_xy)
    mode = s.mode

    def along(value, scale, low, high, cap):
        if mode == "accurate":
            return _clamp(value * scale, low, high)
        if mode == "capped":
            return max(min(value * scale, cap), low)
        if mode == "relative":
            return _clamp(value * s.relative_base_size, low, cap)
        return _scaled(value, scale, low, cap, mode)

    def xy(value):
        return along(value, s.scale_xy, s.min_xy, s.max_xy, sequence_cap)

    def z(value):
        return along(value, s.scale_z, s.min_z, s.max_z, channel_cap)

    if len(dims) == 1:
        if s.one_dim_orientation == "y":
            return (s.min_xy, xy(dims[0]), s.min_z)
        if s.one_dim_orientation == "x":
            return (xy(dims[0]), s.min_xy, s.min_z)
        return (s.min_xy, s.min_xy, z(dims[0]))
    channels = dims[1] if len(dims) == 2 else math.prod(dims[2:])
    return (xy(dims[0]), xy(dims[1]), z(channels))


def _scaled(value, base, low, cap, mode):
    if mode == "logarithmic":
        if value <= 1:
            return low
        return _clamp(math.log10(value) * base * 20, low, cap)
    if value <= 64:
        factor = 1.0
    elif value <= 512:
        factor = 0.6
    elif value <= 2048:
        factor = 0.3
    else:
        return _clamp(math.log10(value) * base * 15, low, cap)
    return _clamp(value * base * factor, low, cap)
