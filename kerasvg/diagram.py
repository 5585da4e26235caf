"""`Diagram`: the result users hold — a PIL image whose pixels are rasterized on first use, keeping
the scene (positioned shapes) and the SVG written from it, for every vector format."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

from PIL import Image as PILImage

from .writers import raster
from .writers.files import write_atomic
from .graph.model import ModelGraph

FORMATS = ("svg", "png", "jpg", "jpeg", "pdf", "html", "tex", "pptx")
UNITS_PER_INCH = {"in": 1.0, "cm": 2.54, "mm": 25.4, "pt": 72.0, "px": 96.0}
_PIL_NAMES = {"jpeg": "jpeg", "jpg": "jpeg", "png": "png", "svg": "svg", "pdf": "pdf", "html": "html", "htm": "html"}


def format_of(path, format: Optional[str] = None) -> str:
    """The output format named by `format` or by a path's extension; ValueError listing the supported ones."""
    if format is not None:
        kind = str(format).lower().lstrip(".")
        if kind in FORMATS:
            return kind
        if kind.upper() in _pil_writers():
            return kind
        raise ValueError(f"cannot save as {format!r}: unknown format (supported: {', '.join(FORMATS)}, "
                         f"or a format Pillow writes such as bmp, gif, tiff, webp)")
    suffix = Path(path).suffix.lower().lstrip(".") if isinstance(path, (str, Path)) else ""
    if suffix in FORMATS:
        return suffix
    pil = PILImage.registered_extensions().get("." + suffix) if suffix else None
    if pil is not None and pil in _pil_writers():
        return pil.lower()
    allowed = ", ".join("." + f for f in FORMATS)
    where = repr(str(path)) if isinstance(path, (str, Path)) else "to a file object"
    raise ValueError(f"cannot save {where}: unsupported extension {('.' + suffix) if suffix else '(none)'!r} "
                     f"(supported: {allowed}, or any raster format Pillow writes; for a file object pass format=)")


def _pil_writers():
    PILImage.init()
    return PILImage.SAVE


