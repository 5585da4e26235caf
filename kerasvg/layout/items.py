"""What the layout is given: one item per drawn layer (label, category, size), the frames, the options,
and the detail level and box scale that fit a printed width."""
from __future__ import annotations

import functools
from dataclasses import replace
from typing import Dict, List, Mapping, Optional, Tuple

from ..graph.categories import category_of
from ..graph.glyphs import GLYPH_TYPES, Glyph, captions, collapse, elide_distinct, elide_middle
from ..graph.groups import Grouping, restrict
from ..graph.model import Layer, ModelGraph, compact_shape, fold_repeats, format_count, key_layers
from ..graph.table import LazyRecords
from ..options import SIZING_KEYS, UNITS_PER_INCH, VISUALKERAS_DEFAULTS, parse_aspect, parse_max_width
from ..scene import Box
from ..scene.text import text_width
from ..theme import Theme
from .assemble import layout
from .blockkey import MAX_KINDS, block_key, block_kinds, key_types, with_block_key
from .label_parts import part_text
from .record import record_of
from .sizing import Sizing, box_size
from .spec import FrameSpec, Item, LayoutOptions

MAX_NAME_CHARS = 28
GLYPH_NOUNS = {"convolution": "with convolutions", "dense": "with dense layers", "attention": "with attention",
               "recurrent": "with recurrent layers", "pooling": "with pooling", "other": "other layers"}
SPARSE_LABELS_ABOVE = 60
FIT_HEIGHT_RATIO = 1.3  # with width=, a coarser detail level is chosen while the figure is taller than this


def scene_for(graph: ModelGraph, grouping: Grouping, given: Mapping, live, theme: Theme, font_px: float,
              gaps: Mapping[str, float], physical, labelled: Optional[Mapping[str, Tuple[str, ...]]] = None,
              extra_legend=()):
    """The scene at the detail asked for, or with a printed width the most detailed level that fits a
    column-shaped figure; with the graph, groups and glyphs drawn at that level, and the level.

    `labelled` names layers that get their name even where labels are sparse, each with lines to add (a
    diff's changes and what changed, see `with_changes`);
    `extra_legend` adds (kind, type, category, text) entries after the layer types'."""
    levels = [given["detail"]] if given.get("detail") else ["layers"]
    if physical is not None and not given.get("detail") and grouping:
        levels = ["layers"] + (["blocks"] if grouping.blocks else []) + (["stages"] if grouping.stages else [])
    all_layers, all_groups = graph, grouping
    kinds = None  # the kinds of block, found when a key is first wanted
    target = physical_px(physical) if physical is not None else None
    attempts = [(detail, given, font_px) for detail in levels]
    if physical is not None and "fold_repeats" not in given:  # too tall at every level: fold repeats too
        attempts += [(detail, {**given, "fold_repeats": True}, font_px) for detail in levels]
    if physical is not None:  # and then smaller text, down to MIN_PRINTED_PT
        attempts += [(detail, folding, px) for px in _smaller_fonts(font_px) for detail, folding, _ in attempts]
    for detail, folding, font_px in attempts:
        graph, grouping, glyphs = at_detail(all_layers, all_groups, detail, folding)
        frozen = frozenset(l.name for l in graph.layers if l.trainable is False) if given.get("show_trainable") \
            else frozenset()
        items = [replace(item, gap_before=gaps.get(item.name, 0.0)) if item.name in gaps else item
                 for item in items_for(graph, given, live, theme, font_px, grouping, glyphs)]
        items = distinct_names([replace(it, lines=with_changes(
            it.lines or label_lines(graph.layer(it.name), ("name",)), labelled[it.name]))
            if labelled and it.name in labelled else it for it in items])
        wants_key = given.get("block_key") is not False and bool(given.get("block_key") or glyphs or physical is not None)
        if wants_key:
            kinds = block_kinds(all_layers, all_groups) if kinds is None else kinds
            wants_key = bool(kinds)
        key_legend = key_types(all_layers, kinds) if wants_key else ()
        opts = layout_options(graph, given, theme, font_px, items, frozen, grouping, key_legend)
        if extra_legend:
            opts = replace(opts, legend=opts.legend + tuple(extra_legend))
        sizing = sizing_for(given, len(graph.layers))
        finishers = [None]
        if wants_key:  # fewer kinds in the key before smaller text
            finishers = [_key_finisher(all_layers, kinds, opts, sizing, target, most)
                         for most in range(MAX_KINDS, 0 if physical is not None else MAX_KINDS - 1, -1)]
        if physical is None:
            scene = layout(sized(items, graph, sizing, given), graph.edges, opts)
            scene = finishers[0](scene, sizing.scale) if finishers[0] else scene
            break
        for finish in finishers:
            scene, fitted = fit_width(items, graph, sizing, given, opts, physical, finish)
            if fitted:
                break
        if fitted:
            break
    membership = grouping.membership()
    stages = LazyRecords(all_layers, all_groups) if all_groups else ()  # made when the table is asked for
    scene = replace(scene, graph=graph, detail=detail, stages=stages, boxes=tuple(
        _marked(b, tuple(membership.get(b.name, ())), glyphs.get(b.name), b.name in frozen) for b in scene.boxes))
    return scene, opts, glyphs, all_layers


