"""The `kerasvg` parser for the CLI page, without the epilogs: the page shows their examples as code."""
from __future__ import annotations

import argparse


def parser_without_epilogs() -> argparse.ArgumentParser:
    """kerasvg's own parser with every epilog removed (they are terminal text, not reStructuredText)."""
    from kerasvg.cli.args import build_parser

    parser = build_parser()
    pending = [parser]
    while pending:
        current = pending.pop()
        current.epilog = None
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                pending.extend(action.choices.values())
    return parser
