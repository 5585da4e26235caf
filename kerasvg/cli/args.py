"""The command line's parser, and `OPTIONS`: each drawing flag with the layered_view keyword it sets."""
from __future__ import annotations

import argparse
import math
import os
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .. import budgets
from ..table import EXTENSIONS as TABLE_EXTENSIONS
from ..writers import formats
from .demo import DEMO_FORMATS
from .errors import CliError

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
  kerasvg table resnet50.keras -o table.md       the table of stages (Markdown; .tex LaTeX, .csv CSV)
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


# ---------------------------------------------------------------- argument types


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
    from ..options import parse_aspect

    try:
        return parse_aspect(float(text) if re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", text) else text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# ---------------------------------------------------------------- flag -> keyword


def _theme(text: str):
    """A theme name or file; `LIGHT,DARK` (not an existing file) is a light/dark pair."""
    if "," in text and not os.path.exists(text):
        return tuple(part.strip() for part in text.split(","))
    return text


def _names(text: str):
    return [name.strip() for name in text.split(",") if name.strip()]


def _layer_range(text: str) -> tuple[object, object]:
    first, sep, last = text.partition(":")
    if not sep or not first.strip() or not last.strip():
        raise CliError(f"--layer-range {text!r}: expected FIRST:LAST, layer names or indices (e.g. conv2:dense or 3:9)")
    long = [p.strip() for p in (first, last) if re.fullmatch(r"-?\d{19,}", p.strip())]
    if long:
        raise CliError(f"--layer-range: an index of {len(long[0].lstrip('-')):,} digits; no model has that many layers")
    return tuple(int(p) if re.fullmatch(r"-?\d+", p.strip()) else p.strip() for p in (first, last))


def _length(text: str):
    """A bare number is pixels; anything else (10in) is a length layered_view reads."""
    return float(text) if re.fullmatch(r"\d+(\.\d+)?", text.strip()) else text


def _settings(items: Sequence[str]) -> dict[str, dict[str, object]]:
    """`--set table.key=value` (or `layer.NAME.key=value`) as theme overrides; values read as TOML, else text."""
    import tomllib

    overrides: dict[str, dict[str, object]] = {}
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


class Option(NamedTuple):
    """A flag that sets one layered_view keyword: its argparse settings and how its value converts."""

    flag: str
    keyword: str
    spec: dict[str, object]
    convert: Callable[[object], object] | None = None

    @property
    def dest(self) -> str:
        return self.flag[2:].replace("-", "_")


def _option(flag: str, keyword: str, convert=None, **spec) -> Option:
    return Option(flag, keyword, spec, convert)


_ON = {"action": "store_true"}
_ON_OFF = {"action": argparse.BooleanOptionalAction, "default": None}

# `render` and `diff`
SHARED = (
    _option("--width", "width", metavar="LENGTH", help="printed width, e.g. 3.5in, 90mm, 600px"),
    _option("--aspect", "aspect", type=_aspect, metavar="W:H",
            help="wrap a long model to this aspect ratio, e.g. 16:9"),
    _option("--direction", "direction", choices=("lr", "tb"), help="flow left-to-right (lr) or top-to-bottom (tb)"),
    _option("--legend", "legend", **_ON_OFF, help="a legend of layer types (default: with groups, glyphs or "
            "--width; --no-legend: none)"),
    _option("--labels", "labels", metavar="PARTS", help="label parts, comma separated, from: name, type, shape, "
            "params, activation, kernel, units, config.KEY"),
    _option("--theme", "theme", _theme, metavar="NAME|PATH", help="built-in theme name or a .toml file (see: "
            "kerasvg themes); 'auto' or LIGHT,DARK: an SVG that follows the viewer's light/dark setting"),
    _option("--expand-nested", "expand_nested", **_ON,
            help="draw (in a diff: compare) nested models' layers instead of one box"),
)
# `render` only
RENDER = (
    _option("--scheme", "scheme", choices=("light", "dark"), help="with a light/dark pair: the variant PNG, PDF, "
            "TikZ and PowerPoint use (default: light)"),
    _option("--text", "text", choices=("text", "paths"), help="labels as SVG text (default) or as outlines "
            "from the bundled DejaVu fonts, the same on every machine (needs kerasvg[paths])"),
    _option("--fold-repeats", "fold_repeats", **_ON, help="fold repeated blocks into one with a count"),
    _option("--detail", "detail", choices=("layers", "blocks", "stages"),
            help="draw every layer, each block as one box, or each stage as one box"),
    _option("--block-key", "block_key", **_ON_OFF, help="draw one block of each kind layer by layer (default: "
            "with glyphs or --width; --no-block-key: none)"),
    _option("--groups", "groups", lambda value: "auto" if value == "auto" else False, choices=("auto", "none"),
            help="frame stages and blocks (auto: found from names and structure; default above 60 layers)"),
    _option("--hide-types", "type_ignore", _names, metavar="CLASS[,CLASS]",
            help="layer classes not to draw, e.g. Dropout,BatchNormalization"),
    _option("--layer-range", "layer_range", _layer_range, metavar="FIRST:LAST",
            help="draw only the layers from FIRST to LAST (names or indices)"),
    _option("--show-trainable", "show_trainable", **_ON, help="mark frozen layers (trainable=False)"),
    _option("--max-width", "max_width", _length, metavar="PX|LENGTH",
            help="wrap into rows no wider than this, e.g. 1200 or 10in"),
    _option("--set", "overrides", _settings, action="append", default=[], metavar="TABLE.KEY=VALUE",
            help="a theme value, e.g. canvas.font_size=11 or layer.conv1.fill=red (repeatable)"),
)
OPTIONS = SHARED + RENDER


def keywords(args) -> dict[str, object]:
    """layered_view's keywords from the OPTIONS this command has and the user gave."""
    given = vars(args)
    result: dict[str, object] = {}
    for option in OPTIONS:
        value = given.get(option.dest)
        if value is None or value == [] or (value is False and option.spec.get("action") == "store_true"):
            continue
        result[option.keyword] = option.convert(value) if option.convert else value
    return result


def check(args) -> None:
    """The flag combinations argparse cannot refuse itself, as a CliError."""
    if getattr(args, "scale", None) is not None and getattr(args, "dpi", None) is not None:
        raise CliError("give --scale or --dpi, not both")
    if getattr(args, "imports", None) and not args.load:
        raise CliError("--import is used only with --load (modules are imported to load the model with Keras)")


# ---------------------------------------------------------------- parser


class _Version(argparse.Action):
    """`--version`: the installed version, looked up only when asked for (importlib.metadata is slow to import)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0,
                         help="show program's version number and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from .. import __version__

        print(f"kerasvg {__version__}")
        parser.exit()


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that takes no abbreviated flags and answers an unknown one in the usage of the
    command it was given to, with the nearest flag that command has ("did you mean --legend?")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self._subparsers is None:  # a command's parser: its flags are all known here
            self.error(unrecognized(extras, self._option_string_actions))
        return parsed, extras

    def parse_args(self, args=None, namespace=None):
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.error(unrecognized(extras, self._option_string_actions))
        return parsed


def unrecognized(extras: Sequence[str], flags) -> str:
    """argparse's message for arguments no option takes, each unknown flag followed by the nearest known one."""
    import difflib

    known = [flag for flag in flags if flag.startswith("--")]
    words = []
    for extra in extras:
        flag = extra.split("=", 1)[0]
        close = difflib.get_close_matches(flag, known, n=1, cutoff=0.6) if flag.startswith("--") else []
        words.append(f"{extra} (did you mean {close[0]}?)" if close else extra)
    return "unrecognized arguments: " + " ".join(words)


def build_parser() -> argparse.ArgumentParser:
    """The `kerasvg` parser: render, diff, table, themes, demo."""
    kinds = ", ".join(formats())
    parser = Parser(
        prog="kerasvg", description="Draw Keras models as layered isometric diagrams (SVG, PNG, JPEG, PDF, HTML).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version)
    common = Parser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    common.add_argument("--budget", action="append", type=_budget, default=[], metavar="NAME=N",
                        help="raise an input budget, e.g. --budget layers=200000 or --budget input_bytes=256MiB "
                             "(names: " + ", ".join(budgets.DESCRIPTIONS) + "; defaults listed below)")
    drawing = Parser(add_help=False)
    _add(drawing, SHARED)
    drawing.add_argument("--dpi", type=_positive, metavar="N", help="raster resolution for png/jpg (e.g. 300)")
    drawing.add_argument("--scale", type=_positive, metavar="N", help="raster scale factor for png/jpg (e.g. 2)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    render = commands.add_parser(
        "render", parents=[common, drawing], help="render one or more models", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=f"Render MODEL to each OUT (format from the extension: {kinds}). "
                    "Several MODELs, a glob, or an OUT folder (ending in / or existing) render a batch: "
                    "one file per model and per --format into that folder.")
    render.add_argument("models", nargs="+", metavar="MODEL", help=".keras, .h5, .json, or package.module:callable")
    render.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                        help="output file (repeat for several formats) or a folder for a batch")
    render.add_argument("--format", default=None, metavar="FMT[,FMT]",
                        help="formats written per model in a batch (default: svg)")
    _add(render, RENDER)
    _add_loading(render)
    render.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                        help="render a batch on N processes (default: the number of cores)")
    render.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming each output that differs from a fresh render, 0 if all are current")

    diff = commands.add_parser(
        "diff", parents=[common, drawing], help="compare two models in one picture",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare model A with model B: print a summary of what changed (one line per added (+), "
                    "removed (\u2212) or changed (~) layer, then the counts and the parameter totals) and, with -o, "
                    "draw both in one diagram with the changes marked.",
        epilog="exit status: 0 when the models are the same or without --exit-code, 1 when they differ "
               "(with --exit-code or --quiet), 2 on any error")
    diff.add_argument("model_a", metavar="A", help="the old model: .keras, .h5, .json, or package.module:callable")
    diff.add_argument("model_b", metavar="B", help="the new model")
    diff.add_argument("-o", "--output", action="append", default=[], metavar="OUT",
                      help=f"output file (repeat for several formats: {kinds})")
    diff.add_argument("--exit-code", action="store_true", help="exit with 1 when the models differ, 0 when the same")
    diff.add_argument("--quiet", action="store_true", help="print nothing on stdout; implies --exit-code")

    table = commands.add_parser(
        "table", parents=[common], help="print or write the table of a model's stages (Markdown, LaTeX, CSV)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The stages kerasvg finds in MODEL as papers print them: Stage, Output size, Blocks, Layers, "
                    "Parameters and a Total row. Printed on stdout, or written to OUT (format from its extension: "
                    + ", ".join(TABLE_EXTENSIONS) + ").",
        epilog="examples:\n  kerasvg table resnet50.keras\n  kerasvg table resnet50.keras -o table.md\n"
               "  kerasvg table keras.applications:ResNet50 --format latex")
    table.add_argument("model", metavar="MODEL", help=".keras, .h5, .json, or package.module:callable")
    table.add_argument("-o", "--output", default=None, metavar="OUT", help="file to write (default: stdout)")
    table.add_argument("--format", default=None, metavar="FORMAT",
                       help="markdown (md), latex (tex) or csv (default: from OUT's extension, else markdown)")
    table.add_argument("--groups", choices=("auto", "none"), default="auto",
                       help="stages and blocks found from names and structure (default: auto)")
    _add_loading(table)

    commands.add_parser("themes", parents=[common], help="list the built-in themes")
    demo = commands.add_parser("demo", parents=[common], help="render a built-in example model in every format",
                               description="Render a built-in example (a small CNN with a residual block) as "
                                           + ", ".join(DEMO_FORMATS) + " into DIR.")
    demo.add_argument("-o", "--output", default="kerasvg-demo", metavar="DIR", help="folder to write into (default: ./kerasvg-demo)")
    return parser


def _add_loading(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--load", action="store_true",
                        help="load saved files with Keras (safe_mode=True) and draw the built model: needed for "
                             "model classes such as keras_hub's; runs the library's code, for files you trust")
    parser.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE",
                        help="with --load: import MODULE first (the package that registers the model's classes); repeatable")


def _add(parser: argparse.ArgumentParser, options: Sequence[Option]) -> None:
    for option in options:
        parser.add_argument(option.flag, dest=option.dest, **option.spec)
