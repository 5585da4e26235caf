"""Stages and blocks of a model: found from layer names and graph structure, or named by the user.

A block is a connected piece of the graph with one exit; a stage is a run of blocks at one
resolution. `collapse` turns a graph into one whose blocks (or stages) are single glyph layers.
"""
from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .categories import category_of
from .model import Layer, ModelGraph, spatial_dims

LEVELS = ("layers", "blocks", "stages")
AUTO_GROUPS_ABOVE = 60
MAX_LOOSE_LAYERS = 8  # at detail="blocks", a stem or head longer than this is drawn as one glyph
MAX_SMALL_BLOCK = 40  # a block found from the graph alone may be this long whatever the model's size
_BLOCK_NAME = re.compile(r"^(.*?)_?(block_?\d+[a-z]?)(?=_|$)")
_EXPANDED_CONV = re.compile(r"^(expanded_conv(?:_\d+)?)(?=_)")
_CELL_OP = re.compile(r"^(normal|reduction|adjust|separable_conv_\d+)_")
_CELL_ID = re.compile(r"_((?:stem|reduce)_\d+|\d+)$")


@dataclass(frozen=True)
class Group:
    """A named set of layers: level "block" or "stage" (a stage lists its blocks)."""

    name: str
    level: str
    members: Tuple[str, ...]
    blocks: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Grouping:
    stages: Tuple[Group, ...] = ()
    blocks: Tuple[Group, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.stages or self.blocks)

    @property
    def all(self) -> Tuple[Group, ...]:
        return self.stages + self.blocks

    def membership(self) -> Dict[str, List[str]]:
        """Layer name → names of the groups holding it, outermost first."""
        result: Dict[str, List[str]] = {}
        for group in self.stages + self.blocks:
            for name in group.members:
                result.setdefault(name, []).append(group.name)
        return result


@functools.lru_cache(maxsize=1024)
def snake_case(class_name: str) -> str:
    """Keras's default layer name stem of a class: `ZeroPadding2D` → `zero_padding2d`."""
    text = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", text).lower()


_NUMBER_SUFFIX = re.compile(r"_\d+$")


def auto_named(layer: Layer) -> bool:
    """True for names Keras made up (`add_4`, `activation_94`): they say nothing about structure."""
    return _NUMBER_SUFFIX.sub("", layer.name) == snake_case(layer.type)


def _adjacency(graph: ModelGraph):
    preds: Dict[str, List[str]] = {l.name: [] for l in graph.layers}
    succs: Dict[str, List[str]] = {l.name: [] for l in graph.layers}
    for s, t in graph.edges:
        if s in preds and t in preds:
            succs[s].append(t)
            preds[t].append(s)
    return preds, succs


def _name_key(layer: Layer) -> Optional[str]:
    name = layer.name
    match = _BLOCK_NAME.match(name)
    if match:
        return name[:match.end()]
    match = _EXPANDED_CONV.match(name)
    if match:
        return match.group(1)
    if _CELL_OP.match(name):
        cell = _CELL_ID.search(name)
        if cell:
            return "cell_" + cell.group(1)
    return None


def _exits(members, succs, outputs) -> List[str]:
    inside = set(members)
    return [m for m in members if m in outputs or any(t not in inside for t in succs[m]) or not succs[m]]


def _connected(members, preds, succs) -> bool:
    inside = set(members)
    seen, todo = {members[0]}, [members[0]]
    while todo:
        name = todo.pop()
        for other in preds[name] + succs[name]:
            if other in inside and other not in seen:
                seen.add(other)
                todo.append(other)
    return len(seen) == len(inside)


def _valid_block(members, preds, succs, outputs, position) -> bool:
    """Connected, one exit, and every input from outside comes from before that exit."""
    if len(members) < 2 or not _connected(members, preds, succs):
        return False
    exits = _exits(members, succs, outputs)
    if len(exits) != 1:
        return False
    inside = set(members)
    return all(position[p] < position[exits[0]] for m in members for p in preds[m] if p not in inside)


