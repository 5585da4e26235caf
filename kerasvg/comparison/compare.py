"""Compare two models: pair their layers, mark each layer and edge, and draw the union in one diagram."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Optional, Tuple

from ..graph.glyphs import elide_middle
from ..graph.model import Layer, ModelGraph, compact_shape, expand_nested, topological_order
from ..scene.text import terminal_safe
from .matching import match_layers

BADGES = {"added": "+", "removed": "\u2212", "changed": "~", "same": "="}
TELLING_FIELDS = ("filters", "units", "kernel_size", "strides", "activation")  # a label names these first
LABEL_CHANGES = 2  # lines `old → new` under a changed layer's name
LABEL_CHANGE_CHARS = 40
_ARROW = " \u2192 "
_MISSING = object()


@dataclass(frozen=True)
class ModelDiff:
    """What changed from model `a` to model `b`, keyed by the union graph's layer names (b's names)."""

    a: ModelGraph = field(repr=False)
    b: ModelGraph = field(repr=False)
    union: ModelGraph = field(repr=False)
    layers: Dict[str, str]  # union name -> added / removed / changed / same, in union order
    details: Dict[str, Tuple[str, ...]]  # union name -> what changed ("filters 64 → 128")
    names_a: Dict[str, str]  # union name -> the layer's name in `a` (paired and removed layers)
    connectors: Dict[Tuple[str, str], str]  # union edge -> added / removed / same

    def count(self, status: str) -> int:
        return sum(1 for s in self.layers.values() if s == status)

    @property
    def differs(self) -> bool:
        """True when any layer or edge is not `same`."""
        return any(s != "same" for s in self.layers.values()) or any(s != "same" for s in self.connectors.values())


def glyph_status(member_statuses: Iterable[str]) -> str:
    """A block or stage glyph: `same` when all its layers are, `added`/`removed` when all are, else `changed`."""
    found = set(member_statuses)
    if not found:
        return "same"
    if len(found) == 1 and found <= {"same", "added", "removed"}:
        return found.pop()
    return "changed"


def compare(a, b, *, expand: bool = False) -> ModelDiff:
    """Pair the layers of `a` and `b` (see `matching`) and give every layer and edge of the union a status."""
    from ..readers import read

    ga, gb = read(a), read(b)
    if expand:
        ga, gb = expand_nested(ga), expand_nested(gb)
    pairs = match_layers(ga, gb)
    union_name = {name: pairs.get(name, name) for name in (l.name for l in ga.layers)}
    paired_b = {bn: an for an, bn in pairs.items()}
    status: Dict[str, str] = {}
    details: Dict[str, Tuple[str, ...]] = {}
    names_a: Dict[str, str] = {}
    for layer in gb.layers:
        old_name = paired_b.get(layer.name)
        if old_name is None:
            status[layer.name] = "added"
            continue
        changes = layer_changes(ga.layer(old_name), layer)
        status[layer.name] = "changed" if changes else "same"
        names_a[layer.name] = old_name
        if changes:
            details[layer.name] = changes
    removed = [l for l in ga.layers if l.name not in pairs]
    for layer in removed:
        status[layer.name] = "removed"
        names_a[layer.name] = layer.name

    b_edges = _edges(gb)
    a_edges = [(union_name[s], union_name[t]) for s, t in _edges(ga)]
    in_a, in_b = set(a_edges), set(b_edges)
    connectors: Dict[Tuple[str, str], str] = {}
    for edge in list(dict.fromkeys(b_edges + a_edges)):
        both_paired = all(status[end] in ("same", "changed") for end in edge)
        connectors[edge] = "same" if edge in in_a and edge in in_b and both_paired else \
            "added" if edge in in_b else "removed"

    order = _union_order(ga, gb, union_name, set(pairs), list(connectors))
    by_name = {l.name: l for l in gb.layers}
    by_name.update({l.name: _without_index(l) for l in removed})
    union = ModelGraph(
        name=gb.name if ga.name == gb.name else f"{ga.name} \u2192 {gb.name}",
        layers=tuple(by_name[n] for n in order),
        edges=tuple(connectors),
        inputs=tuple(dict.fromkeys(list(gb.inputs) + [union_name[n] for n in ga.inputs if n in union_name])),
        outputs=tuple(dict.fromkeys(list(gb.outputs) + [union_name[n] for n in ga.outputs if n in union_name])),
        inferred_edges=gb.inferred_edges or ga.inferred_edges,
        type=gb.type,
        groups=_union_groups(ga, gb, union_name),
    )
    return ModelDiff(ga, gb, union, {n: status[n] for n in order}, details, names_a, connectors)


def _edges(graph: ModelGraph) -> List[Tuple[str, str]]:
    names = {l.name for l in graph.layers}
    return [e for e in dict.fromkeys(graph.edges) if e[0] in names and e[1] in names and e[0] != e[1]]


def _without_index(layer: Layer) -> Layer:
    """A removed layer keeps no index: `index_ignore` and `text_callable` refer to `b`'s indices."""
    return replace(layer, index=None)


