"""kerasvg: Keras models as layered isometric diagrams in crisp SVG, PNG, JPEG, PDF and HTML.

    import kerasvg
    kerasvg.layered_view(model).save("model.svg")

Built-in themes (kerasvg.themes()): default, blueprint, dark, mono, paper, slides, transparent.

visualkeras code runs as it is with `import kerasvg as visualkeras`: layered_view, show,
LayeredOptions, LAYERED_PRESETS, LAYERED_TEXT_CALLABLES and SpacingDummyLayer.
"""
__all__ = ["Diagram", "LAYERED_PRESETS", "LAYERED_TEXT_CALLABLES", "Layer", "LayeredOptions", "ModelGraph",
           "SpacingDummyLayer", "ThemeError", "diff", "layered_view", "read", "show", "themes", "__version__"]


_EXPORTS = {
    "Diagram": "diagram", "diff": "comparison", "layered_view": "layered", "read": "readers", "Layer": "graph.model",
    "ModelGraph": "graph.model", "LAYERED_PRESETS": "options", "LayeredOptions": "options", "show": "layered",
    "LAYERED_TEXT_CALLABLES": "layout.text_callables", "ThemeError": "theme", "themes": "theme",
}


def __getattr__(name):
    """The public names, imported on first use: `import kerasvg` (and a child process reading one
    file with a kerasvg helper) loads no layout, writer, Pillow or Keras code until it is needed."""
    if name == "__version__":  # written once, in pyproject.toml: read from the installed distribution
        value = _installed_version()
    elif name == "SpacingDummyLayer":  # a Keras layer class: created on first use, so `import kerasvg` stays Keras-free
        from .graph.spacers import spacing_dummy_layer_class

        value = spacing_dummy_layer_class()
    elif name in _EXPORTS:
        from importlib import import_module

        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'kerasvg' has no attribute {name!r}")
    globals()[name] = value
    return value


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kerasvg")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def __dir__():
    return sorted(set(globals()) | set(__all__))
