"""Keyword handling for `layered_view`: visualkeras 0.2.0's whole signature plus kerasvg's own.

A visualkeras keyword that is passed keeps visualkeras's meaning; one that is not passed
leaves kerasvg's own (legibility-first) default in place.
"""
from __future__ import annotations

import difflib
import math
import re
import warnings
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .graph.groups import LEVELS
from .layout.sizing import ORIENTATIONS, SIZING_MODES
from .layout.text_callables import LAYERED_TEXT_CALLABLES
from .theme import LABEL_PARTS, Theme, font_family_problem, is_label_part, load_theme, parse_colour
from .writers.schemes import check_scheme, theme_pair

UNITS_PER_INCH = {"in": 1.0, "cm": 2.54, "mm": 25.4, "pt": 72.0, "px": 96.0}
LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|cm|mm|pt|px)\s*$")


VISUALKERAS_DEFAULTS: Dict[str, Any] = {
    "to_file": None, "min_z": 20, "min_xy": 20, "max_z": 400, "max_xy": 2000, "scale_z": 1.5,
    "scale_xy": 4, "type_ignore": None, "index_ignore": None, "color_map": None,
    "one_dim_orientation": "z", "index_2D": [], "background_fill": "white", "draw_volume": True,
    "draw_reversed": False, "padding": 10, "text_callable": None, "text_vspacing": 4, "spacing": 10,
    "draw_funnel": True, "shade_step": 10, "legend": False, "legend_text_spacing_offset": 15,
    "font": None, "font_color": "black", "show_dimension": False, "sizing_mode": "accurate",
    "dimension_caps": None, "relative_base_size": 20, "connector_fill": "gray", "connector_width": 1,
    "image_fit": "fill", "image_axis": "z", "layered_groups": None, "logo_groups": None, "logos_legend": False,
    "styles": None,
}
SIZING_KEYS = ("min_z", "min_xy", "max_z", "max_xy", "scale_z", "scale_xy", "sizing_mode",
               "dimension_caps", "relative_base_size")
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
    "show_trainable": False,
    "layer_range": None,
    "groups": None,
    "detail": None,
    "block_key": None,
    "load": False,
    "imports": None,
}
DIRECTIONS = ("lr", "tb")
StyleMap = Mapping[Union[str, type], Mapping[str, Any]]
TextCallable = Callable[[int, Any], Tuple[str, bool]]
MAX_KEYWORD_NUMBER = 1_000_000


@dataclass(frozen=True)
class LayeredOptions:
    """visualkeras's typed bundle of `layered_view` keywords: define a look once, pass it as `options=`.

    As `options=`, only the fields that differ from these defaults count as given; kerasvg's own
    defaults apply to the rest. Explicit keywords win over `options`, which win over `preset`.
    """

    to_file: Optional[str] = None
    min_z: int = 20
    min_xy: int = 20
    max_z: int = 400
    max_xy: int = 2000
    scale_z: float = 1.5
    scale_xy: float = 4.0
    type_ignore: Optional[Sequence[type]] = None
    index_ignore: Optional[Sequence[int]] = None
    color_map: Optional[Mapping[type, Mapping[str, Any]]] = None
    one_dim_orientation: str = "z"
    index_2D: Sequence[int] = field(default_factory=tuple)
    background_fill: Any = "white"
    draw_volume: bool = True
    draw_reversed: bool = False
    padding: int = 10
    text_callable: Optional[TextCallable] = None
    text_vspacing: int = 4
    spacing: int = 10
    draw_funnel: bool = True
    shade_step: int = 10
    legend: bool = False
    legend_text_spacing_offset: int = 15
    font: Any = None
    font_color: Any = "black"
    show_dimension: bool = False
    sizing_mode: str = "accurate"
    dimension_caps: Optional[Mapping[str, int]] = None
    relative_base_size: int = 20
    connector_fill: Any = "gray"
    connector_width: int = 1
    image_fit: str = "fill"
    image_axis: str = "z"
    layered_groups: Optional[Sequence[Dict[str, Any]]] = None
    logo_groups: Optional[Sequence[Dict[str, Any]]] = None
    logos_legend: Union[bool, Dict[str, Any]] = False
    styles: Optional[StyleMap] = None

    def to_kwargs(self) -> Dict[str, Any]:
        """Every field as a `layered_view` keyword mapping."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def given(self) -> Dict[str, Any]:
        """The fields that differ from the dataclass defaults."""
        defaults = LayeredOptions()
        return {k: v for k, v in self.to_kwargs().items() if not _same(v, getattr(defaults, k))}


def _same(a, b) -> bool:
    try:
        return bool(a == b) and isinstance(a, bool) == isinstance(b, bool)
    except Exception:  # an object whose == is not a plain truth value (arrays)
        return a is b


LAYERED_PRESETS: Dict[str, LayeredOptions] = {
    "default": LayeredOptions(),
    "compact": LayeredOptions(spacing=6, padding=6, connector_width=1),
    "presentation": LayeredOptions(spacing=18, padding=20, connector_width=2,
                                   text_callable=LAYERED_TEXT_CALLABLES["name_shape"], legend=True),
}
"""visualkeras's layered presets; `preset="flat"` (visualkeras 0.2.0) is also accepted."""
LEGACY_PRESETS: Dict[str, LayeredOptions] = {
    "flat": LayeredOptions(draw_volume=False, draw_funnel=False, shade_step=0),
}
KEYWORDS = tuple(VISUALKERAS_DEFAULTS) + tuple(KERASVG_DEFAULTS)


