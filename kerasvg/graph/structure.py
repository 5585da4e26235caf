"""Stages and blocks found in a model: from layer names where they number blocks, from the graph elsewhere.

A block is a connected piece with one exit: a named block (`conv3_block2_*`), or the smallest repeating
run of residual units (fork … merge) found from the graph. A stage is a run of blocks that the names
number as one stage, or else a maximal run of one family at one resolution and one width. An
encoder–decoder (U-Net) reads as levels: down, bottleneck, up.
"""
from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

from .categories import category_of
from .groups import Group, Grouping, checked, from_mapping
from .model import Layer, ModelGraph, cut_indices, spatial_dims

MAX_SMALL_BLOCK = 40  # a block found from the graph alone may be this long whatever the model's size
MAX_PERIOD = 4  # residual units per block, at most (a transformer layer has two)
LOOSE_SHARE = 0.15  # above this share of layers in no named block, units found from the graph join in
_BLOCK_NAME = re.compile(r"^(.*?)_?((?:block|unit)_?\d+[a-z]?)(?=[_./]|$)")
_LAYER_NAME = re.compile(r"^((?:.*?[_.])?(?:layers?|blocks)[_.]\d+)(?=[_./]|$)")
_EXPANDED_CONV = re.compile(r"^(expanded_conv(?:_\d+)?)(?=_)")
_CELL_OP = re.compile(r"^(normal|reduction|adjust|separable_conv_\d+)_")
_CELL_ID = re.compile(r"_((?:stem|reduce)_\d+|\d+)$")
_CELL_WORDS = ("expanded_conv", "normal", "reduction", "adjust", "separable_conv_")  # what those two start with
_NUMBERED_STAGE = re.compile(r"^block(\d+)[a-z]$")  # EfficientNet's `block4a`: stage 4, block a
_NUMBER_SUFFIX = re.compile(r"_\d+$")
_COMPUTE = ("convolution", "dense", "attention", "recurrent", "embedding")
_UPSAMPLING = ("UpSampling1D", "UpSampling2D", "UpSampling3D", "Conv1DTranspose", "Conv2DTranspose",
               "Conv3DTranspose", "Resizing")


@functools.lru_cache(maxsize=1024)
def snake_case(class_name: str) -> str:
    """Keras's default layer name stem of a class: `ZeroPadding2D` → `zero_padding2d`."""
    text = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", text).lower()


def auto_named(layer: Layer) -> bool:
    """True for names Keras made up (`add_4`, `activation_94`): they say nothing about structure."""
    return _NUMBER_SUFFIX.sub("", layer.name) == snake_case(layer.type)


def anonymous(layer: Layer) -> bool:
    """A layer whose name says nothing: made up by Keras, or a tf op layer (`tf.reshape_3`)."""
    return auto_named(layer) or layer.name.startswith("tf.") or layer.type in ("TFOpLambda", "SlicingOpLambda")