def _marked(box: Box, groups: Tuple[str, ...], glyph, frozen: bool) -> Box:
    """`box` with its groups, glyph level and members and frozen mark (built directly: `replace` costs 3× as much,
    which a 50,000-layer model feels)."""
    level, members = (glyph.group.level, tuple(glyph.group.members)) if glyph is not None else (None, ())
    return Box(box.name, box.type, box.category, box.x, box.y, box.width, box.height, box.dx, box.dy, box.faces,
               box.label, groups, level, members, frozen, box.diff)


MIN_PRINTED_PT = 6.0
PX_PER_PT = 96 / 72


def _smaller_fonts(font_px: float) -> List[float]:
    """Text sizes to try, smaller than the theme's, when a printed figure does not fit (none under 6 pt)."""
    points = font_px / PX_PER_PT
    return [p * PX_PER_PT for p in (8.0, 7.0, MIN_PRINTED_PT) if p < points - 0.1]


def _key_finisher(graph: ModelGraph, kinds, opts: LayoutOptions, sizing: Sizing, width, most):
    """A function placing the block key (`most` kinds drawn), its boxes at the figure's box scale."""
    line = opts.font_size * 1.2 + opts.line_spacing
    made = {}

    def finish(scene, scale):
        if scale not in made:
            scaled = replace(sizing, scale=scale)
            room = width - 2 * opts.padding if width else 0.0
            made[scale] = (block_key(graph, kinds, opts, scaled, 0.0, most, room),
                           block_key(graph, kinds, opts, scaled, width or 960.0, most, room))
        return with_block_key(scene, made[scale], opts.padding, line, opts.measure, width)

    return finish


def label_lines(layer: Layer, parts, live=None) -> Tuple[str, ...]:
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


def with_changes(lines: Tuple[str, ...], changes: Tuple[str, ...]) -> Tuple[str, ...]:
    """A label's lines, then lines `old → new`; a line after the first that one of them restates as its new
    value (the shape under `14×14×256 → 14×14×512`) is dropped."""
    restated = {change.rsplit(" \u2192 ", 1)[-1] for change in changes}
    return tuple(line for i, line in enumerate(lines) if i == 0 or line not in restated) + tuple(changes)


def distinct_names(items: List[Item]) -> List[Item]:
    """Names that elision would make read the same keep where they differ instead (`elide_distinct`)."""
    elided = {it.name: elide_middle(it.name, MAX_NAME_CHARS) for it in items
              if len(it.name) > MAX_NAME_CHARS and elide_middle(it.name, MAX_NAME_CHARS) in it.lines}
    shown = elide_distinct(list(elided), MAX_NAME_CHARS)
    return [replace(it, lines=tuple(shown[it.name] if line == elided[it.name] else line for line in it.lines))
            if it.name in elided and shown[it.name] != elided[it.name] else it for it in items]


