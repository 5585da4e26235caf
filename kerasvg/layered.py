"""`layered_view`: model → description → geometry → SVG → Diagram."""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .categories import category_of
from .diagram import UNITS_PER_INCH, Diagram
from .loading import is_model_file, read
from .layout import FrameSpec, Item, LayoutOptions, layout
from .model import (Layer, ModelGraph, compact_shape, expand_nested, fold_repeats, format_count, key_layers,
                    without_layers)
from .options import class_name, colour_or_transparent, font_family, resolve
from .sizing import Sizing, box_size
from .svg import PT_TO_PX, fmt, write_svg
from .text import text_width
from .theme import Theme, load_theme
from .writers.outlines import check_text_mode
from .writers.schemes import check_scheme, theme_pair, with_scheme

MAX_NAME_CHARS = 28
SPARSE_LABELS_ABOVE = 60
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|cm|mm|pt|px)\s*$")


def layered_view(model, *, options: Optional[Mapping[str, Any]] = None, preset: Optional[str] = None,
                 **keywords) -> Diagram:
    """Draw a built Keras model, a kerasvg ModelGraph, or a saved model file (path: `.keras`, `.h5`,
    `.json`; read without TensorFlow, or with `load=True` (and `imports=[...]`) loaded with Keras)
    as a layered isometric diagram.

    Takes visualkeras 0.2.0's `layered_view` keywords with their meaning, plus kerasvg's own
    (`labels`, `theme`, `overrides`, `width`, `aspect`, `max_width`, `expand_nested`,
    `fold_repeats`, `direction`, `id_prefix`, `scheme`, `text`; `theme="auto"` or a `(light, dark)` pair follows the
    viewer's colour scheme). Returns a `Diagram`.
    """
    load, imports = keywords.pop("load", False), keywords.pop("imports", None)
    if is_model_file(model):
        model = read(model, load=load, imports=imports)
    elif load or imports:
        raise TypeError("load= and imports= apply to a saved model file path, not to a model object")
    with _collector_paused():
        return _layered_view(model, options, preset, keywords)