class Structure:
    """The graph's adjacency and positions, shared by every step of the detection."""

    def __init__(self, graph: ModelGraph):
        self.graph = graph
        names = [l.name for l in graph.layers]
        preds: Dict[str, List[str]] = {n: [] for n in names}
        succs: Dict[str, List[str]] = {n: [] for n in names}
        for s, t in graph.edges:
            if s in preds and t in preds:
                succs[s].append(t)
                preds[t].append(s)
        self.preds, self.succs = preds, succs
        self.position = dict(zip(names, range(len(names))))
        self.outputs = set(graph.outputs)

    def exits(self, members, inside=None) -> List[str]:
        """The members that feed a layer outside `members` (`inside`: them as a set), or an output, or nothing."""
        inside = set(members) if inside is None else inside
        outputs, succs = self.outputs, self.succs
        return [m for m in members if m in outputs or not succs[m] or not inside.issuperset(succs[m])]

    def connected(self, members, inside=None) -> bool:
        inside = set(members) if inside is None else inside
        preds, succs = self.preds, self.succs
        seen, todo = {members[0]}, [members[0]]
        while todo:
            name = todo.pop()
            for others in (preds[name], succs[name]):
                for other in others:
                    if other in inside and other not in seen:
                        seen.add(other)
                        todo.append(other)
        return len(seen) == len(inside)

    def valid_block(self, members) -> bool:
        """Connected, with one exit (other members may feed only later layers: a U-Net's skip taps), and
        every input from outside comes from before that exit."""
        if len(members) < 2:
            return False
        inside = set(members)
        if not self.connected(members, inside):
            return False
        exits = self.exits(members, inside)
        if not exits:
            return False
        position, succs, preds = self.position, self.succs, self.preds
        last = max(map(position.__getitem__, exits))
        for e in exits:
            for t in succs[e]:
                if t not in inside and position[t] < last:
                    return False
        if len(exits) > 1 and sum(e in self.outputs for e in exits) > 1:
            return False
        for m in members:  # every input from outside comes from before the exit
            for p in preds[m]:
                if p not in inside and position[p] >= last:
                    return False
        return True

    def exit(self, members) -> str:
        exits = self.exits(members)
        return max(exits, key=self.position.get) if exits else members[-1]

    def shape(self, name: str):
        return self.graph.layer(name).shape


def resolution(shape) -> Optional[Tuple]:
    """The dimensions between batch and channels; None when unknown."""
    dims = spatial_dims(shape)
    return dims if dims else None


def width(shape) -> Optional[object]:
    """The channels of a tensor of rank 3 or more; None for vectors and unknown shapes."""
    if isinstance(shape, str) or len(shape) < 3:
        return None
    return shape[-1]


# ---------------------------------------------------------------- blocks from names

def name_key(layer: Layer) -> Optional[str]:
    """The block a name places the layer in (`conv3_block2_1_conv` → `conv3_block2`), if any."""
    name = layer.name
    # each pattern is tried only where the words it needs occur (a match needs them; most names have none)
    if "block" in name or "unit" in name:
        match = _BLOCK_NAME.match(name)
        if match:
            return name[:match.end()]
    if "layer" in name or "blocks" in name:
        match = _LAYER_NAME.match(name)
        if match:
            return name[:match.end()]
    if not name.startswith(_CELL_WORDS):
        return None
    match = _EXPANDED_CONV.match(name)
    if match:
        return match.group(1)
    if _CELL_OP.match(name):
        cell = _CELL_ID.search(name)
        if cell:
            return "cell_" + cell.group(1)
    return None


def block_part(block_name: str) -> Optional[str]:
    """A block's name without its stage's prefix (`conv3_block2` → `block2`), if it has one."""
    match = _BLOCK_NAME.match(block_name)
    return match.group(2) if match and match.group(1) else None


def stage_key(block_name: str) -> Optional[str]:
    """The stage a block's name numbers (`conv3_block2` → `conv3`, `block4a` → `4`), if any."""
    match = _BLOCK_NAME.match(block_name)
    if match and match.group(1):
        return match.group(1).rstrip("_.")
    match = _NUMBERED_STAGE.match(block_name)
    return match.group(1) if match else None


