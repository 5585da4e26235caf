"""Saved model files (`.keras`, model-config `.json`, legacy `.h5`) → ModelGraph, without Keras.

Only the model config and the weight shapes are read, never the weight values, and nothing in the
file is executed. `files` opens the file, `modelconfig` turns its config into the graph (with the
per-class rules of `shapes` and `params`).
"""
from __future__ import annotations

from pathlib import Path

from ..graph.model import ModelGraph
from .errors import NeedsLibraryError, SavedModelError
from .files import h5_model_config, read_model_file, weight_tree_or_none
from .modelconfig import graph_from_config

__all__ = ["NeedsLibraryError", "SavedModelError", "graph_from_config", "h5_model_config", "read_saved_model",
           "weight_tree_or_none"]


def read_saved_model(path) -> ModelGraph:
    """Read a `.keras` zip, a model-config `.json` or a legacy `.h5` file into a ModelGraph."""
    path = Path(path)
    config, weights = read_model_file(path)
    return graph_from_config(config, source=str(path), weights=weights)
