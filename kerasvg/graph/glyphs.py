"""Blocks and stages drawn as single glyph layers, and the captions of their frames."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Tuple

from .categories import category_of
from .groups import Group, Grouping
from .model import Layer, ModelGraph, topological_order
from .structure import Structure, block_part

GLYPH_TYPES = ("Block", "Stage")
MAX_LOOSE_LAYERS = 8  # at detail="blocks", a stem or head longer than this is drawn as one glyph


@dataclass(frozen=True)
class Glyph:
    """A block or stage drawn as one box."""

    group: Group
    exit: str
    layer_count: int
    category: str = "other"  # what most of its layers are (normalization and activations aside): its colour


def collapse(graph: ModelGraph, grouping: Grouping, level: str) -> Tuple[ModelGraph, Grouping, Dict[str, Glyph]]:
    """One glyph layer per block (level "blocks") or stage ("stages"); edges between glyphs once per pair.

    Returns the new graph, the groups that still frame it (stages around block glyphs) and the glyphs."""
    if level == "layers" or not grouping:
        return graph, grouping, {}
    if level == "blocks":  # blocks, and a long stem or head (InceptionV3's 19-layer stem) as one glyph too
        units = grouping.blocks + tuple(s for s in grouping.stages if not s.blocks and len(s.members) > MAX_LOOSE_LAYERS)
    else:
        units = grouping.stages + tuple(
            b for b in grouping.blocks if not any(set(b.members) <= set(s.members) for s in grouping.stages))
    structure = Structure(graph)
    owner: Dict[str, str] = {}
    glyphs: Dict[str, Glyph] = {}
    names = {l.name for l in graph.layers}
    for group in units:
        if group.name in names and group.name not in group.members:
            raise ValueError(f"groups: {group.name!r} names both a group and a layer outside it")
        group = replace(group, members=tuple(m for m in group.members if not graph.layer(m).is_input))
        if not group.members:  # an input stays drawn as itself, sized, beside the glyphs
            continue
        exit_name = structure.exit(group.members)
        glyphs[group.name] = Glyph(group, exit_name, len(group.members), _main_category(graph, group.members))
        for m in group.members:
            owner[m] = group.name
    layers, placed = [], set()
    for layer in graph.layers:
        unit = owner.get(layer.name)
        if unit is None:
            layers.append(layer)
        elif unit not in placed:
            placed.add(unit)
            glyph = glyphs[unit]
            members = [graph.layer(m) for m in glyph.group.members]
            layers.append(Layer(
                name=unit, type="Block" if glyph.group.level == "block" else "Stage",
                output_shapes=graph.layer(glyph.exit).output_shapes,
                trainable_params=_total(m.trainable_params for m in members),
                non_trainable_params=_total(m.non_trainable_params for m in members),
            ))
    edges = []
    for s, t in graph.edges:
        a, b = owner.get(s, s), owner.get(t, t)
        if a != b:
            edges.append((a, b))
    collapsed = replace(
        graph, layers=tuple(_reordered(layers, edges)), edges=tuple(dict.fromkeys(edges)),
        inputs=tuple(dict.fromkeys(owner.get(n, n) for n in graph.inputs)),
        outputs=tuple(dict.fromkeys(owner.get(n, n) for n in graph.outputs)),
    )
    framing = Grouping()
    if level == "blocks" and grouping.stages:
        framing = Grouping(tuple(replace(s, members=tuple(dict.fromkeys(owner.get(m, m) for m in s.members)))
                                 for s in grouping.stages if s.name not in glyphs))
    return collapsed, framing, glyphs


def _total(counts) -> Optional[int]:
    """A glyph's count: the members' sum, or unknown when any member's count is."""
    counts = list(counts)
    return None if None in counts else sum(counts)


def _main_category(graph: ModelGraph, members) -> str:
    """What a glyph is made of: attention, recurrence or convolution where it has any (in that order: a
    ConvNeXt block is a convolution block, a hybrid one an attention block), else its most common kind of
    layer (normalization, activations and reshaping aside)."""
    counts: Dict[str, int] = {}
    for name in members:
        category = category_of(graph.layer(name).type)
        if category not in ("normalization", "activation", "reshaping", "input"):
            counts[category] = counts.get(category, 0) + 1
    for leading in ("attention", "recurrent", "convolution"):
        if leading in counts:
            return leading
    known = {c: n for c, n in counts.items() if c != "other"}  # op layers and custom classes say little
    counts = known or counts
    return max(sorted(counts), key=counts.get) if counts else "other"


