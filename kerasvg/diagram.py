"""`Diagram`: the result users hold — a PIL image whose pixels are rasterized on first use, keeping the
scene (everything drawn), the theme and the writing options; every format is written from them by the
writer that `writers.registry()` finds for it."""
from __future__ import annotations

import io
import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from PIL import Image as PILImage

from . import budgets, writers
from .collector import collector_paused
from .writers import WriteOptions, raster
from .writers.files import write_atomic
from .writers.paint import PILLOW_MAX_PIXELS

if TYPE_CHECKING:
    from .graph.table import StageRecord


# the raster formats written through Pillow, by extension (each tested in tests/test_diagram_image.py); a fixed
# list, so an extension Pillow would take (.eps, .h5, .grib...) is refused before anything is drawn
PILLOW_FORMATS = {"bmp": "bmp", "gif": "gif", "tif": "tiff", "tiff": "tiff", "webp": "webp"}


def format_of(path, format: Optional[str] = None) -> str:
    """The output format named by `format` or by a path's extension; ValueError listing the supported ones."""
    known = writers.formats()
    allowed = ", ".join("." + f for f in sorted({*known, *PILLOW_FORMATS}))
    if format is not None:
        kind = str(format).lower().lstrip(".")
        if kind in known:
            return kind
        if kind in PILLOW_FORMATS:
            return PILLOW_FORMATS[kind]
        raise ValueError(f"cannot save as {format!r}: unknown format (supported: {allowed.replace('.', '')})")
    suffix = Path(path).suffix.lower().lstrip(".") if isinstance(path, (str, Path)) else ""
    if suffix in known:
        return suffix
    if suffix in PILLOW_FORMATS:
        return PILLOW_FORMATS[suffix]
    where = repr(str(path)) if isinstance(path, (str, Path)) else "to a file object"
    raise ValueError(f"cannot save {where}: unsupported extension {('.' + suffix) if suffix else '(none)'!r} "
                     f"(supported: {allowed}; for a file object pass format=)")


RASTERS = ("png", "jpg", "jpeg")  # formats kerasvg's own writers rasterize (the others come from Pillow)


