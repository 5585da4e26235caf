"""`layered_view`: model → description → geometry → SVG → Diagram."""
from __future__ import annotations

import functools
import gc
import inspect
import os
import re
import warnings
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from .graph.categories import category_of
from .graph.groups import (AUTO_GROUPS_ABOVE, Glyph, Grouping, captions, collapse, elide_middle, resolve_groups,
                            restrict)
from .diagram import UNITS_PER_INCH, Diagram
from .readers import read
from .layout import FrameSpec, Item, LayoutOptions, layout
from .graph.model import (Layer, ModelGraph, compact_shape, expand_nested, fold_repeats, format_count, key_layers,
                    without_layers)
from .options import LayeredOptions, class_name, colour_or_transparent, did_you_mean, font_family, resolve
from .layout.label_parts import part_text
from .graph.ranges import layer_range, with_stubs
from .layout.record import record_of
from .layout.sizing import Sizing, box_size
from .graph.spacers import spacer_gaps
from .layout.styling import check_class_names, check_keys, layer_tables
from .writers.svg import FROZEN_LEGEND_TYPE, PT_TO_PX, fmt, write_svg
from .scene.text import text_width
from .theme import Theme, load_theme
from .writers.outlines import check_text_mode
from .writers.schemes import check_scheme, theme_pair, with_scheme

MAX_NAME_CHARS = 28
SPARSE_LABELS_ABOVE = 60
FIT_HEIGHT_RATIO = 1.3  # with width=, a coarser detail level is chosen while the figure is taller than this
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|cm|mm|pt|px)\s*$")


_View = TypeVar("_View", bound=Callable[..., Any])


def _checked_keywords(view: _View) -> _View:
    """Reject unknown keywords with the nearest known one (Python's own message has no suggestion).
    Typed as returning `view` itself, so editors show layered_view's real signature."""
    known = [name for name in inspect.signature(view).parameters if name != "model"]

    @functools.wraps(view)
    def wrapper(*args, **keywords):
        unknown = [k for k in keywords if k not in known]
        if unknown:
            raise TypeError(f"layered_view() got unexpected keyword argument(s): {', '.join(map(repr, unknown))}"
                            f"{did_you_mean(unknown[0], known)}")
        return view(*args, **keywords)

    return wrapper  # type: ignore[return-value]