def blocks_from_names(s: Structure) -> List[Tuple[str, List[str]]]:
    keys: Dict[str, List[str]] = {}
    for layer in s.graph.layers:
        key = None if layer.is_input else name_key(layer)
        if key is not None:
            keys.setdefault(key, []).append(layer.name)
    keys = {k: v for k, v in keys.items() if len(v) >= 2}
    owner = {m: k for k, v in keys.items() for m in v}
    unnamed = [l for l in s.graph.layers if l.name not in owner and anonymous(l) and not l.is_input]
    loose = {l.name for l in unnamed}
    changed = True
    while changed:
        changed = False
        for layer in reversed(unnamed):  # an unnamed layer whose consumers all lie in one block belongs to it
            if layer.name in owner:
                continue
            targets = {owner.get(t) for t in s.succs[layer.name]}
            if len(targets) == 1 and None not in targets:
                owner[layer.name] = targets.pop()
                changed = True
        for layer in unnamed:  # an unnamed merge right after a block closes it (ConvNeXt's `add_4`, `tf.__operators__.add`)
            preds = set(s.preds[layer.name])
            if layer.name in owner or not (len(preds) > 1 or category_of(layer.type) == "merge" and preds):
                continue
            latest = max(preds, key=s.position.get)
            while latest not in owner and latest in loose and len(set(s.preds[latest])) == 1:
                latest = s.preds[latest][0]  # back along a chain of op layers to the block that feeds it
            if latest in owner:
                owner[layer.name] = owner[latest]
                changed = True
    blocks: Dict[str, List[str]] = {}
    for layer in s.graph.layers:
        if layer.name in owner:
            blocks.setdefault(owner[layer.name], []).append(layer.name)
    return [(key, members) for key, members in blocks.items() if s.valid_block(members)]


# ---------------------------------------------------------------- blocks from the graph

def cut_positions(s: Structure, names: Sequence[str]) -> List[int]:
    """Indices (into `names`, in order) of layers that every path through `names` passes."""
    index = {n: i for i, n in enumerate(names)}
    return cut_indices(len(names), ((index[a], index[t]) for a in names for t in s.succs[a] if t in index))


def residual_units(s: Structure, names: Sequence[str]) -> List[List[str]]:
    """Pieces between cut layers that branch and merge again (a residual unit, an inception module),
    each with the short linear tail after its merge (a ResNet's ReLU, a post-norm LayerNormalization).

    A piece longer than MAX_SMALL_BLOCK layers and a third of the model (YOLOv8's neck and heads) is
    the model's body, not a block."""
    limit = max(len(names) / 3, MAX_SMALL_BLOCK)
    units: List[List[str]] = []
    start, tail = 0, []
    for cut in cut_positions(s, names):
        piece = list(names[start:cut + 1])
        start = cut + 1
        if 3 <= len(piece) <= limit and any(len(set(s.preds[m])) > 1 for m in piece):
            if units and units[-1]:
                units[-1].extend(tail)
            units.append(piece)
            tail = []
        elif units and units[-1] and len(tail) < 2 and len(piece) == 1 and category_of(
                s.graph.layer(piece[0]).type) in ("activation", "normalization", "regularization"):
            tail.append(piece[0])
        else:
            units.append([])  # a gap: units on either side of it are not consecutive
            tail = []
    return units


def _signature(s: Structure, members) -> Tuple[str, ...]:
    return tuple(s.graph.layer(m).type for m in members)


def repeating_blocks(s: Structure, units: List[List[str]]) -> List[Tuple[List[str], int]]:
    """Consecutive residual units grouped into the smallest unit sequence that repeats: (members, units)."""
    blocks: List[Tuple[List[str], int]] = []
    runs: List[List[List[str]]] = [[]]
    for unit in units:
        if unit:
            runs[-1].append(unit)
        elif runs[-1]:
            runs.append([])
    for run in runs:
        signatures = [_signature(s, u) for u in run]
        i, pattern = 0, None
        while i < len(run):
            period = 1
            if pattern and tuple(signatures[i:i + len(pattern)]) == pattern:
                period = len(pattern)
            else:
                for p in range(1, MAX_PERIOD + 1):
                    if i + 2 * p <= len(run) and signatures[i:i + p] == signatures[i + p:i + 2 * p]:
                        period = p
                        break
            members = [m for u in run[i:i + period] for m in u]
            if period > 1 and not s.valid_block(members):
                period, members = 1, run[i]
            pattern = tuple(signatures[i:i + period])
            if s.valid_block(members):
                blocks.append((members, period))
            i += period
    return blocks


