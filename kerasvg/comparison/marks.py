"""A diff on the scene: every box, nested model and connector gets its status, and the legend its entries.

Writers draw the marks from these statuses with the theme's `[diff]` colours; marks also differ without
colour (added: solid outline, changed: dashed, removed: dotted on a ghosted box, each with its badge).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, Tuple

from ..scene import DiffMark, DiffSummary, Scene
from .compare import ModelDiff, glyph_status, label_changes, parameter_total

STATUSES = ("added", "removed", "changed", "same")
LEGEND_TEXT = {"added": "added (only in b)", "removed": "removed (only in a)", "changed": "changed", "same": "same"}
LABEL_ALL_CHANGES_UP_TO = 40


def layers_to_label(result: ModelDiff) -> Dict[str, Tuple[str, ...]]:
    """Every layer that is not the same gets its name, a changed one also what changed (`filters 256 → 512`,
    see `label_changes`); none does when so many differ that labels would crowd the page."""
    differing = [name for name, status in result.layers.items() if status != "same"]
    if len(differing) > LABEL_ALL_CHANGES_UP_TO:
        return {}
    return {name: label_changes(result.a.layer(result.names_a[name]), result.union.layer(name))
            if result.layers[name] == "changed" else () for name in differing}


def legend_entries() -> Tuple[Tuple[str, str, str, str], ...]:
    """(kind, status, category, text) for the layout's legend."""
    return tuple(("diff", status, "other", LEGEND_TEXT[status]) for status in STATUSES)


def annotate(scene: Scene, result: ModelDiff) -> Scene:
    """`scene` with the diff's status on each box, expanded nested model and connector, and its summary."""
    nested = {layer.name: members for layer, members in result.union.groups}
    found: Dict[str, str] = {}

    def status(name: str) -> str:
        if name not in found:
            if name in result.layers:
                found[name] = result.layers[name]
            elif name in nested:
                found[name] = glyph_status(status(m) for m in nested[name])
            else:
                found[name] = "same"
        return found[name]

    def mark(name: str, state: str) -> DiffMark:
        old = result.names_a.get(name)
        return DiffMark(state, tuple(result.details.get(name, ())), old if old is not None and old != name else None)

    boxes = []
    for box in scene.boxes:
        state = glyph_status(status(m) for m in box.members) if box.members else status(box.name)
        found[box.name] = state
        boxes.append(replace(box, diff=mark(box.name, state)))
    frames = tuple(replace(f, diff=mark(f.name, status(f.name))) if f.kind == "nested" else f for f in scene.frames)
    connectors = []
    for c in scene.connectors:
        state = result.connectors.get((c.source, c.target))
        if state is None:
            ends = {status(c.source), status(c.target)}
            state = "added" if "added" in ends else "removed" if "removed" in ends else "same"
        connectors.append(replace(c, diff=state))
    models = tuple((g.name, len(g.layers), parameter_total(g, commas=False)) for g in (result.a, result.b))
    counts = tuple((s, result.count(s)) for s in STATUSES)
    return replace(scene, boxes=tuple(boxes), frames=frames, connectors=tuple(connectors),
                   diff=DiffSummary(models, counts))
