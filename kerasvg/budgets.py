"""Input budgets: how much one untrusted model may ask for, checked before the work is done.

The defaults keep any input that fits them rendering in seconds; `override(...)` (the CLI's
`--budget NAME=N`) raises one for the rare model that needs more.
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import os
import stat
from pathlib import Path
from typing import Iterator


class BudgetError(ValueError):
    """An input larger than a budget; the message names the budget and how to raise it."""


@dataclasses.dataclass(frozen=True)
class Budgets:
    input_bytes: int = 64 * 1024 * 1024  # one model file, zip member, h5 attribute, theme file
    layers: int = 50_000
    edges: int = 10_000  # at least this; max(4 x layers, edges) in all
    depth: int = 64  # models nested in models, JSON nesting
    dimension: int = 2 ** 31  # any tensor dimension
    params: int = 10 ** 12  # any one layer's parameter count

    def edge_limit(self, layer_count: int) -> int:
        return max(4 * layer_count, self.edges)


DESCRIPTIONS = {
    "input_bytes": "bytes read from one input (model file, zip member, h5 attribute, theme file)",
    "layers": "layers in one model, nested models included",
    "edges": "connections (the limit is the larger of this and 4 x layers)",
    "depth": "nesting depth (models in models, JSON nesting)",
    "dimension": "any tensor dimension",
    "params": "any one layer's parameter count",
}

_CURRENT: contextvars.ContextVar[Budgets] = contextvars.ContextVar("kerasvg_budgets", default=Budgets())


def current() -> Budgets:
    """The budgets in force."""
    return _CURRENT.get()


@contextlib.contextmanager
def override(**values: int) -> Iterator[Budgets]:
    """Raise (or lower) budgets for the duration of a `with` block."""
    unknown = [k for k in values if k not in DESCRIPTIONS]
    if unknown:
        raise ValueError(f"unknown budget(s) {', '.join(unknown)} (allowed: {', '.join(DESCRIPTIONS)})")
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"budget {name} = {value!r} must be a whole number greater than 0")
    token = _CURRENT.set(dataclasses.replace(current(), **values))
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


def parse_override(text: str):
    """`NAME=N` (N may use `_`, or a `KiB`/`MiB`/`GiB` suffix for input_bytes) -> (name, value)."""
    name, sep, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or name not in DESCRIPTIONS:
        raise ValueError(f"{text!r}: expected NAME=N with NAME one of {', '.join(DESCRIPTIONS)}")
    raw = raw.strip().replace("_", "")
    factor = 1
    for suffix, size in (("KiB", 1024), ("MiB", 1024 ** 2), ("GiB", 1024 ** 3)):
        if raw.endswith(suffix):
            raw, factor = raw[: -len(suffix)].strip(), size
    if not raw.isdigit() or len(raw) > 30 or int(raw) <= 0:
        raise ValueError(f"{text!r}: {name} must be a whole number greater than 0")
    return name, int(raw) * factor


def exceeded(what: str, name: str, limit=None) -> BudgetError:
    """'WHAT is over the NAME budget of LIMIT (raise it with --budget NAME=N)'."""
    limit = getattr(current(), name) if limit is None else limit
    return BudgetError(f"{what} is over the {name} budget of {limit:,} (raise it with --budget {name}=N)")


def read_bounded(path, what: str = "file") -> bytes:
    """A regular file's bytes, refusing FIFOs and devices and anything over the input_bytes budget."""
    limit = current().input_bytes
    path = Path(path)
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise BudgetError(f"{path}: not a regular file (a FIFO, device or socket), so not read")
    if info.st_size > limit:
        raise exceeded(f"{path}: {what} of {info.st_size:,} bytes", "input_bytes")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise exceeded(f"{path}: {what} (still growing as it is read)", "input_bytes")
    return data