def blocks_from_graph(s: Structure, taken: set) -> List[Tuple[Optional[str], List[str]]]:
    names = [l.name for l in s.graph.layers]
    found = []
    for members, units in repeating_blocks(s, residual_units(s, names)):
        if taken.intersection(members):
            continue
        exit_layer = s.graph.layer(s.exit(members))
        found.append((exit_layer.name if units == 1 and not anonymous(exit_layer) else None, members))
    return found


# ---------------------------------------------------------------- stages

def _family(s: Structure, members) -> frozenset:
    return frozenset(s.graph.layer(m).type for m in members if category_of(s.graph.layer(m).type) in _COMPUTE)


_NUMBERED_PREFIX = re.compile(r"^([A-Za-z]+_?\d+)(?=[_./])")


def stage_hint(s: Structure, key: Optional[str], members) -> Optional[str]:
    """The stage a block's names point to: its name's stage (`conv3_block2` → `conv3`), or for a block
    found from the graph, a numbered prefix all its named layers share (`stack1_downsample_*` → `stack1`)."""
    named = stage_key(key) if key else None
    if key and (named or key.startswith("cell_")):
        return named
    prefixes = {match.group(1) if match else None for m in members if not anonymous(s.graph.layer(m))
                for match in [_NUMBERED_PREFIX.match(m)]}
    return prefixes.pop() if len(prefixes) == 1 else None


def _named_stages(keys: List[Optional[str]]) -> Optional[List[List[int]]]:
    """Runs of blocks as their names number stages (`keys`: each block's `stage_hint`), when every block names
    one and each named stage is one contiguous run."""
    if None in keys or len(set(keys)) < 2:
        return None
    runs: List[List[int]] = []
    for i, key in enumerate(keys):
        if runs and keys[runs[-1][-1]] == key:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs if len(runs) == len(set(keys)) else None


def _transitions(s: Structure, found, runs: List[List[int]], hints, names: List[str]):
    """A named stage's last blocks found from the graph, after its numbered blocks and at another resolution
    (LeViT's attention subsample and MLP named `stack1_downsample_*`), are no blocks of that stage but one
    block between it and the next: (the runs without them, {run index: that block})."""
    transitions: Dict[int, Group] = {}
    kept: List[List[int]] = []
    taken = {key for key, _ in found if key} | {hint for hint in hints if hint}
    for k, run in enumerate(runs):
        numbered = [j for j, i in enumerate(run) if found[i][0] and block_part(found[i][0])]
        trailing = run[numbered[-1] + 1:] if numbered else []
        last = found[run[numbered[-1]]][1] if numbered else ()
        if not trailing or k == len(runs) - 1 or (
                resolution(s.shape(s.exit(found[trailing[-1]][1]))) == resolution(s.shape(s.exit(last)))):
            kept.append(run)
            continue
        inside = {m for i in trailing for m in found[i][1]}
        others = {m for i in run for m in found[i][1]} - inside
        start, end = max(map(s.position.get, last)), max(s.position[m] for m in inside)
        members = [n for n in names[start + 1:end + 1] if n in inside or n not in others]
        name = _transition_name(s, hints[run[0]], members)
        if not s.valid_block(members) or name in taken or (name in s.position and name not in members):
            kept.append(run)
            continue
        taken.add(name)
        transitions[k] = Group(name, "block", tuple(members))
        kept.append(run[:numbered[-1] + 1])
    return kept, transitions


def _transition_name(s: Structure, stage: Optional[str], members) -> str:
    """`stack1` and its layers `stack1_downsample_kv` … → `stack1_downsample`."""
    for m in members:
        rest = m[len(stage):] if stage and m.startswith(stage) else ""
        word = re.match(r"([_./])([A-Za-z]+)(?=[_./]|$)", rest)
        if word and not anonymous(s.graph.layer(m)):
            return stage + word.group(1) + word.group(2)
    return f"{stage} transition"


