"""Keyword handling for `layered_view`: visualkeras 0.2.0's whole signature plus kerasvg's own.

A visualkeras keyword that is passed keeps visualkeras's meaning; one that is not passed
leaves kerasvg's own (legibility-first) default in place.
"""
from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional

from .sizing import ORIENTATIONS, SIZING_MODES
from .theme import LABEL_PARTS, font_family_problem, parse_colour

VISUALKERAS_DEFAULTS: Dict[str, Any] = {
    "to_file": None, "min_z": 20, "min_xy": 20, "max_z": 400, "max_xy": 2000, "scale_z": 1.5,
    "scale_xy": 4, "type_ignore": None, "index_ignore": None, "color_map": None,
    "one_dim_orientation": "z", "index_2D": [], "background_fill": "white", "draw_volume": True,
    "draw_reversed": False, "padding": 10, "text_callable": None, "text_vspacing": 4, "spacing": 10,
    "draw_funnel": True, "shade_step": 10, "legend": False, "legend_text_spacing_offset": 15,
    "font": None, "font_color": "black", "show_dimension": False, "sizing_mode": "accurate",
    "dimension_caps": None, "relative_base_size": 20,
}
SIZING_KEYS = ("min_z", "min_xy", "max_z", "max_xy", "scale_z", "scale_xy", "sizing_mode",
               "dimension_caps", "relative_base_size")
PRESETS: Dict[str, Dict[str, Any]] = {
    "default": {},
    "flat": {"draw_volume": False, "draw_funnel": False, "shade_step": 0},
    "presentation": {
        "draw_volume": False, "draw_funnel": True, "spacing": 40, "padding": 30, "scale_xy": 2.5,
        "scale_z": 1.0, "legend": True, "show_dimension": True, "sizing_mode": "balanced",
    },
}
KERASVG_DEFAULTS: Dict[str, Any] = {
    "labels": ("name", "shape"),
    "theme": None,
    "scheme": None,
    "text": None,
    "overrides": None,
    "id_prefix": None,
    "width": None,
    "aspect": None,
    "max_width": None,
    "expand_nested": False,
    "fold_repeats": False,
    "direction": "lr",
}
DIRECTIONS = ("lr", "tb")
MAX_KEYWORD_NUMBER = 1_000_000


def resolve(keywords: Mapping[str, Any], options: Optional[Mapping[str, Any]], preset: Optional[str]) -> Dict[str, Any]:
    """Merge preset < options < explicit keywords; return only what was given, validated."""
    unknown = [k for k in keywords if k not in VISUALKERAS_DEFAULTS and k not in KERASVG_DEFAULTS]
    if unknown:
        raise TypeError(f"layered_view() got unexpected keyword argument(s): {', '.join(map(repr, unknown))}")
    given: Dict[str, Any] = {}
    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r} (available: {', '.join(PRESETS)})")
        given.update(VISUALKERAS_DEFAULTS)
        given.update(PRESETS[preset])
        if preset == "presentation":
            given["labels"] = ("name", "shape")
    if options is not None:
        if not isinstance(options, Mapping):
            raise TypeError(f"options must be a mapping of layered_view keywords, got {type(options).__name__}")
        bad = [k for k in options if k not in VISUALKERAS_DEFAULTS]
        if bad:
            raise TypeError(
                f"options holds unknown keyword(s) {', '.join(map(repr, bad))}; it takes visualkeras's "
                f"layered_view keywords ({', '.join(VISUALKERAS_DEFAULTS)})"
            )
        given.update(options)
    given.update(keywords)
    _validate(given)
    return given


def _validate(given: Dict[str, Any]) -> None:
    mode = given.get("sizing_mode")
    if mode is not None and mode not in SIZING_MODES:
        raise ValueError(f"unknown sizing_mode {mode!r} (allowed: {', '.join(SIZING_MODES)})")
    orientation = given.get("one_dim_orientation")
    if orientation is not None and orientation not in ORIENTATIONS:
        raise ValueError(f"unknown one_dim_orientation {orientation!r} (allowed: {', '.join(ORIENTATIONS)})")
    for key in ("min_z", "min_xy", "max_z", "max_xy", "scale_z", "scale_xy", "padding", "spacing",
                "text_vspacing", "relative_base_size", "legend_text_spacing_offset", "shade_step"):
        value = given.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_KEYWORD_NUMBER:
            raise ValueError(f"{key} must be a finite number from 0 to {MAX_KEYWORD_NUMBER:,}, got {value!r}")
    max_width = given.get("max_width")
    if isinstance(max_width, float) and not math.isfinite(max_width):
        raise ValueError(f"max_width must be a finite number, got {max_width!r}")
    direction = given.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        raise ValueError(f"direction={direction!r} is not supported (allowed: {', '.join(DIRECTIONS)})")
    if direction == "tb" and given.get("max_width") is not None:
        raise ValueError("max_width wraps a left-to-right flow; with direction='tb' use aspect= instead")
    labels = given.get("labels")
    if labels is not None:
        if isinstance(labels, str):
            labels = tuple(p.strip() for p in labels.split(",") if p.strip())
        labels = tuple(labels)
        bad = [p for p in labels if p not in LABEL_PARTS]
        if bad:
            raise ValueError(f"labels: unknown part(s) {', '.join(map(repr, bad))} (allowed: {', '.join(LABEL_PARTS)})")
        given["labels"] = labels
    for key in ("background_fill", "font_color"):
        value = given.get(key)
        if value is not None and colour_or_transparent(value) is None:
            raise ValueError(f"{key}: {value!r} is not a colour (a CSS name, #rrggbb, or an (R, G, B[, A]) tuple)")
    color_map = given.get("color_map")
    if color_map is not None:
        if not isinstance(color_map, Mapping):
            raise ValueError("color_map must map layer classes to {'fill': ..., 'outline': ...}")
        for cls, style in color_map.items():
            if not isinstance(style, Mapping):
                raise ValueError(f"color_map[{class_name(cls)}] must be a dict with 'fill' and/or 'outline'")
            for k, v in style.items():
                if k not in ("fill", "outline") or parse_colour(v) is None:
                    raise ValueError(f"color_map[{class_name(cls)}][{k!r}] = {v!r}: expected 'fill' or 'outline' with a colour")
    caps = given.get("dimension_caps")
    if caps is not None and (not isinstance(caps, Mapping) or any(k not in ("channels", "sequence", "general") for k in caps)):
        raise ValueError("dimension_caps must be a dict with keys among 'channels', 'sequence', 'general'")


def class_name(cls) -> str:
    return cls if isinstance(cls, str) else getattr(cls, "__name__", str(cls))


def colour_or_transparent(value) -> Optional[str]:
    """A colour, or 'transparent' for fully transparent RGBA tuples and the word itself."""
    if value == "transparent" or (isinstance(value, (tuple, list)) and len(value) == 4 and value[3] == 0):
        return "transparent"
    return parse_colour(value)


def font_family(font) -> str:
    """A family name from a string or a Pillow ImageFont."""
    if isinstance(font, str):
        name = font
    elif getattr(font, "getname", None) is not None:
        name = font.getname()[0]
    else:
        raise ValueError(f"font must be a family name or a Pillow ImageFont, got {type(font).__name__}")
    problem = font_family_problem(name)
    if problem:
        raise ValueError(f"font={name!r} {problem}")
    return name
