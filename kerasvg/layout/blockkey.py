"""The block key: one block of each kind drawn layer by layer, as papers print beside a macro figure.

Each kind (blocks whose layers, normalization and activations aside, have the same classes in order) is
drawn once, from its first block: a small `in` box for the tensor entering it, its layers sized as in the
figure, its merge and its skip, captioned `conv2_block2 ×12`. At most MAX_KINDS kinds are drawn, the most
frequent first; the key's caption names the rest.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

from ..graph.categories import category_of
from ..graph.groups import Group, Grouping
from ..graph.model import Layer, ModelGraph
from ..scene import BlockKey, Box, Connector, Face, KeyBlock, Label, Scene
from ..scene.text import BOLD_WIDTH
from .assemble import layout
from .sizing import Sizing, box_size
from .spec import Item, LayoutOptions

MAX_KINDS = 3
FOLDED = ("normalization", "activation", "regularization")
KEY_SCALE = 0.8  # key boxes, relative to the figure's own
GAP = 24.0
MAX_KEY_BOX = 40.0  # px: the key explains the figure, it does not outweigh it


def block_kinds(graph: ModelGraph, grouping: Grouping) -> List[Tuple[Group, int]]:
    """(first block of the kind, how many blocks are of it), the most frequent kind first."""
    kinds: Dict[Tuple[str, ...], List[Group]] = {}
    for block in grouping.blocks:
        kinds.setdefault(_signature(graph, block.members), []).append(block)
    ordered = sorted(kinds.values(), key=lambda blocks: -len(blocks))
    return [(blocks[0], len(blocks)) for blocks in ordered]


def _signature(graph: ModelGraph, members: Sequence[str]) -> Tuple[str, ...]:
    types = tuple(graph.layer(m).type for m in members)
    kept = tuple(t for t in types if category_of(t) not in FOLDED)
    return kept or types


def key_types(graph: ModelGraph, kinds: Sequence[Tuple[Group, int]]) -> List[Tuple[str, str]]:
    """(type, category) of every layer the key draws (of `block_kinds`), for the legend."""
    seen: Dict[str, str] = {}
    for block, _ in kinds[:MAX_KINDS]:
        for name in _kept(graph, block.members):
            layer = graph.layer(name)
            seen.setdefault(layer.type, category_of(layer.type))
    return list(seen.items())


def _kept(graph: ModelGraph, members: Sequence[str]) -> List[str]:
    kept = [m for m in members if category_of(graph.layer(m).type) not in FOLDED]
    return kept if len(kept) >= 2 else list(members)


def _block_graph(graph: ModelGraph, block: Group) -> ModelGraph:
    """The block's layers with normalization and activations folded into the layer before, and an `in`
    layer for what enters it."""
    members = list(block.members)
    inside = set(members)
    kept = _kept(graph, members)
    keep = set(kept)
    succs: Dict[str, List[str]] = {}
    outside_sources: Dict[str, List[str]] = {}
    for s, t in graph.edges:
        if t in inside and s in inside:
            succs.setdefault(s, []).append(t)
        elif t in inside:
            outside_sources.setdefault(s, []).append(t)

    def reached(name: str) -> List[str]:
        """Kept layers reached from `name` through folded ones."""
        found, todo, seen = [], list(succs.get(name, ())), set()
        while todo:
            other = todo.pop(0)
            if other in seen:
                continue
            seen.add(other)
            if other in keep:
                found.append(other)
            else:
                todo.extend(succs.get(other, ()))
        return found

    edges = [(k, t) for k in kept for t in reached(k)]
    layers = []
    for k, (source, targets) in enumerate(outside_sources.items()):
        name = "in" if len(outside_sources) == 1 else f"in {k + 1}"
        layers.append(Layer(name, "InputLayer", graph.layer(source).output_shapes, is_input=True))
        for target in targets:
            edges += [(name, t) for t in ([target] if target in keep else reached(target))]
    layers += [graph.layer(k) for k in kept]
    return ModelGraph(block.name, tuple(layers), tuple(dict.fromkeys(edges)), tuple(l.name for l in layers
                                                                                    if l.is_input), ())


def block_key(graph: ModelGraph, kinds: Sequence[Tuple[Group, int]], opts: LayoutOptions, sizing: Sizing,
              width: float, most: int = MAX_KINDS, caption_width: float = 0.0) -> Optional[BlockKey]:
    """The key of `kinds` (from `block_kinds`) laid out from (0, 0), its rows no wider than `width` where the
    blocks allow; `most` kinds drawn, the others named in its caption."""
    if not kinds:
        return None
    line = opts.font_size * 1.2 + opts.line_spacing
    small = replace(sizing, scale=sizing.scale * KEY_SCALE)
    key_opts = LayoutOptions(spacing=max(8.0, opts.spacing * 0.5), padding=0.0, font_size=opts.font_size,
                             line_spacing=opts.line_spacing, lane_gap=opts.lane_gap * 0.6,
                             row_gap=opts.row_gap, max_width=1e9, measure=opts.measure)  # one row each
    drawn, others = kinds[:most], kinds[most:]  # the caption fits `caption_width` (0: any width)
    caption = _caption(others, opts.measure, caption_width)
    blocks: List[KeyBlock] = []
    x, y, row_height = 0.0, opts.font_size + line * 1.1, 0.0
    for block, count in drawn:
        sub = _block_graph(graph, block)
        sizes = [box_size(layer.shape, small) for layer in sub.layers]
        shrink = min(1.0, MAX_KEY_BOX / max(max(h for _, h, _ in sizes), 1.0))
        items = [Item(layer.name, layer.type, category_of(layer.type), max(w * shrink, 4.0), max(h * shrink, 4.0),
                      max(d * shrink, 2.0)) for layer, (w, h, d) in zip(sub.layers, sizes)]
        scene = layout(items, sub.edges, key_opts)
        text = f"{block.name} · {count} in the model"
        wide = max(scene.width, opts.measure(text))
        if x > 0 and x + wide > width:
            x, y, row_height = 0.0, y + row_height + line * 1.6, 0.0
        top = y + line * 0.4
        blocks.append(KeyBlock(block.name, text, (x, y), tuple(_moved_box(b, x, top) for b in scene.boxes),
                               tuple(_moved_connector(c, x, top) for c in scene.connectors)))
        x += wide + GAP
        row_height = max(row_height, scene.height + line * 0.4)
    return BlockKey(caption, (0.0, opts.font_size), tuple(blocks))


def _caption(others, measure, width: float) -> str:
    """`Blocks`, naming the kinds not drawn as far as `width` allows (`Blocks (also: mixed3, 1 more)`)."""
    if not others:
        return "Blocks"
    names = [f"{b.name} ×{n}" for b, n in others]
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = f"Blocks (also: {', '.join(names[:shown])}{f', {rest} more' if rest else ''})"
        if width <= 0 or measure(text) * BOLD_WIDTH <= width:
            return text
    return f"Blocks (and {len(names)} more kinds)"


def key_bounds(key: BlockKey, measure) -> Tuple[float, float, float, float]:
    xs = [key.caption_at[0], key.caption_at[0] + measure(key.caption) * BOLD_WIDTH]  # the key's caption is bold
    ys = [key.caption_at[1] - 12.0, key.caption_at[1]]
    for block in key.blocks:
        xs += [block.caption_at[0], block.caption_at[0] + measure(block.caption)]
        ys += [block.caption_at[1]]
        for box in block.boxes:
            x0, y0, x1, y1 = box.bounds
            xs += [x0, x1]
            ys += [y0, y1]
        for c in block.connectors:
            xs += [p[0] for p in c.points]
            ys += [p[1] for p in c.points]
    return min(xs), min(ys), max(xs), max(ys)


def _moved_box(box: Box, dx: float, dy: float) -> Box:
    faces = tuple(Face(f.role, tuple((x + dx, y + dy) for x, y in f.points)) for f in box.faces)
    label = box.label and Label(box.label.x + dx, box.label.y + dy, box.label.lines, box.label.line_height,
                                box.label.width, box.label.above, box.label.anchor)
    return replace(box, x=box.x + dx, y=box.y + dy, faces=faces, label=label)


def _moved_connector(c: Connector, dx: float, dy: float) -> Connector:
    return replace(c, points=tuple((x + dx, y + dy) for x, y in c.points),
                   arrow=tuple((x + dx, y + dy) for x, y in c.arrow))


def _moved_key(key: BlockKey, dx: float, dy: float) -> BlockKey:
    return BlockKey(key.caption, (key.caption_at[0] + dx, key.caption_at[1] + dy), tuple(
        KeyBlock(b.block, b.caption, (b.caption_at[0] + dx, b.caption_at[1] + dy),
                 tuple(_moved_box(x, dx, dy) for x in b.boxes), tuple(_moved_connector(c, dx, dy) for c in b.connectors))
        for b in key.blocks))


def with_block_key(scene: Scene, keys: Tuple[BlockKey, BlockKey], padding: float, line: float, measure,
                   width: Optional[float] = None) -> Scene:
    """The scene with the block key (`keys`: its blocks stacked, its blocks in a row): the stacked key at
    the right, in free space beside the rows, where that makes the figure less tall than the row under the
    drawing would (within `width`, the scene's own width by default); a legend below moves down."""
    obstacles = [b.bounds for b in scene.boxes] + [b.label.bounds for b in scene.boxes if b.label]
    obstacles += [r for f in scene.frames for r in f.rects]
    obstacles += [(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
                  for c in scene.connectors for a, b in zip(c.points, c.points[1:])]
    bottom = max((o[3] for o in obstacles), default=padding)
    right = (width if width is not None else scene.width) - padding
    below = keys[1]
    bx0, by0, bx1, by1 = key_bounds(below, measure)
    growth, placed = (by1 - by0) + line * 1.2, _moved_key(below, padding - bx0, bottom + line * 1.2 - by0)
    sx0, sy0, sx1, sy1 = key_bounds(keys[0], measure)
    left = right - (sx1 - sx0)
    gap = line
    for top in sorted({padding} | {o[3] + gap for o in obstacles}):
        clear = not any(o[2] > left - gap and o[0] < right and o[3] > top - gap and o[1] < top + (sy1 - sy0)
                        for o in obstacles)
        if clear and left >= padding:
            extra = max(0.0, top + (sy1 - sy0) - bottom)
            if extra < growth:
                growth, placed = extra, _moved_key(keys[0], left - sx0, top - sy0)
            break
    legend = tuple(replace(e, swatch=(e.swatch[0], e.swatch[1] + growth, e.swatch[2]), text_y=e.text_y + growth)
                   if e.swatch[1] > bottom else e for e in scene.legend)
    x0, _, x1, y1 = key_bounds(placed, measure)
    return replace(scene, block_key=placed, legend=legend, height=max(scene.height + growth, y1 + padding),
                   width=max(scene.width, x1 + padding))