def _steady(widths: List, i: int) -> bool:
    """Block i's width continues a constant growth (DenseNet's concatenations)."""
    if not all(isinstance(w, int) for w in widths):
        return False
    step = widths[i] - widths[i - 1]
    return step > 0 and ((i >= 2 and widths[i - 1] - widths[i - 2] == step)
                         or (i + 1 < len(widths) and widths[i + 1] - widths[i] == step))


def _structural_stages(s: Structure, found) -> List[List[int]]:
    """Maximal runs of blocks of one family, at one resolution and one output width; a stage's first
    block (the one that changes the resolution, or the model's first) may differ from the rest."""
    shapes = [s.shape(s.exit(members)) for _, members in found]
    widths = [width(x) for x in shapes]
    families = [_family(s, members) for _, members in found]
    opens = [i == 0 or resolution(shapes[i]) != resolution(shapes[i - 1]) for i in range(len(found))]
    runs: List[List[int]] = []
    for i, shape in enumerate(shapes):
        same = runs and resolution(shape) == resolution(shapes[i - 1]) and (
            (len(runs[-1]) == 1 and opens[runs[-1][0]])
            or ((widths[i] == widths[i - 1] or _steady(widths, i)) and families[i] == families[i - 1]))
        if same:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _between_stages(s: Structure, stages: List[Group], names: List[str], taken=frozenset()) -> List[Group]:
    """Layers between two stages (other than `taken`, a block of their own) open the stage they lead into
    (DenseNet's transitions), unless some of them lie at a resolution neither stage has and are not named
    for the stage they lead into: that part is a stage of its own."""
    result: List[Group] = []
    for k, stage in enumerate(stages):
        if k == 0:
            result.append(stage)
            continue
        previous_end = max(s.position[m] for m in result[-1].members)
        start = min(s.position[m] for m in stage.members)
        between = [n for n in names[previous_end + 1:start] if n not in taken]
        if between and not _named_for(s, between, stage.name):
            known = {resolution(s.shape(result[-1].members[-1])), resolution(s.shape(stage.members[-1]))}
            foreign = [i for i, n in enumerate(between) if resolution(s.shape(n)) not in known | {None}]
            if foreign and len(between[:foreign[-1] + 1]) >= 2:
                own = between[:foreign[-1] + 1]
                result.append(Group("", "stage", tuple(own)))
                between = between[foreign[-1] + 1:]
        if between:
            stage = replace(stage, members=tuple(between) + stage.members)
        result.append(stage)
    return result


def _named_for(s: Structure, names: Sequence[str], stage: str) -> bool:
    """The layers' own names (op layers aside) all name `stage` (`stack2_downsample_dense` for `stack2`):
    Swin's patch merging, whose reshapes pass through odd shapes, opens the stage it is named for."""
    named = [n for n in names if not anonymous(s.graph.layer(n))]
    return bool(stage and named) and all(n.startswith(stage) and n[len(stage):len(stage) + 1] in ("_", ".", "/")
                                         for n in named)


def _without_common_prefix(names: List[str]) -> List[str]:
    """`convnext_tiny_stage_0`, `convnext_tiny_stage_1` → `stage_0`, `stage_1` (a word stays before a number)."""
    tokens = [n.split("_") for n in names]
    common = 0
    while all(len(t) > common + 1 and t[common] == tokens[0][common] for t in tokens):
        common += 1
    while common and all(t[common].isdigit() for t in tokens):
        common -= 1
    return ["_".join(t[common:]) for t in tokens]


def _block_name(s: Structure, key: Optional[str], members, stage: int, index: int) -> str:
    if key and key.startswith("cell_"):  # a NASNet cell: named by the kind of its exit
        exit_name = s.exit(members)
        kind = exit_name.split("_concat")[0] if "_concat" in exit_name else "cell"
        return f"{kind}_{key[5:].replace('reduce_', '')}"
    return key or f"block {stage}.{index}"


