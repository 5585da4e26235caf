"""kerasvg: Keras models as layered isometric diagrams in crisp SVG, PNG, JPEG, PDF and HTML.

    import kerasvg
    kerasvg.layered_view(model).save("model.svg")
"""
from .diagram import Diagram
from .comparison import diff
from .layered import layered_view
from .loading import read
from .model import Layer, ModelGraph
from .theme import ThemeError, themes

__version__ = "0.1.0"
__all__ = ["Diagram", "Layer", "ModelGraph", "ThemeError", "diff", "layered_view", "read", "themes", "__version__"]
