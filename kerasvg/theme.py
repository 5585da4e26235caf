"""Theme files: TOML that sets only what it changes on top of a base, validated on load.

`SCHEMA` declares every key once (type, default, meaning); `themes/README.md` is generated from it.
"""
from __future__ import annotations

import copy
import difflib
import fnmatch
import functools
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from . import budgets
from .graph.categories import CATEGORIES

PATTERNS = ("none", "hatch", "backhatch", "crosshatch", "dots", "vertical", "horizontal")
LABEL_PARTS = ("name", "type", "shape", "params", "activation", "kernel", "units")
SKIP_STYLES = ("solid", "dashed", "dotted")
LABEL_PLACEMENTS = ("below", "above")
LEGEND_POSITIONS = ("bottom", "right")


def is_label_part(part) -> bool:
    """One of LABEL_PARTS, or `config.KEY` (any configuration value)."""
    return isinstance(part, str) and (part in LABEL_PARTS or (part.startswith("config.") and len(part) > 7))


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
        "font_family": Key("family", "DejaVu Sans", "one font family name (cairo uses only the first)"),
        "font_size": Key("positive", 9, "size of labels and legend text, in points (kept at any printed width)"),
        "text_color": Key("colour", "#222222", "colour of labels and legend text"),
        "slide_font": Key("text", "Arial", "font family of text in .pptx slides (one every presenter's laptop has)"),
    },
    "box": {
        "stroke": Key("colour", "#2f2f2f", "outline colour of the boxes"),
        "stroke_width": Key("number", 0.8, "outline width, px"),
        "top_shade": Key("shade", 0.3, "top face relative to the front: + mixes toward white, - toward black"),
        "side_shade": Key("shade", -0.22, "side face relative to the front: + mixes toward white, - toward black"),
        "opacity": Key("fraction", 1.0, "fill opacity of the faces"),
    },
    "connector": {
        "color": Key("colour", "#4a4a4a", "colour of the main-flow connectors"),
        "width": Key("number", 1.2, "connector width, px"),
        "arrowheads": Key("bool", True, "draw an arrowhead where a connector ends"),
        "skip_color": Key("colour", "#8a4fbf", "colour of skip connectors"),
        "skip_style": Key("choice", "dashed", "line style of skip connectors", SKIP_STYLES),
    },
    "labels": {
        "show": Key("parts", ["name", "shape"], "what each label shows, top line first", LABEL_PARTS),
        "placement": Key("choice", "below", "where labels go relative to their box", LABEL_PLACEMENTS),
    },
    "legend": {
        "position": Key("choice", "bottom", "where the legend goes", LEGEND_POSITIONS),
        "columns": Key("integer", 0, "entries per row (bottom) or columns (right); 0: fit the width / one column"),
    },
    "html": {
        "panel_background": Key("colour", "#f6f7f9", "details panel background"),
        "panel_text": Key("colour", "#1d1f23", "details panel text"),
        "highlight": Key("colour", "#ff8c00", "outline of the selected or hovered layer"),
        "match": Key("colour", "#1f77b4", "outline of layers matching the search"),
    },
    "diff": {
        "added": Key("colour", "#009e73", "`kerasvg diff`: outline, badge (+) and connectors of layers only in b"),
        "removed": Key("colour", "#d55e00", "`kerasvg diff`: outline, badge (\u2212) and connectors of layers only in a"),
        "changed": Key("colour", "#0072b2", "`kerasvg diff`: outline and badge (~) of layers that differ"),
        "badge_text": Key("colour", "#ffffff", "`kerasvg diff`: the symbol on the badges"),
        "outline_width": Key("positive", 2.2, "`kerasvg diff`: width of the status outlines, px"),
        "same_opacity": Key("fraction", 0.32, "`kerasvg diff`: opacity of unchanged layers and connectors"),
        "removed_opacity": Key("fraction", 0.25, "`kerasvg diff`: fill opacity of removed (ghosted) layers"),
    },
}
STYLE_KEYS: Dict[str, Key] = {
    "fill": Key("colour", "#c7c7c7", "front-face colour"),
    "outline": Key("colour", "", "outline colour (empty: the box stroke)"),
    "pattern": Key("choice", "none", "fill pattern, for grayscale print", PATTERNS),
}
STYLE_TABLES = ("category", "layer")
TOP_LEVEL = ("extends", "description")