def stages_of(s: Structure, found) -> Grouping:
    """Stages of the blocks found (sorted by exit), with stem and head around them."""
    names = [l.name for l in s.graph.layers]
    position = s.position.__getitem__
    found = sorted(found, key=lambda kv: max(map(position, kv[1])))
    hints = [stage_hint(s, key, members) for key, members in found]
    named = _named_stages(hints)
    structural = None if named and not all(hint == key for (key, _), hint in zip(found, hints)) \
        else _structural_stages(s, found)
    transitions: Dict[int, Group] = {}
    if named and (structural is None or len(structural) >= len(named)):
        runs, transitions = _transitions(s, found, named, hints, names)
    else:  # no stage names, or blocks named like stages (`block3_*`) several of which share a resolution and width
        runs = structural
    in_block = {m for _, members in found for m in members}
    between = {m for group in transitions.values() for m in group.members}
    in_block |= between
    stages: List[Group] = []
    blocks: List[Group] = []
    for k, run in enumerate(runs):
        block_names = []
        for j, i in enumerate(run):
            key, members = found[i]
            block_names.append(_block_name(s, key, members, k + 1, j + 1))
            blocks.append(Group(block_names[-1], "block", tuple(members)))
        own_blocks = {m for i in run for m in found[i][1]}
        first, last = min(map(position, own_blocks)), max(map(position, own_blocks))
        members = [n for n in names[first:last + 1] if n in own_blocks or n not in in_block]
        prefixes = {hints[i] for i in run}
        stages.append(Group(prefixes.pop() if len(prefixes) == 1 else "", "stage", tuple(members), tuple(block_names)))
        if k in transitions:
            blocks.append(transitions[k])
    stages = _between_stages(s, stages, names, between)
    stages = _stage_names(stages, s.position)
    stages, blocks = _shorter_block_names(stages, blocks, s.position)
    first_block, last_block = min(map(position, in_block)), max(map(position, in_block))
    stem = [n for n in names[:first_block] if n not in in_block]
    head = [n for n in names[last_block + 1:] if n not in in_block]
    if stem and "stem" not in s.position:
        stages.insert(0, Group("stem", "stage", tuple(stem)))
    if head and "head" not in s.position:
        stages.append(Group("head", "stage", tuple(head)))
    return Grouping(tuple(stages), tuple(blocks))


def _stage_names(stages: List[Group], position) -> List[Group]:
    """The model's own stage names (`conv3`, `stage_2`) where every stage has a distinct one that is a
    word (not EfficientNet's bare numbers); otherwise `stage 1` … `stage n`."""
    own = [g.name for g in stages]
    usable = (all(own) and len(set(own)) == len(own) and not any(o in position for o in own)
              and not any(o.isdigit() for o in own))
    if usable and len(own) > 1:
        own = _without_common_prefix(own)
    return [replace(g, name=own[k] if usable else f"stage {k + 1}") for k, g in enumerate(stages)]


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
    stages = [replace(st, blocks=tuple(rename.get(n, n) for n in st.blocks)) for st in stages]
    return stages, blocks


# ---------------------------------------------------------------- encoder–decoders

def _size(shape) -> Optional[int]:
    dims = spatial_dims(shape)
    if len(dims) < 2 or not all(isinstance(d, int) for d in dims):
        return None
    total = 1
    for d in dims:
        total *= d
    return total


