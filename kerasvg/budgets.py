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
    calls: int = 10_000  # inbound nodes of one model beyond one per layer
    outputs: int = 10_000  # output tensors of one layer call
    zip_entries: int = 100_000  # entries of one .keras archive
    globs: int = 1_000  # glob keys of one [layer] style table
    pixels: int = 100_000_000  # one PNG or JPEG: 400 MB as 32-bit colour
    pdf_boxes: int = 40_000  # boxes on one PDF page (a 50,000-layer chain takes 12 s to PDF)
    pptx_boxes: int = 2_500  # boxes on one PowerPoint slide (python-pptx: about 3 ms and 100 kB each)

    def edge_limit(self, layer_count: int) -> int:
        return max(4 * layer_count, self.edges)


DESCRIPTIONS = {
    "input_bytes": "bytes read from one input (model file, zip member, h5 attribute, theme file)",
    "layers": "layers in one model, nested models included",
    "edges": "connections (the limit is the larger of this and 4 x layers)",
    "depth": "nesting depth (models in models, JSON nesting)",
    "dimension": "any tensor dimension",
    "params": "any one layer's parameter count",
    "calls": "layer calls in one model config beyond one per layer (inbound nodes)",
    "outputs": "output tensors of one layer call that a model config refers to",
    "zip_entries": "entries in one .keras archive",
    "globs": "glob keys in one [layer] style table (a theme file, color_map, styles)",
    "pixels": "pixels in one raster image (PNG, JPEG)",
    "pdf_boxes": "boxes (layers or block glyphs) drawn on one PDF page",
    "pptx_boxes": "boxes (layers or block glyphs) drawn on one PowerPoint slide",
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


WRITER_LIMITS = {"pdf": ("pdf_boxes", "PDF"), "pptx": ("pptx_boxes", "PowerPoint")}  # format -> (budget, writer)

_WRITING: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("kerasvg_writing", default=())


@contextlib.contextmanager
def writing(formats) -> Iterator[tuple[str, ...]]:
    """Name the formats about to be written, so that drawing refuses before layout what their writers would not
    take (see `check_boxes`)."""
    token = _WRITING.set(tuple(formats))
    try:
        yield _WRITING.get()
    finally:
        _WRITING.reset(token)


def formats_to_write() -> tuple[str, ...]:
    """The formats named by the innermost `writing(...)` block, or ()."""
    return _WRITING.get()


def box_limit(formats) -> int | None:
    """The fewest boxes any writer of `formats` takes, or None when none of them has a limit."""
    return min((getattr(current(), WRITER_LIMITS[f][0]) for f in formats if f in WRITER_LIMITS), default=None)


def check_boxes(formats, count: int, noun: str = "boxes") -> None:
    """A BudgetError when `count` boxes (`noun`: what they are) are more than a writer of `formats` takes."""
    for kind in formats:
        if kind in WRITER_LIMITS:
            name, writer = WRITER_LIMITS[kind]
            limit = getattr(current(), name)
            if count > limit:
                raise BudgetError(f"{count:,} {noun} is more than the {writer} writer's limit of {limit:,} boxes; use "
                                  f"--detail blocks, --layer-range or SVG (or raise it with --budget {name}=N)")
