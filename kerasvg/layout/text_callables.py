"""visualkeras's built-in label callables (`text_callable="name_shape"`), for live layers and saved-file records."""
from __future__ import annotations

from typing import Any, Callable, Dict, Tuple


def layer_shape(layer: Any):
    """A layer's output shape: `output_shape`, else `output.shape`; None when the layer has neither."""
    shape = getattr(layer, "output_shape", None)
    if shape is not None:
        return shape
    try:
        return getattr(getattr(layer, "output", None), "shape", None)
    except Exception:  # Keras raises for layers called more than once or never called
        return None


def shape_text(shape) -> str:
    """`8 x 4` for (None, 8, 4): batch dropped; the first shape of several; `?` when unknown."""
    if shape is None:
        return "?"
    if hasattr(shape, "as_list"):
        try:
            shape = tuple(shape.as_list())
        except Exception:
            return str(shape)
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    if not isinstance(shape, (list, tuple)):
        return str(shape)
    dims = [d for d in shape[1:] if d is not None] or list(shape[1:])
    return " x ".join("?" if d is None else str(d) for d in dims) or "?"


def layer_name(index: int, layer: Any) -> str:
    return str(getattr(layer, "name", None) or f"layer_{index}")


def layer_type(layer: Any) -> str:
    return str(getattr(layer, "class_name", None) or type(layer).__name__)


LAYERED_TEXT_CALLABLES: Dict[str, Callable[[int, Any], Tuple[str, bool]]] = {
    "name": lambda i, layer: (layer_name(i, layer), False),
    "type": lambda i, layer: (layer_type(layer), False),
    "shape": lambda i, layer: (shape_text(layer_shape(layer)), False),
    "name_shape": lambda i, layer: (f"{layer_name(i, layer)}\n{shape_text(layer_shape(layer))}", False),
}
"""Built-in `text_callable`s by name: each takes (index, layer) and returns (text, above)."""