def _blocks_from_names(graph: ModelGraph, preds, succs, position) -> Dict[str, List[str]]:
    keys: Dict[str, List[str]] = {}
    for layer in graph.layers:
        key = None if layer.is_input else _name_key(layer)
        if key is not None:
            keys.setdefault(key, []).append(layer.name)
    keys = {k: v for k, v in keys.items() if len(v) >= 2}
    owner = {m: k for k, v in keys.items() for m in v}
    unnamed = [l for l in graph.layers if l.name not in owner and auto_named(l) and not l.is_input]
    for layer in reversed(unnamed):  # an unnamed layer feeding only one block belongs to it
        targets = {owner.get(t) for t in succs[layer.name]}
        if len(targets) == 1 and None not in targets:
            owner[layer.name] = targets.pop()
    for layer in unnamed:  # an unnamed merge right after a block closes it (ConvNeXt's `add_4`)
        if layer.name in owner or not preds[layer.name] or category_of(layer.type) != "merge":
            continue
        latest = max(preds[layer.name], key=position.get)
        if latest in owner:
            owner[layer.name] = owner[latest]
    blocks: Dict[str, List[str]] = {}
    for layer in graph.layers:
        if layer.name in owner:
            blocks.setdefault(owner[layer.name], []).append(layer.name)
    return blocks


def _cut_positions(graph: ModelGraph, position) -> List[int]:
    """Positions of layers that every path through the model passes."""
    count = len(graph.layers)
    covered = [0] * (count + 1)
    for s, t in graph.edges:
        if s in position and t in position:
            a, b = sorted((position[s], position[t]))
            if b - a > 1:
                covered[a + 1] += 1
                covered[b] -= 1
    cuts, running = [], 0
    for i in range(count):
        running += covered[i]
        if running == 0:
            cuts.append(i)
    return cuts


def _blocks_from_graph(graph: ModelGraph, preds) -> List[List[str]]:
    """The branching pieces between cut layers (inception modules and the like), each ending at a cut.

    A piece longer than MAX_SMALL_BLOCK layers and a third of the model (YOLOv8's neck and heads, 207 of
    264 layers) is the model's body, not a block: framing it would say nothing and keep a row from wrapping inside it."""
    position = {l.name: i for i, l in enumerate(graph.layers)}
    names = [l.name for l in graph.layers]
    pieces, start = [], 0
    for cut in _cut_positions(graph, position):
        piece = names[start:cut + 1]
        start = cut + 1
        if 3 <= len(piece) <= max(len(names) / 3, MAX_SMALL_BLOCK) and any(len([p for p in preds[m] if p in piece]) > 1 for m in piece):
            pieces.append(piece)
    return pieces


def _resolution(graph: ModelGraph, name: str):
    dims = spatial_dims(graph.layer(name).shape)
    return dims if dims else None


def _stage_prefix(block_name: str) -> str:
    match = _BLOCK_NAME.match(block_name)
    return match.group(1).rstrip("_") if match else ""


def detect(graph: ModelGraph) -> Grouping:
    """Blocks from names (checked against the structure), else from the graph; stages by resolution."""
    preds, succs = _adjacency(graph)
    position = {l.name: i for i, l in enumerate(graph.layers)}
    outputs = set(graph.outputs)
    named = _blocks_from_names(graph, preds, succs, position)
    found = [(key, members) for key, members in named.items()
             if _valid_block(members, preds, succs, outputs, position)]
    if len(found) < 2:
        found = []
        for members in _blocks_from_graph(graph, preds):
            if _valid_block(members, preds, succs, outputs, position):
                exit_layer = graph.layer(_exits(members, succs, outputs)[0])
                found.append((None if auto_named(exit_layer) else exit_layer.name, members))
    if len(found) < 2:  # one block makes no stages: everything else would be stem or head
        return Grouping()
    found.sort(key=lambda kv: max(position[m] for m in kv[1]))
    exit_of = [_exits(members, succs, outputs)[0] for _, members in found]
    runs: List[List[int]] = []
    for i, exit_name in enumerate(exit_of):
        if runs and _resolution(graph, exit_of[runs[-1][-1]]) == _resolution(graph, exit_name):
            runs[-1].append(i)
        else:
            runs.append([i])
    in_block = {m for _, members in found for m in members}
    prefixes = [{_stage_prefix(found[i][0]) if found[i][0] else "" for i in run} for run in runs]
    own = [p.pop() if len(p) == 1 else "" for p in prefixes]
    use_own = all(own) and len(set(own)) == len(own) and not any(o in position for o in own)
    if use_own and len(own) > 1:
        own = _without_common_prefix(own)
    stages, blocks = [], []
    for k, run in enumerate(runs):
        stage_name = own[k] if use_own else f"stage {k + 1}"
        block_names = []
        for j, i in enumerate(run):
            key, members = found[i]
            name = key if key and not key.startswith("cell_") else None
            if key and key.startswith("cell_"):
                kind = exit_of[i].split("_concat")[0] if "_concat" in exit_of[i] else "cell"
                name = f"{kind}_{key[5:].replace('reduce_', '')}"
            name = name or f"block {k + 1}.{j + 1}"
            block_names.append(name)
            blocks.append(Group(name, "block", tuple(members)))
        first = min(position[m] for i in run for m in found[i][1])
        last = max(position[m] for i in run for m in found[i][1])
        own_blocks = {m for i in run for m in found[i][1]}
        members = [n for n in position if first <= position[n] <= last and (n in own_blocks or n not in in_block)]
        stages.append(Group(stage_name, "stage", tuple(members), tuple(block_names)))
    stages, blocks = _shorter_block_names(stages, blocks, position)
    stages = _with_transitions(stages, graph, position)
    first_block = min(position[m] for _, members in found for m in members)
    last_block = max(position[m] for _, members in found for m in members)
    stem = [l.name for l in graph.layers if position[l.name] < first_block and l.name not in in_block]
    head = [l.name for l in graph.layers if position[l.name] > last_block and l.name not in in_block]
    if stem and "stem" not in position:
        stages.insert(0, Group("stem", "stage", tuple(stem)))
    if head and "head" not in position:
        stages.append(Group("head", "stage", tuple(head)))
    return _checked(Grouping(tuple(stages), tuple(blocks)), graph)