class Diagram(PILImage.Image):
    """A rendered diagram, created by `kerasvg.layered_view(model)`.

    It is a `PIL.Image.Image` (mode RGBA, `.size` = the PNG size at scale 1) whose pixels are
    rasterized only when something asks for them; `to_svg`, `to_pdf` and `to_html` never rasterize.
    `scene` holds the positioned shapes every writer draws from, `graph` the model description.
    """

    format = None
    format_description = "kerasvg diagram"

    def __init__(self, *, svg: str, scene, graph: ModelGraph, theme=None, background: str = "#ffffff",
                 physical_width: Optional[Tuple[float, str]] = None,
                 html_style: Optional[Mapping[str, Any]] = None, detail: str = "layers",
                 shade_step: Optional[int] = None, drill_down=None):
        super().__init__()
        self._svg = svg
        self._scene = scene
        self._graph = graph
        self._theme = theme
        self._background = background
        self._physical_width = physical_width
        self._html_style = dict(html_style or {})
        self._detail = detail
        self._shade_step = shade_step
        self._drill_down = drill_down
        self._mode = "RGBA"
        *_, width_px, height_px = self._raster(None, None, check=False)  # an SVG-only diagram may be any size
        self._size = (round(width_px), round(height_px))

    svg = property(lambda self: self._svg, doc="The SVG document as text (same as to_svg()).")
    scene = property(lambda self: self._scene, doc="The positioned shapes, tagged by role, that writers draw.")
    graph = property(lambda self: self._graph, doc="The model description: layers and edges.")
    theme = property(lambda self: self._theme, doc="The resolved theme the diagram was drawn with.")
    background = property(lambda self: self._background, doc="The canvas colour (#rrggbb[aa] or 'transparent').")
    physical_width = property(lambda self: self._physical_width, doc="The printed width as (value, unit), or None.")
    html_style = property(lambda self: dict(self._html_style), doc="The theme values the HTML page uses.")
    detail = property(lambda self: self._detail, doc="The level drawn: 'layers', 'blocks' or 'stages'.")
    drill_down = property(lambda self: self._drill_down,
                          doc="For a blocks/stages drawing: each glyph's member layers and the layer-level drawing.")

    @property
    def vector_size(self) -> Tuple[float, float]:
        """The SVG's size in px (floats); `.size` is the rounded raster size at scale 1."""
        return (self._scene.width, self._scene.height)

    def __repr__(self) -> str:
        w, h = self.vector_size
        return f"<kerasvg.Diagram {self._graph.name!r}: {len(self._graph.layers)} layers, {w:g} x {h:g} px>"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def __reduce__(self):
        state = dict(svg=self._svg, scene=self._scene, graph=self._graph, theme=self._theme,
                     background=self._background, physical_width=self._physical_width,
                     html_style=self._html_style, detail=self._detail, shade_step=self._shade_step)
        return (_restore, (state,))

    # pixels, on first access

    @property
    def im(self):
        if self._im is None:
            self._im = self._pixels(None, None).im
        return PILImage.Image.im.fget(self)

    @im.setter
    def im(self, value) -> None:
        self._im = value

    def load(self):
        self.im
        return super().load()

    def _pixels(self, scale, dpi) -> PILImage.Image:
        self._raster(scale, dpi, raster.PILLOW_MAX_PIXELS)  # Pillow would refuse it after cairo drew it
        with PILImage.open(io.BytesIO(self.to_png(scale=scale, dpi=dpi))) as image:
            rgba = image.convert("RGBA")
        rgba.load()
        return rgba

    # vector and raster encodings

    def _raster(self, scale, dpi, max_pixels=None, check=True):
        """(scale, dpi, width_px, height_px) for cairosvg, after checking the size is rasterizable."""
        scale, dpi = raster.raster_scale(scale, dpi, self._physical_width is not None)
        width, height = self.vector_size
        if self._physical_width is not None and dpi is not None:
            value, unit = self._physical_width
            width_px = value / UNITS_PER_INCH[unit] * dpi
            height_px = width_px * height / width
            if unit == "px":  # cairosvg converts in/cm/mm/pt by dpi but takes px as device pixels
                scale = dpi / 96.0
        else:
            factor = scale
            if self._physical_width is not None:
                value, unit = self._physical_width
                factor = scale * value / UNITS_PER_INCH[unit] * 96 / width
            width_px, height_px = width * factor, height * factor
        if check:
            raster.check_size(width_px, height_px, " or a wrapping layout (aspect=...)", max_pixels)
        return scale, dpi, width_px, height_px

    def to_svg(self) -> str:
        """The SVG document as text."""
        return self._svg

    def to_png(self, scale: Optional[float] = None, dpi: Optional[float] = None) -> bytes:
        """PNG bytes. `scale=2` doubles the pixel size; `dpi=300` sets it by resolution (and writes pHYs)."""
        scale, dpi, _, _ = self._raster(scale, dpi)
        return raster.to_png(self._svg, scale, dpi)

    def to_jpeg(self, scale: Optional[float] = None, dpi: Optional[float] = None, quality: int = 95) -> bytes:
        """JPEG bytes, flattened onto the background colour (white when transparent)."""
        scale, dpi, _, _ = self._raster(scale, dpi, raster.PILLOW_MAX_PIXELS)  # checked before any pixel exists
        png = raster.to_png(self._svg, scale, dpi)
        return raster.to_jpeg(png, self._flat_background(), quality, dpi)

    def to_pdf(self) -> bytes:
        """A one-page vector PDF."""
        return raster.to_pdf(self._svg)

    def to_html(self, path=None, *, standalone: bool = True) -> Optional[str]:
        """Interactive HTML: written to `path` if given, else returned as a string."""
        from .writers.html import render_html

        text = render_html(self, standalone=standalone)
        if path is None:
            return text
        write_atomic(path, text.encode("utf-8"))
        return None

    def to_tikz(self, standalone: bool = False, *, font: str = r"\small") -> str:
        """TikZ: a `tikzpicture` for `\\input{}` (needs only tikz), or a pdflatex-ready document.

        Labels are set in the document's font at `font` (a LaTeX size command such as `\\footnotesize`);
        a printed `width=` sets the picture's width.
        """
        from .writers.tikz import write_tikz

        width_bp = None
        if self._physical_width is not None:
            value, unit = self._physical_width
            width_bp = value / UNITS_PER_INCH[unit] * 72
        return write_tikz(self._scene, self._graph, self._theme, standalone=standalone, font=font,
                          shade_step=self._shade_step, width_bp=width_bp)

    def to_pptx(self) -> bytes:
        """A one-slide 16:9 PowerPoint file of native, editable shapes (needs `pip install kerasvg[pptx]`)."""
        from .writers.pptx import write_pptx

        return write_pptx(self._scene, self._graph, self._theme, shade_step=self._shade_step)

    def _flat_background(self) -> str:
        return self._background[:7] if self._background != "transparent" else "transparent"

    def encode(self, path=None, *, format: Optional[str] = None, scale: Optional[float] = None,
               dpi: Optional[float] = None, **params) -> bytes:
        """The bytes `save(path)` writes; the format comes from `format` or the path's extension."""
        kind = format_of(path, format)
        if kind == "svg":
            return self._svg.encode("utf-8")
        if kind == "png":
            return self.to_png(scale=scale, dpi=dpi)
        if kind in ("jpg", "jpeg"):
            return self.to_jpeg(scale=scale, dpi=dpi, quality=params.pop("quality", 95))
        if kind == "pdf":
            return self.to_pdf()
        if kind == "html":
            return self.to_html().encode("utf-8")
        if kind == "tex":
            return self.to_tikz(standalone=params.pop("standalone", True)).encode("utf-8")
        if kind == "pptx":
            return self.to_pptx()
        return self._pil_encode(kind, scale, dpi, params)

    def _pil_encode(self, kind: str, scale, dpi, params) -> bytes:
        image = self._pixels(scale, dpi) if (scale, dpi) != (None, None) else self.copy()
        out = io.BytesIO()
        try:
            image.save(out, format=kind.upper(), **params)
        except OSError:  # the format holds no alpha: flatten onto the background
            flat = PILImage.new("RGBA", image.size, self._flat_background().replace("transparent", "#ffffff"))
            flat.alpha_composite(image)
            out = io.BytesIO()
            flat.convert("RGB").save(out, format=kind.upper(), **params)
        return out.getvalue()

    def save(self, fp, format: Optional[str] = None, *, scale: Optional[float] = None, dpi=None,
             **params) -> "Diagram":
        """Write to a path or a binary file object; the format comes from `format` or the extension.

        .svg .pdf .html .tex (a standalone TikZ document; `standalone=False` for a bare picture) and
        .pptx (editable shapes) stay vector; .png .jpg (flattened onto the background) and any format Pillow
        writes are rasterized at `scale`, or at `dpi` (a number or PIL's `(x, y)` pair: re-rendered at
        that resolution, not only tagged). A path is written atomically.
        """
        if isinstance(dpi, (tuple, list)):
            if len(dpi) != 2 or dpi[0] != dpi[1]:
                raise ValueError(f"dpi={dpi!r}: give one resolution, or an (x, y) pair with x == y")
            dpi = dpi[0]
        data = self.encode(fp if isinstance(fp, (str, Path)) else None, format=format, scale=scale, dpi=dpi,
                           **params)
        if isinstance(fp, (str, Path)):
            write_atomic(fp, data)
        else:
            fp.write(data)
        return self

    # notebooks: vector representations only (PIL's PNG/JPEG ones would rasterize on every display)

    def _repr_svg_(self) -> str:
        return self._svg

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)

    def _repr_png_(self) -> None:
        return None

    def _repr_jpeg_(self) -> None:
        return None


def _restore(state) -> Diagram:
    return Diagram(**state)
