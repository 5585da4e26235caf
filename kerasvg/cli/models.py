"""MODEL arguments: globs, `module:callable` specs and saved files, read through `kerasvg.readers.read`."""
from __future__ import annotations

import contextlib
import glob
import os
import re
import sys
from collections.abc import Sequence

from .errors import CliError, guard

_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def is_callable(model: str) -> bool:
    """`package.module:callable`, and no file of that name."""
    return bool(_CALLABLE.match(model)) and not os.path.exists(model)


def expand(models: Sequence[str]) -> list[str]:
    """The MODEL arguments with globs expanded (a pattern matching nothing is an error), each once."""
    result: list[str] = []
    for model in models:
        if not os.path.exists(model) and any(c in model for c in "*?[") and not _CALLABLE.match(model):
            matches = sorted(glob.glob(model))
            if not matches:
                raise CliError(f"{model}: no file matches this pattern")
            result.extend(matches)
        else:
            result.append(model)
    return list(dict.fromkeys(result))


def draw(model: str, keywords: dict[str, object], *, load: bool = False, imports: Sequence[str] = (),
         debug: bool = False):
    """The Diagram of MODEL: `layered_view` reads a saved file itself (with Keras if `load`); a
    `module:callable` is called first (`load` and `imports` apply to files only)."""
    from ..layered import layered_view

    if is_callable(model):
        built = _called(model, debug)
        return guard(model, lambda: layered_view(built, **keywords), debug)
    with _quiet_stderr(load and not debug):
        return guard(model, lambda: layered_view(model, load=load, imports=tuple(imports), **keywords), debug)


def read_graph(model: str, debug: bool = False):
    """The ModelGraph of MODEL (a saved file, read without Keras, or a `module:callable`)."""
    from ..readers import read

    source = _called(model, debug) if is_callable(model) else model
    return guard(model, lambda: read(source), debug)


def _called(spec: str, debug: bool):
    with _quiet_stderr(not debug):
        return guard(spec, lambda: call_model(spec), debug)


@contextlib.contextmanager
def _quiet_stderr(quiet: bool = True):
    """Silence file descriptor 2 (TensorFlow's C++ start-up chatter) while importing a model's code."""
    if not quiet:
        yield
        return
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


def call_model(spec: str):
    """The Keras model `package.module:callable` returns (called with weights=None when it takes it)."""
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
