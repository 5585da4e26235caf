"""visualkeras's `show(model, mode="layered", ...)`: one entry point over the views (kerasvg draws the layered one)."""
from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from .diagram import Diagram
from .options import LayeredOptions

MODES = ("layered", "graph", "functional", "lenet")


def show(model, *, mode: str = "layered", preset: Optional[str] = None,
         options: Union[LayeredOptions, Mapping[str, Any], None] = None, **overrides: Any) -> Diagram:
    """Render `model` with the view `mode` ("layered"/"layers"), applying `preset`, then `options`, then
    `overrides` (layered_view's keywords). Returns the Diagram."""
    from .layered import layered_view

    name = (mode or "").strip().lower()
    if name in ("layered", "layers"):
        if options is not None and not isinstance(options, (LayeredOptions, Mapping)):
            raise TypeError(f"options for mode 'layered' must be a LayeredOptions or a mapping, got {type(options).__name__}")
        return layered_view(model, preset=preset, options=options, **overrides)
    if name in ("graph", "graph_view", "functional", "func", "lenet", "lenet_style"):
        raise ValueError(f"mode={mode!r}: kerasvg draws only the layered view (mode='layered')")
    raise ValueError(f"unknown mode {mode!r} (allowed: {', '.join(MODES)}; kerasvg draws 'layered')")
