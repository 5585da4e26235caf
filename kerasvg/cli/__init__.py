"""The `kerasvg` command: render saved models (or `module:callable` models) to SVG, PNG, JPEG, PDF, HTML."""
from __future__ import annotations

import argparse
import contextlib
import functools
import glob
import math
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from .. import __version__, budgets
from ..diagram import FORMATS, format_of
from ..writers.files import write_atomic
from ..scene.text import terminal_safe

DEMO_MODEL = Path(__file__).resolve().parent.parent / "examples" / "demo_resnet.json"
DEMO_FORMATS = ("svg", "png", "jpg", "pdf", "html")
_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)\s*$|^\s*(\d+(?:\.\d+)?)\s*$")

EXAMPLES = """\
examples:
  kerasvg demo                                   every format of a built-in model, in ./kerasvg-demo
  kerasvg render model.keras -o model.svg        a saved model, no TensorFlow needed
  kerasvg render model.keras -o fig.pdf -o fig.png --width 3.5in --dpi 300
  kerasvg render model.json -o slide.png --theme slides --aspect 16:9 --legend
  kerasvg render runs/*.keras -o figures/ --format svg,png
  kerasvg render keras.applications:ResNet50 -o resnet50.svg
  kerasvg render bert.keras --load -o bert.svg   a keras_hub model: built with Keras (trusted files only)
  kerasvg diff old.keras new.keras -o diff.svg   what changed, in one picture (and a summary on stdout)
  kerasvg render model.keras -o fig.svg --labels name,kernel,activation --hide-types Dropout --show-trainable
  kerasvg render model.keras -o fig.svg --layer-range conv2:dense --set canvas.font_size=11
  kerasvg render models/*.keras -o docs/figures/ --format svg,png --jobs 4
  kerasvg render model.keras -o docs/model.svg --check     exit 1 if docs/model.svg is stale
  kerasvg themes

MODEL is a .keras file, a legacy .h5 file, a model-config .json (model.to_json()), or
package.module:callable returning a Keras model (called with weights=None when it takes it).
A module:callable IMPORTS AND RUNS that Python code: use it only with code you trust. NAME:ATTR is
taken as an import only when no file of that name exists. Saved files are only read, never run.

In a batch (several MODELs, or -o FOLDER/), each model writes FOLDER/STEM.FORMAT; when two models
share a STEM, the file name with its extension is used (m.keras -> m.keras.svg), then their parent
folders' names are added in front (d1/model.json -> d1_model.svg) until the names differ. A model that fails is reported and skipped; the others are still written.
All -o outputs of one model are written, or none is (replaced files are restored on failure).

Input budgets (refused before the work, with the budget named; raise one with --budget NAME=N):
""" + "\n".join(f"  {name:<12} {getattr(budgets.Budgets(), name):>17,}  {text}"
                for name, text in budgets.DESCRIPTIONS.items()) + """
Exit status: 0 on success, 2 on any error (one line per failed model on stderr, starting
"kerasvg: error: MODEL:"; --debug adds the traceback); with --check, 1 when an output on disk
differs from a fresh render (each such file is named).
"""


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