def items_for(graph: ModelGraph, given, live, theme: Theme, font_px, grouping: Grouping = Grouping(),
           glyphs: Optional[Dict[str, Glyph]] = None) -> List[Item]:
    parts = given["labels"] if given.get("labels") is not None else tuple(theme.get("labels", "show"))
    labelled = None if "labels" in given or len(graph.layers) <= SPARSE_LABELS_ABOVE else key_layers(graph)
    ends = set(graph.inputs) | set(graph.outputs)  # always named and sized
    if labelled is not None and grouping:  # captions name the blocks: label inputs, outputs and changes
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
            label_lines(layer, parts, live.get(layer.name))
        if callback is not None and layer.index is not None:
            text, above = callback(layer.index, live[layer.name] if layer.name in live else record_of(layer))
            lines = tuple(str(text).split("\n")) if text else ()
        if glyphs and layer.name in glyphs and labelled is not None:  # many glyphs: each just named
            lines = (elide_middle(layer.name, MAX_NAME_CHARS),)
        elif glyphs and layer.name in glyphs and lines:
            blocks = len(glyphs[layer.name].group.blocks)
            if blocks and lines[0] == elide_middle(layer.name, MAX_NAME_CHARS):  # `conv3 ×4`, then its shape
                lines = (f"{lines[0]} ×{blocks}",) + lines[1:]
            else:
                lines = lines + (glyph_count(glyphs[layer.name]),)
        if layer.name in ends and callback is None and "labels" not in given:
            size = " | ".join(compact_shape(s) for s in layer.output_shapes) or "?"
            lines = tuple(lines or (elide_middle(layer.name, MAX_NAME_CHARS),))
            if size not in lines:
                lines += (size,)
        flat = not volume or (layer.index is not None and layer.index in flat_indices)
        pad = frame_step * (frame_depth.get(layer.name, 0) + (layer.name in repeated))
        category = glyphs[layer.name].category if glyphs and layer.name in glyphs else category_of(layer.type)
        items.append(Item(layer.name, layer.type, category, 0, 0, 0 if flat else 1, lines, bool(above), pad))
    return items


def sized(items: List[Item], graph: ModelGraph, sizing: Sizing, given) -> List[Item]:
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
    if sizing.mode is None:  # no vector drawn taller than the tallest feature map of its figure
        ranks = [len(layer.shape) if not isinstance(layer.shape, str) else 0 for layer in graph.layers]
        tallest = max((it.height for it, rank in zip(result, ranks) if rank >= 4), default=None)
        if tallest is not None:
            result = [replace(it, height=min(it.height, tallest)) if rank == 2 else it
                      for it, rank in zip(result, ranks)]
    return result


def layout_options(graph: ModelGraph, given, theme: Theme, font_px, items, frozen=frozenset(),
                    grouping: Grouping = Grouping(), key_legend=()) -> LayoutOptions:
    """`key_legend`: (type, category) of the block key's layers, which the legend explains too."""
    family = theme.get("canvas", "font_family")
    legend = ()
    if legend_wanted(given, grouping, items):
        entries = _legend_entries(graph, items, given.get("show_dimension", False))
        listed = {e[0] for e in entries}
        entries += tuple((t, c, t) for t, c in key_legend if t not in listed)
        legend = _shared_swatches(entries, theme)
    if frozen:
        legend += (("frozen", "", "other", "frozen (trainable=False)"),)
    return LayoutOptions(
        spacing=float(given.get("spacing", max(6.0, 28 * density(len(graph.layers))))),
        aspect=parse_aspect(given.get("aspect")),
        max_width=parse_max_width(given.get("max_width")),
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
        measure=functools.lru_cache(maxsize=4096)(lambda text: text_width(text, font_px, family)),
    )


def glyph_count(glyph: Glyph) -> str:
    """What a glyph holds: its blocks for a stage of blocks (`4 blocks`), else its layers."""
    blocks = len(glyph.group.blocks)
    if blocks:
        return f"{blocks} block{'s' if blocks != 1 else ''}"
    return f"{glyph.layer_count} layer{'s' if glyph.layer_count != 1 else ''}"


def legend_wanted(given, grouping: Grouping, items) -> bool:
    """`legend=` as given; by default on whenever groups, glyphs or a printed width are in play (a
    visualkeras-style figure keeps visualkeras's default of none)."""
    if given.get("legend") is not None:
        return bool(given["legend"])
    return bool(grouping) or any(item.type in GLYPH_TYPES for item in items) or given.get("width") is not None


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
    return tuple(("type", *e) for e in merged.values())