@_checked_keywords
def layered_view(
    model,
    to_file: Optional[Union[str, os.PathLike]] = None,
    min_z: Optional[float] = None,
    min_xy: Optional[float] = None,
    max_z: Optional[float] = None,
    max_xy: Optional[float] = None,
    scale_z: Optional[float] = None,
    scale_xy: Optional[float] = None,
    type_ignore: Optional[Sequence[Union[type, str]]] = None,
    index_ignore: Optional[Sequence[int]] = None,
    color_map: Optional[Mapping[Union[type, str], Mapping[str, Any]]] = None,
    one_dim_orientation: Optional[str] = None,
    index_2D: Optional[Sequence[int]] = None,
    background_fill: Any = None,
    draw_volume: Optional[bool] = None,
    draw_reversed: Optional[bool] = None,
    padding: Optional[float] = None,
    text_callable: Union[Callable[[int, Any], Tuple[str, bool]], str, None] = None,
    text_vspacing: Optional[float] = None,
    spacing: Optional[float] = None,
    draw_funnel: Optional[bool] = None,
    shade_step: Optional[int] = None,
    legend: Optional[bool] = None,
    legend_text_spacing_offset: Optional[float] = None,
    font: Any = None,
    font_color: Any = None,
    show_dimension: Optional[bool] = None,
    sizing_mode: Optional[str] = None,
    dimension_caps: Optional[Mapping[str, int]] = None,
    relative_base_size: Optional[float] = None,
    connector_fill: Any = None,
    connector_width: Optional[float] = None,
    image_fit: Optional[str] = None,
    image_axis: Optional[str] = None,
    layered_groups: Optional[Sequence[Mapping[str, Any]]] = None,
    logo_groups: Optional[Sequence[Mapping[str, Any]]] = None,
    logos_legend: Union[bool, Mapping[str, Any], None] = None,
    styles: Optional[Mapping[Union[type, str], Mapping[str, Any]]] = None,
    *,
    labels: Union[Sequence[str], str, None] = None,
    theme: Union[str, os.PathLike, Tuple[str, str], None] = None,
    overrides: Optional[Mapping[str, Mapping[str, Any]]] = None,
    width: Union[str, None] = None,
    aspect: Union[float, str, None] = None,
    max_width: Union[float, str, None] = None,
    expand_nested: bool = False,
    fold_repeats: bool = False,
    direction: str = "lr",
    show_trainable: bool = False,
    layer_range: Optional[Tuple[Union[str, int], Union[str, int]]] = None,
    groups: Any = None,
    detail: Optional[str] = None,
    load: bool = False,
    imports: Optional[Sequence[str]] = None,
    id_prefix: Optional[str] = None,
    scheme: Optional[str] = None,
    text: Optional[str] = None,
    options: Union[LayeredOptions, Mapping[str, Any], None] = None,
    preset: Optional[str] = None,
) -> Diagram:
    """Draw a built Keras model, a kerasvg ModelGraph or a saved model file (a path: `.keras`, `.json`,
    `.h5`, read without TensorFlow) as a layered isometric diagram; returns a `Diagram`.

    A keyword left at its default (None) keeps kerasvg's legibility-first default; one you pass keeps
    visualkeras's meaning. visualkeras's keywords (to_file … styles) may also be given by position, in
    visualkeras's order. Precedence: explicit keywords > `options` > `preset`.

    to_file: also save to this path (format from the extension: .svg .png .jpg .jpeg .pdf .html).
    min_z: smallest box depth along the flow, px (visualkeras sizing; default: kerasvg's log sizing).
    min_xy: smallest box height and depth across the flow, px.
    max_z: largest box extent along the flow, px.
    max_xy: largest box height and depth across the flow, px.
    scale_z: px per channel along the flow (visualkeras: 1.5).
    scale_xy: px per spatial unit across the flow (visualkeras: 4).
    type_ignore: layer classes (or class names) not to draw; connectors bridge them.
    index_ignore: indices into model.layers not to draw; connectors bridge them.
    color_map: {class, class name, layer name or glob: {"fill": colour, "outline": colour}}.
    one_dim_orientation: axis of 1-D tensors: "x", "y" or "z" (default: "y", a bar across the flow).
    index_2D: indices into model.layers drawn flat.
    background_fill: page colour (CSS name, #rrggbb, RGB(A) tuple; alpha 0 = transparent).
    draw_volume: False draws every box flat (default True).
    draw_reversed: True turns the boxes' depth to the left (default False).
    padding: margin around the drawing, px (default: the theme's).
    text_callable: (index, layer) -> (text, above) per layer, or a name from LAYERED_TEXT_CALLABLES.
    text_vspacing: extra space between label lines, px (default 2).
    spacing: gap between boxes, px (default: 28, less for large models).
    draw_funnel: True joins neighbouring boxes with funnel lines (default False).
    shade_step: darken the top/side faces by this much per step, visualkeras-style (default: the theme's shading).
    legend: True adds a legend of the drawn layer classes (default False).
    legend_text_spacing_offset: extra px between legend entries (default 0).
    font: a font family name or a Pillow ImageFont (default: the theme's).
    font_color: colour of labels and legend text (default: the theme's).
    show_dimension: with legend, list each class's output shapes (default False).
    sizing_mode: "accurate", "balanced", "capped", "logarithmic" or "relative" (visualkeras sizing).
    dimension_caps: caps for sizing_mode="capped": {"channels", "sequence", "general": px}.
    relative_base_size: px per unit for sizing_mode="relative" (visualkeras: 20).
    connector_fill: colour of the connectors (default: the theme's).
    connector_width: width of the connectors, px (default: the theme's).
    image_fit: visualkeras image fills; accepted, not drawn by kerasvg (warns when images are given).
    image_axis: visualkeras image fills; accepted, not drawn by kerasvg.
    layered_groups: visualkeras groups [{"name": caption, "layers": [names or layers]}]; passed on as groups=.
    logo_groups: visualkeras logos; accepted, not drawn by kerasvg (warns).
    logos_legend: visualkeras logo legend; accepted, not drawn by kerasvg.
    styles: {class, class name, layer name or glob: {"fill", "outline", "pattern"}}; names beat classes.
    labels: label parts, e.g. ("name", "kernel", "activation", "shape"); see LABEL_PARTS and config.KEY.
    theme: a built-in theme name (kerasvg.themes()), a path to a .toml file, "auto" or a (light, dark) pair.
    overrides: theme values on top of the theme, e.g. {"canvas": {"font_size": 11}}.
    width: printed width such as "3.5in", "90mm", "600px": text keeps the theme's point size.
    aspect: wrap the flow into rows near this width/height ratio (16/9 or "16:9").
    max_width: wrap the flow into rows no wider than this (px, or a length such as "10in").
    expand_nested: True draws nested models' layers inside a labelled frame.
    fold_repeats: True draws a run of identical blocks once with a "×N" badge.
    direction: "lr" (left to right) or "tb" (top to bottom).
    show_trainable: True marks layers whose trainable flag is False (dashed outline, lock badge).
    layer_range: (first, last) layer names or model.layers indices: draw only the layers between them.
    groups: captioned groups of layers (stages, blocks); layered_groups maps onto it.
    detail: "layers", "blocks" or "stages" (with groups).
    load: a saved file is loaded with Keras (safe_mode=True) and drawn live: for model classes such as
        keras_hub's; runs the library's code, for files you trust.
    imports: with load, modules to import first (the package that registers the model's classes).
    id_prefix: prefix of the SVG's ids (default: a short hash of the content).
    scheme: with a (light, dark) theme pair or theme="auto": the scheme drawn as attributes ("light"/"dark").
    text: "text" (selectable <text>) or "paths" (labels as glyph outlines).
    options: a LayeredOptions (fields that differ from its defaults count) or a mapping of these keywords.
    preset: a name from LAYERED_PRESETS ("default", "compact", "presentation") or "flat".
    """
    keywords = {name: value for name, value in locals().items()
                if name not in ("model", "options", "preset") and not _is_default(name, value)}
    live: Dict[str, Any] = {}
    graph = read(model, load=keywords.pop("load", False), imports=keywords.pop("imports", None) or (), live=live)
    with _collector_paused():
        return _layered_view(graph, options, preset, keywords, live=live)