# ---------------------------------------------------------------- arguments


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kerasvg", description="Draw Keras models as layered isometric diagrams (SVG, PNG, JPEG, PDF, HTML).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"kerasvg {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    common.add_argument("--budget", action="append", type=_budget, default=[], metavar="NAME=N",
                        help="raise an input budget, e.g. --budget layers=200000 or --budget input_bytes=256MiB "
                             "(names: " + ", ".join(budgets.DESCRIPTIONS) + "; defaults listed below)")
    drawing = _drawing_options()
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    render = commands.add_parser(
        "render", parents=[common, drawing], help="render one or more models", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Render MODEL to each OUT (format from the extension: " + ", ".join(FORMATS) + "). "
                    "Several MODELs, a glob, or an OUT folder (ending in / or existing) render a batch: "
                    "one file per model and per --format into that folder.")
    render.add_argument("models", nargs="+", metavar="MODEL", help=".keras, .h5, .json, or package.module:callable")
    render.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                        help="output file (repeat for several formats) or a folder for a batch")
    render.add_argument("--format", default=None, metavar="FMT[,FMT]",
                        help="formats written per model in a batch (default: svg)")
    render.add_argument("--theme", metavar="NAME|PATH", help="built-in theme name or a .toml file (see: kerasvg themes); "
                        "'auto' or LIGHT,DARK: an SVG that follows the viewer's light/dark setting")
    render.add_argument("--scheme", choices=("light", "dark"), help="with a light/dark pair: the variant PNG, PDF, "
                        "TikZ and PowerPoint use (default: light)")
    render.add_argument("--text", choices=("text", "paths"), help="labels as SVG text (default) or as outlines "
                        "from the bundled DejaVu fonts, the same on every machine (needs kerasvg[paths])")
    render.add_argument("--expand-nested", action="store_true", help="draw nested models' layers instead of one box")
    render.add_argument("--fold-repeats", action="store_true", help="fold repeated blocks into one with a count")
    render.add_argument("--detail", choices=("layers", "blocks", "stages"),
                        help="draw every layer, each block as one box, or each stage as one box")
    render.add_argument("--groups", choices=("auto", "none"),
                        help="frame stages and blocks (auto: found from names and structure; default above 60 layers)")
    render.add_argument("--load", action="store_true",
                        help="load saved files with Keras (safe_mode=True) and draw the built model: needed for "
                             "model classes such as keras_hub's; runs the library's code, for files you trust")
    render.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE",
                        help="with --load: import MODULE first (the package that registers the model's classes); repeatable")
    render.add_argument("--hide-types", metavar="CLASS[,CLASS]", help="layer classes not to draw, e.g. Dropout,BatchNormalization")
    render.add_argument("--layer-range", metavar="FIRST:LAST", help="draw only the layers from FIRST to LAST (names or indices)")
    render.add_argument("--show-trainable", action="store_true", help="mark frozen layers (trainable=False)")
    render.add_argument("--max-width", metavar="PX|LENGTH", help="wrap into rows no wider than this, e.g. 1200 or 10in")
    render.add_argument("--set", action="append", default=[], metavar="TABLE.KEY=VALUE", dest="settings",
                        help="a theme value, e.g. canvas.font_size=11 or layer.conv1.fill=red (repeatable)")
    render.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                        help="render a batch on N processes (default: the number of cores)")
    render.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming each output that differs from a fresh render, 0 if all are current")

    _add_diff_parser(commands, [common, drawing])

    themes = commands.add_parser("themes", parents=[common], help="list the built-in themes")
    themes.set_defaults(models=None)

    demo = commands.add_parser("demo", parents=[common], help="render a built-in example model in every format",
                               description="Render a built-in example (a small CNN with a residual block) as "
                                           + ", ".join(DEMO_FORMATS) + " into DIR.")
    demo.add_argument("-o", "--output", default="kerasvg-demo", metavar="DIR", help="folder to write into (default: ./kerasvg-demo)")
    return parser