def _legend_entries(graph: ModelGraph, items, show_dimension) -> Tuple[Tuple[str, str, str], ...]:
    seen: Dict[Tuple[str, str], List[str]] = {}
    for item, layer in zip(items, graph.layers):
        shapes = seen.setdefault((item.type, item.category), [])
        if show_dimension:
            text = compact_shape(layer.shape)
            if text not in shapes:
                shapes.append(text)
    entries = []
    for (type_name, category), shapes in seen.items():
        text = f"{type_name.lower()}s: {GLYPH_NOUNS.get(category, category)}" if type_name in GLYPH_TYPES else type_name
        if show_dimension:
            dims = ", ".join(shapes)
            text += "  " + (dims if len(dims) <= 40 else dims[:39] + "…")
        entries.append((type_name, category, text))
    return tuple(entries)


def density(layer_count: int) -> float:
    """1 for small models, shrinking toward 0.3 so large models fit a page."""
    return 1.0 if layer_count <= SPARSE_LABELS_ABOVE else max(0.15, (SPARSE_LABELS_ABOVE / layer_count) ** 1.3)


def sizing_for(given, layer_count: int) -> Sizing:
    """kerasvg's own sizing (vectors as bars across the flow), or visualkeras's when asked for."""
    orientation = given.get("one_dim_orientation", "z" if given.get("direction") == "tb" else "y")
    if not any(k in given for k in SIZING_KEYS):
        return Sizing(one_dim_orientation=orientation, scale=density(layer_count))
    sized_by = {k: given.get(k, VISUALKERAS_DEFAULTS[k]) for k in SIZING_KEYS}
    return Sizing(mode=sized_by.pop("sizing_mode"), one_dim_orientation=given.get(
        "one_dim_orientation", VISUALKERAS_DEFAULTS["one_dim_orientation"]), **sized_by)


def _height_limit(aspect: Optional[float]) -> float:
    """How tall a printed figure may be, per unit of width: column-shaped, or as `aspect=` asks (with slack)."""
    return FIT_HEIGHT_RATIO if aspect is None else max(FIT_HEIGHT_RATIO, 1.25 / aspect)


def physical_px(physical) -> float:
    """A printed width (value, unit) in CSS pixels."""
    value, unit = physical
    return value / UNITS_PER_INCH[unit] * 96


def fit_width(items, graph, sizing: Sizing, given, opts: LayoutOptions, physical, finish=None):
    """The largest boxes (never smaller text) that keep the drawing within the printed width and no taller
    than FIT_HEIGHT_RATIO times it (or as `aspect=` asks); rows wrap at that width. Returns the scene and
    whether it fits; if even tiny boxes do not, the tiny ones. `finish` completes a candidate scene (the
    block key) before it is measured."""
    target = physical_px(physical)
    if opts.max_width is None and opts.aspect is None:
        opts = replace(opts, max_width=target)
    limit = _height_limit(opts.aspect) * target

    def scene_at(scale, spacing=opts.spacing):
        scene = layout(sized(items, graph, replace(sizing, scale=scale), given), graph.edges,
                       replace(opts, spacing=spacing))
        return finish(scene, scale) if finish else scene

    def fits(scene):
        return scene.width <= target + 0.5 and scene.height <= limit

    def printed(scene):
        return replace(scene, width=round(max(scene.width, target), 2))  # the printed width exactly

    smallest = scene_at(0.05)
    if fits(smallest):
        tight = max(8.0, opts.spacing / 3)  # shrink spacing before boxes
        for scale, spacing in [(s, opts.spacing) for s in (4.0, 3.0, 2.0, 1.5, 1.0)] + \
                [(s, tight) for s in (4.0, 3.0, 2.0, 1.5, 1.0, 0.8, 0.64, 0.5, 0.4, 0.3, 0.2, 0.12)]:
            scene = scene_at(scale, spacing)
            if fits(scene):
                return printed(scene), True
        return printed(smallest), True
    return printed(smallest), False


def at_detail(graph: ModelGraph, grouping: Grouping, detail: str, given):
    """The graph drawn at `detail`, the groups that frame it, and its glyphs; folded if asked."""
    graph, grouping, glyphs = collapse(graph, grouping, detail)
    if given.get("direction") == "tb":  # group frames and captions are laid out for left-to-right rows only
        grouping = Grouping()
    if given.get("fold_repeats"):
        graph = fold_repeats(graph)
        grouping = restrict(grouping, [l.name for l in graph.layers])
    return graph, grouping, glyphs