def _union_order(ga: ModelGraph, gb: ModelGraph, union_name, paired, edges) -> List[str]:
    """`b`'s order with each removed layer right after the layer that preceded it in `a`; then topological."""
    names = [l.name for l in gb.layers]
    anchor: Optional[str] = None
    for layer in ga.layers:
        if layer.name in paired:
            anchor = union_name[layer.name]
            continue
        at = names.index(anchor) + 1 if anchor is not None else 0
        names.insert(at, layer.name)
        anchor = layer.name
    return topological_order(names, edges)


def _union_groups(ga: ModelGraph, gb: ModelGraph, union_name):
    """Expanded nested models: `b`'s groups, joined by the removed members of `a`'s group of the same name."""
    groups = {layer.name: (layer, list(members)) for layer, members in gb.groups}
    for layer, members in ga.groups:
        mapped = [union_name.get(m, m) for m in members]
        if layer.name in groups:
            kept = groups[layer.name][1]
            kept.extend(m for m in mapped if m not in kept)
        else:
            groups[layer.name] = (layer, mapped)
    return tuple((layer, tuple(members)) for layer, members in groups.values())


def layer_changes(old: Layer, new: Layer) -> Tuple[str, ...]:
    """What differs between two paired layers, each as `field old → new`; empty when they are the same."""
    out = []
    if old.name != new.name:
        out.append(f"renamed from {old.name}")
    if old.type != new.type:
        out.append(f"type {old.type} \u2192 {new.type}")
    for key, was, now in _changed_fields(old, new):
        out.append(f"{key} {_value_text(was)} \u2192 {_value_text(now)}")
    if old.shape_text != new.shape_text:
        out.append(f"output {old.shape_text} \u2192 {new.shape_text}")
    if old.params != new.params:
        out.append(f"params {_count(old.params)} \u2192 {_count(new.params)}")
    return tuple(out)


def _changed_fields(old: Layer, new: Layer) -> List[Tuple[str, object, object]]:
    """(key, old value, new value) for each configuration value that differs (`_MISSING` where unset)."""
    before, after = dict(old.config), dict(new.config)
    changed = []
    for key in dict.fromkeys(list(before) + list(after)):
        was, now = before.get(key, _MISSING), after.get(key, _MISSING)
        if key != "name" and (was != now or isinstance(was, bool) != isinstance(now, bool)):
            changed.append((key, was, now))
    return changed