def _drawing_options() -> argparse.ArgumentParser:
    """The size, wrap and label flags that `render` and `diff` share."""
    drawing = argparse.ArgumentParser(add_help=False)
    drawing.add_argument("--width", metavar="LENGTH", help="printed width, e.g. 3.5in, 90mm, 600px")
    drawing.add_argument("--dpi", type=_positive, metavar="N", help="raster resolution for png/jpg (e.g. 300)")
    drawing.add_argument("--scale", type=_positive, metavar="N", help="raster scale factor for png/jpg (e.g. 2)")
    drawing.add_argument("--aspect", type=_aspect, metavar="W:H", help="wrap a long model to this aspect ratio, e.g. 16:9")
    drawing.add_argument("--direction", choices=("lr", "tb"), help="flow left-to-right (lr) or top-to-bottom (tb)")
    drawing.add_argument("--legend", action="store_true", help="add a legend of layer types")
    drawing.add_argument("--labels", metavar="PARTS",
                         help="label parts, comma separated, from: name, type, shape, params, activation, kernel, "
                              "units, config.KEY")
    return drawing


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number greater than 0")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _budget(text: str):
    try:
        return budgets.parse_override(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _aspect(text: str) -> float:
    match = _ASPECT.match(text)
    if match:
        if match.group(3) is not None:
            value = float(match.group(3))
        else:
            w, h = float(match.group(1)), float(match.group(2))
            value = w / h if h else 0.0
        if 0 < value < math.inf:
            return value
    raise argparse.ArgumentTypeError(f"{text!r}: expected a ratio such as 16:9, 4:3 or 1.5")


# ---------------------------------------------------------------- entry point


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 error)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return 0 if exc.code in (0, None) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with budgets.override(**dict(args.budget)):
            if args.command == "themes":
                return _themes()
            if args.command == "demo":
                return _demo(args)
            if args.command == "diff":
                return _diff(args)
            return _render(args)
    except CliError as exc:
        _fail(str(exc), args)
        return 2
    except KeyboardInterrupt:
        print("kerasvg: interrupted; nothing more written", file=sys.stderr)
        return 2
    except Exception as exc:  # a failure outside any one model: still one line, never a traceback
        if args.debug:
            traceback.print_exc()
        _fail(_describe(exc), args)
        return 2


def _fail(message: str, args) -> None:
    """One line on stderr; everything that came from the input shown with its control characters escaped."""
    print(f"kerasvg: error: {terminal_safe(message)}", file=sys.stderr)


