"""Pair the layers of two models: by name first, then by structure.

A layer of `a` and one of `b` left unpaired by name are paired when they have the same type and an
already-paired neighbour of one corresponds to a neighbour of the other (a predecessor of one is paired
with a predecessor of the other, or likewise for successors). Rounds repeat until nothing changes; when
several pairs compete for a layer, the pair closest in topological position wins.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

from ..graph.model import ModelGraph


def _neighbours(graph: ModelGraph) -> Tuple[Dict[str, List[str]], Dict[str, List[str]]]:
    names = {layer.name for layer in graph.layers}
    preds: Dict[str, List[str]] = {name: [] for name in names}
    succs: Dict[str, List[str]] = {name: [] for name in names}
    for source, target in dict.fromkeys(graph.edges):
        if source in names and target in names and source != target:
            succs[source].append(target)
            preds[target].append(source)
    return preds, succs


def match_layers(a: ModelGraph, b: ModelGraph) -> Dict[str, str]:
    """`a`'s layer name → the paired `b` layer name, in `a`'s layer order; unpaired layers are absent."""
    b_names = {layer.name for layer in b.layers}
    pairs: Dict[str, str] = {layer.name: layer.name for layer in a.layers if layer.name in b_names}
    pos_a = {layer.name: i for i, layer in enumerate(a.layers)}
    pos_b = {layer.name: i for i, layer in enumerate(b.layers)}
    type_a = {layer.name: layer.type for layer in a.layers}
    type_b = {layer.name: layer.type for layer in b.layers}
    preds_a, succs_a = _neighbours(a)
    preds_b, succs_b = _neighbours(b)
    taken = set(pairs.values())
    frontier = {n for n in pos_a if n not in pairs and any(m in pairs for m in preds_a[n] + succs_a[n])}
    while frontier:  # only layers next to a new pair can gain a candidate
        candidates = set()
        for x in frontier:
            # a predecessor of x paired with `partner`: y is among partner's successors (and vice versa)
            for neighbours_of_x, across in ((preds_a, succs_b), (succs_a, preds_b)):
                for neighbour in neighbours_of_x[x]:
                    partner = pairs.get(neighbour)
                    if partner is None:
                        continue
                    for y in across[partner]:
                        if y not in taken and type_b[y] == type_a[x]:
                            candidates.add((abs(pos_a[x] - pos_b[y]), pos_a[x], pos_b[y], x, y))
        frontier = set()
        for _, _, _, x, y in sorted(candidates):
            if x not in pairs and y not in taken:
                pairs[x] = y
                taken.add(y)
                frontier.update(n for n in preds_a[x] + succs_a[x] if n not in pairs)
        frontier = {n for n in frontier if n not in pairs}
    return {name: pairs[name] for name in sorted(pairs, key=pos_a.get)}