def _shorter_block_names(stages: List[Group], blocks: List[Group], position):
    """Drop a prefix that every block shares (`convnext_tiny_stage_0_block_0` → `stage_0_block_0`)."""
    names = [b.name for b in blocks]
    if len(names) < 2:
        return stages, blocks
    short = _without_common_prefix(names)
    if len(set(short)) < len(short) or any(n in position for n in short) or short == names:
        return stages, blocks
    rename = dict(zip(names, short))
    blocks = [replace(b, name=rename[b.name]) for b in blocks]
    stages = [replace(st, blocks=tuple(rename[n] for n in st.blocks)) for st in stages]
    return stages, blocks


def _with_transitions(stages: List[Group], graph: ModelGraph, position) -> List[Group]:
    """Layers between two stages (DenseNet's `pool3_*` transitions) open the stage they lead into."""
    result = list(stages)
    for k in range(1, len(result)):
        previous_end = max(position[m] for m in result[k - 1].members)
        start = min(position[m] for m in result[k].members)
        between = tuple(l.name for l in graph.layers[previous_end + 1:start])
        if between:
            result[k] = replace(result[k], members=between + result[k].members)
    return result


def _without_common_prefix(names: List[str]) -> List[str]:
    """`convnext_tiny_stage_0`, `convnext_tiny_stage_1` → `stage_0`, `stage_1` (a word stays before a number)."""
    tokens = [n.split("_") for n in names]
    common = 0
    while all(len(t) > common + 1 and t[common] == tokens[0][common] for t in tokens):
        common += 1
    while common and all(t[common].isdigit() for t in tokens):
        common -= 1
    return ["_".join(t[common:]) for t in tokens]


def from_mapping(graph: ModelGraph, spec: Mapping) -> Grouping:
    """`{caption: selector}` gives blocks; `{stage: {block: selector}}` gives stages of blocks."""
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError("groups: expected 'auto' or a non-empty mapping {caption: selector}")
    stages, blocks = [], []
    order = {l.name: i for i, l in enumerate(graph.layers)}
    for caption, value in spec.items():
        if isinstance(value, Mapping):
            inner = [Group(str(c), "block", _select(graph, str(c), v, order)) for c, v in value.items()]
            if not inner:
                raise ValueError(f"groups: stage {str(caption)!r} holds no blocks")
            members = sorted({m for g in inner for m in g.members}, key=order.get)
            stages.append(Group(str(caption), "stage", tuple(members), tuple(g.name for g in inner)))
            blocks.extend(inner)
        else:
            blocks.append(Group(str(caption), "block", _select(graph, str(caption), value, order)))
    names = [g.name for g in stages + blocks]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"groups: the name(s) {', '.join(map(repr, duplicates))} are used twice")
    return _checked(Grouping(tuple(stages), tuple(blocks)), graph)