def _add_diff_parser(commands, parents) -> None:
    diff = commands.add_parser(
        "diff", parents=parents, help="compare two models in one picture",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare model A with model B: print a summary of what changed (one line per added (+), "
                    "removed (\u2212) or changed (~) layer, then the counts and the parameter totals) and, with -o, "
                    "draw both in one diagram with the changes marked.",
        epilog="exit status: 0 when the models are the same or without --exit-code, 1 when they differ "
               "(with --exit-code or --quiet), 2 on any error")
    diff.add_argument("model_a", metavar="A", help="the old model: .keras, .h5, .json, or package.module:callable")
    diff.add_argument("model_b", metavar="B", help="the new model")
    diff.add_argument("-o", "--output", action="append", default=[], metavar="OUT",
                      help="output file (repeat for several formats: " + ", ".join(FORMATS) + ")")
    diff.add_argument("--exit-code", action="store_true", help="exit with 1 when the models differ, 0 when the same")
    diff.add_argument("--quiet", action="store_true", help="print nothing on stdout; implies --exit-code")
    diff.add_argument("--theme", metavar="NAME|PATH", help="built-in theme name or a .toml file")
    diff.add_argument("--expand-nested", action="store_true", help="compare nested models layer by layer")


# ---------------------------------------------------------------- commands


def _diff(args) -> int:
    """`kerasvg diff A B [-o OUT ...]`: summary on stdout, optional drawings, exit 1 on difference if asked."""
    from ..diff.compare import compare, render, summary_lines

    if args.scale is not None and args.dpi is not None:
        raise CliError("give --scale or --dpi, not both")
    keywords: Dict[str, object] = {}
    for key in ("theme", "width", "labels", "aspect", "direction"):
        if getattr(args, key, None) is not None:
            keywords[key] = getattr(args, key)
    for key in ("legend", "expand_nested"):
        if getattr(args, key, False):
            keywords[key] = True
    for out in args.output:
        _check_output(out)
    a, b = _load(args.model_a, args), _load(args.model_b, args)
    result = _guard(f"{args.model_a} vs {args.model_b}", lambda: compare(a, b, expand=bool(args.expand_nested)), args)
    if args.output:
        diagram = _guard(args.model_b, lambda: render(result, **keywords), args)
        payloads = _guard(args.model_b, lambda: _payloads(diagram, args.output, args.scale, args.dpi), args)
        _write_all(payloads)
    if not args.quiet:
        print("\n".join(summary_lines(result)))
    return 1 if (args.exit_code or args.quiet) and result.differs else 0


def _themes() -> int:
    from ..theme import themes

    listed = themes()
    width = max(map(len, listed), default=0)
    for name, description in listed.items():
        print(f"{name:<{width}}  {description}")
    return 0


def _demo(args) -> int:
    from ..readers.saved import read_saved_model

    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise CliError(f"{folder}: exists and is not a folder")
    graph = _guard(str(DEMO_MODEL), lambda: read_saved_model(DEMO_MODEL), args)
    targets = [folder / f"demo.{kind}" for kind in DEMO_FORMATS]
    payloads = _guard("demo", lambda: _payloads(_diagram(graph, {"legend": True}), targets, 2, None), args)
    _make_folder(folder)
    _write_all(payloads)
    for path, data in payloads:
        print(terminal_safe(f"{path}  ({len(data):,} bytes)"))
    return 0


def _render(args) -> int:
    keywords = _keywords(args)
    outputs = args.output
    models = _expand(args.models)
    batch_folder = _batch_folder(outputs, len(models))
    if batch_folder is None:
        for out in outputs:
            _check_output(out)
        payloads = _render_model(models[0], [Path(o) for o in outputs], keywords, args)
        if args.check:
            return _report_stale(_stale(payloads), len(payloads))
        _write_all(payloads)
        return 0
    return _batch(models, batch_folder, keywords, args)


def _render_model(model: str, targets: List[Path], keywords, args) -> List[Tuple[Path, bytes]]:
    """Load and draw one model: every target's bytes, rendered before anything is written; any failure
    is a CliError naming the model."""
    graph = _load(model, args)
    diagram = _guard(model, lambda: _diagram(graph, keywords), args)
    return _guard(model, lambda: _payloads(diagram, targets, args.scale, args.dpi), args)


def _batch(models: List[str], folder: Path, keywords, args) -> int:
    kinds = _formats(args.format)
    if not args.check:
        _make_folder(folder)
    stems = _stems(models)
    jobs = [(model, [folder / f"{stems[model]}.{kind}" for kind in kinds]) for model in models]
    options = _JobOptions(keywords, args.scale, args.dpi, args.debug, tuple(args.budget))
    failed, stale, checked = 0, [], 0
    progress = _Progress(len(models))
    for (model, targets), (error, payloads) in zip(jobs, _run_jobs(jobs, options, _job_count(args, len(jobs)))):
        try:
            progress.describe(terminal_safe(model))
            if error is not None:
                raise CliError(error)
            if args.check:
                stale += _stale(payloads)
                checked += len(payloads)
            else:
                _guard(model, lambda: _write_all(payloads), args)
            progress.step(terminal_safe(f"{model} -> " + ", ".join(str(t) for t in targets)))
        except CliError as exc:
            failed += 1
            progress.clear()
            _fail(str(exc), args)
            progress.step(None)
    progress.done()
    where = terminal_safe(str(folder))
    if failed:
        print(f"kerasvg: {failed} of {len(models)} model(s) failed; the others are in {where}", file=sys.stderr)
        return 2
    if args.check:
        return _report_stale(stale, checked)
    print(f"kerasvg: rendered {len(models)} model(s) into {where}", file=sys.stderr)
    return 0


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise CliError(f"{folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None


class _JobOptions(NamedTuple):
    keywords: Dict[str, object]
    scale: Optional[float]
    dpi: Optional[float]
    debug: bool
    budget: Tuple[Tuple[str, int], ...]


def _job_count(args, count: int) -> int:
    return max(1, min(args.jobs or os.cpu_count() or 1, count))


def _run_jobs(jobs, options: _JobOptions, workers: int):
    """(error, payloads) per job, in the jobs' order: in this process, or on `workers` processes."""
    if workers == 1:
        return map(functools.partial(_render_job, options=options), jobs)
    import concurrent.futures

    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=_pool_context())
    return _drain(pool, pool.map(functools.partial(_render_job, options=options), jobs))


def _pool_context():
    """fork (workers start at once, sharing the imported renderer) while this process has one thread and no
    TensorFlow; otherwise spawn (fresh interpreters), since forking a threaded process can deadlock."""
    import multiprocessing
    import threading

    if threading.active_count() == 1 and "tensorflow" not in sys.modules and \
            "fork" in multiprocessing.get_all_start_methods():
        from .. import layered  # noqa: F401
        from ..readers import saved  # noqa: F401
        from ..writers import html, raster  # noqa: F401  imported once, inherited by every worker

        raster._cairosvg()
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _drain(pool, results):
    try:
        yield from results
    finally:
        pool.shutdown(cancel_futures=True)


def _render_job(job, options: _JobOptions) -> Tuple[Optional[str], List[Tuple[Path, bytes]]]:
    """Load and render one model to every target; an error message instead of raising."""
    model, targets = job
    try:
        with budgets.override(**dict(options.budget)):
            return None, _guard(model, lambda: _render_model(model, targets, options.keywords, options), options)
    except CliError as exc:
        return str(exc), []


def _stale(payloads: List[Tuple[Path, bytes]]) -> List[Path]:
    """The outputs whose file on disk is missing or differs from `payloads`."""
    stale = []
    for path, data in payloads:
        try:
            current = path.read_bytes() == data
        except OSError:
            current = False
        if not current:
            stale.append(path)
    return stale


def _report_stale(stale: List[Path], checked: int) -> int:
    for path in stale:
        print(f"kerasvg: stale: {terminal_safe(str(path))} (differs from a fresh render; run without --check to update)",
              file=sys.stderr)
    if stale:
        print(f"kerasvg: {len(stale)} of {checked} output(s) stale", file=sys.stderr)
        return 1
    print(f"kerasvg: {checked} output(s) current", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- pieces


def _keywords(args) -> Dict[str, object]:
    keywords: Dict[str, object] = {}
    for key in ("theme", "width", "labels", "aspect", "direction", "scheme", "text", "detail"):
        value = getattr(args, key)
        if value is not None:
            keywords[key] = value
    theme = keywords.get("theme")
    if isinstance(theme, str) and "," in theme and not os.path.exists(theme):
        keywords["theme"] = tuple(part.strip() for part in theme.split(","))
    for key in ("legend", "expand_nested", "fold_repeats", "show_trainable"):
        if getattr(args, key):
            keywords[key] = True
    if args.groups is not None:
        keywords["groups"] = "auto" if args.groups == "auto" else False
    if args.hide_types:
        keywords["type_ignore"] = [t.strip() for t in args.hide_types.split(",") if t.strip()]
    if args.layer_range:
        keywords["layer_range"] = _layer_range(args.layer_range)
    if args.max_width:
        keywords["max_width"] = float(args.max_width) if re.fullmatch(r"\d+(\.\d+)?", args.max_width.strip()) else args.max_width
    if args.settings:
        keywords["overrides"] = _settings(args.settings)
    if args.scale is not None and args.dpi is not None:
        raise CliError("give --scale or --dpi, not both")
    return keywords


def _layer_range(text: str) -> Tuple[object, object]:
    first, sep, last = text.partition(":")
    if not sep or not first.strip() or not last.strip():
        raise CliError(f"--layer-range {text!r}: expected FIRST:LAST, layer names or indices (e.g. conv2:dense or 3:9)")
    return tuple(int(p) if re.fullmatch(r"-?\d+", p.strip()) else p.strip() for p in (first, last))


def _settings(items: Sequence[str]) -> Dict[str, Dict[str, object]]:
    """`--set table.key=value` (or `layer.NAME.key=value`) as theme overrides; values read as TOML, else text."""
    import tomllib

    overrides: Dict[str, Dict[str, object]] = {}
    for item in items:
        path, sep, raw = item.partition("=")
        parts = path.strip().split(".")
        style_table = parts[0] in ("layer", "category")
        if not sep or not all(parts) or (len(parts) < 3 if style_table else len(parts) != 2):
            raise CliError(f"--set {item!r}: expected TABLE.KEY=VALUE (e.g. canvas.font_size=11, layer.conv1.fill=red)")
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        if style_table:
            name = ".".join(parts[1:-1])
            overrides.setdefault(parts[0], {}).setdefault(name, {})[parts[-1]] = value
        else:
            overrides.setdefault(parts[0], {})[parts[1]] = value
    return overrides


_OPTION_OF = {"aspect": "--aspect", "direction": "--direction", "expand_nested": "--expand-nested",
              "fold_repeats": "--fold-repeats", "legend": "--legend", "labels": "--labels", "width": "--width",
              "theme": "--theme", "scheme": "--scheme", "text": "--text", "type_ignore": "--hide-types",
              "layer_range": "--layer-range", "show_trainable": "--show-trainable", "max_width": "--max-width",
              "overrides": "--set", "detail": "--detail", "groups": "--groups"}


def _diagram(graph, keywords):
    from ..layered import layered_view

    try:
        return layered_view(graph, **keywords)
    except TypeError as exc:
        unsupported = [_OPTION_OF[k] for k in keywords if repr(k) in str(exc) and k in _OPTION_OF]
        if unsupported:
            raise CliError(f"{', '.join(unsupported)}: not supported by this kerasvg's layout ({exc})") from exc
        raise


def _guard(what: str, action, args):
    """Run `action`; turn any exception into a CliError naming `what` (traceback first with --debug)."""
    try:
        return action()
    except CliError:
        raise
    except Exception as exc:
        if getattr(args, "debug", False):
            traceback.print_exc()
        raise CliError(f"{what}: {_describe(exc)}") from None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "ran out of memory"
    if isinstance(exc, RecursionError):
        return "nested too deeply to process"
    try:
        text = str(exc).strip()
    except Exception:
        text = ""
    text = text.splitlines()[0] if text else ""
    if len(text) > 500:
        text = text[:499] + "…"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}" + (f": {exc.filename}" if exc.filename else "")
    if isinstance(exc, (ValueError, OSError)) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _expand(models: Sequence[str]) -> List[str]:
    result: List[str] = []
    for model in models:
        if not os.path.exists(model) and any(c in model for c in "*?[") and not _CALLABLE.match(model):
            matches = sorted(glob.glob(model))
            if not matches:
                raise CliError(f"{model}: no file matches this pattern")
            result.extend(matches)
        else:
            result.append(model)
    return list(dict.fromkeys(result))


def _batch_folder(outputs: List[str], model_count: int) -> Optional[Path]:
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


def _check_output(out: str) -> None:
    try:
        format_of(out)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    parent = Path(out).parent
    if not parent.is_dir():
        raise CliError(f"{out}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise CliError(f"{out}: folder {str(parent)!r} is not writable")


def _formats(text: Optional[str]) -> List[str]:
    kinds = [k.strip().lower().lstrip(".") for k in (text or "svg").split(",") if k.strip()]
    bad = [k for k in kinds if k not in FORMATS]
    if bad or not kinds:
        raise CliError(f"--format {text!r}: unknown format(s) {', '.join(bad) or '(none)'} (allowed: {', '.join(FORMATS)})")
    return list(dict.fromkeys(kinds))


def _stems(models: List[str]) -> Dict[str, str]:
    """One output stem per model, all distinct: the file's stem, with parent folders added while two collide."""
    def candidates(model) -> List[str]:
        if _is_callable(model):
            return [model.rsplit(":", 1)[1].rsplit(".", 1)[-1], model.replace(":", "_")]
        path = Path(os.path.abspath(model))
        parents = [p.name for p in path.parents if p.name]
        return [path.stem, path.name] + ["_".join([*reversed(parents[:k]), path.stem]) for k in range(1, len(parents) + 1)]

    options = {m: candidates(m) for m in models}
    level = {m: 0 for m in models}
    while True:
        chosen = {m: options[m][min(level[m], len(options[m]) - 1)] for m in models}
        groups: Dict[str, List[str]] = {}
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


def _is_callable(model: str) -> bool:
    return bool(_CALLABLE.match(model)) and not os.path.exists(model)


def _load(model: str, args):
    """A ModelGraph (saved files) or a live Keras model (`module:callable`)."""
    if _is_callable(model):
        if args.debug:
            return _guard(model, lambda: _call_model(model), args)
        with _quiet_stderr():
            return _guard(model, lambda: _call_model(model), args)
    from ..readers.saved import SavedModelError, read_saved_model

    load, imports = getattr(args, "load", False), getattr(args, "imports", [])  # render has them, diff not
    if imports and not load:
        raise CliError("--import is used only with --load (modules are imported to load the model with Keras)")
    try:
        if load:
            from ..readers.loading import read

            if args.debug:
                return read(model, load=True, imports=imports)
            with _quiet_stderr():
                return read(model, load=True, imports=imports)
        return read_saved_model(model)
    except SavedModelError as exc:
        if args.debug:
            traceback.print_exc()
        raise CliError(str(exc)) from None
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        raise CliError(f"{model}: {_describe(exc)}") from None


@contextlib.contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 (TensorFlow's C++ start-up chatter) while importing a model's module."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _call_model(spec: str):
    import importlib
    import inspect

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    module_name, attribute = spec.split(":", 1)
    try:
        target = importlib.import_module(module_name)
    except ImportError as exc:
        raise CliError(f"{spec}: cannot import module {module_name!r} ({exc})") from None
    except SystemExit as exc:
        raise CliError(f"{spec}: importing {module_name!r} called sys.exit({exc.code!r}); no model to draw") from None
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise CliError(f"{spec}: module {module_name!r} has no attribute {attribute!r}")
        target = getattr(target, part)
    if not callable(target):
        raise CliError(f"{spec}: {attribute!r} is not callable")
    try:
        takes_weights = "weights" in inspect.signature(target).parameters
    except (TypeError, ValueError):
        takes_weights = False
    try:
        model = target(weights=None) if takes_weights else target()
    except SystemExit as exc:
        raise CliError(f"{spec}: the callable called sys.exit({exc.code!r}) instead of returning a model") from None
    if isinstance(model, (str, bytes, os.PathLike)):
        raise CliError(f"{spec}: layered_view expects a Keras model from a callable, got {type(model).__name__} "
                       f"{str(model)[:60]!r}; give a saved file as MODEL itself")
    return model


def _payloads(diagram, targets, scale, dpi) -> List[Tuple[Path, bytes]]:
    """Every output's bytes, rendered before anything is written."""
    return [(Path(target), diagram.encode(target, scale=scale, dpi=dpi)) for target in targets]


def _write_all(payloads: List[Tuple[Path, bytes]]) -> None:
    """Write every output or none: on a failure, the files already replaced get their old bytes back."""
    done: List[Tuple[Path, Optional[bytes]]] = []
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


class _Progress:
    """A rich progress bar on a terminal; plain lines otherwise."""

    def __init__(self, total: int):
        self.total, self.count, self.bar = total, 0, None
        if sys.stderr.isatty():
            try:
                from rich.console import Console
                from rich.progress import Progress

                self.bar = Progress(console=Console(stderr=True), transient=True)
                self.bar.start()
                self.task = self.bar.add_task("rendering", total=total)
            except ImportError:
                self.bar = None

    def describe(self, model: str) -> None:
        if self.bar is not None:
            from rich.markup import escape

            self.bar.update(self.task, description=escape(model))

    def step(self, line: Optional[str]) -> None:
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