def _is_default(name: str, value) -> bool:
    default = _SIGNATURE_DEFAULTS[name]
    return value is None if default is None else (value is default or (type(value) is type(default) and value == default))


_SIGNATURE_DEFAULTS = {name: p.default for name, p in inspect.signature(layered_view).parameters.items()}


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


def _layered_view(graph: ModelGraph, options, preset, keywords, marks=None, live=None) -> Diagram:
    if "to_file" in keywords and keywords["to_file"] is not None:
        from .diagram import format_of

        format_of(keywords["to_file"])
    given = resolve(keywords, options, preset)
    _warn_not_drawn(given)
    _groups_from_layered_groups(given)
    live = live or {}
    source = graph
    tables, from_classes = layer_tables(given.get("color_map"), given.get("styles"))
    whole = graph
    spacers, gaps = spacer_gaps(graph, live)
    graph = without_layers(graph, _ignored(graph, given) + spacers)
    stubs: Tuple[Tuple[str, str], ...] = ()
    if given.get("layer_range") is not None:
        graph, stubs = layer_range(graph, given["layer_range"])
    if given.get("expand_nested"):
        graph = expand_nested(graph)
    grouping = resolve_groups(graph, _groups_wanted(graph, given))
    theme, other = _themes(given, tables)
    check_keys(theme.values["layer"], whole, from_classes, "color_map / styles / theme [layer]")
    text_mode = check_text_mode(given.get("text"), theme.get("canvas", "font_family"))
    physical = _parse_width(given.get("width"))
    font_px = theme.get("canvas", "font_size") * PT_TO_PX
    levels = [given["detail"]] if given.get("detail") else ["layers"]
    if physical is not None and not given.get("detail") and grouping:
        levels = ["layers"] + (["blocks"] if grouping.blocks else []) + (["stages"] if grouping.stages else [])
    all_layers, all_groups = graph, grouping
    for detail in levels:  # a printed width: the most detailed level that fits a column-shaped figure
        graph, grouping, glyphs = _at_detail(all_layers, all_groups, detail, given)
        frozen = frozenset(l.name for l in graph.layers if l.trainable is False) if given.get("show_trainable") \
            else frozenset()
        items = [replace(item, gap_before=gaps.get(item.name, 0.0)) if item.name in gaps else item
                 for item in _items(graph, given, live, theme, font_px, grouping, glyphs)]
        if marks is not None:  # a diff names every layer that is not the same, however sparse the labels
            items = [replace(it, lines=_label_lines(graph.layer(it.name), ("name",)))
                     if not it.lines and marks.needs_label(it.name) else it for it in items]
        opts = _layout_options(graph, given, theme, font_px, items, frozen, grouping)
        if marks is not None:
            opts = replace(opts, legend=opts.legend + marks.legend_entries())
        sizing = _sizing(given, len(graph.layers))
        if physical is None:
            scene = layout(_sized(items, graph, sizing, given), graph.edges, opts)
            break
        scene, fitted = _fit_width(items, graph, sizing, given, opts, physical)
        if fitted:
            break
    if stubs:
        scene = with_stubs(scene, stubs, opts.transposed)
    width_attr = height_attr = None
    if physical is not None:
        value, unit = physical
        width_attr = f"{fmt(value)}{unit}"
        exact = f"{value * scene.height / scene.width:.4f}".rstrip("0").rstrip(".")  # 0.01 in would be 3 px at 300 dpi
        height_attr = f"{exact}{unit}"
    svg = write_svg(scene, graph, theme, shade_step=given.get("shade_step"), id_prefix=given.get("id_prefix"),
                    width_attr=width_attr, height_attr=height_attr, membership=grouping.membership(),
                    glyphs=glyphs, frozen=frozen, marks=marks)
    if text_mode == "paths":
        from .writers.outlines import text_as_paths

        svg = text_as_paths(svg, theme.get("canvas", "font_family"), scene.font_size)
    if other is not None:
        svg = with_scheme(svg, scene, other, "light" if given.get("scheme") == "dark" else "dark",
                          shade_step=given.get("shade_step"))
    diagram = Diagram(svg=svg, scene=scene, graph=graph, theme=theme,
                      background=theme.get("canvas", "background"), physical_width=physical,
                      shade_step=given.get("shade_step"),
                      html_style=dict(theme.values["html"], **{k: theme.values["canvas"][k] for k in ("background", "text_color", "font_family")}),
                      detail=detail, drill_down=_drill_down(source, all_layers, glyphs, options, preset, keywords))
    if given.get("to_file"):
        diagram.save(given["to_file"])
    return diagram


