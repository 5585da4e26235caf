"""Theme files: TOML that sets only what it changes on top of a base, validated on load.

`SCHEMA` declares every key once (type, default, meaning); `themes/README.md` is generated from it.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from .categories import CATEGORIES

PATTERNS = ("none", "hatch", "backhatch", "crosshatch", "dots", "vertical", "horizontal")
LABEL_PARTS = ("name", "type", "shape", "params")
SKIP_STYLES = ("solid", "dashed", "dotted")
LEGEND_POSITIONS = ("bottom",)


class ThemeError(ValueError):
    """A theme file or override that cannot be used; the message names file, key, value and what is allowed."""


@dataclass(frozen=True)
class Key:
    kind: str  # colour, paint, number, positive, fraction, shade, text, bool, choice, parts, integer
    default: Any
    meaning: str
    choices: Tuple[str, ...] = ()


_PAINT = ("colour", "paint")

SCHEMA: Dict[str, Dict[str, Key]] = {
    "canvas": {
        "background": Key("paint", "#ffffff", "page colour, or \"transparent\""),
        "padding": Key("number", 16, "space around the drawing, px"),
        "font_family": Key("text", "DejaVu Sans", "one font family (cairo uses only the first)"),
        "font_size": Key("positive", 9, "label size in points"),
        "text_color": Key("colour", "#222222", "colour of labels and legend text"),
    },
    "box": {
        "stroke": Key("colour", "#2f2f2f", "outline colour of the boxes"),
        "stroke_width": Key("number", 0.8, "outline width, px"),
        "top_shade": Key("shade", 0.3, "top face relative to the front: + lighter, - darker (-1..1)"),
        "side_shade": Key("shade", -0.22, "side face relative to the front: + lighter, - darker (-1..1)"),
        "opacity": Key("fraction", 1.0, "fill opacity of the faces (0..1)"),
    },
    "connector": {
        "color": Key("colour", "#4a4a4a", "colour of the main-flow connectors"),
        "width": Key("number", 1.2, "connector width, px"),
        "arrowheads": Key("bool", True, "draw an arrowhead where a connector ends"),
        "skip_color": Key("colour", "#8a4fbf", "colour of skip connectors"),
        "skip_style": Key("choice", "dashed", "line style of skip connectors", SKIP_STYLES),
    },
    "labels": {
        "show": Key("parts", ["name", "shape"], "what each label shows", LABEL_PARTS),
    },
    "legend": {
        "position": Key("choice", "bottom", "where the legend goes", LEGEND_POSITIONS),
        "columns": Key("integer", 0, "entries per row; 0 fits the drawing's width"),
    },
    "html": {
        "panel_background": Key("colour", "#f6f7f9", "details panel background"),
        "panel_text": Key("colour", "#1d1f23", "details panel text"),
        "highlight": Key("colour", "#ff8c00", "outline of the selected or hovered layer"),
        "match": Key("colour", "#1f77b4", "outline of layers matching the search"),
    },
}
STYLE_KEYS: Dict[str, Key] = {
    "fill": Key("colour", "#c7c7c7", "front-face colour"),
    "outline": Key("colour", "", "outline colour (empty: the box stroke)"),
    "pattern": Key("choice", "none", "fill pattern, for grayscale print", PATTERNS),
}
STYLE_TABLES = ("category", "layer")
TOP_LEVEL = ("extends", "description")

CSS_COLOURS = {
    "black": "#000000", "white": "#ffffff", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
    "yellow": "#ffff00", "orange": "#ffa500", "purple": "#800080", "gray": "#808080", "grey": "#808080",
    "silver": "#c0c0c0", "maroon": "#800000", "olive": "#808000", "lime": "#00ff00", "aqua": "#00ffff",
    "cyan": "#00ffff", "teal": "#008080", "navy": "#000080", "fuchsia": "#ff00ff", "magenta": "#ff00ff",
    "pink": "#ffc0cb", "brown": "#a52a2a", "gold": "#ffd700", "beige": "#f5f5dc", "ivory": "#fffff0",
    "lightgray": "#d3d3d3", "lightgrey": "#d3d3d3", "darkgray": "#a9a9a9", "darkgrey": "#a9a9a9",
    "dimgray": "#696969", "whitesmoke": "#f5f5f5", "gainsboro": "#dcdcdc", "steelblue": "#4682b4",
    "skyblue": "#87ceeb", "lightblue": "#add8e6", "darkblue": "#00008b", "darkgreen": "#006400",
    "darkred": "#8b0000", "salmon": "#fa8072", "coral": "#ff7f50", "tomato": "#ff6347", "khaki": "#f0e68c",
    "orchid": "#da70d6", "plum": "#dda0dd", "violet": "#ee82ee", "indigo": "#4b0082", "tan": "#d2b48c",
    "chocolate": "#d2691e", "crimson": "#dc143c", "turquoise": "#40e0d0", "slategray": "#708090",
    "slategrey": "#708090", "midnightblue": "#191970", "lavender": "#e6e6fa", "seagreen": "#2e8b57",
}
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def themes_dir() -> Path:
    """Where the built-in theme files live: inside the installed package, or the repo's `themes/`."""
    packaged = Path(__file__).resolve().parent / "themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes"


