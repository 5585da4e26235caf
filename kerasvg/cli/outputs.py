"""Output files: checked before the work, rendered to bytes first, then all written or none; --check."""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..diagram import format_of
from ..scene.text import terminal_safe
from ..writers import formats
from ..writers.files import write_atomic
from .errors import CliError
from .models import is_callable

Payloads = list[tuple[Path, bytes]]


def check_output(out: str) -> None:
    """A CliError unless `out` has a known format and a writable folder."""
    try:
        format_of(out)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    check_writable(out)


def check_writable(out: str) -> None:
    """A CliError unless the folder `out` would be written into exists and is writable."""
    parent = Path(out).parent
    if not parent.is_dir():
        raise CliError(f"{out}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise CliError(f"{out}: folder {str(parent)!r} is not writable")


def check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise CliError(f"{folder}: exists and is not a folder")


def make_folder(folder: Path) -> None:
    check_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None


def batch_folder(outputs: list[str], model_count: int) -> Path | None:
    """The folder a batch writes into (the one -o ending in / or naming a folder), or None for one model."""
    folders = [o for o in outputs if o.endswith(("/", os.sep)) or os.path.isdir(o)]
    for folder in folders:
        if os.path.lexists(folder.rstrip("/" + os.sep) or folder) and not os.path.isdir(folder):
            raise CliError(f"-o {folder}: {folder.rstrip('/' + os.sep)} exists and is not a folder")
    if folders:
        if len(outputs) > 1:
            raise CliError(f"-o {folders[0]}: a batch writes into one folder; give one -o FOLDER and --format svg,png")
        return Path(folders[0])
    if model_count > 1:
        raise CliError(f"{model_count} models need -o FOLDER/ (a folder, ending in /), not -o {outputs[0]}")
    return None


def batch_formats(text: str | None) -> list[str]:
    """`--format svg,png` as a list of known formats (default: svg)."""
    known = formats()
    kinds = [k.strip().lower().lstrip(".") for k in (text or "svg").split(",") if k.strip()]
    bad = [k for k in kinds if k not in known]
    if bad or not kinds:
        raise CliError(f"--format {text!r}: unknown format(s) {', '.join(bad) or '(none)'} (allowed: {', '.join(known)})")
    return list(dict.fromkeys(kinds))


def stems(models: Sequence[str]) -> dict[str, str]:
    """One output stem per model, all distinct: the file's stem, with parent folders added while two collide."""
    def candidates(model) -> list[str]:
        if is_callable(model):
            return [model.rsplit(":", 1)[1].rsplit(".", 1)[-1], model.replace(":", "_")]
        path = Path(os.path.abspath(model))
        parents = [p.name for p in path.parents if p.name]
        return [path.stem, path.name] + ["_".join([*reversed(parents[:k]), path.stem]) for k in range(1, len(parents) + 1)]

    options = {m: candidates(m) for m in models}
    level = {m: 0 for m in models}
    while True:
        chosen = {m: options[m][min(level[m], len(options[m]) - 1)] for m in models}
        groups: dict[str, list[str]] = {}
        for m, s in chosen.items():
            groups.setdefault(s.lower(), []).append(m)
        clashing = [m for group in groups.values() if len(group) > 1 for m in group
                    if level[m] < len(options[m]) - 1]
        if not clashing:
            break
        for m in clashing:
            level[m] += 1
    result, taken = {}, set()
    for m in models:  # identical candidates to the end (e.g. the same file twice by two spellings)
        stem, n = chosen[m], 2
        while stem.lower() in taken:
            stem, n = f"{chosen[m]}-{n}", n + 1
        taken.add(stem.lower())
        result[m] = stem
    return result


def payloads(diagram, targets: Sequence, scale: float | None, dpi: float | None) -> Payloads:
    """Every output's bytes, rendered before anything is written."""
    return [(Path(target), diagram.encode(target, scale=scale, dpi=dpi)) for target in targets]


def write_all(payloads: Payloads) -> None:
    """Write every output or none: on a failure, the files already replaced get their old bytes back."""
    done: list[tuple[Path, bytes | None]] = []
    for path, data in payloads:
        try:
            previous = path.read_bytes() if path.is_file() else None
            write_atomic(path, data)
        except OSError as exc:
            for written, old in reversed(done):
                with contextlib.suppress(OSError):
                    if old is None:
                        written.unlink()
                    else:
                        write_atomic(written, old)
            kept = "; the other outputs were left as they were" if done else ""
            raise CliError(f"{path}: cannot write ({exc.strerror or exc}){kept}") from None
        done.append((path, previous))


def stale(payloads: Payloads) -> list[Path]:
    """The outputs whose file on disk is missing or differs from `payloads`."""
    found = []
    for path, data in payloads:
        try:
            current = path.read_bytes() == data
        except OSError:
            current = False
        if not current:
            found.append(path)
    return found


def report_stale(found: list[Path], checked: int) -> int:
    """--check's lines on stderr; the exit status (1 if any output is stale)."""
    for path in found:
        print(f"kerasvg: stale: {terminal_safe(str(path))} (differs from a fresh render; run without --check to update)",
              file=sys.stderr)
    if found:
        print(f"kerasvg: {len(found)} of {checked} output(s) stale", file=sys.stderr)
        return 1
    print(f"kerasvg: {checked} output(s) current", file=sys.stderr)
    return 0