def label_changes(old: Layer, new: Layer, most: int = LABEL_CHANGES, limit: int = LABEL_CHANGE_CHARS) -> Tuple[str, ...]:
    """What a changed layer's label says: up to `most` lines `old → new` of at most `limit` characters, the
    most telling first: the type, then TELLING_FIELDS, the output shape, other fields, parameters, the old name."""
    fields = {key: _old_new(key, _value_text(was), _value_text(now), limit) for key, was, now in _changed_fields(old, new)}
    lines = [_old_new("", old.type, new.type, limit)] if old.type != new.type else []
    lines += [fields[key] for key in TELLING_FIELDS if key in fields]
    if old.shape_text != new.shape_text:
        lines.append(_old_new("", _shapes(old), _shapes(new), limit))
    lines += [text for key, text in fields.items() if key not in TELLING_FIELDS]
    if old.params != new.params:
        lines.append(_old_new("params", _count(old.params), _count(new.params), limit))
    if old.name != new.name:
        lines.append(elide_middle(f"renamed from {old.name}", limit))
    return tuple(lines[:most])


def _old_new(key: str, was: str, now: str, limit: int) -> str:
    """`key was → now` in at most `limit` characters: each value elided in the middle, the arrow kept."""
    lead = f"{key} " if key else ""
    text = lead + was + _ARROW + now
    room = limit - len(lead) - len(_ARROW)
    if len(text) <= limit or room < 8:
        return elide_middle(text, limit)
    first = min(len(was), max(room // 2, room - len(now)))
    return lead + elide_middle(was, first) + _ARROW + elide_middle(now, room - first)


def _shapes(layer: Layer) -> str:
    return " | ".join(compact_shape(s) for s in layer.output_shapes) or "?"


def _value_text(value) -> str:
    if value is _MISSING:
        return "(not set)"
    from ..writers.html import config_text

    return config_text(value)


def _count(value) -> str:
    return "unknown" if value is None else f"{value:,}"


# ---------------------------------------------------------------- drawing


def diff(a, b, **keywords):
    """Draw models `a` and `b` in one diagram with what changed marked; returns a `Diagram`.

    `a` and `b` are live Keras models, `ModelGraph` objects or saved files (.keras, .h5, .json). Keywords
    are those of `layered_view`; layers only in `b` are marked added, only in `a` removed (drawn ghosted where they
    were), paired layers that differ changed. Every `g.layer` and connector carries `data-diff`.
    """
    return render(compare(a, b, expand=bool(keywords.get("expand_nested"))), **keywords)


def render(result: ModelDiff, **keywords):
    """Draw a `ModelDiff` (from `compare`) with `layered_view`'s keywords."""
    if keywords.get("fold_repeats"):
        raise ValueError("fold_repeats=True: not available in a diff (folding would hide which copy changed)")
    from ..layered import draw

    keywords = {k: v for k, v in keywords.items() if k != "expand_nested"}
    options, preset = keywords.pop("options", None), keywords.pop("preset", None)
    return draw(result.union, keywords, options=options, preset=preset, diff=result)


# ---------------------------------------------------------------- text summary


def summary_lines(result: ModelDiff, per_change: bool = True) -> List[str]:
    """A `git diff --stat`-like summary: one line per changed layer, then the totals."""
    lines = []
    if per_change:
        for name, status in result.layers.items():
            if status == "same":
                continue
            layer = result.union.layer(name)
            text = f"{BADGES[status]} {terminal_safe(name)} ({terminal_safe(layer.type)})"
            if status == "changed":
                text += ": " + "; ".join(terminal_safe(d) for d in result.details[name])
            lines.append(text)
    delta = result.b.total_params - result.a.total_params
    sign = "+" if delta > 0 else "\u2212" if delta < 0 else "\u00b1"
    change = f"{sign}{abs(delta):,}" if result.a.params_known and result.b.params_known else "change unknown"
    lines.append(
        f" {_plural(result.count('changed'), 'layer')} changed, {result.count('added')} added, "
        f"{result.count('removed')} removed; parameters {parameter_total(result.a)} \u2192 {parameter_total(result.b)} ({change})")
    return lines


def parameter_total(graph: ModelGraph, commas: bool = True) -> str:
    """A model's parameter total; `≥ N` when some layers' counts are unknown (N counts the known ones)."""
    total = f"{graph.total_params:,}" if commas else str(graph.total_params)
    return total if graph.params_known else f"\u2265 {total}" if commas else f"\u2265{total}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