def _drill_down(source: ModelGraph, whole: ModelGraph, glyphs, options, preset, keywords):
    """For the HTML: each glyph's member layers, and a function drawing every layer (on demand)."""
    if not glyphs:
        return None
    members = {name: [whole.layer(m) for m in glyph.group.members] for name, glyph in glyphs.items()}
    layer_level = {k: v for k, v in keywords.items() if k not in ("to_file", "width", "detail")}
    layer_level.setdefault("groups", "auto")

    def expand() -> Diagram:
        return layered_view(source, options=options, preset=preset, detail="layers", **layer_level)

    return {"members": members, "expand": expand}


def _groups_wanted(graph: ModelGraph, given):
    """`groups=` as given; by default "auto" for models above AUTO_GROUPS_ABOVE layers (or when a detail
    level asks for groups)."""
    if "groups" in given and given["groups"] is not None:
        return given["groups"]
    if given.get("detail") in ("blocks", "stages"):
        return "auto"
    if len(graph.layers) > AUTO_GROUPS_ABOVE and given.get("direction") != "tb":
        return "auto"
    return None


def _at_detail(graph: ModelGraph, grouping: Grouping, detail: str, given):
    """The graph drawn at `detail`, the groups that frame it, and its glyphs; folded if asked."""
    graph, grouping, glyphs = collapse(graph, grouping, detail)
    if given.get("direction") == "tb":  # group frames and captions are laid out for left-to-right rows only
        grouping = Grouping()
    if given.get("fold_repeats"):
        graph = fold_repeats(graph)
        grouping = restrict(grouping, [l.name for l in graph.layers])
    return graph, grouping, glyphs


