"""visualkeras's `SpacingDummyLayer`: a layer that only widens the gap before the next drawn layer."""
from __future__ import annotations

from typing import Dict, List, Tuple

from .model import ModelGraph

SPACER_TYPE = "SpacingDummyLayer"
DEFAULT_SPACING = 50


def spacer_gaps(graph: ModelGraph, live) -> Tuple[List[str], Dict[str, float]]:
    """(spacer layer names, extra gap in px before each layer that follows spacers in drawing order)."""
    spacers: List[str] = []
    gaps: Dict[str, float] = {}
    pending = 0.0
    for layer in graph.layers:
        if layer.type != SPACER_TYPE:
            if pending:
                gaps[layer.name] = gaps.get(layer.name, 0.0) + pending
                pending = 0.0
            continue
        spacers.append(layer.name)
        source = getattr(live.get(layer.name), "spacing", None)
        if source is None and layer.full_config is not None:
            source = layer.full_config.get("spacing")
        pending += float(source) if isinstance(source, (int, float)) and source > 0 else DEFAULT_SPACING
    return spacers, gaps


def spacing_dummy_layer_class():
    """The Keras layer class, created on first use so that `import kerasvg` never imports Keras."""
    import keras

    @keras.saving.register_keras_serializable(package="kerasvg")
    class SpacingDummyLayer(keras.layers.Layer):
        """Draws as extra space (`spacing` px) before the next layer; passes its input through unchanged."""

        def __init__(self, spacing: int = DEFAULT_SPACING, **kwargs):
            super().__init__(**kwargs)
            self.spacing = spacing

        def call(self, inputs):
            return inputs

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {**super().get_config(), "spacing": self.spacing}

    return SpacingDummyLayer
