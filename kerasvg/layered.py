"""`layered_view`: model → description → geometry → SVG → Diagram."""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .categories import category_of
from .groups import (AUTO_GROUPS_ABOVE, Glyph, Grouping, captions, collapse, elide_middle, resolve_groups, restrict,
                     short_name)
from .diagram import UNITS_PER_INCH, Diagram
from .layout import FrameSpec, Item, LayoutOptions, layout
from .model import Layer, ModelGraph, compact_shape, expand_nested, fold_repeats, key_layers, without_layers
from .options import class_name, colour_or_transparent, font_family, resolve
from .sizing import Sizing, box_size
from .svg import PT_TO_PX, fmt, write_svg
from .text import text_width
from .theme import Theme, load_theme
from .writers.outlines import check_text_mode
from .writers.schemes import check_scheme, theme_pair, with_scheme

MAX_NAME_CHARS = 28
SPARSE_LABELS_ABOVE = 60
FIT_HEIGHT_RATIO = 1.3  # with width=, a coarser detail level is chosen while the figure is taller than this
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|cm|mm|pt|px)\s*$")


def layered_view(model, *, options: Optional[Mapping[str, Any]] = None, preset: Optional[str] = None,
                 **keywords) -> Diagram:
    """Draw a built Keras model (or a kerasvg ModelGraph) as a layered isometric diagram.

    Takes visualkeras 0.2.0's `layered_view` keywords with their meaning, plus kerasvg's own
    (`labels`, `theme`, `overrides`, `width`, `aspect`, `max_width`, `expand_nested`,
    `fold_repeats`, `direction`, `id_prefix`, `scheme`, `text`; `theme="auto"` or a `(light, dark)` pair follows the
    viewer's colour scheme). Returns a `Diagram`.
    """
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
    source = graph
    graph = without_layers(graph, _ignored(graph, given))
    if given.get("expand_nested"):
        graph = expand_nested(graph)
    grouping = resolve_groups(graph, _groups_wanted(graph, given))
    theme, other = _themes(given)
    text_mode = check_text_mode(given.get("text"), theme.get("canvas", "font_family"))
    physical = _parse_width(given.get("width"))
    font_px = theme.get("canvas", "font_size") * PT_TO_PX
    levels = [given["detail"]] if given.get("detail") else ["layers"]
    if physical is not None and not given.get("detail") and grouping:
        levels = ["layers"] + (["blocks"] if grouping.blocks else []) + (["stages"] if grouping.stages else [])
    whole, whole_groups = graph, grouping
    for detail in levels:  # a printed width: the most detailed level that fits a column-shaped figure
        graph, grouping, glyphs = _at_detail(whole, whole_groups, detail, given)
        items = _items(graph, given, live, theme, font_px, grouping, glyphs)
        if marks is not None:  # a diff names every layer that is not the same, however sparse the labels
            items = [replace(it, lines=_label_lines(graph.layer(it.name), ("name",)))
                     if not it.lines and marks.needs_label(it.name) else it for it in items]
        opts = _layout_options(graph, given, theme, font_px, items, grouping)
        if marks is not None:
            opts = replace(opts, legend=opts.legend + marks.legend_entries())
        sizing = _sizing(given, len(graph.layers))
        if physical is None:
            scene = layout(_sized(items, graph, sizing, given), graph.edges, opts)
            break
        scene, fitted = _fit_width(items, graph, sizing, given, opts, physical)
        if fitted:
            break
    width_attr = height_attr = None
    if physical is not None:
        value, unit = physical
        width_attr = f"{fmt(value)}{unit}"
        exact = f"{value * scene.height / scene.width:.4f}".rstrip("0").rstrip(".")  # 0.01 in would be 3 px at 300 dpi
        height_attr = f"{exact}{unit}"
    svg = write_svg(scene, graph, theme, shade_step=given.get("shade_step"), id_prefix=given.get("id_prefix"),
                    width_attr=width_attr, height_attr=height_attr, membership=grouping.membership(),
                    glyphs=glyphs, marks=marks)
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
                      detail=detail, drill_down=_drill_down(source, whole, glyphs, options, preset, keywords))
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
            lines.append(elide_middle(name, MAX_NAME_CHARS))
        elif part == "type":
            lines.append(layer.type)
        elif part == "shape":
            lines.append(" | ".join(compact_shape(s) for s in layer.output_shapes) or "?")
        elif part == "params":
            lines.append(f"{layer.params:,} params")
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
    for layer in graph.layers:
        lines, above = _label_lines(layer, parts), theme.get("labels", "placement") == "above"
        if labelled is not None and layer.name not in labelled:
            lines = ()
        if callback is not None and layer.index is not None and layer.name in live:
            text, above = callback(layer.index, live[layer.name])
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
    result = []
    for item, layer in zip(items, graph.layers):
        w, h, d = box_size(layer.shape, sizing)
        result.append(replace(item, width=w, height=h, depth=d if item.depth else 0.0))
    return result


def _layout_options(graph: ModelGraph, given, theme: Theme, font_px, items,
                    grouping: Grouping = Grouping()) -> LayoutOptions:
    family = theme.get("canvas", "font_family")
    legend = ()
    if given.get("legend"):
        legend = _shared_swatches(_legend_entries(graph, items, given.get("show_dimension", False)), theme)
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