def _warn_not_drawn(given) -> None:
    for key in ("logo_groups", "logos_legend"):
        if given.get(key):
            warnings.warn(f"{key}: kerasvg does not draw logos; ignored", UserWarning, stacklevel=4)


def _groups_from_layered_groups(given) -> None:
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


def _ignored(graph: ModelGraph, given) -> List[str]:
    types = {class_name(t) for t in (given.get("type_ignore") or [])}
    check_class_names([t for t in given.get("type_ignore") or [] if isinstance(t, str)], graph, "type_ignore")
    indices = set(given.get("index_ignore") or [])
    return [l.name for l in graph.layers if l.type in types or (l.index is not None and l.index in indices)]


def _themes(given, tables: Mapping[str, Mapping[str, Any]]) -> Tuple[Theme, Optional[Theme]]:
    """The theme drawn as attributes, and the other one of a light/dark pair (repainted by CSS) or None."""
    pair = theme_pair(given.get("theme"))
    scheme = check_scheme(given.get("scheme"), pair is not None)
    overrides = _theme_overrides(given, tables)
    if pair is None:
        return load_theme(given.get("theme"), overrides), None
    light, dark = (load_theme(name, overrides) for name in pair)
    return (dark, light) if scheme == "dark" else (light, dark)


def _theme_overrides(given, tables: Mapping[str, Mapping[str, Any]]) -> Dict[str, Any]:
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


def _label_lines(layer: Layer, parts, live=None) -> Tuple[str, ...]:
    lines = []
    for part in parts:
        if part == "name":
            name = layer.name
            lines.append(elide_middle(name, MAX_NAME_CHARS))
        elif part == "type":
            lines.append(layer.type)
        elif part == "shape":
            lines.append(" | ".join(compact_shape(s) for s in layer.output_shapes) or "?")
        elif part == "params":
            lines.append(f"{format_count(layer.params)} params")
        else:
            text = part_text(layer, part, live)
            if text:
                lines.append(text)
    return tuple(lines)