def levels(s: Structure) -> Optional[List[Group]]:
    """A U-Net's levels: `down 1` … at each resolution on the way down, `bottleneck`, `up n` … `up 1` on
    the way up (the decoder starts at the first up-sampling layer); None unless the model goes down at
    least three times, comes back up at least twice and ends above its lowest resolution.

    A squeeze-excitation's 1×1 is no level; an FPN's heads on its levels, read back once the pyramid is
    up, are `merge`; a level above every encoder level is `output`."""
    layers = s.graph.layers
    if not any(l.type in _UPSAMPLING for l in layers):
        return None
    sizes = [_size(l.shape) for l in layers]
    up = next((i for i, l in enumerate(layers) if l.type in _UPSAMPLING and sizes[i]
               and any(sizes[s.position[p]] and sizes[s.position[p]] < sizes[i] for p in s.preds[l.name])), None)
    if up is None:
        return None
    down, down_sizes = _down_levels(s, sizes, up)
    up_levels: List[List[str]] = []
    up_sizes: List[Optional[int]] = []
    level_size, level_of, merging = None, {}, False
    for i, layer in enumerate(layers[up:], start=up):
        preds = s.preds[layer.name]
        level = len(up_levels) - 1
        if sizes[i] and layer.type in _UPSAMPLING and (level_size is None or sizes[i] > level_size):
            up_levels.append([])
            up_sizes.append(sizes[i])
            level_size, merging, level = sizes[i], False, level + 1
        elif not merging and None not in up_sizes and any(level_of.get(p, level) < level for p in preds):
            up_levels.append([])  # reads an earlier level of the way up again: the levels merge
            up_sizes.append(None)
            merging, level = True, level + 1
        elif merging and (all(p not in level_of for p in preds) or (
                len(preds) > 1 and all(level_of.get(p) == level - 1 for p in preds))):
            level -= 1  # the last level's lateral or add, ordered among the heads (Keras 3 orders by depth)
        level_of[layer.name] = level
        up_levels[level].append(layer.name)
    lowest = min(x for x in sizes if x)
    ends_high = all(_size(s.shape(o)) and _size(s.shape(o)) > lowest for o in s.graph.outputs)
    if len(down) < 4 or len(up_levels) < 2 or not ends_high:
        return None
    number = {size: k + 1 for k, size in enumerate(down_sizes)}
    groups = [Group(f"down {k + 1}", "stage", tuple(level)) for k, level in enumerate(down[:-1])]
    groups.append(Group("bottleneck", "stage", tuple(down[-1])))
    used = {g.name for g in groups}
    top = max((x for x in down_sizes if x), default=None)
    for level, size in zip(up_levels, up_sizes):
        if size is None:
            name = "merge"
        elif size in number:
            name = f"up {number[size]}"
        elif top and size > top and "output" not in used:
            name = "output"
        else:
            name = f"up {len(used) + 1}"
        while name in used or name in s.position:
            name += "′"
        used.add(name)
        groups.append(Group(name, "stage", tuple(level)))
    if any(g.name in s.position for g in groups):
        return None
    return groups


def _down_levels(s: Structure, sizes: List[Optional[int]], up: int):
    """The levels on the way down (layers before `up`) and each one's size. A drop that comes back to the
    level before it (a squeeze-excitation's 1×1 multiplied into the map it squeezed) is no level."""
    down: List[List[str]] = []
    down_sizes: List[Optional[int]] = []
    for i, layer in enumerate(s.graph.layers[:up]):
        if layer.is_input:
            continue
        size = sizes[i]
        while size and len(down) > 1 and down_sizes[-2] and size >= down_sizes[-2] and any(
                sizes[s.position[p]] and sizes[s.position[p]] >= down_sizes[-2] for p in s.preds[layer.name]):
            down[-2].extend(down.pop())
            down_sizes.pop()
        if not down or (size and down_sizes[-1] and size < down_sizes[-1]):
            down.append([])
            down_sizes.append(size)
        elif size and not down_sizes[-1]:
            down_sizes[-1] = size
        down[-1].append(layer.name)
    return down, down_sizes