def resolve(keywords: Mapping[str, Any], options, preset: Optional[str]) -> Dict[str, Any]:
    """Merge preset < options < explicit keywords; return only what was given, validated."""
    unknown = [k for k in keywords if k not in VISUALKERAS_DEFAULTS and k not in KERASVG_DEFAULTS]
    if unknown:
        raise TypeError(f"layered_view() got unexpected keyword argument(s): {', '.join(map(repr, unknown))}"
                        f"{did_you_mean(unknown[0], KEYWORDS)}")
    given: Dict[str, Any] = {}
    if preset is not None:
        presets = {**LAYERED_PRESETS, **LEGACY_PRESETS}
        if preset not in presets:
            raise ValueError(f"unknown preset {preset!r}{did_you_mean(preset, presets)} (available: {', '.join(presets)})")
        given.update(VISUALKERAS_DEFAULTS)
        given.update(presets[preset].given())
    if options is not None:
        if isinstance(options, LayeredOptions):
            options = options.given()
        if not isinstance(options, Mapping):
            raise TypeError(f"options must be a LayeredOptions or a mapping of layered_view keywords, got {type(options).__name__}")
        bad = [k for k in options if k not in KEYWORDS]
        if bad:
            raise TypeError(
                f"options holds unknown keyword(s) {', '.join(map(repr, bad))}{did_you_mean(bad[0], KEYWORDS)}; "
                f"it takes layered_view's keywords ({', '.join(KEYWORDS)})"
            )
        given.update(options)
    given.update(keywords)
    if isinstance(given.get("text_callable"), str):
        given["text_callable"] = text_callable_named(given["text_callable"])
    _validate(given)
    return given


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def text_callable_named(name: str) -> TextCallable:
    """A built-in text callable by name; ValueError listing the names."""
    if name not in LAYERED_TEXT_CALLABLES:
        raise ValueError(f"unknown text_callable {name!r}{did_you_mean(name, LAYERED_TEXT_CALLABLES)} "
                         f"(built-in: {', '.join(LAYERED_TEXT_CALLABLES)})")
    return LAYERED_TEXT_CALLABLES[name]


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
    detail = given.get("detail")
    if detail is not None and detail not in LEVELS:
        raise ValueError(f"detail={detail!r} is not supported (allowed: 'layers', 'blocks', 'stages')")
    groups = given.get("groups")
    if groups is not None and not isinstance(groups, (bool, Mapping)) and groups != "auto":
        raise ValueError(f"groups={groups!r}: expected 'auto', False, or a mapping {{caption: selector}}")
    labels = given.get("labels")
    if labels is not None:
        if isinstance(labels, str):
            labels = tuple(p.strip() for p in labels.split(",") if p.strip())
        labels = tuple(labels)
        bad = [p for p in labels if not is_label_part(p)]
        if bad:
            raise ValueError(f"labels: unknown part(s) {', '.join(map(repr, bad))}{did_you_mean(bad[0], LABEL_PARTS)} "
                             f"(allowed: {', '.join(LABEL_PARTS)}, or config.KEY for any configuration value)")
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


