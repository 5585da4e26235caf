"""`kerasvg table`: a model's stages as a Markdown, LaTeX or CSV table, on stdout or into a file."""
from __future__ import annotations

import sys
from pathlib import Path

from ..collector import collector_paused
from ..scene.text import terminal_safe
from ..table import FORMATS, format_for_path, format_table, table_format
from .errors import CliError
from .models import draw
from .outputs import check_writable, write_all


@collector_paused()
def run(args) -> int:
    """`kerasvg table`; the exit status."""
    kind = _format(args.format, args.output)
    if args.output is not None:
        check_writable(args.output)
    keywords = {"groups": "auto" if args.groups == "auto" else False}
    diagram = draw(args.model, keywords, load=args.load, imports=args.imports, debug=args.debug)
    if not diagram.stages:
        raise CliError(f"{args.model}: kerasvg found no stages or blocks in model {diagram.graph.name!r}, so there "
                       "is no table (they are found where layer names or the graph's structure show them)")
    text = format_table(diagram.stages, kind)
    if args.output is None:
        sys.stdout.write("\n".join(terminal_safe(line) for line in text.split("\n")))
    else:
        write_all([(Path(args.output), text.encode("utf-8"))])
    return 0


def _format(given: str | None, output: str | None) -> str:
    """--format if given, else the output's extension, else Markdown; a CliError naming what is allowed."""
    try:
        if given is not None:
            return table_format(given)
        return format_for_path(output) if output is not None else "markdown"
    except ValueError as exc:
        hint = "" if given is not None else f"; or give --format {'|'.join(FORMATS)}"
        raise CliError(f"{exc}{hint}") from None
