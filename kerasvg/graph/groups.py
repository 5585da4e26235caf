"""Stages and blocks of a model as data: the user's mapping, the checks, and glyphs.

`structure.detect` finds groups; `collapse` turns a graph into one whose blocks (or stages) are single
glyph layers; `captions` words a group's frame.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from typing import Dict, List, Mapping, Sequence, Tuple

from .model import ModelGraph

LEVELS = ("layers", "blocks", "stages")
AUTO_GROUPS_ABOVE = 60


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
    return checked(Grouping(tuple(stages), tuple(blocks)), graph)


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


def checked(grouping: Grouping, graph: ModelGraph) -> Grouping:
    """Groups nest or stay apart: a block lies within at most one stage, wholly; no two blocks share a layer."""
    owners: List[Dict[str, str]] = []
    for level in (grouping.stages, grouping.blocks):
        seen: Dict[str, str] = {}
        owners.append(seen)
        for group in level:
            for m in group.members:
                if m in seen:
                    raise ValueError(f"groups: {seen[m]!r} and {group.name!r} overlap (both hold layer {m!r}) "
                                     "without one nesting inside the other")
                seen[m] = group.name
    stage_of = owners[0]
    for block in grouping.blocks:
        within = [stage_of.get(m) for m in block.members]
        holders = set(within) - {None}
        if holders and (len(holders) > 1 or None in within):
            raise ValueError(f"groups: block {block.name!r} and stage(s) {', '.join(map(repr, sorted(holders)))} "
                             "overlap without one nesting inside the other")
    return grouping


def restrict(grouping: Grouping, names: Sequence[str]) -> Grouping:
    """The groups as far as `names` are still drawn (after folding): empty groups go."""
    kept = set(names)
    blocks = tuple(replace(b, members=tuple(m for m in b.members if m in kept)) for b in grouping.blocks)
    blocks = tuple(b for b in blocks if b.members)
    stages = tuple(replace(s, members=tuple(m for m in s.members if m in kept)) for s in grouping.stages)
    return Grouping(tuple(s for s in stages if s.members), blocks)