def warn_not_drawn(given) -> None:
    for key in ("logo_groups", "logos_legend"):
        if given.get(key):
            warnings.warn(f"{key}: kerasvg does not draw logos; ignored", UserWarning, stacklevel=4)


def groups_from_layered_groups(given) -> None:
    """visualkeras's layered_groups [{"name": caption, "layers": [names or layers]}] as groups={caption: names}."""
    entries = given.pop("layered_groups", None)
    if not entries:
        return
    if given.get("groups") is not None:
        raise ValueError("give groups= or layered_groups=, not both")
    groups: Dict[str, List[str]] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not entry.get("layers"):
            raise ValueError(f"layered_groups[{i}] must be a dict with 'layers' (layer names or layers) and 'name'")
        caption = str(entry.get("name", entry.get("caption")) or f"group {i + 1}")
        groups[caption] = [ref if isinstance(ref, str) else getattr(ref, "name", str(ref)) for ref in entry["layers"]]
    given["groups"] = groups


def themes_for(given, tables: Mapping[str, Mapping[str, Any]]) -> Tuple[Theme, Optional[Theme]]:
    """The theme drawn as attributes, and the other one of a light/dark pair (repainted by CSS) or None."""
    pair = theme_pair(given.get("theme"))
    scheme = check_scheme(given.get("scheme"), pair is not None)
    overrides = theme_overrides(given, tables)
    if pair is None:
        return load_theme(given.get("theme"), overrides), None
    light, dark = (load_theme(name, overrides) for name in pair)
    return (dark, light) if scheme == "dark" else (light, dark)


def theme_overrides(given, tables: Mapping[str, Mapping[str, Any]]) -> Dict[str, Any]:
    """Theme overrides: the user's `overrides`, then visualkeras keywords (which win)."""
    merged: Dict[str, Any] = {}
    for table, entries in (given.get("overrides") or {}).items():
        merged[table] = dict(entries) if isinstance(entries, Mapping) else entries
    canvas = merged.setdefault("canvas", {})
    if not isinstance(canvas, dict):
        return merged
    if "background_fill" in given:
        canvas["background"] = colour_or_transparent(given["background_fill"])
    if given.get("font") is not None:
        canvas["font_family"] = font_family(given["font"])
    if "font_color" in given:
        canvas["text_color"] = colour_or_transparent(given["font_color"])
    if "padding" in given:
        canvas["padding"] = given["padding"]
    if tables:
        layer_styles = merged.setdefault("layer", {})
        for key, style in tables.items():
            layer_styles.setdefault(key, {}).update(style)
    connector = {k: given[v] for k, v in (("color", "connector_fill"), ("width", "connector_width")) if v in given}
    if connector:
        if "color" in connector:
            connector["color"] = colour_or_transparent(connector["color"])
        merged["connector"] = {**(merged.get("connector") or {}), **connector}
    if not canvas:
        del merged["canvas"]
    return merged


def parse_aspect(aspect) -> Optional[float]:
    if aspect is None:
        return None
    if isinstance(aspect, str):
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)\s*$", aspect)
        value = float(match.group(1)) / float(match.group(2)) if match and float(match.group(2)) > 0 else None
    elif isinstance(aspect, (int, float)) and not isinstance(aspect, bool):
        value = float(aspect)
    else:
        value = None
    if value is None or not 0.05 <= value <= 50:
        raise ValueError(f"aspect={aspect!r}: expected a width/height ratio such as 16/9, 1.5 or '16:9' (0.05 to 50)")
    return value


def parse_max_width(max_width) -> Optional[float]:
    """max_width in px; a length string ('10in', '250mm') is converted at 96 px per inch."""
    if max_width is None:
        return None
    if isinstance(max_width, (int, float)) and not isinstance(max_width, bool) and max_width > 0:
        return float(max_width)
    try:
        value, unit = parse_width(max_width)
    except ValueError:
        raise ValueError(f"max_width={max_width!r}: expected px (a number) or a length such as '10in', '250mm'") from None
    return value / UNITS_PER_INCH[unit] * 96


def parse_width(width) -> Optional[Tuple[float, str]]:
    if width is None:
        return None
    match = LENGTH.match(str(width))
    if not match or not 0 < float(match.group(1)) < math.inf:
        raise ValueError(f"width={width!r}: expected a positive length such as '3.5in', '90mm', '8cm', '252pt' or '600px'")
    return float(match.group(1)), match.group(2)
