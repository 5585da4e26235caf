"""`kerasvg render`: one model to its -o files, or a batch into a folder (on --jobs processes)."""
from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .. import budgets
from ..collector import collector_paused
from ..diagram import format_of
from ..scene.text import terminal_safe
from .args import keywords
from .errors import CliError, guard, report
from .models import draw, expand
from .outputs import (
    Payloads,
    batch_folder,
    batch_formats,
    check_output,
    make_folder,
    payloads,
    report_stale,
    stale,
    stems,
    write_all,
)


class RenderOptions(NamedTuple):
    """What every model of one `render` shares (picklable: --jobs workers receive it)."""

    keywords: dict[str, object]
    scale: float | None = None
    dpi: float | None = None
    load: bool = False
    imports: tuple[str, ...] = ()
    debug: bool = False
    budget: tuple[tuple[str, int], ...] = ()


def run(args) -> int:
    """`kerasvg render`; the exit status."""
    options = RenderOptions(keywords(args), args.scale, args.dpi, args.load, tuple(args.imports), args.debug,
                            tuple(args.budget))
    models = expand(args.models)
    folder = batch_folder(args.output, len(models))
    if folder is not None:
        return _batch(models, folder, options, args)
    for out in args.output:
        check_output(out, writing=not args.check)  # --check reports a missing folder's files as missing
    with collector_paused():  # until the drawing is freed: see collector.py
        rendered = render_model(models[0], [Path(o) for o in args.output], options)
    if args.check:
        return report_stale(stale(rendered), len(rendered))
    write_all(rendered)
    return 0


def render_model(model: str, targets: Sequence[Path], options: RenderOptions) -> Payloads:
    """Read and draw one model: every target's bytes, rendered before anything is written; any failure
    is a CliError naming the model. A writer's box limit is checked before layout."""
    with budgets.writing(format_of(target) for target in targets):
        diagram = draw(model, options.keywords, load=options.load, imports=options.imports, debug=options.debug)
    return guard(model, lambda: payloads(diagram, targets, options.scale, options.dpi), options.debug)


def _batch(models: list[str], folder: Path, options: RenderOptions, args) -> int:
    kinds = batch_formats(args.format)
    if not args.check:
        make_folder(folder)
    names = stems(models)
    jobs = [(model, [folder / f"{names[model]}.{kind}" for kind in kinds]) for model in models]
    workers = max(1, min(args.jobs or os.cpu_count() or 1, len(jobs)))
    failed, found, checked = 0, [], 0
    progress = _Progress(len(models))
    for (model, targets), (error, rendered) in zip(jobs, _run_jobs(jobs, options, workers)):
        try:
            progress.describe(terminal_safe(model))
            if error is not None:
                raise CliError(error)
            if args.check:
                found += stale(rendered)
                checked += len(rendered)
            else:
                guard(model, functools.partial(write_all, rendered), args.debug)
            progress.step(terminal_safe(f"{model} -> " + ", ".join(str(t) for t in targets)))
        except CliError as exc:
            failed += 1
            progress.clear()
            report(str(exc))
            progress.step(None)
    progress.done()
    where = terminal_safe(str(folder))
    if failed:
        print(f"kerasvg: {failed} of {len(models)} model(s) failed; the others are in {where}", file=sys.stderr)
        return 2
    if args.check:
        return report_stale(found, checked)
    print(f"kerasvg: rendered {len(models)} model(s) into {where}", file=sys.stderr)
    return 0


def _run_jobs(jobs, options: RenderOptions, workers: int):
    """(error, payloads) per job, in the jobs' order: in this process, or on `workers` processes."""
    job = functools.partial(_render_job, options=options)
    if workers == 1:
        return map(job, jobs)
    import concurrent.futures

    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=_pool_context())
    return _drain(pool, pool.map(job, jobs))


def _pool_context():
    """fork (workers start at once, sharing the imported renderer) while this process has one thread and no
    TensorFlow; otherwise spawn (fresh interpreters), since forking a threaded process can deadlock."""
    import multiprocessing
    import threading

    if threading.active_count() == 1 and "tensorflow" not in sys.modules and \
            "fork" in multiprocessing.get_all_start_methods():
        from .. import layered  # noqa: F401  imported once, inherited by every worker
        from ..readers import loading  # noqa: F401
        from ..writers import formats

        formats()  # imports every writer
        with contextlib.suppress(ImportError, OSError):  # rasterizing's library, when installed
            import cairosvg  # noqa: F401
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _drain(pool, results):
    try:
        yield from results
    finally:
        pool.shutdown(cancel_futures=True)


@collector_paused()
def _render_job(job, options: RenderOptions) -> tuple[str | None, Payloads]:
    """Read and render one model to every target; an error message instead of raising."""
    model, targets = job
    try:
        with budgets.override(**dict(options.budget)):
            return None, guard(model, lambda: render_model(model, targets, options), options.debug)
    except CliError as exc:
        return str(exc), []


class _Progress:
    """A rich progress bar on a terminal; plain lines otherwise."""

    def __init__(self, total: int):
        self.total, self.count, self.bar = total, 0, None
        if sys.stderr.isatty():
            try:
                from rich.console import Console
                from rich.progress import Progress
            except ImportError:
                return
            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("rendering", total=total)

    def describe(self, model: str) -> None:
        if self.bar is not None:
            from rich.markup import escape

            self.bar.update(self.task, description=escape(model))

    def step(self, line: str | None) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.advance(self.task)
        elif line:
            print(f"[{self.count}/{self.total}] {line}", file=sys.stderr)

    def clear(self) -> None:
        if self.bar is not None:
            self.bar.refresh()

    def done(self) -> None:
        if self.bar is not None:
            self.bar.stop()
