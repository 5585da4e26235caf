"""Per-layer styles from `color_map`, `styles` and theme `[layer]` tables: keys by class, layer name or glob."""
from __future__ import annotations

import bisect
import difflib
import fnmatch
import re
import warnings
from typing import Any, Dict, Iterable, Mapping, Sequence, Set, Tuple

from ..graph.model import ModelGraph
from ..options import class_name
from ..readers.keras_classes import KERAS_LAYER_CLASSES
from ..theme import STYLE_KEYS, is_glob

IMAGE_KEYS = ("image", "image_fit", "image_axis", "scale_image")
PER_LAYER_KEYS = ("padding", "spacing", "scale_z", "scale_xy", "min_z", "max_z", "min_xy", "max_xy", "shade_step",
                  "font", "font_color", "text_vspacing")  # visualkeras style keys kerasvg does not apply per layer


def layer_tables(color_map, styles) -> Tuple[Dict[str, Dict[str, Any]], Set[str]]:
    """`[layer]` theme tables from color_map then styles (styles win), and the keys that came from
    class objects (allowed to be absent from the model)."""
    tables: Dict[str, Dict[str, Any]] = {}
    from_classes: Set[str] = set()
    for source, mapping in (("color_map", color_map), ("styles", styles)):
        if not mapping:
            continue
        if not isinstance(mapping, Mapping):
            raise ValueError(f"{source} must map layer classes, names or globs to style dicts, got {type(mapping).__name__}")
        for key, style in mapping.items():
            name = class_name(key)
            if not isinstance(key, str):
                from_classes.add(name)
            if not isinstance(style, Mapping):
                raise ValueError(f"{source}[{name!r}] must be a dict of style keys ({', '.join(STYLE_KEYS)})")
            entry = tables.setdefault(name, {})
            for k, v in style.items():
                if k in IMAGE_KEYS and source == "styles":
                    warnings.warn(f"styles[{name!r}][{k!r}]: kerasvg does not draw images on layers; ignored",
                                  UserWarning, stacklevel=4)
                    continue
                if k in PER_LAYER_KEYS and source == "styles":
                    warnings.warn(f"styles[{name!r}][{k!r}]: kerasvg sets {k} for the whole diagram, not per layer; "
                                  f"ignored (per layer: {', '.join(STYLE_KEYS)})", UserWarning, stacklevel=4)
                    continue
                if k not in STYLE_KEYS:
                    raise ValueError(f"{source}[{name!r}]: unknown style key {k!r} (supported: {', '.join(STYLE_KEYS)})")
                entry[k] = v
            if not entry:
                del tables[name]
    return tables, from_classes


def check_keys(keys: Iterable[str], graph: ModelGraph, exempt: Set[str] = frozenset(), where: str = "style") -> None:
    """A string key must name a Keras layer class or match a layer (class, name or glob over names)."""
    names = [l.name for l in graph.layers]
    types = {l.type for l in graph.layers}
    ordered = sorted(names)
    for key in keys:
        if key in exempt or key in KERAS_LAYER_CLASSES or key in types or key in graph._by_name:
            continue
        if is_glob(key) and matches_a_name(key, ordered):
            continue
        near = difflib.get_close_matches(key, list(dict.fromkeys(names + sorted(types | KERAS_LAYER_CLASSES))), n=3)
        hint = f" (nearest: {', '.join(near)})" if near else ""
        raise ValueError(f"{where} key {key!r} names no Keras layer class and matches no layer of model "
                         f"{graph.name!r}{hint}")


def matches_a_name(glob: str, ordered: Sequence[str]) -> bool:
    """Whether `glob` matches one of the sorted `ordered` names; only those starting with its literal
    prefix are tried."""
    prefix = re.split(r"[*?[]", glob, maxsplit=1)[0]
    match = re.compile(fnmatch.translate(glob)).match
    for position in range(bisect.bisect_left(ordered, prefix), len(ordered)):
        name = ordered[position]
        if not name.startswith(prefix):
            return False
        if match(name):
            return True
    return False


def check_class_names(names: Iterable[str], graph: ModelGraph, where: str) -> None:
    """Each name must be a Keras layer class or the class of a layer in the model."""
    types = {l.type for l in graph.layers}
    for name in names:
        if name not in KERAS_LAYER_CLASSES and name not in types:
            near = difflib.get_close_matches(name, sorted(types | KERAS_LAYER_CLASSES), n=3)
            hint = f" (nearest: {', '.join(near)})" if near else ""
            raise ValueError(f"{where}: {name!r} is not a Keras layer class nor the class of a layer of model "
                             f"{graph.name!r}{hint}")
