"""Writers: each module here that defines `EXTENSIONS` draws a `scene.Scene` in those output formats.

A writer module needs two names and nothing else in the package changes:

    EXTENSIONS = (".x",)                          # the formats (file extensions) it writes
    def write(scene, theme, options) -> str | bytes   # options: a `WriteOptions`

Finding the writers imports each module here, so writers import their heavy libraries (jinja2,
cairo, pptx, fontTools) inside `write`. `paint` holds what every writer shares (colours, shading,
numbers, page limits); `files` writes outputs atomically; `schemes` and `outlines` post-process SVG.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Dict, Mapping, Optional, Tuple

_FOUND: Dict[Tuple[str, ...], Dict[str, str]] = {}


@dataclass(frozen=True)
class WriteOptions:
    """How a scene is written, beyond the scene and the theme: one object for every writer."""

    format: str = "svg"
    shade_step: Optional[int] = None  # visualkeras's face darkening per step, or None for the theme's shading
    id_prefix: Optional[str] = None  # SVG ids; None: a short hash of the content
    physical_width: Optional[Tuple[float, str]] = None  # printed width (value, unit), e.g. (3.5, "in")
    text_mode: str = "text"  # "text" or "paths" (labels as glyph outlines)
    other_theme: Any = None  # with a light/dark pair: the theme the SVG's CSS switches to
    other_scheme: Optional[str] = None  # "light" or "dark": the scheme of `other_theme`
    scale: Optional[float] = None  # rasters: pixel scale
    dpi: Optional[float] = None  # rasters: resolution (re-rendered and tagged)
    quality: int = 95  # JPEG quality
    standalone: bool = True  # HTML: a whole page; TikZ: a pdflatex-ready document
    font: str = r"\small"  # TikZ: the LaTeX size command for labels
    drill_down: Any = None  # HTML: each glyph's member layers and the layer-level drawing
    extra: Mapping[str, Any] = field(default_factory=dict)  # further keywords a writer accepts (Pillow's)


def registry() -> Dict[str, str]:
    """Format name (extension without the dot, lower case) → writer module name, for every writer here."""
    key = tuple(__path__)
    if key not in _FOUND:
        found: Dict[str, str] = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            for extension in getattr(module, "EXTENSIONS", ()):
                found.setdefault(extension.lstrip(".").lower(), info.name)
        _FOUND[key] = found
    return _FOUND[key]


def formats() -> Tuple[str, ...]:
    """The formats kerasvg writes itself, e.g. ('html', 'jpeg', 'jpg', 'pdf', 'png', 'pptx', 'svg', 'tex')."""
    return tuple(sorted(registry()))


def writer(format: str) -> Optional[ModuleType]:
    """The writer module for `format` (an extension, with or without the dot), or None."""
    name = registry().get(str(format).lower().lstrip("."))
    return None if name is None else importlib.import_module(f"{__name__}.{name}")
