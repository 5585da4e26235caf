"""The table of stages as papers print it ("Table 1"): Markdown, LaTeX (booktabs) or CSV text.

Columns: Stage, Output size, Blocks, Layers, Parameters; a stage of no blocks (the stem, the head) shows
`—` for its blocks, and a Total row sums the rows. Stage names are the model's layer and group names,
user text, so every cell is escaped for its format.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import List, NamedTuple, Optional, Sequence

from .graph.model import compact_shape
from .graph.table import StageRecord
from .scene.text import terminal_safe
from .writers.tikz import latex_text

FORMATS = ("markdown", "latex", "csv")
ALIASES = {"md": "markdown", "tex": "latex"}
EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".csv": "csv"}
HEADER = ("Stage", "Output size", "Blocks", "Layers", "Parameters")


def table_format(format: str) -> str:
    """The format's canonical name (`md` → `markdown`); ValueError listing the allowed ones."""
    name = str(format).strip().lower()
    name = ALIASES.get(name, name)
    if name not in FORMATS:
        allowed = ", ".join(FORMATS + tuple(ALIASES))
        raise ValueError(f"unknown table format {format!r} (must be one of {allowed})")
    return name


def format_for_path(path) -> str:
    """The format a file's extension names (`.md`, `.tex`, `.csv`); ValueError listing the extensions."""
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValueError(f"cannot write the table to {str(path)!r}: unsupported extension "
                         f"{suffix or '(none)'!r} (supported: {', '.join(EXTENSIONS)})")
    return EXTENSIONS[suffix]


def format_table(records: Sequence[StageRecord], format: str = "markdown") -> str:
    """The records as a table in `format` ("markdown"/"md", "latex"/"tex" or "csv"), ending in a newline."""
    kind = table_format(format)
    rows = [_Row(r.name, compact_shape(r.output_shape), r.blocks or None, r.layers, r.params, r.known_params)
            for r in records]
    unknown = any(r.params is None for r in records)
    known = sum(r.known_params for r in records)
    total = _Row("Total", "", sum(r.blocks for r in records), sum(r.layers for r in records),
                 None if unknown else known, known, total=True)
    return {"markdown": _markdown, "latex": _latex, "csv": _csv}[kind](rows + [total])


class _Row(NamedTuple):
    name: str
    size: str
    blocks: Optional[int]  # None: a stage of no blocks
    layers: int
    params: Optional[int]
    known_params: int
    total: bool = False

    def params_text(self, separator: str, at_least: str) -> str:
        """`1,234`; `?` for an unknown count; a total missing some layers' counts as `≥ 1,234`."""
        if self.params is not None:
            return format(self.params, separator)
        if self.total and self.known_params:
            return f"{at_least}{self.known_params:{separator}}"
        return "?"


# ---------------------------------------------------------------- Markdown

_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")
_MARKDOWN_ACTIVE = re.compile(r"[\\|`*~$<>\[\]&]|(?<![^\W_])_|_(?![^\W_])")  # `_` between letters or digits is inert


def markdown_cell(text: str) -> str:
    """`text` for a GitHub table cell, shown as typed: Markdown's active characters backslash-escaped (an
    underscore only where it could start or end emphasis), line breaks as `<br>`, control and bidirectional
    characters as `\\x1b`-style escapes."""
    lines = [_MARKDOWN_ACTIVE.sub(lambda m: "\\" + m.group(), terminal_safe(line))
             for line in _LINE_BREAK.split(str(text))]
    return "<br>".join(lines)


def _markdown(rows: List[_Row]) -> str:
    body = [[markdown_cell(r.name), markdown_cell(r.size), "—" if r.blocks is None else f"{r.blocks:,}",
             f"{r.layers:,}", r.params_text(",", "≥ ")] for r in rows]
    widths = [max(len(cells[i]) for cells in body + [list(HEADER)]) for i in range(len(HEADER))]
    left = 2  # Stage and Output size read left-aligned, the numbers right-aligned

    def line(cells) -> str:
        return "| " + " | ".join(c.ljust(w) if i < left else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join(":" + "-" * (w + 1) if i < left else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"
    return "\n".join([line(HEADER), rule] + [line(cells) for cells in body]) + "\n"


# ---------------------------------------------------------------- LaTeX


def _latex(rows: List[_Row]) -> str:
    def line(r: _Row) -> str:
        cells = [latex_text(r.name), latex_text(r.size), "---" if r.blocks is None else f"{r.blocks:,}",
                 f"{r.layers:,}", r.params_text(",", "$\\geq$~")]
        return " & ".join(cells) + r" \\"

    return "\n".join([
        r"% Needs \usepackage{booktabs}",
        r"\begin{tabular}{llrrr}",
        r"\toprule",
        " & ".join(HEADER) + r" \\",
        r"\midrule",
        *(line(r) for r in rows[:-1]),
        r"\midrule",
        line(rows[-1]),
        r"\bottomrule",
        r"\end{tabular}",
    ]) + "\n"


# ---------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text_cell(text: str) -> str:
    """User text for a spreadsheet: a cell that would start a formula (`=`, `+`, `-`, `@`) gets a leading `'`."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(rows: List[_Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow([csv_text_cell(r.name), r.size, "" if r.blocks is None else r.blocks, r.layers,
                         r.params_text("", "≥ ")])
    return out.getvalue()