# The 148 CSS named colours (CSS Color Module Level 4).
_CSS_TABLE = (
    "aliceblue=f0f8ff antiquewhite=faebd7 aqua=00ffff aquamarine=7fffd4 azure=f0ffff beige=f5f5dc bisque=ffe4c4 "
    "black=000000 blanchedalmond=ffebcd blue=0000ff blueviolet=8a2be2 brown=a52a2a burlywood=deb887 "
    "cadetblue=5f9ea0 chartreuse=7fff00 chocolate=d2691e coral=ff7f50 cornflowerblue=6495ed cornsilk=fff8dc "
    "crimson=dc143c cyan=00ffff darkblue=00008b darkcyan=008b8b darkgoldenrod=b8860b darkgray=a9a9a9 "
    "darkgreen=006400 darkgrey=a9a9a9 darkkhaki=bdb76b darkmagenta=8b008b darkolivegreen=556b2f darkorange=ff8c00 "
    "darkorchid=9932cc darkred=8b0000 darksalmon=e9967a darkseagreen=8fbc8f darkslateblue=483d8b "
    "darkslategray=2f4f4f darkslategrey=2f4f4f darkturquoise=00ced1 darkviolet=9400d3 deeppink=ff1493 "
    "deepskyblue=00bfff dimgray=696969 dimgrey=696969 dodgerblue=1e90ff firebrick=b22222 floralwhite=fffaf0 "
    "forestgreen=228b22 fuchsia=ff00ff gainsboro=dcdcdc ghostwhite=f8f8ff gold=ffd700 goldenrod=daa520 "
    "gray=808080 green=008000 greenyellow=adff2f grey=808080 honeydew=f0fff0 hotpink=ff69b4 indianred=cd5c5c "
    "indigo=4b0082 ivory=fffff0 khaki=f0e68c lavender=e6e6fa lavenderblush=fff0f5 lawngreen=7cfc00 "
    "lemonchiffon=fffacd lightblue=add8e6 lightcoral=f08080 lightcyan=e0ffff lightgoldenrodyellow=fafad2 "
    "lightgray=d3d3d3 lightgreen=90ee90 lightgrey=d3d3d3 lightpink=ffb6c1 lightsalmon=ffa07a lightseagreen=20b2aa "
    "lightskyblue=87cefa lightslategray=778899 lightslategrey=778899 lightsteelblue=b0c4de lightyellow=ffffe0 "
    "lime=00ff00 limegreen=32cd32 linen=faf0e6 magenta=ff00ff maroon=800000 mediumaquamarine=66cdaa "
    "mediumblue=0000cd mediumorchid=ba55d3 mediumpurple=9370db mediumseagreen=3cb371 mediumslateblue=7b68ee "
    "mediumspringgreen=00fa9a mediumturquoise=48d1cc mediumvioletred=c71585 midnightblue=191970 mintcream=f5fffa "
    "mistyrose=ffe4e1 moccasin=ffe4b5 navajowhite=ffdead navy=000080 oldlace=fdf5e6 olive=808000 olivedrab=6b8e23 "
    "orange=ffa500 orangered=ff4500 orchid=da70d6 palegoldenrod=eee8aa palegreen=98fb98 paleturquoise=afeeee "
    "palevioletred=db7093 papayawhip=ffefd5 peachpuff=ffdab9 peru=cd853f pink=ffc0cb plum=dda0dd "
    "powderblue=b0e0e6 purple=800080 rebeccapurple=663399 red=ff0000 rosybrown=bc8f8f royalblue=4169e1 "
    "saddlebrown=8b4513 salmon=fa8072 sandybrown=f4a460 seagreen=2e8b57 seashell=fff5ee sienna=a0522d "
    "silver=c0c0c0 skyblue=87ceeb slateblue=6a5acd slategray=708090 slategrey=708090 snow=fffafa "
    "springgreen=00ff7f steelblue=4682b4 tan=d2b48c teal=008080 thistle=d8bfd8 tomato=ff6347 turquoise=40e0d0 "
    "violet=ee82ee wheat=f5deb3 white=ffffff whitesmoke=f5f5f5 yellow=ffff00 yellowgreen=9acd32 "
)
CSS_COLOURS = {name: "#" + hex_ for name, hex_ in (item.split("=") for item in _CSS_TABLE.split())}
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


