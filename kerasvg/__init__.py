"""kerasvg: Keras models as layered isometric diagrams in crisp SVG, PNG, JPEG, PDF and HTML.

    import kerasvg
    kerasvg.layered_view(model).save("model.svg")

Built-in themes (kerasvg.themes()): default, blueprint, dark, mono, paper, slides, transparent.

visualkeras code runs as it is with `import kerasvg as visualkeras`: layered_view, show,
LayeredOptions, LAYERED_PRESETS, LAYERED_TEXT_CALLABLES and SpacingDummyLayer.
"""
from .diagram import Diagram
from .comparison import diff
from .layered import layered_view
from .loading import read
from .model import Layer, ModelGraph
from .options import LAYERED_PRESETS, LayeredOptions
from .show import show
from .text_callables import LAYERED_TEXT_CALLABLES
from .theme import ThemeError, themes

__version__ = "0.1.0"
__all__ = ["Diagram", "LAYERED_PRESETS", "LAYERED_TEXT_CALLABLES", "Layer", "LayeredOptions", "ModelGraph",
           "SpacingDummyLayer", "ThemeError", "diff", "layered_view", "read", "show", "themes", "__version__"]


def __getattr__(name):
    if name == "SpacingDummyLayer":  # a Keras layer class: created on first use, so `import kerasvg` stays Keras-free
        from .spacing import spacing_dummy_layer_class

        cls = spacing_dummy_layer_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module 'kerasvg' has no attribute {name!r}")