def with_levels(s: Structure, found, level_groups: List[Group]) -> Grouping:
    """Levels as blocks; or, where blocks end inside them (a ResNet encoder), levels as stages of the blocks
    that end there (a block moves wholly into the level of its exit)."""
    level_of = {m: k for k, g in enumerate(level_groups) for m in g.members}
    inside: Dict[int, List[Tuple[Optional[str], List[str]]]] = {}
    for key, members in found:
        k = level_of.get(s.exit(members))
        if k is not None and all(level_of.get(m) in (k, k - 1) for m in members):
            inside.setdefault(k, []).append((key, members))
    if not inside:
        return Grouping((), tuple(replace(g, level="block") for g in level_groups))
    for k, blocks in inside.items():
        for _, members in blocks:
            for m in members:
                level_of[m] = k
    inside.update(_lateral_levels(s, level_groups, level_of, inside))
    stages, groups = [], []
    for k, group in enumerate(level_groups):
        names = []
        for j, (key, members) in enumerate(inside.get(k, ()), start=1):
            names.append(_block_name(s, key, members, k + 1, j))
            groups.append(Group(names[-1], "block", tuple(members)))
        own = tuple(n for n in s.position if level_of.get(n) == k)
        if group.name.startswith("merge") and not names and s.valid_block(own):
            groups.append(Group(group.name, "block", own))  # an FPN's heads and their merge: one block
        else:
            stages.append(replace(group, members=own, blocks=tuple(names)))
    return Grouping(tuple(g for g in stages if g.members), tuple(groups))


def _lateral_levels(s: Structure, level_groups: List[Group], level_of: Dict[str, int], inside) -> Dict[int, list]:
    """A level of the way up with no blocks, where a layer reads the encoder alone (an FPN's lateral 1×1
    convolution), is one block named by its layers' common prefix (`fpn_stage_p5`): the lateral stays with
    its level."""
    bottom = next((k for k, g in enumerate(level_groups) if g.name == "bottleneck"), len(level_groups))
    used = {g.name for g in level_groups} | {key for blocks in inside.values() for key, _ in blocks if key}
    found: Dict[int, list] = {}
    for k, group in enumerate(level_groups[bottom + 1:], start=bottom + 1):
        members = [m for m in group.members if level_of.get(m) == k]
        lateral = any(s.preds[m] and all(level_of.get(p, bottom) <= bottom for p in s.preds[m]) for m in members[1:])
        if k in inside or not lateral or not s.valid_block(members):
            continue
        name = _common_prefix(members) or f"{group.name} block"
        if name in used or (name in s.position and name not in members):
            continue
        used.add(name)
        found[k] = [(name, members)]
    return found


def _common_prefix(names: Sequence[str]) -> str:
    """What the names of a piece start with, to a word's end or a number (`fpn_stage_p5_conv`,
    `fpn_stage_p5_add` → `fpn_stage_p5`); "" when they share no word."""
    prefix = names[0]
    for n in names[1:]:
        while not n.startswith(prefix):
            prefix = prefix[:-1]
    prefix = prefix.rstrip("_./")
    if len(prefix) >= 3 and (prefix[-1].isdigit() or any(n[len(prefix):len(prefix) + 1] in "_./" for n in names)):
        return prefix
    return ""


# ---------------------------------------------------------------- the whole

def detect(graph: ModelGraph) -> Grouping:
    """Levels of an encoder–decoder; else blocks from names (checked against the structure) and from the
    graph, and stages around them."""
    s = Structure(graph)
    found = blocks_from_names(s)
    if len(found) < 2:
        found = []
    taken = {m for _, members in found for m in members}
    if not found or len(graph.layers) - len(taken) > LOOSE_SHARE * len(graph.layers):
        found += blocks_from_graph(s, taken)
    level_groups = levels(s)
    if level_groups is not None:
        return checked(with_levels(s, found, level_groups), graph)
    if len(found) < 2:  # one block makes no stages: everything else would be stem or head
        return Grouping()
    return checked(stages_of(s, found), graph)


def resolve_groups(graph: ModelGraph, groups) -> Grouping:
    """The `groups=` keyword: None/False → none, "auto" → detected, a mapping → the user's."""
    if groups is None or groups is False:
        return Grouping()
    if groups == "auto" or groups is True:
        return detect(graph)
    return from_mapping(graph, groups)
