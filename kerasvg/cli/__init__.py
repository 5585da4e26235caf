"""The `kerasvg` command: render saved models (or `module:callable` models) to SVG, PNG, JPEG, PDF, HTML.

`main` parses and dispatches, and maps every failure to an exit status. The commands live in `render`,
`diff`, `table` and `demo`; `args` holds the parser and the flag → layered_view keyword table; `models` reads
MODEL arguments (through `kerasvg.readers.read`); `outputs` writes files all-or-none; `errors` turns
exceptions into one-line messages.
"""
from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

from .. import budgets
from . import diff, render, table
from .args import build_parser, check
from .demo import DEMO_FORMATS, DEMO_MODEL, demo, themes
from .errors import CliError, describe, report
from .models import call_model

__all__ = ["DEMO_FORMATS", "DEMO_MODEL", "CliError", "call_model", "main"]

COMMANDS = {"render": render.run, "diff": diff.run, "table": table.run, "demo": demo, "themes": themes}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 stale or different where asked, 2 error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return 0 if exc.code in (0, None) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        check(args)
        with budgets.override(**dict(args.budget)):
            return COMMANDS[args.command](args)
    except CliError as exc:
        report(str(exc))
        return 2
    except KeyboardInterrupt:
        print("kerasvg: interrupted; nothing more written", file=sys.stderr)
        return 2
    except Exception as exc:  # a failure outside any one model: still one line, never a traceback
        if args.debug:
            traceback.print_exc()
        report(describe(exc))
        return 2