def _reordered(layers: List[Layer], edges) -> List[Layer]:
    by_name = {l.name: l for l in layers}
    return [by_name[n] for n in topological_order([l.name for l in layers], edges)]


def elide_middle(text: str, limit: int) -> str:
    """Shorten to `limit` characters keeping the start and, longer, the distinguishing end."""
    if len(text) <= limit:
        return text
    tail = (limit - 1) * 2 // 3
    return text[:limit - 1 - tail] + "…" + text[len(text) - tail:]


def elide_distinct(names: List[str], limit: int) -> Dict[str, str]:
    """Each name shortened as `elide_middle` does, except that names which would then read the same keep the
    part where they differ (`attunet_down1…v_1_activation`, not `attunet_d…_conv_1_activation` three times);
    a name that still reads like another is spelled out."""
    shown = {name: elide_middle(name, limit) for name in names}
    alike: Dict[str, List[str]] = {}
    for name, text in shown.items():
        alike.setdefault(text, []).append(name)
    for group in alike.values():
        if len(group) > 1:
            start, end = _common_ends(group)
            for name in group:
                if len(name) > limit:
                    shown[name] = _elide_around(name, limit, start, len(name) - end)
    readings: Dict[str, int] = {}
    for text in shown.values():
        readings[text] = readings.get(text, 0) + 1
    return {name: name if readings[text] > 1 else text for name, text in shown.items()}


def _common_ends(names: List[str]) -> Tuple[int, int]:
    """How many characters all `names` share at the start, and then at the end."""
    shortest = min(len(n) for n in names)
    start = next((i for i in range(shortest) if len({n[i] for n in names}) > 1), shortest)
    end = next((i for i in range(shortest - start) if len({n[-1 - i] for n in names}) > 1), shortest - start)
    return start, end


def _elide_around(text: str, limit: int, lo: int, hi: int) -> str:
    """`text` in `limit` characters keeping `text[lo:hi]` (widened to whole words, a number with the word
    before it, where that fits) and as much of the start and the end as fits: one `…` where possible, else
    two. Unchanged if the part is too long."""
    wide_lo, wide_hi = lo, hi
    while wide_lo > 0 and text[wide_lo - 1].isalnum():
        wide_lo -= 1
    while wide_hi < len(text) and text[wide_hi].isalnum():
        wide_hi += 1
    if wide_lo > 1 and not any(c.isalpha() for c in text[wide_lo:wide_hi]):  # a bare number, with its word
        wide_lo -= 1
        while wide_lo > 0 and text[wide_lo - 1].isalnum():
            wide_lo -= 1
    if wide_hi - wide_lo <= limit - 2:
        lo, hi = wide_lo, wide_hi
    if hi - lo > limit - 2:
        return text
    n, start = len(text), limit - 1 - (limit - 1) * 2 // 3  # elide_middle's share of the start
    options = []
    if hi <= limit - 1:  # the start up to the part, then the end
        options.append((abs(hi - start), text[:hi] + "…" + text[n - (limit - 1 - hi):]))
    if n - lo <= limit - 1:  # the start, then the part up to the end
        head = limit - 1 - (n - lo)
        options.append((abs(head - start), text[:head] + "…" + text[lo:]))
    if options:
        return min(options)[1]
    room = limit - 2 - (hi - lo)
    head = min(lo, room // 3)
    return text[:head] + "…" + text[lo:hi] + "…" + text[n - (room - head):]


def short_name(group: Group) -> str:
    """A block's name without its stage's prefix (`conv3_block2` → `block2`)."""
    return block_part(group.name) or group.name


def captions(group: Group, graph: ModelGraph, shape_text: Callable[[Layer], str]) -> List[str]:
    """Captions from the fullest (`conv3 · 28×28×512 · 4 blocks`) to the shortest that still names the group."""
    last = graph._by_name.get(group.members[-1])
    shape = shape_text(last) if last is not None else None
    name = group.name
    if group.level == "stage":
        count = len(group.blocks)
        blocks = f"{count} block{'s' if count != 1 else ''}" if count else None
        options = [" · ".join(p for p in (name, shape, blocks) if p), " · ".join(p for p in (name, blocks) if p), name]
    else:
        short = short_name(group)
        options = [" · ".join(p for p in (name, shape) if p), name, short, elide_middle(short, 10), elide_middle(short, 6)]
    return list(dict.fromkeys(options))
