"""Readers: anything a user hands kerasvg → `graph.model.ModelGraph`. The only code that touches Keras.

`read` is the one entry every path uses (Python, the CLI single and batch, diff); `live` reads built
Keras models, `saved` and its helpers read `.keras`, `.json` and `.h5` files without Keras, `loading`
loads a file with Keras when asked (`load=True`).
"""
from __future__ import annotations

import os
from typing import Dict, Iterable, Optional


def read(source, *, load: bool = False, imports: Iterable[str] = (), live: Optional[Dict[str, object]] = None):
    """The ModelGraph of a built Keras model, a saved file path (`.keras`, `.h5`, `.json`) or a ModelGraph.

    A file is read without Keras unless `load=True` (then the modules in `imports` are imported first
    and Keras loads it, `safe_mode=True`). `live`, if given, receives layer name → live layer object."""
    from ..graph.model import ModelGraph

    imports = tuple(imports or ())
    if isinstance(source, (str, os.PathLike)):
        from .loading import read_file

        return read_file(source, load=load, imports=imports, live=live)
    if load or imports:
        raise TypeError("load= and imports= apply to a saved model file path, not to a model object")
    if isinstance(source, ModelGraph):
        return source
    from .live import read_model

    graph, layers = read_model(source)
    if live is not None:
        live.update(layers)
    return graph
