"""Errors of reading a saved model file without Keras."""
from __future__ import annotations


class SavedModelError(ValueError):
    """A saved model file that cannot be read; the message names the file and the problem."""


class NeedsLibraryError(SavedModelError):
    """A model class whose config holds constructor arguments (keras_hub, any registered model class):
    only the library that defines it can build the layer graph."""

    def __init__(self, source: str, registered: str, package: str):
        self.registered, self.package = registered, package
        super().__init__(
            f"{source}: {registered} is a model class whose file holds its constructor arguments, not a layer "
            f"graph, so it can only be drawn by building it with {package}: rerun with --load "
            f"(Python: load=True), for files you trust")


class OutsideFileError(SavedModelError):
    """An HDF5 file that points outside itself (an external link, a virtual dataset): never followed."""