@contextmanager
def _collector_paused():
    """Layout and SVG writing allocate many short-lived acyclic objects; with TensorFlow's large heap
    loaded, the full collections they trigger make rendering superlinear. Refcounting frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _layered_view(model, options, preset, keywords, marks=None) -> Diagram:
    if "to_file" in keywords and keywords["to_file"] is not None:
        from .diagram import format_of

        format_of(keywords["to_file"])
    given = resolve(keywords, options, preset)
    if isinstance(model, ModelGraph):
        graph, live = model, {}
    else:
        from .reader import read_model

        graph, live = read_model(model)
    graph = without_layers(graph, _ignored(graph, given))
    if given.get("expand_nested"):
        graph = expand_nested(graph)
    if given.get("fold_repeats"):
        graph = fold_repeats(graph)
    theme, other = _themes(given)
    text_mode = check_text_mode(given.get("text"), theme.get("canvas", "font_family"))
    physical = _parse_width(given.get("width"))
    font_px = theme.get("canvas", "font_size") * PT_TO_PX
    items = _items(graph, given, live, theme, font_px)
    if marks is not None:  # a diff names every layer that is not the same, however sparse the labels
        items = [replace(it, lines=_label_lines(graph.layer(it.name), ("name",)))
                 if not it.lines and marks.needs_label(it.name) else it for it in items]
    opts = _layout_options(graph, given, theme, font_px, items)
    if marks is not None:
        opts = replace(opts, legend=opts.legend + marks.legend_entries())
    sizing = _sizing(given, len(graph.layers))
    if physical is None:
        scene = layout(_sized(items, graph, sizing, given), graph.edges, opts)
    else:
        scene = _fit_width(items, graph, sizing, given, opts, physical)
    width_attr = height_attr = None
    if physical is not None:
        value, unit = physical
        width_attr = f"{fmt(value)}{unit}"
        height_attr = f"{fmt(value * scene.height / scene.width)}{unit}"
    svg = write_svg(scene, graph, theme, shade_step=given.get("shade_step"), id_prefix=given.get("id_prefix"),
                    width_attr=width_attr, height_attr=height_attr, marks=marks)
    if text_mode == "paths":
        from .writers.outlines import text_as_paths

        svg = text_as_paths(svg, theme.get("canvas", "font_family"), scene.font_size)
    if other is not None:
        svg = with_scheme(svg, scene, other, "light" if given.get("scheme") == "dark" else "dark",
                          shade_step=given.get("shade_step"))
    diagram = Diagram(svg=svg, scene=scene, graph=graph, theme=theme,
                      background=theme.get("canvas", "background"), physical_width=physical,
                      shade_step=given.get("shade_step"),
                      html_style=dict(theme.values["html"], **{k: theme.values["canvas"][k] for k in ("background", "text_color", "font_family")}))
    if given.get("to_file"):
        diagram.save(given["to_file"])
    return diagram


def _ignored(graph: ModelGraph, given) -> List[str]:
    types = {class_name(t) for t in (given.get("type_ignore") or [])}
    indices = set(given.get("index_ignore") or [])
    return [l.name for l in graph.layers if l.type in types or (l.index is not None and l.index in indices)]


def _themes(given) -> Tuple[Theme, Optional[Theme]]:
    """The theme drawn as attributes, and the other one of a light/dark pair (repainted by CSS) or None."""
    pair = theme_pair(given.get("theme"))
    scheme = check_scheme(given.get("scheme"), pair is not None)
    overrides = _theme_overrides(given)
    if pair is None:
        return load_theme(given.get("theme"), overrides), None
    light, dark = (load_theme(name, overrides) for name in pair)
    return (dark, light) if scheme == "dark" else (light, dark)


def _theme_overrides(given) -> Dict[str, Any]:
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
    if given.get("color_map"):
        layer_styles = merged.setdefault("layer", {})
        for cls, style in given["color_map"].items():
            layer_styles.setdefault(class_name(cls), {}).update(style)
    if not canvas:
        del merged["canvas"]
    return merged


def _parse_aspect(aspect) -> Optional[float]:
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


def _parse_max_width(max_width) -> Optional[float]:
    """max_width in px; a length string ('10in', '250mm') is converted at 96 px per inch."""
    if max_width is None:
        return None
    if isinstance(max_width, (int, float)) and not isinstance(max_width, bool) and max_width > 0:
        return float(max_width)
    try:
        value, unit = _parse_width(max_width)
    except ValueError:
        raise ValueError(f"max_width={max_width!r}: expected px (a number) or a length such as '10in', '250mm'") from None
    return value / UNITS_PER_INCH[unit] * 96


def _parse_width(width) -> Optional[Tuple[float, str]]:
    if width is None:
        return None
    match = _LENGTH.match(str(width))
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"width={width!r}: expected a positive length such as '3.5in', '90mm', '8cm', '252pt' or '600px'")
    return float(match.group(1)), match.group(2)


def density(layer_count: int) -> float:
    """1 for small models, shrinking toward 0.3 so large models fit a page."""
    return 1.0 if layer_count <= SPARSE_LABELS_ABOVE else max(0.15, (SPARSE_LABELS_ABOVE / layer_count) ** 1.3)


def _sizing(given, layer_count: int) -> Sizing:
    """kerasvg's own sizing (vectors as bars across the flow), or visualkeras's when asked for."""
    orientation = given.get("one_dim_orientation", "z" if given.get("direction") == "tb" else "y")
    if not any(k in given for k in ("min_z", "min_xy", "max_z", "max_xy", "scale_z", "scale_xy", "sizing_mode",
                                    "dimension_caps", "relative_base_size")):
        return Sizing(one_dim_orientation=orientation, scale=density(layer_count))
    vk = {k: given.get(k, default) for k, default in (
        ("min_z", 20), ("min_xy", 20), ("max_z", 400), ("max_xy", 2000), ("scale_z", 1.5), ("scale_xy", 4),
        ("dimension_caps", None), ("relative_base_size", 20))}
    return Sizing(mode=given.get("sizing_mode", "accurate"), one_dim_orientation=given.get("one_dim_orientation", "z"), **vk)


def _label_lines(layer: Layer, parts) -> Tuple[str, ...]:
    lines = []
    for part in parts:
        if part == "name":
            name = layer.name
            lines.append(name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS - 1] + "…")
        elif part == "type":
            lines.append(layer.type)
        elif part == "shape":
            lines.append(" | ".join(compact_shape(s) for s in layer.output_shapes) or "?")
        elif part == "params":
            lines.append(f"{format_count(layer.params)} params")
    return tuple(lines)


def _items(graph: ModelGraph, given, live, theme: Theme, font_px) -> List[Item]:
    parts = given["labels"] if given.get("labels") is not None else tuple(theme.get("labels", "show"))
    labelled = None if "labels" in given or len(graph.layers) <= SPARSE_LABELS_ABOVE else key_layers(graph)
    if labelled is not None:
        parts = ("name",)
    callback = given.get("text_callable")
    flat_indices = set(given.get("index_2D") or [])
    volume = given.get("draw_volume", True)
    frame_depth: Dict[str, int] = {}
    for _, members in graph.groups:
        for name in members:
            frame_depth[name] = frame_depth.get(name, 0) + 1
    repeated = {name for members, _ in graph.repeats for name in members}
    frame_step = font_px * 1.2 + 4
    items = []
    for layer in graph.layers:
        lines, above = _label_lines(layer, parts), theme.get("labels", "placement") == "above"
        if labelled is not None and layer.name not in labelled:
            lines = ()
        if callback is not None and layer.index is not None and layer.name in live:
            text, above = callback(layer.index, live[layer.name])
            lines = tuple(str(text).split("\n")) if text else ()
        flat = not volume or (layer.index is not None and layer.index in flat_indices)
        pad = frame_step * (frame_depth.get(layer.name, 0) + (layer.name in repeated))
        items.append(Item(layer.name, layer.type, category_of(layer.type), 0, 0, 0 if flat else 1, lines, bool(above),
                          pad))
    return items


def _sized(items: List[Item], graph: ModelGraph, sizing: Sizing, given) -> List[Item]:
    result = []
    for item, layer in zip(items, graph.layers):
        w, h, d = box_size(layer.shape, sizing)
        result.append(replace(item, width=w, height=h, depth=d if item.depth else 0.0))
    return result


def _layout_options(graph: ModelGraph, given, theme: Theme, font_px, items) -> LayoutOptions:
    family = theme.get("canvas", "font_family")
    legend = ()
    if given.get("legend"):
        legend = _legend_entries(graph, items, given.get("show_dimension", False))
    return LayoutOptions(
        spacing=float(given.get("spacing", max(6.0, 28 * density(len(graph.layers))))),
        aspect=_parse_aspect(given.get("aspect")),
        max_width=_parse_max_width(given.get("max_width")),
        padding=float(theme.get("canvas", "padding")),
        font_size=font_px,
        line_spacing=float(given.get("text_vspacing", 2)),
        reversed=bool(given.get("draw_reversed", False)),
        funnel=bool(given.get("draw_funnel", False)),
        inferred_edges=graph.inferred_edges,
        legend=legend,
        legend_extra=float(given.get("legend_text_spacing_offset", 0)),
        legend_columns=theme.get("legend", "columns"),
        legend_position=theme.get("legend", "position"),
        lane_gap=16.0 * max(0.5, density(len(graph.layers))),
        row_gap=18.0 * max(0.67, density(len(graph.layers))),
        transposed=given.get("direction", "lr") == "tb",
        stagger_labels=len(graph.layers) > SPARSE_LABELS_ABOVE and "labels" not in given,
        frames=_frame_specs(graph),
        measure=lambda text: text_width(text, font_px, family),
    )


def _frame_specs(graph: ModelGraph) -> Tuple[FrameSpec, ...]:
    nested = [FrameSpec(layer.name, "nested", f"{layer.name} · {layer.type}", members) for layer, members in graph.groups]
    repeats = [FrameSpec(f"repeat-{i}", "repeat", f"×{count}", members) for i, (members, count) in enumerate(graph.repeats)]
    return tuple(nested + repeats)


def _legend_entries(graph: ModelGraph, items, show_dimension) -> Tuple[Tuple[str, str, str], ...]:
    seen: Dict[str, List[str]] = {}
    for item, layer in zip(items, graph.layers):
        shapes = seen.setdefault(item.type, [])
        text = compact_shape(layer.shape)
        if text not in shapes:
            shapes.append(text)
    entries = []
    for type_name, shapes in seen.items():
        text = type_name
        if show_dimension:
            dims = ", ".join(shapes)
            text += "  " + (dims if len(dims) <= 40 else dims[:39] + "…")
        entries.append((type_name, category_of(type_name), text))
    return tuple(entries)


def _fit_width(items, graph, sizing: Sizing, given, opts: LayoutOptions, physical):
    """Shrink or grow the boxes (never the text) until the drawing is as wide as the printed width."""

    value, unit = physical
    target = value / UNITS_PER_INCH[unit] * 96

    def scene_at(scale):
        return layout(_sized(items, graph, replace(sizing, scale=scale), given), graph.edges, opts)

    low, high = 0.05, 4.0
    best = scene_at(low)
    if best.width > target and opts.max_width is None:  # too wide even with tiny boxes: wrap into rows
        opts = replace(opts, max_width=target)
        low, high, best = 0.05, 1.0, scene_at(low)
    if best.width < target:
        top = scene_at(high)
        if top.width <= target:
            best = top
        else:
            for _ in range(18):
                mid = (low + high) / 2
                scene = scene_at(mid)
                if scene.width <= target:
                    low, best = mid, scene
                else:
                    high = mid
    return replace(best, width=round(max(best.width, target), 2))  # the printed width exactly: text keeps its size