def _items(graph: ModelGraph, given, live, theme: Theme, font_px, grouping: Grouping = Grouping(),
           glyphs: Optional[Dict[str, Glyph]] = None) -> List[Item]:
    parts = given["labels"] if given.get("labels") is not None else tuple(theme.get("labels", "show"))
    labelled = None if "labels" in given or len(graph.layers) <= SPARSE_LABELS_ABOVE else key_layers(graph)
    if labelled is not None and grouping:  # captions name the blocks: label inputs, outputs and changes
        ends = set(graph.inputs) | set(graph.outputs)
        in_block = {m for block in grouping.blocks for m in block.members}
        labelled = {n for n in labelled if n in ends or (category_of(graph.layer(n).type) != "merge"
                                                          and n not in in_block)}
    if labelled is not None:
        parts = ("name",)
    callback = given.get("text_callable")
    flat_indices = set(given.get("index_2D") or [])
    volume = given.get("draw_volume", True)
    frame_depth: Dict[str, int] = {}
    for members in [m for _, m in graph.groups] + [g.members for g in grouping.all]:
        for name in members:
            frame_depth[name] = frame_depth.get(name, 0) + 1
    repeated = {name for members, _ in graph.repeats for name in members}
    frame_step = font_px * 1.2 + 4
    items = []
    placed_above = theme.get("labels", "placement") == "above"
    for layer in graph.layers:
        above = placed_above
        lines = () if labelled is not None and layer.name not in labelled else \
            _label_lines(layer, parts, live.get(layer.name))
        if callback is not None and layer.index is not None:
            text, above = callback(layer.index, live[layer.name] if layer.name in live else record_of(layer))
            lines = tuple(str(text).split("\n")) if text else ()
        if glyphs and layer.name in glyphs and labelled is not None:  # many glyphs: each just named
            lines = (elide_middle(layer.name, MAX_NAME_CHARS),)
        elif glyphs and layer.name in glyphs and lines:
            lines = lines + (f"{glyphs[layer.name].layer_count} layers",)
        flat = not volume or (layer.index is not None and layer.index in flat_indices)
        pad = frame_step * (frame_depth.get(layer.name, 0) + (layer.name in repeated))
        category = glyphs[layer.name].category if glyphs and layer.name in glyphs else category_of(layer.type)
        items.append(Item(layer.name, layer.type, category, 0, 0, 0 if flat else 1, lines, bool(above), pad))
    return items


def _sized(items: List[Item], graph: ModelGraph, sizing: Sizing, given) -> List[Item]:
    result, sizes = [], {}
    for item, layer in zip(items, graph.layers):
        shape = layer.shape
        try:
            w, h, d = sizes[shape]
        except KeyError:
            w, h, d = sizes[shape] = box_size(shape, sizing)
        except TypeError:  # a shape that cannot be a key
            w, h, d = box_size(shape, sizing)
        result.append(Item(item.name, item.type, item.category, w, h, d if item.depth else 0.0, item.lines,
                           item.above, item.pad_top, item.gap_before))
    return result


def _layout_options(graph: ModelGraph, given, theme: Theme, font_px, items, frozen=frozenset(),
                    grouping: Grouping = Grouping()) -> LayoutOptions:
    family = theme.get("canvas", "font_family")
    legend = ()
    if given.get("legend"):
        legend = _shared_swatches(_legend_entries(graph, items, given.get("show_dimension", False)), theme)
    if frozen:
        legend += ((FROZEN_LEGEND_TYPE, "other", "frozen (trainable=False)"),)
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
        frames=_frame_specs(graph) + _group_frame_specs(graph, grouping),
        measure=lambda text: text_width(text, font_px, family),
    )


def _frame_specs(graph: ModelGraph) -> Tuple[FrameSpec, ...]:
    nested = [FrameSpec(layer.name, "nested", f"{layer.name} · {layer.type}", members) for layer, members in graph.groups]
    repeats = [FrameSpec(f"repeat-{i}", "repeat", f"×{count}", members) for i, (members, count) in enumerate(graph.repeats)]
    return tuple(nested + repeats)


def _group_frame_specs(graph: ModelGraph, grouping: Grouping) -> Tuple[FrameSpec, ...]:
    specs = []
    for group in grouping.all:
        texts = captions(group, graph, lambda layer: compact_shape(layer.shape))
        specs.append(FrameSpec(group.name, group.level, texts[0], group.members, tuple(texts[1:])))
    return tuple(specs)


