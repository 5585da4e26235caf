"""What structure detection found, as data a user can print: one `StageRecord` per stage (a paper's "Table 1").

A record is made for each unit the "stages" detail level draws: every stage (the detector's `stem` and
`head` included) and every block outside all stages; with blocks only, one record per block.
"""
from __future__ import annotations

from collections import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Optional, Sequence, Set, Tuple

from .groups import Group
from .model import ModelGraph, Shape
from .structure import Structure

if TYPE_CHECKING:
    from .groups import Grouping


@dataclass(frozen=True)
class StageRecord:
    """One row of the table of stages: a stage (or a block outside every stage) and what it holds."""

    name: str
    level: str  # "stage", or "block" for a block outside every stage
    input_shape: Shape  # the output shape of the layer feeding its first layer (an input layer: its own)
    output_shape: Shape  # the shape of its last layer with an edge leaving it
    blocks: int  # 0 for a stage of no blocks (the stem, the head); 1 for a block
    block_names: Tuple[str, ...]
    layers: int
    params: Optional[int]  # None when any of its layers' counts is unknown
    known_params: int  # the sum of the counts that are known: `params`, or a lower bound when that is None

    @property
    def params_known(self) -> bool:
        return self.params is not None


class LazyRecords(abc.Sequence):
    """`stage_records(graph, grouping)`, made when first read: a drawing keeps them for `Diagram.stages` and
    `to_table`, which few drawings are asked for. Compares equal to the tuple; pickles as it."""

    def __init__(self, graph: ModelGraph, grouping: "Grouping"):
        self._source = (graph, grouping)
        self._records: Optional[Tuple[StageRecord, ...]] = None

    def records(self) -> Tuple[StageRecord, ...]:
        if self._records is None:
            self._records = stage_records(*self._source)
            self._source = None
        return self._records

    def __len__(self) -> int:
        return len(self.records())

    def __getitem__(self, index):
        return self.records()[index]

    def __iter__(self) -> Iterator[StageRecord]:
        return iter(self.records())

    def __eq__(self, other) -> bool:
        if isinstance(other, LazyRecords):
            other = other.records()
        return self.records() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.records())

    def __repr__(self) -> str:
        return repr(self.records())

    def __reduce__(self):
        return tuple, (self.records(),)


def stage_records(graph: ModelGraph, grouping: Optional["Grouping"]) -> Tuple[StageRecord, ...]:
    """One record per stage and per block outside every stage, in model order; () without groups."""
    if not grouping:
        return ()
    structure = Structure(graph)
    position = structure.position
    in_stage = {m for stage in grouping.stages for m in stage.members}
    loose = tuple(b for b in grouping.blocks if not set(b.members) <= in_stage)
    units = list(grouping.stages + loose)
    grouped = {m for g in units for m in g.members}
    run: list = []
    for layer in graph.layers + (None,):  # layers in no group are rows too, so the rows add up to the model
        if layer is not None and layer.name not in grouped:
            run.append(layer)
            continue
        if run:
            name = "input" if all(l.is_input for l in run) else "other layers"
            units.append(Group(name, "stage", tuple(l.name for l in run)))
            run = []
    units.sort(key=lambda g: min(position[m] for m in g.members))
    return tuple(_record(graph, group, structure.preds, structure.succs, position, structure.outputs) for group in units)


def _record(graph: ModelGraph, group: Group, preds, succs, position, outputs: Set[str]) -> StageRecord:
    members = sorted(group.members, key=position.get)
    inside: Set[str] = set(members)
    counts = [graph.layer(m).params for m in members]
    blocks = group.blocks if group.level == "stage" else (group.name,)
    return StageRecord(
        name=group.name, level=group.level,
        input_shape=_input_shape(graph, members[0], inside, preds, position),
        output_shape=graph.layer(_exit(members, inside, succs, outputs)).shape,
        blocks=len(blocks), block_names=tuple(blocks), layers=len(members),
        params=None if None in counts else sum(counts), known_params=sum(c or 0 for c in counts),
    )


def _input_shape(graph: ModelGraph, first: str, inside: Set[str], preds, position) -> Shape:
    feeders = sorted((p for p in preds.get(first, ()) if p not in inside), key=position.get)
    return graph.layer(feeders[0] if feeders else first).shape


def _exit(members: Sequence[str], inside: Set[str], succs, outputs: Set[str]) -> str:
    leaving = [m for m in members if m in outputs or not inside.issuperset(succs.get(m, ()))]
    return leaving[-1] if leaving else members[-1]