@functools.lru_cache(maxsize=None)
def themes_dir() -> Path:
    """Where the built-in theme files live: inside the installed package, or the repo's `themes/`."""
    packaged = Path(__file__).resolve().parent / "themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes"


def builtin_names() -> List[str]:
    """Built-in theme names: `default` first, then alphabetical."""
    return sorted((p.stem for p in themes_dir().glob("*.toml")), key=lambda name: (name != "default", name))


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

    def style_for(self, type_name: str, category: str, name: Optional[str] = None) -> Dict[str, str]:
        """fill / outline / pattern for a layer: [layer."name"] beats a [layer."glob*"] on names beats
        [layer.Class] beats [category.name] beats defaults."""
        style = dict(self._style_defaults)
        style.update(self.values["category"].get(category, {}))
        tables = self.values["layer"]
        style.update(tables.get(type_name, {}))
        if name is not None:
            style.update(self._globs.styles(name))
            if name != type_name:
                style.update(tables.get(name, {}))
        if not style["outline"]:
            style["outline"] = self.values["box"]["stroke"]
        return style

    @functools.cached_property
    def _style_defaults(self) -> Dict[str, Any]:
        return {k: v.default for k, v in STYLE_KEYS.items()}

    @functools.cached_property
    def _globs(self) -> GlobStyles:
        return GlobStyles(self.values["layer"])


class GlobStyles:
    """What the glob keys of a [layer] table give a layer name, as if every matching glob were applied in
    the table's order: per style key, one regex of the globs that set it, the latest first, so its match
    names the glob that wins."""

    def __init__(self, tables: Mapping[str, Mapping[str, Any]]):
        self.patterns: Dict[str, Tuple[re.Pattern, List[Any]]] = {}
        for style_key in STYLE_KEYS:
            globs = [key for key in reversed(list(tables)) if is_glob(key) and style_key in tables[key]]
            if globs:
                regex = "|".join(f"({fnmatch.translate(key)})" for key in globs)
                self.patterns[style_key] = (re.compile(regex), [tables[key][style_key] for key in globs])

    def styles(self, name: str) -> Dict[str, Any]:
        """The style keys the globs matching `name` set, each from the last of them in the table."""
        found = {}
        for style_key, (pattern, values) in self.patterns.items():
            match = pattern.match(name)
            if match:
                found[style_key] = values[match.lastindex - 1]
        return found


def load_theme(theme: Optional[str] = None, overrides: Optional[Mapping[str, Any]] = None) -> Theme:
    """Resolve a built-in name or a path (with its `extends` chain), then apply `overrides`."""
    if theme is not None and not isinstance(theme, (str, os.PathLike)):
        raise ThemeError(f"theme={theme!r}: expected a built-in theme name ({', '.join(builtin_names())}) or a path to a .toml file")
    name = os.fspath(theme) if theme is not None else "default"
    if isinstance(theme, os.PathLike) and not _is_path(name):
        name = os.path.join(".", name)
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


def _chain(name: str, base_dir: Path, seen: List[str], referrer: Optional[str] = None) -> List[Tuple[str, dict]]:
    """The files of `name`'s `extends` chain, base first. `referrer` is the file whose `extends` named it."""
    via = f"{referrer}: extends = {name!r}: " if referrer else ""
    if _is_path(name):
        path = (base_dir / name).resolve()
        if not path.is_file():
            raise ThemeError(f"{via}theme file not found: {path}")
    else:
        path = themes_dir() / f"{name}.toml"
        if not path.is_file():
            raise ThemeError(
                f"{via}unknown theme {name!r}{_suggest(name, builtin_names())} "
                f"(allowed: a built-in theme ({', '.join(builtin_names())}) or a path to a .toml file)"
            )
        path = path.resolve()
    label = str(path)
    if label in seen:
        cycle = " -> ".join(seen[seen.index(label):] + [label])
        raise ThemeError(f"{seen[-1]}: 'extends' forms a cycle: {cycle}")
    data = _read_file(path)
    _check_top_level(data, label)
    parent = data.get("extends")
    if parent is None:
        is_base = path == (themes_dir() / "default.toml").resolve()
        chain = [] if is_base else _chain("default", base_dir, seen + [label])
    else:
        chain = _chain(parent, path.parent, seen + [label], referrer=label)
    return chain + [(label, data)]