def _select(graph: ModelGraph, caption: str, selector, order) -> Tuple[str, ...]:
    if isinstance(selector, str):
        chosen = [l.name for l in graph.layers if fnmatch.fnmatchcase(l.name, selector)]
    elif callable(selector):
        chosen = [l.name for l in graph.layers if selector(l)]
    elif isinstance(selector, (list, tuple, set, frozenset)):
        unknown = [n for n in selector if n not in order]
        if unknown:
            raise ValueError(f"groups[{caption!r}]: no layer named {', '.join(map(repr, map(str, unknown)))}")
        chosen = sorted(set(selector), key=order.get)
    else:
        raise ValueError(f"groups[{caption!r}]: a selector is a glob string, a list of layer names or a "
                         f"callable on the layer, got {type(selector).__name__}")
    if not chosen:
        raise ValueError(f"groups[{caption!r}]: selector {selector!r} matches no layer")
    return tuple(chosen)


def _checked(grouping: Grouping, graph: ModelGraph) -> Grouping:
    """Groups nest or stay apart: a block lies within at most one stage, wholly; no two blocks share a layer."""
    seen: Dict[str, str] = {}
    for level in (grouping.stages, grouping.blocks):
        seen = {}
        for group in level:
            for m in group.members:
                if m in seen:
                    raise ValueError(f"groups: {seen[m]!r} and {group.name!r} overlap (both hold layer {m!r}) "
                                     "without one nesting inside the other")
                seen[m] = group.name
    for block in grouping.blocks:
        holders = {s.name for s in grouping.stages if set(block.members) & set(s.members)}
        whole = {s.name for s in grouping.stages if set(block.members) <= set(s.members)}
        if holders and holders != whole:
            raise ValueError(f"groups: block {block.name!r} and stage(s) {', '.join(map(repr, sorted(holders)))} "
                             "overlap without one nesting inside the other")
    return grouping


def resolve_groups(graph: ModelGraph, groups) -> Grouping:
    """The `groups=` keyword: None/False → none, "auto" → detected, a mapping → the user's."""
    if groups is None or groups is False:
        return Grouping()
    if groups == "auto" or groups is True:
        return detect(graph)
    return from_mapping(graph, groups)


def restrict(grouping: Grouping, names: Sequence[str]) -> Grouping:
    """The groups as far as `names` are still drawn (after folding): empty groups go."""
    kept = set(names)
    blocks = tuple(replace(b, members=tuple(m for m in b.members if m in kept)) for b in grouping.blocks)
    blocks = tuple(b for b in blocks if b.members)
    stages = tuple(replace(s, members=tuple(m for m in s.members if m in kept)) for s in grouping.stages)
    return Grouping(tuple(s for s in stages if s.members), blocks)


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
    preds, succs = _adjacency(graph)
    outputs = set(graph.outputs)
    owner: Dict[str, str] = {}
    glyphs: Dict[str, Glyph] = {}
    names = {l.name for l in graph.layers}
    for group in units:
        if group.name in names and group.name not in group.members:
            raise ValueError(f"groups: {group.name!r} names both a group and a layer outside it")
        exits = _exits(group.members, succs, outputs)
        exit_name = exits[-1] if exits else group.members[-1]
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
    counts: Dict[str, int] = {}
    for name in members:
        category = category_of(graph.layer(name).type)
        if category not in ("normalization", "activation", "reshaping", "input"):
            counts[category] = counts.get(category, 0) + 1
    return max(sorted(counts), key=counts.get) if counts else "other"


def _reordered(layers: List[Layer], edges) -> List[Layer]:
    from .model import topological_order

    by_name = {l.name: l for l in layers}
    return [by_name[n] for n in topological_order([l.name for l in layers], edges)]


def elide_middle(text: str, limit: int) -> str:
    """Shorten to `limit` characters keeping the start and, longer, the distinguishing end."""
    if len(text) <= limit:
        return text
    tail = (limit - 1) * 2 // 3
    return text[:limit - 1 - tail] + "…" + text[len(text) - tail:]


def short_name(group: Group) -> str:
    """A block's name without its stage's prefix (`conv3_block2` → `block2`)."""
    match = _BLOCK_NAME.match(group.name)
    return match.group(2) if match and match.group(1) else group.name


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
