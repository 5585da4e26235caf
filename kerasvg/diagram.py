"""`Diagram`: the immutable result users hold — SVG text plus what raster and HTML need."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

from . import raster
from .model import ModelGraph

FORMATS = ("svg", "png", "jpg", "jpeg", "pdf", "html")
UNITS_PER_INCH = {"in": 1.0, "cm": 2.54, "mm": 25.4, "pt": 72.0, "px": 96.0}


def format_of(path) -> str:
    """The output format named by a path's extension; ValueError listing the supported ones."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        allowed = ", ".join("." + f for f in FORMATS)
        raise ValueError(f"cannot save {str(path)!r}: unsupported extension {('.' + suffix) if suffix else '(none)'!r} (supported: {allowed})")
    return suffix


def write_atomic(path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: never a truncated or clobbered file."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass(frozen=True)
class Diagram:
    """A rendered diagram. Create it with `kerasvg.layered_view(model)`."""

    svg: str = field(repr=False)
    graph: ModelGraph = field(repr=False)
    width: float
    height: float
    background: str = "#ffffff"
    physical_width: Optional[Tuple[float, str]] = None
    html_style: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"<kerasvg.Diagram {self.graph.name!r}: {len(self.graph.layers)} layers, {self.width:g} x {self.height:g} px>"

    def to_svg(self) -> str:
        """The SVG document as text."""
        return self.svg

    def _raster(self, scale, dpi, max_pixels=None):
        scale, dpi = raster.raster_scale(scale, dpi, self.physical_width is not None)
        if self.physical_width is not None and dpi is not None:
            value, unit = self.physical_width
            width_px = value / UNITS_PER_INCH[unit] * dpi
            height_px = width_px * self.height / self.width
            if unit == "px":  # cairosvg converts in/cm/mm/pt by dpi but takes px as device pixels
                scale = dpi / 96.0
        else:
            factor = scale
            if self.physical_width is not None:
                value, unit = self.physical_width
                factor = scale * value / UNITS_PER_INCH[unit] * 96 / self.width
            width_px, height_px = self.width * factor, self.height * factor
        raster.check_size(width_px, height_px, " or a wrapping layout (aspect=...)", max_pixels)
        return scale, dpi

    def to_png(self, scale: Optional[float] = None, dpi: Optional[float] = None) -> bytes:
        """PNG bytes. `scale=2` doubles the pixel size; `dpi=300` sets it by resolution (and writes pHYs)."""
        scale, dpi = self._raster(scale, dpi)
        return raster.to_png(self.svg, scale, dpi)

    def to_jpeg(self, scale: Optional[float] = None, dpi: Optional[float] = None, quality: int = 95) -> bytes:
        """JPEG bytes, flattened onto the background colour (white when transparent)."""
        scale, dpi = self._raster(scale, dpi, raster.JPEG_MAX_PIXELS)  # checked before any pixel exists
        png = raster.to_png(self.svg, scale, dpi)
        return raster.to_jpeg(png, self.background[:7] if self.background != "transparent" else "transparent", quality, dpi)

    def to_pdf(self) -> bytes:
        """A one-page vector PDF."""
        return raster.to_pdf(self.svg)

    def to_html(self, path=None, *, standalone: bool = True) -> Optional[str]:
        """Interactive HTML: written to `path` if given, else returned as a string."""
        from .html import render_html

        text = render_html(self, standalone=standalone)
        if path is None:
            return text
        write_atomic(path, text.encode("utf-8"))
        return None

    def encode(self, path, *, scale: Optional[float] = None, dpi: Optional[float] = None) -> bytes:
        """The bytes `save(path)` writes; the format comes from the extension."""
        kind = format_of(path)
        if kind == "svg":
            return self.svg.encode("utf-8")
        if kind == "png":
            return self.to_png(scale=scale, dpi=dpi)
        if kind in ("jpg", "jpeg"):
            return self.to_jpeg(scale=scale, dpi=dpi)
        if kind == "pdf":
            return self.to_pdf()
        return self.to_html().encode("utf-8")

    def save(self, path, *, scale: Optional[float] = None, dpi: Optional[float] = None) -> "Diagram":
        """Write to `path`; the format comes from its extension (.svg .png .jpg .jpeg .pdf .html)."""
        write_atomic(path, self.encode(path, scale=scale, dpi=dpi))
        return self

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)
