"""`layered_view`: read the model, transform its graph, lay it out, hold the scene in a `Diagram`."""
from __future__ import annotations

import functools
import inspect
import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from . import budgets
from .collector import collector_paused
from .diagram import Diagram, format_of
from .graph.groups import AUTO_GROUPS_ABOVE
from .graph.model import ModelGraph, expand_nested, without_layers
from .graph.ranges import layer_range, with_stubs
from .graph.spacers import spacer_gaps
from .graph.structure import resolve_groups
from .layout.items import at_detail, scene_for
from .layout.styling import check_class_names, check_keys, layer_tables
from .options import (
    LayeredOptions,
    class_name,
    did_you_mean,
    groups_from_layered_groups,
    parse_width,
    resolve,
    themes_for,
    warn_not_drawn,
)
from .readers import read
from .writers import WriteOptions
from .writers.outlines import check_text_mode
from .writers.paint import PT_TO_PX

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
    block_key: Optional[bool] = None,
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

    to_file: also save to this path (format from the extension, as `Diagram.save`: .svg .png .jpg .pdf .html .tex .pptx …).
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
    block_key: draw one block of each kind layer by layer under the figure (default: whenever glyphs are
        drawn, or `width=` is given, for a model with blocks).
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
    with collector_paused():
        graph = read(model, load=keywords.pop("load", False), imports=keywords.pop("imports", None) or (), live=live)
        return draw(graph, keywords, options=options, preset=preset, live=live)


def _is_default(name: str, value) -> bool:
    default = _SIGNATURE_DEFAULTS[name]
    return value is None if default is None else (value is default or (type(value) is type(default) and value == default))



_SIGNATURE_DEFAULTS = {name: p.default for name, p in inspect.signature(layered_view).parameters.items()}


def draw(graph: ModelGraph, keywords: Mapping[str, Any], *, options=None, preset=None, live=None,
         diff=None) -> Diagram:
    """Everything after reading: keywords resolved, the graph transformed and laid out, the scene marked
    with a diff's statuses (`diff`, a `comparison.ModelDiff`) and held in a Diagram."""
    with collector_paused():
        if keywords.get("to_file") is not None:
            format_of(keywords["to_file"])
        given = resolve(dict(keywords), options, preset)
        warn_not_drawn(given)
        groups_from_layered_groups(given)
        live = live or {}
        tables, from_classes = layer_tables(given.get("color_map"), given.get("styles"))
        spacers, gaps = spacer_gaps(graph, live)
        drawn = without_layers(graph, _ignored(graph, given) + spacers)
        stubs: Tuple[Tuple[str, str], ...] = ()
        if given.get("layer_range") is not None:
            drawn, stubs = layer_range(drawn, given["layer_range"])
        if given.get("expand_nested"):
            drawn = expand_nested(drawn)
        grouping = resolve_groups(drawn, _groups_wanted(drawn, given))
        _check_writers(drawn, grouping, given)
        theme, other = themes_for(given, tables)
        check_keys(theme.values["layer"], graph, from_classes, "color_map / styles / theme [layer]")
        text_mode = check_text_mode(given.get("text"), theme.get("canvas", "font_family"))
        physical = parse_width(given.get("width"))
        font_px = theme.get("canvas", "font_size") * PT_TO_PX
        labelled, legend = None, ()
        if diff is not None:
            from .comparison.marks import layers_to_label, legend_entries

            labelled, legend = layers_to_label(diff), legend_entries()
        scene, opts, glyphs, whole = scene_for(drawn, grouping, given, live, theme, font_px, gaps, physical,
                                               labelled, legend)
        if stubs:
            scene = with_stubs(scene, stubs, opts.transposed)
        if diff is not None:
            from .comparison.marks import annotate

            scene = annotate(scene, diff)
        writing = WriteOptions(shade_step=given.get("shade_step"), id_prefix=given.get("id_prefix"),
                               physical_width=physical, text_mode=text_mode, other_theme=other,
                               other_scheme="light" if given.get("scheme") == "dark" else "dark",
                               drill_down=_drill_down(graph, whole, glyphs, options, preset, keywords))
        diagram = Diagram(scene, theme, writing)
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


def _check_writers(graph: ModelGraph, grouping, given) -> None:
    """A BudgetError, before layout, when a writer about to write the drawing (`budgets.writing`, `to_file`)
    takes fewer boxes than it would have: the layers, or at a coarser detail or folded, the boxes drawn."""
    formats = budgets.formats_to_write() + ((format_of(given["to_file"]),) if given.get("to_file") else ())
    limit = budgets.box_limit(formats)
    if limit is None or len(graph.layers) <= limit:
        return
    detail, folding = given.get("detail") or "layers", given
    if given.get("width") is not None and not given.get("detail"):  # a printed width may draw the coarsest level
        detail = "stages" if grouping.stages else "blocks" if grouping.blocks else "layers"
        folding = given if "fold_repeats" in given else {**given, "fold_repeats": True}
    if detail == "layers" and not folding.get("fold_repeats"):
        budgets.check_boxes(formats, len(graph.layers), "layers")
    else:
        budgets.check_boxes(formats, len(at_detail(graph, grouping, detail, folding)[0].layers))


def _groups_wanted(graph: ModelGraph, given):
    """`groups=` as given; by default "auto" for models above AUTO_GROUPS_ABOVE layers (or when a detail
    level asks for groups, or a printed width may need them)."""
    if "groups" in given and given["groups"] is not None:
        return given["groups"]
    if given.get("detail") in ("blocks", "stages") or given.get("width") is not None:
        return "auto"
    if len(graph.layers) > AUTO_GROUPS_ABOVE and given.get("direction") != "tb":
        return "auto"
    return None


def _ignored(graph: ModelGraph, given) -> List[str]:
    types = {class_name(t) for t in (given.get("type_ignore") or [])}
    check_class_names([t for t in given.get("type_ignore") or [] if isinstance(t, str)], graph, "type_ignore")
    indices = set(given.get("index_ignore") or [])
    return [l.name for l in graph.layers if l.type in types or (l.index is not None and l.index in indices)]


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