def builtin_names() -> List[str]:
    return sorted(p.stem for p in themes_dir().glob("*.toml"))


def themes() -> Dict[str, str]:
    """Built-in theme name → its one-line description."""
    return {name: str(_read_file(themes_dir() / f"{name}.toml").get("description", "")) for name in builtin_names()}


@dataclass(frozen=True)
class Theme:
    """A fully resolved, validated theme."""

    name: str
    values: Mapping[str, Any]

    def get(self, table: str, key: str):
        return self.values[table][key]

    def style_for(self, type_name: str, category: str) -> Dict[str, str]:
        """fill / outline / pattern for a layer: [layer.Class] beats [category.name] beats defaults."""
        style = {k: v.default for k, v in STYLE_KEYS.items()}
        style.update(self.values["category"].get(category, {}))
        style.update(self.values["layer"].get(type_name, {}))
        if not style["outline"]:
            style["outline"] = self.values["box"]["stroke"]
        return style


def load_theme(theme: Optional[str] = None, overrides: Optional[Mapping[str, Any]] = None) -> Theme:
    """Resolve a built-in name or a path (with its `extends` chain), then apply `overrides`."""
    name = theme or "default"
    layers = _chain(name, base_dir=Path.cwd(), seen=[])
    merged = _defaults()
    for source, data in layers:
        _merge(merged, _validated(data, source))
    if overrides:
        if not isinstance(overrides, Mapping):
            raise ThemeError(f"overrides: expected a mapping like {{'canvas': {{'font_size': 11}}}}, got {type(overrides).__name__}")
        _merge(merged, _validated(dict(overrides), "overrides"))
    return Theme(name=name, values=merged)


def _is_path(name: str) -> bool:
    return os.sep in name or "/" in name or name.endswith(".toml")


def _chain(name: str, base_dir: Path, seen: List[str]) -> List[Tuple[str, dict]]:
    if _is_path(name):
        path = (base_dir / name).resolve()
        label = str(path)
    else:
        if name not in builtin_names():
            raise ThemeError(f"unknown theme {name!r}: use a built-in ({', '.join(builtin_names())}) or a path to a .toml file")
        path = themes_dir() / f"{name}.toml"
        label = name
    if label in seen:
        cycle = " -> ".join(seen[seen.index(label):] + [label])
        raise ThemeError(f"{label}: 'extends' forms a cycle: {cycle}")
    data = _read_file(path)
    parent = data.get("extends")
    if parent is None:
        chain = [] if label == "default" else _chain("default", base_dir, seen + [label])
    else:
        if not isinstance(parent, str):
            raise ThemeError(f"{path}: key 'extends' must be a theme name or path (text), got {parent!r}")
        chain = _chain(parent, path.parent, seen + [label])
    return chain + [(str(path), data)]


