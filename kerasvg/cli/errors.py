"""User-facing failures: `CliError`, and any exception turned into one line naming what failed."""
from __future__ import annotations

import sys
import traceback

from ..readers.saved import SavedModelError
from ..scene.text import terminal_safe


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


def report(message: str) -> None:
    """One line on stderr; everything that came from the input shown with its control characters escaped."""
    print(f"kerasvg: error: {terminal_safe(message)}", file=sys.stderr)


def guard(what: str, action, debug: bool = False):
    """Run `action`; turn any exception into a CliError naming `what` (traceback first with `debug`).

    A SavedModelError keeps its own message: it already names the file."""
    try:
        return action()
    except CliError:
        raise
    except Exception as exc:  # any failure becomes one line naming `what`
        if debug:
            traceback.print_exc()
        if isinstance(exc, SavedModelError):
            raise CliError(str(exc)) from None
        raise CliError(f"{what}: {describe(exc)}") from None


def describe(exc: BaseException) -> str:
    """An exception as a short line: its message (first line, at most 500 characters), with its type unless clear."""
    if isinstance(exc, MemoryError):
        return "ran out of memory"
    if isinstance(exc, RecursionError):
        return "nested too deeply to process"
    try:
        text = str(exc).strip()
    except Exception:  # a __str__ that fails still gives the type's name
        text = ""
    text = text.splitlines()[0] if text else ""
    if len(text) > 500:
        text = text[:499] + "…"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}" + (f": {exc.filename}" if exc.filename else "")
    if isinstance(exc, (ValueError, OSError)) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