class Diagram(PILImage.Image):
    """A rendered diagram, created by `kerasvg.layered_view(model)`.

    It is a `PIL.Image.Image` (mode RGBA, `.size` = the PNG size at scale 1) whose pixels are
    rasterized only when something asks for them; `to_svg`, `to_pdf` and `to_html` never rasterize.
    `scene` holds everything every writer draws, `graph` the model description.
    """

    format = None
    format_description = "kerasvg diagram"

    def __init__(self, scene, theme, options: WriteOptions = WriteOptions()):
        super().__init__()
        self._scene = scene
        self._theme = theme
        self._options = options
        self._svg: Optional[str] = None  # written on first use: a PNG, PDF or PowerPoint file never needs it
        self._mode = "RGBA"
        *_, width_px, height_px = raster.pixel_size(scene, options, check=False)  # an SVG-only diagram may be any size
        self._size = (round(width_px), round(height_px))

    svg = property(lambda self: self.to_svg(), doc="The SVG document as text (same as to_svg()).")
    scene = property(lambda self: self._scene, doc="Everything drawn, positioned and tagged, that writers draw.")
    graph = property(lambda self: self._scene.graph, doc="The model description: layers and edges.")
    theme = property(lambda self: self._theme, doc="The resolved theme the diagram was drawn with.")
    options = property(lambda self: self._options, doc="How the scene is written (`writers.WriteOptions`).")
    background = property(lambda self: self._theme.values["canvas"]["background"],
                          doc="The canvas colour (#rrggbb[aa] or 'transparent').")
    physical_width = property(lambda self: self._options.physical_width,
                              doc="The printed width as (value, unit), or None.")
    detail = property(lambda self: self._scene.detail, doc="The level drawn: 'layers', 'blocks' or 'stages'.")
    drill_down = property(lambda self: self._options.drill_down,
                          doc="For a blocks/stages drawing: each glyph's member layers and the layer-level drawing.")

    @property
    def stages(self) -> List["StageRecord"]:
        """The whole model's stages (and blocks outside every stage) as `graph.table.StageRecord` objects, in
        model order: name, input and output shape, blocks, layers, parameters. Empty without groups."""
        return list(self._scene.stages)

    @property
    def html_style(self) -> Dict[str, Any]:
        """The theme values the HTML page uses."""
        from .writers.html import html_style

        return html_style(self._theme)

    @property
    def vector_size(self) -> Tuple[float, float]:
        """The SVG's size in px (floats); `.size` is the rounded raster size at scale 1."""
        return (self._scene.width, self._scene.height)

    def __repr__(self) -> str:
        w, h = self.vector_size
        return f"<kerasvg.Diagram {self.graph.name!r}: {len(self.graph.layers)} layers, {w:g} x {h:g} px>"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def __reduce__(self):
        return (Diagram, (self._scene, self._theme, replace(self._options, drill_down=None)))

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
        raster.pixel_size(self._scene, replace(self._options, scale=scale, dpi=dpi), PILLOW_MAX_PIXELS)
        with PILImage.open(io.BytesIO(self.to_png(scale=scale, dpi=dpi))) as image:
            rgba = image.convert("RGBA")
        rgba.load()
        return rgba

    # every format, through its writer

    def to_svg(self) -> str:
        """The SVG document as text."""
        if self._svg is None:
            with collector_paused():
                self._svg = writers.writer("svg").write(self._scene, self._theme, replace(self._options, format="svg"))
        return self._svg

    def to_png(self, scale: Optional[float] = None, dpi: Optional[float] = None) -> bytes:
        """PNG bytes. `scale=2` doubles the pixel size; `dpi=300` sets it by resolution (and writes pHYs)."""
        return self.encode(format="png", scale=scale, dpi=dpi)

    def to_jpeg(self, scale: Optional[float] = None, dpi: Optional[float] = None, quality: int = 95) -> bytes:
        """JPEG bytes, flattened onto the background colour (white when transparent)."""
        return self.encode(format="jpeg", scale=scale, dpi=dpi, quality=quality)

    def to_pdf(self) -> bytes:
        """A one-page vector PDF."""
        return self.encode(format="pdf")

    def to_html(self, path=None, *, standalone: bool = True) -> Optional[str]:
        """Interactive HTML: written to `path` if given, else returned as a string."""
        text = self.encode(format="html", standalone=standalone).decode("utf-8")
        if path is None:
            return text
        write_atomic(path, text.encode("utf-8"))
        return None

    def to_tikz(self, standalone: bool = False, *, font: str = r"\small") -> str:
        """TikZ: a `tikzpicture` for `\\input{}` (needs only tikz), or a pdflatex-ready document.

        Labels are set in the document's font at `font` (a LaTeX size command such as `\\footnotesize`);
        a printed `width=` sets the picture's width.
        """
        return self.encode(format="tex", standalone=standalone, font=font).decode("utf-8")

    def to_pptx(self) -> bytes:
        """A one-slide 16:9 PowerPoint file of native, editable shapes (needs `pip install kerasvg[pptx]`); a
        drawing of more boxes than the `pptx_boxes` budget is refused with a `budgets.BudgetError`."""
        return self.encode(format="pptx")

    def to_table(self, format: str = "markdown") -> str:
        """The table of stages as papers print it: "markdown" (a GitHub table), "latex" (a booktabs
        `tabular`) or "csv"; Stage, Output size, Blocks, Layers, Parameters and a Total row."""
        from .table import format_table, table_format

        kind = table_format(format)
        if not self._scene.stages:
            raise ValueError(f"model {self.graph.name!r} was drawn without stages or blocks, so there is no table: "
                             "draw it with groups='auto' (they are found where names or structure show them) or "
                             "name them with groups={stage: {block: selector}}")
        return format_table(self._scene.stages, kind)

    def encode(self, path=None, *, format: Optional[str] = None, scale: Optional[float] = None,
               dpi: Optional[float] = None, **params) -> bytes:
        """The bytes `save(path)` writes; the format comes from `format` or the path's extension."""
        kind = format_of(path, format)
        budgets.check_boxes((kind,), len(self._scene.boxes))
        module = writers.writer(kind)
        if module is None or kind in RASTERS:
            self._check_resolution(scale, dpi)
        if module is None:
            return self._pil_encode(kind, scale, dpi, params)
        if kind == "svg":
            return self.to_svg().encode("utf-8")
        known = {k: params.pop(k) for k in ("quality", "standalone", "font") if k in params}
        options = replace(self._options, format=kind, scale=scale, dpi=dpi, extra=params, **known)
        with collector_paused():
            data = module.write(self._scene, self._theme, options)
        return data.encode("utf-8") if isinstance(data, str) else data

    def _check_resolution(self, scale, dpi) -> None:
        """A clear error for a scale or dpi that is not a number greater than 0, or that makes the raster
        smaller than one pixel a side."""
        for name, value in (("scale", scale), ("dpi", dpi)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{name}={value!r}: expected a number greater than 0, such as 2")
            if not 0 < value < math.inf:
                raise ValueError(f"{name}={value!r}: expected a finite number greater than 0")
        if scale is None and dpi is None:
            return
        *_, width_px, height_px = raster.pixel_size(self._scene, replace(self._options, scale=scale, dpi=dpi),
                                                    check=False)
        if round(width_px) < 1 or round(height_px) < 1:
            name, value = ("scale", scale) if scale is not None else ("dpi", dpi)
            least = value / min(width_px, height_px)
            raise ValueError(f"{name}={value:g} makes the image {width_px:.3g} x {height_px:.3g} px, under one pixel "
                             f"a side; this figure needs {name} {least:.3g} or more")

    def _pil_encode(self, kind: str, scale, dpi, params) -> bytes:
        image = self._pixels(scale, dpi) if (scale, dpi) != (None, None) else self.copy()
        out = io.BytesIO()
        try:
            image.save(out, format=kind.upper(), **params)
        except OSError:  # the format holds no alpha: flatten onto the background
            flat = PILImage.new("RGBA", image.size, raster.flat_background(self._theme).replace("transparent", "#ffffff"))
            flat.alpha_composite(image)
            out = io.BytesIO()
            flat.convert("RGB").save(out, format=kind.upper(), **params)
        return out.getvalue()

    def save(self, fp, format: Optional[str] = None, *, scale: Optional[float] = None, dpi: Optional[float | Tuple[float, float]] = None,
             **params) -> "Diagram":
        """Write to a path or a binary file object; the format comes from `format` or the extension.

        .svg .pdf .html .tex (a standalone TikZ document; `standalone=False` for a bare picture) and
        .pptx (editable shapes) stay vector; .png .jpg (flattened onto the background) .webp .tif .bmp .gif
        are rasterized at `scale`, or at `dpi` (a number or PIL's `(x, y)` pair: re-rendered at that
        resolution, not only tagged); any other extension is refused before drawing. A path is written
        atomically.
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
        return self.to_svg()

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)

    def _repr_png_(self) -> None:
        return None

    def _repr_jpeg_(self) -> None:
        return None
