"""Saved model files → ModelGraph: read without Keras, or (`load=True`) loaded with Keras.

Loading runs the library's Python code and builds the model at the sizes the file asks for: it is
for files you trust. It always uses `safe_mode=True`, so a file's Lambda code is never run.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path
from textwrap import shorten
from typing import Iterable, Optional

from ..graph.model import ModelGraph
from .errors import NeedsLibraryError, SavedModelError
from .files import saving_keras_version
from .saved import read_saved_model

KERAS_IMPORTED_PACKAGES = ("keras", "keras_hub", "keras_cv", "keras_nlp")


def read_file(path, *, load: bool = False, imports: Optional[Iterable[str]] = None, live=None) -> ModelGraph:
    """The ModelGraph of a saved model file (`.keras`, `.h5`, model-config `.json`).

    Without `load`, nothing is imported or executed: the config and the weight shapes are read.
    With `load=True`, the modules in `imports` are imported, Keras loads the model
    (`safe_mode=True`) and the live reader describes it."""
    path = Path(path)
    if not load:
        if imports:
            raise ValueError("imports=[...] needs load=True: modules are imported only to load a model with Keras")
        return read_saved_model(path)
    from .live import read_model

    graph, layers = read_model(load_with_keras(path, imports or ()))
    if live is not None:
        live.update(layers)
    return graph


def load_with_keras(path: Path, imports: Iterable[str] = ()):
    """`keras.saving.load_model(path, safe_mode=True)` after importing `imports`; clear errors."""
    if not path.exists():
        raise SavedModelError(f"{path}: no such file")
    for module in imports:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise SavedModelError(f"{path}: cannot import {module!r} (given to --import): {exc}") from None
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # Keras raises TypeError/ValueError/... for unknown classes and bad files
        raise SavedModelError(_load_failure(path, exc, tuple(imports))) from None


def _load_failure(path: Path, exc: Exception, imports) -> str:
    version = saving_keras_version(path)
    if version is not None and version.split(".")[0] in ("1", "2"):
        return (f"{path}: saved by tf_keras / Keras 2 (keras_version {version}), which Keras 3 could not load; "
                f"drop --load (Python: load=False) and kerasvg reads the file itself, without Keras")
    text = " ".join(str(exc).split())
    try:
        read_saved_model(path)
    except NeedsLibraryError as needs:
        package = needs.package
        if "Could not locate" in text or "Unknown" in text or "not found" in text:
            if package in KERAS_IMPORTED_PACKAGES:
                return f"{path}: Keras cannot build {needs.registered}: is {package} installed? ({shorten(text, 200)})"
            hint = (f"importing {', '.join(imports)} did not register it" if imports
                    else f"import the package that registers it first: --import {package}")
            return f"{path}: Keras does not know the class {needs.registered}; {hint}"
    except SavedModelError:
        pass
    return f"{path}: Keras could not load the model ({type(exc).__name__}: {shorten(text, 300)})"
