"""What `text_callable` receives for a layer read from a saved file: the attributes callables use on live layers."""
from __future__ import annotations

from typing import Any, Dict, Optional

from ..graph.model import Layer


class LayerRecord:
    """A saved-file layer as a read-only object: `name`, `output_shape`, `trainable`, `get_config()`,
    `count_params()`; `type(record).__name__` is the Keras class name, as for a live layer."""

    def __init__(self, layer: Layer):
        self._layer = layer

    @property
    def name(self) -> str:
        return self._layer.name

    @property
    def class_name(self) -> str:
        return self._layer.type

    @property
    def output_shape(self):
        """One shape as a tuple (batch first, unknown dims None), a list for several outputs; None if unknown."""
        shapes = [s for s in self._layer.output_shapes if not isinstance(s, str)]
        if not shapes or len(shapes) != len(self._layer.output_shapes):
            return None
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def trainable(self) -> Optional[bool]:
        return self._layer.trainable

    def count_params(self) -> int:
        return self._layer.params

    def get_config(self) -> Dict[str, Any]:
        config = dict(self._layer.full_config or self._layer.config)
        config.setdefault("name", self._layer.name)
        return config

    def __repr__(self) -> str:
        return f"<{self._layer.type} {self._layer.name!r} (from a saved file)>"


_CLASSES: Dict[str, type] = {}


def record_of(layer: Layer) -> LayerRecord:
    """A LayerRecord whose class is named after the layer's Keras class."""
    cls = _CLASSES.get(layer.type)
    if cls is None:
        name = layer.type if layer.type.isidentifier() else "LayerRecord"
        cls = _CLASSES[layer.type] = type(name, (LayerRecord,), {"__module__": __name__})
    return cls(layer)