def _read_file(path: Path) -> dict:
    import tomllib

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ThemeError(f"{path}: theme file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"{path}: cannot read theme file ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: malformed TOML: {exc}") from None


def _defaults() -> Dict[str, Any]:
    values: Dict[str, Any] = {table: {k: _copy(key.default) for k, key in keys.items()} for table, keys in SCHEMA.items()}
    values["category"] = {}
    values["layer"] = {}
    return values


def _copy(value):
    return list(value) if isinstance(value, list) else value


def _merge(target: Dict[str, Any], update: Dict[str, Any]) -> None:
    for table, entries in update.items():
        if table in STYLE_TABLES:
            for name, style in entries.items():
                target[table].setdefault(name, {}).update(style)
        else:
            target[table].update(entries)


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _validated(data: Dict[str, Any], source: str) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    for table, entries in data.items():
        if table in TOP_LEVEL:
            continue
        if table in STYLE_TABLES:
            result[table] = _validated_styles(table, entries, source)
            continue
        if table not in SCHEMA:
            allowed = list(SCHEMA) + list(STYLE_TABLES) + list(TOP_LEVEL)
            raise ThemeError(f"{source}: unknown table [{table}]{_suggest(table, allowed)} (allowed: {', '.join(allowed)})")
        if not isinstance(entries, Mapping):
            raise ThemeError(f"{source}: [{table}] must be a table of keys, got {entries!r}")
        result[table] = {}
        for key, value in entries.items():
            if key not in SCHEMA[table]:
                raise ThemeError(
                    f"{source}: unknown key {key!r} in [{table}]{_suggest(key, SCHEMA[table])} "
                    f"(allowed: {', '.join(SCHEMA[table])})"
                )
            result[table][key] = check_value(SCHEMA[table][key], value, f"{table}.{key}", source)
    return result


def _validated_styles(table: str, entries, source: str) -> Dict[str, Dict[str, Any]]:
    if not isinstance(entries, Mapping):
        raise ThemeError(f"{source}: [{table}] must hold tables like [{table}.NAME], got {entries!r}")
    result = {}
    for name, style in entries.items():
        if table == "category" and name not in CATEGORIES:
            raise ThemeError(
                f"{source}: unknown category {name!r} in [category]{_suggest(name, CATEGORIES)} "
                f"(allowed: {', '.join(CATEGORIES)})"
            )
        if not isinstance(style, Mapping):
            raise ThemeError(f"{source}: [{table}.{name}] must be a table of keys, got {style!r}")
        result[name] = {}
        for key, value in style.items():
            if key not in STYLE_KEYS:
                raise ThemeError(
                    f"{source}: unknown key {key!r} in [{table}.{name}]{_suggest(key, STYLE_KEYS)} "
                    f"(allowed: {', '.join(STYLE_KEYS)})"
                )
            result[name][key] = check_value(STYLE_KEYS[key], value, f"{table}.{name}.{key}", source)
    return result


def check_value(key: Key, value, path: str, source: str):
    """Validate one value against its declaration; colours come back as lowercase #rrggbb[aa]."""
    where = f"{source}: {path} = {value!r}"
    kind = key.kind
    if kind in _PAINT:
        if kind == "paint" and value == "transparent":
            return value
        if key.default == "" and value == "":
            return value
        colour = parse_colour(value)
        if colour is None:
            allowed = "#rgb, #rrggbb, #rrggbbaa or a CSS colour name" + (' or "transparent"' if kind == "paint" else "")
            raise ThemeError(f"{where} is not a colour (allowed: {allowed})")
        return colour
    if kind == "bool":
        if not isinstance(value, bool):
            raise ThemeError(f"{where} must be true or false")
        return value
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise ThemeError(f"{where} must be non-empty text")
        return value
    if kind == "choice":
        if value not in key.choices:
            raise ThemeError(f"{where} is not allowed (allowed: {', '.join(key.choices)})")
        return value
    if kind == "parts":
        if not isinstance(value, list) or any(v not in key.choices for v in value):
            raise ThemeError(f"{where} must be a list drawn from {', '.join(key.choices)}")
        return list(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ThemeError(f"{where} must be a number")
    if kind == "integer" and (not isinstance(value, int) or value < 0):
        raise ThemeError(f"{where} must be a whole number >= 0")
    if kind == "number" and value < 0:
        raise ThemeError(f"{where} must not be negative")
    if kind == "positive" and value <= 0:
        raise ThemeError(f"{where} must be greater than 0")
    if kind == "fraction" and not 0 <= value <= 1:
        raise ThemeError(f"{where} must be between 0 and 1")
    if kind == "shade" and not -1 <= value <= 1:
        raise ThemeError(f"{where} must be between -1 and 1")
    return value


def parse_colour(value) -> Optional[str]:
    """`#rgb`, `#rrggbb`, `#rrggbbaa` or a CSS name → `#rrggbb` / `#rrggbbaa`; None when invalid."""
    if isinstance(value, (tuple, list)) and len(value) in (3, 4) and all(isinstance(v, int) and 0 <= v <= 255 for v in value):
        return "#" + "".join(f"{v:02x}" for v in (value if len(value) == 3 or value[3] != 255 else value[:3]))
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    text = CSS_COLOURS.get(text, text)
    if not _HEX.match(text):
        return None
    if len(text) == 4:
        text = "#" + "".join(c * 2 for c in text[1:])
    return text


def rgb(colour: str) -> Tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def alpha(colour: str) -> float:
    return int(colour[7:9], 16) / 255 if len(colour) == 9 else 1.0


def shade(colour: str, amount: float) -> str:
    """Mix toward white (amount > 0) or black (amount < 0)."""
    target = 255 if amount > 0 else 0
    mixed = [round(c + (target - c) * abs(amount)) for c in rgb(colour)]
    return "#" + "".join(f"{v:02x}" for v in mixed)


def fade(colour: str, step: int) -> str:
    """visualkeras's shade: subtract `step` from every channel."""
    return "#" + "".join(f"{max(c - step, 0):02x}" for c in rgb(colour))
