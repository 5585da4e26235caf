"""Output files: checked before the work, rendered to bytes first, then all written or none; --check."""
from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import budgets
from ..diagram import format_of
from ..scene.text import terminal_safe
from ..writers import formats
from ..writers.files import write_atomic
from .errors import CliError
from .models import is_callable

Payloads = list[tuple[Path, bytes]]


def check_output(out: str, writing: bool = True) -> None:
    """A CliError unless `out` has a known format and, when it is to be written, a writable folder."""
    try:
        format_of(out)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if writing:
        check_writable(out)


def check_writable(out: str) -> None:
    """A CliError unless the folder `out` would be written into exists and is writable, and `out` is not
    an existing read-only file."""
    parent = Path(out).parent
    if not parent.is_dir():
        raise CliError(f"{out}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise CliError(f"{out}: folder {str(parent)!r} is not writable")
    refuse_read_only(Path(out))


def refuse_read_only(path: Path) -> None:
    """A CliError for an existing output that is read-only, which `cp` would refuse too: not writable by this
    user, or with no write permission for anyone (so that root, too, leaves a file marked read-only alone)."""
    try:
        info = os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(info.st_mode) and (not info.st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise CliError(f"{path}: exists and is read-only (mode {stat.S_IMODE(info.st_mode):03o}), so it is not "
                       f"replaced; make it writable or remove it first")


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
    """Every output's bytes, rendered before anything is written; a budget error names the output."""
    result = []
    for target in targets:
        try:
            result.append((Path(target), diagram.encode(target, scale=scale, dpi=dpi)))
        except budgets.BudgetError as exc:
            raise budgets.BudgetError(f"{target}: {exc}") from None
    return result


def write_all(payloads: Payloads) -> None:
    """Write every output or none: on a failure, the files already replaced get their old contents back.

    The old file is kept as a hard link beside it until all are written (never read into memory), or, where
    the file system has no hard links, as its bytes. Read-only outputs are refused before anything is written."""
    for path, _ in payloads:
        refuse_read_only(path)
    done: list[tuple[Path, Path | bytes | None]] = []
    try:
        for path, data in payloads:
            kept = None
            try:
                kept = _keep(path)
                write_atomic(path, data)
            except OSError as exc:
                _discard(kept)
                others = "; the other outputs were left as they were" if done else ""
                for written, old in reversed(done):
                    with contextlib.suppress(OSError):
                        if old is None:
                            written.unlink()
                        elif isinstance(old, Path):
                            os.replace(old, written)
                        else:
                            write_atomic(written, old)
                done.clear()
                raise CliError(f"{path}: cannot write ({exc.strerror or exc}){others}") from None
            done.append((path, kept))
    finally:
        for _, old in done:
            _discard(old)


def _keep(path: Path) -> Path | bytes | None:
    """What restores `path` if a later output fails: a hard link to it (a symlink stays a symlink), its
    bytes where links are not possible, or None when there is no file."""
    if not os.path.lexists(path):
        return None
    for _ in range(100):
        backup = path.with_name(f".{path.name}.kerasvg-old-{os.urandom(4).hex()}")
        try:
            os.link(path, backup, follow_symlinks=False)
            return backup
        except FileExistsError:
            continue
        except OSError:
            break
    return path.read_bytes() if path.is_file() else None


def _discard(kept) -> None:
    if isinstance(kept, Path):
        with contextlib.suppress(OSError):
            kept.unlink()


def stale(payloads: Payloads) -> list[Path]:
    """The outputs whose file on disk is missing or differs from `payloads` (a FIFO, device or file of another
    size is stale without being read)."""
    return [path for path, data in payloads if not _holds(path, data)]


def _holds(path: Path, data: bytes) -> bool:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False


def report_stale(found: list[Path], checked: int) -> int:
    """--check's lines on stderr; the exit status (1 if any output is stale)."""
    for path in found:
        why = "differs from a fresh render" if os.path.lexists(path) else "missing"
        print(f"kerasvg: stale: {terminal_safe(str(path))} ({why}; run without --check to update)", file=sys.stderr)
    if found:
        print(f"kerasvg: {len(found)} of {checked} output(s) stale", file=sys.stderr)
        return 1
    print(f"kerasvg: {checked} output(s) current", file=sys.stderr)
    return 0