def _check_top_level(data: Mapping[str, Any], source: str) -> None:
    for key in TOP_LEVEL:
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            meaning = "a theme name or a path" if key == "extends" else "one line of text"
            raise ThemeError(f"{source}: {key} = {value!r} must be {meaning} (a non-empty string)")
        if value is not None and has_control_characters(value):
            raise ThemeError(f"{source}: {key} = {value!r} must not hold control characters")


def _read_file(path: Path) -> dict:
    """Parsed TOML of a theme file, cached while the file is unchanged."""
    try:
        stamp = Path(path).stat()
        key = (str(path), stamp.st_mtime_ns, stamp.st_size)
    except OSError:
        key = None
    if key is not None and key in _PARSED:
        return copy.deepcopy(_PARSED[key])
    data = _parse_file(path)
    if key is not None:
        _PARSED[key] = copy.deepcopy(data)
    return data


_PARSED: Dict[tuple, dict] = {}


def _parse_file(path: Path) -> dict:
    import tomllib

    from .budgets import BudgetError, read_bounded

    try:
        text = read_bounded(path, "theme file").decode("utf-8")
    except FileNotFoundError:
        raise ThemeError(f"{path}: theme file not found") from None
    except BudgetError as exc:
        raise ThemeError(str(exc)) from None
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
        if table in TOP_LEVEL and source != "overrides":
            continue
        if table in STYLE_TABLES:
            result[table] = _validated_styles(table, entries, source)
            continue
        if table not in SCHEMA:
            tables = list(SCHEMA) + list(STYLE_TABLES)
            if isinstance(entries, Mapping):
                raise ThemeError(f"{source}: unknown table [{table}]{_suggest(table, tables)} (allowed: {', '.join(tables)})")
            keys = [] if source == "overrides" else list(TOP_LEVEL)
            raise ThemeError(
                f"{source}: unknown top-level key {table!r}{_suggest(table, keys + tables)} "
                f"(allowed: {', '.join(keys + ['[' + t + ']' for t in tables])})"
            )
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
    globs = sum(1 for name in entries if isinstance(name, str) and is_glob(name))
    if globs > budgets.current().globs:
        raise ThemeError(str(budgets.exceeded(f"{source}: [{table}] holds {globs:,} glob keys, which", "globs")))
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
        if has_control_characters(value):
            raise ThemeError(f"{where} must not hold control characters")
        return value
    if kind == "family":
        problem = font_family_problem(value)
        if problem:
            raise ThemeError(f"{where} {problem}")
        return value
    if kind == "choice":
        if value not in key.choices:
            raise ThemeError(f"{where} is not allowed (allowed: {', '.join(key.choices)})")
        return value
    if kind == "parts":
        if not isinstance(value, list) or not all(is_label_part(v) for v in value):
            raise ThemeError(f"{where} must be a list drawn from {', '.join(key.choices)} or config.KEY")
        return list(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ThemeError(f"{where} must be a number")
    if not math.isfinite(value):
        raise ThemeError(f"{where} must be a finite number (not NaN or infinity)")
    if abs(value) > MAX_NUMBER:
        raise ThemeError(f"{where} is too large (at most {MAX_NUMBER:,})")
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


def is_glob(key: str) -> bool:
    return any(c in key for c in "*?[")


MAX_NUMBER = 100_000
_FAMILY_PUNCTUATION = set(" -_.'&+()")


def has_control_characters(text: str) -> bool:
    """Control, format (bidirectional) or line-separator characters, or lone surrogates."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text)


def font_family_problem(name) -> Optional[str]:
    """Why `name` is not a usable font family name (letters, digits, spaces and -_.'&+()), or None."""
    if not isinstance(name, str) or not name.strip():
        return "must be a font family name such as \"DejaVu Sans\""
    if len(name) > 100:
        return "is too long for a font family name (at most 100 characters)"
    bad = [c for c in name if c not in _FAMILY_PUNCTUATION and unicodedata.category(c)[0] not in "LMN"]
    if bad:
        shown = "".join(dict.fromkeys(bad))
        return (f"is not a font family name: {ascii(shown)} not allowed (letters, digits, spaces and -_.'&+() are; "
                "one family, no fallback list)")
    return None


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


_KIND_TEXT = {
    "colour": "colour", "paint": "colour or \"transparent\"", "number": "number >= 0", "positive": "number > 0",
    "fraction": "number 0..1", "shade": "number -1..1", "text": "text", "family": "font family name",
    "bool": "true / false",
    "choice": "one of", "parts": "list of", "integer": "whole number >= 0",
}


def _type_text(key: Key) -> str:
    kind = _KIND_TEXT[key.kind]
    if key.choices:
        kind += " " + ", ".join(f"`{c}`" for c in key.choices)
    return kind


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def reference_markdown() -> str:
    """The theme reference (`themes/README.md`), generated from SCHEMA and the built-in theme files."""
    out = [
        "# Theme reference",
        "",
        "<!-- Generated by `python -m kerasvg.theme` from kerasvg/theme.py; do not edit by hand. -->",
        "",
        "A theme is a TOML file that sets only what it changes. It starts from `default` unless it says",
        "`extends = \"NAME\"` (a built-in name, or a path relative to the file; chains are allowed, cycles are",
        "an error). Use one with `kerasvg.layered_view(model, theme=\"paper\")` or `theme=\"./my_lab.toml\"`,",
        "and change single values with `overrides={\"canvas\": {\"font_size\": 11}}`.",
        "Colours are `#rgb`, `#rrggbb`, `#rrggbbaa` or a CSS colour name.",
        "",
        "## Built-in themes",
        "",
        "| name | description |",
        "|---|---|",
    ]
    out += [f"| `{name}` | {text} |" for name, text in themes().items()]
    out += ["", "## Top level", "", "| key | type | meaning |", "|---|---|---|",
            "| `extends` | text | the theme this one starts from (default: `default`) |",
            "| `description` | text | one line shown by `kerasvg.themes()` |"]
    for table, keys in SCHEMA.items():
        out += ["", f"## [{table}]", "", "| key | type | default | meaning |", "|---|---|---|---|"]
        out += [f"| `{k}` | {_type_text(key)} | `{_toml_value(key.default)}` | {key.meaning} |" for k, key in keys.items()]
    out += [
        "", "## [category.NAME] and [layer.CLASS]", "",
        "How boxes are filled. A `[layer]` key is a Keras class name (`[layer.Conv2D]`), a layer name",
        "(`[layer.conv1]`) or a glob over layer names (`[layer.\"block1_*\"]`): a name beats a glob, which beats",
        "a class, which beats `[category.convolution]`, which beats these defaults. A key that names no Keras",
        "class and matches no layer of the model is an error naming the nearest names. Categories: " + ", ".join(f"`{c}`" for c in CATEGORIES) + ".",
        "", "| key | type | default | meaning |", "|---|---|---|---|",
    ]
    out += [f"| `{k}` | {_type_text(key)} | `{_toml_value(key.default)}` | {key.meaning} |" for k, key in STYLE_KEYS.items()]
    out += ["", "Fonts: name one family. cairo (PNG, PDF) uses only the first family and falls back to its default",
            "when the family is missing, so the built-in themes use DejaVu Sans, DejaVu Serif or DejaVu Sans Mono",
            "(Debian's `fonts-dejavu-core`).", ""]
    return "\n".join(out)


def main(argv: Optional[List[str]] = None) -> int:
    """`python -m kerasvg.theme [PATH]`: write the theme reference (default: themes/README.md)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else themes_dir() / "README.md"
    from .writers.files import write_atomic

    write_atomic(target, reference_markdown().encode("utf-8"))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