def _shared_swatches(entries, theme: Theme) -> Tuple[Tuple[str, str, str], ...]:
    """Classes drawn alike share one legend entry (`MaxPooling2D / GlobalAveragePooling2D`)."""
    merged: Dict[tuple, List] = {}
    for type_name, category, text in entries:
        style = theme.style_for(type_name, category)
        key = (style["fill"], style["outline"], style["pattern"])
        if key in merged:
            merged[key][2] += " / " + text
        else:
            merged[key] = [type_name, category, text]
    return tuple(tuple(e) for e in merged.values())


def _legend_entries(graph: ModelGraph, items, show_dimension) -> Tuple[Tuple[str, str, str], ...]:
    seen: Dict[Tuple[str, str], List[str]] = {}
    for item, layer in zip(items, graph.layers):
        shapes = seen.setdefault((item.type, item.category), [])
        text = compact_shape(layer.shape)
        if text not in shapes:
            shapes.append(text)
    entries = []
    for (type_name, category), shapes in seen.items():
        text = type_name
        if show_dimension:
            dims = ", ".join(shapes)
            text += "  " + (dims if len(dims) <= 40 else dims[:39] + "…")
        entries.append((type_name, category, text))
    return tuple(entries)


def _height_limit(aspect: Optional[float]) -> float:
    """How tall a printed figure may be, per unit of width: column-shaped, or as `aspect=` asks (with slack)."""
    return FIT_HEIGHT_RATIO if aspect is None else max(FIT_HEIGHT_RATIO, 1.25 / aspect)


def _fit_width(items, graph, sizing: Sizing, given, opts: LayoutOptions, physical):
    """The largest boxes (never smaller text) that keep the drawing within the printed width and no taller
    than FIT_HEIGHT_RATIO times it (or as `aspect=` asks); rows wrap at that width. Returns the scene and
    whether it fits; if even tiny boxes do not, the tiny ones."""
    value, unit = physical
    target = value / UNITS_PER_INCH[unit] * 96
    if opts.max_width is None and opts.aspect is None:
        opts = replace(opts, max_width=target)
    limit = _height_limit(opts.aspect) * target

    def scene_at(scale):
        return layout(_sized(items, graph, replace(sizing, scale=scale), given), graph.edges, opts)

    def fits(scene):
        return scene.width <= target + 0.5 and scene.height <= limit

    def printed(scene):
        return replace(scene, width=round(max(scene.width, target), 2))  # the printed width exactly

    smallest = scene_at(0.05)
    if fits(smallest):
        for scale in (4.0, 3.0, 2.0, 1.5, 1.0, 0.8, 0.64, 0.5, 0.4, 0.3, 0.2, 0.12):
            scene = scene_at(scale)
            if fits(scene):
                return printed(scene), True
        return printed(smallest), True
    return printed(smallest), False


SHOW_MODES = ("layered", "graph", "functional", "lenet")


def show(model, *, mode: str = "layered", preset: Optional[str] = None,
         options: Union[LayeredOptions, Mapping[str, Any], None] = None, **overrides: Any) -> Diagram:
    """Render `model` with the view `mode` ("layered"/"layers"), applying `preset`, then `options`, then
    `overrides` (layered_view's keywords). Returns the Diagram."""
    name = (mode or "").strip().lower()
    if name in ("layered", "layers"):
        if options is not None and not isinstance(options, (LayeredOptions, Mapping)):
            raise TypeError(f"options for mode 'layered' must be a LayeredOptions or a mapping, got {type(options).__name__}")
        return layered_view(model, preset=preset, options=options, **overrides)
    if name in ("graph", "graph_view", "functional", "func", "lenet", "lenet_style"):
        raise ValueError(f"mode={mode!r}: kerasvg draws only the layered view (mode='layered')")
    raise ValueError(f"unknown mode {mode!r} (allowed: {', '.join(SHOW_MODES)}; kerasvg draws 'layered')")
