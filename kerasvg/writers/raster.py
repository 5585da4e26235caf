"""Rasters and PDF: PNG and PDF drawn from the scene with cairo (`cairo_scene`), JPEG as that PNG flattened
through Pillow. SVG text (labels as outlines, or an SVG of one's own) goes through cairosvg instead."""
from __future__ import annotations

import io
import math
import re
import struct
import zlib
from dataclasses import replace
from typing import Optional, Tuple, Union

from .. import budgets
from . import cairo_scene
from .paint import MAX_RASTER_SIDE, PILLOW_MAX_PIXELS, PT_TO_PX, UNITS_PER_INCH, check_page

EXTENSIONS = (".png", ".jpg", ".jpeg", ".pdf")
_POINTS_PER = {"": 0.75, "px": 0.75, "pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}
Source = Union[str, cairo_scene.Picture]  # SVG text, or a scene to draw


def write(scene, theme, options) -> bytes:
    """PNG, JPEG (`options.format` "jpg"/"jpeg") or PDF bytes of the scene."""
    source = source_of(scene, theme, options)
    if options.format == "pdf":
        return to_pdf(source)
    jpeg = options.format in ("jpg", "jpeg")
    scale, dpi, _, _ = pixel_size(scene, options, PILLOW_MAX_PIXELS if jpeg else None)
    png = to_png(source, scale, dpi)
    return to_jpeg(png, flat_background(theme), options.quality, dpi) if jpeg else png


def source_of(scene, theme, options) -> Source:
    """What a raster is drawn from: the scene itself, or (for labels as outlines) the SVG text."""
    if cairo_scene.drawable(options):
        return cairo_scene.Picture(scene, theme, options)
    from . import svg as svg_writer

    return svg_writer.write(scene, theme, replace(options, format="svg"))


def flat_background(theme) -> str:
    """The colour a format without alpha is flattened onto: the canvas as #rrggbb, or 'transparent'."""
    background = theme.values["canvas"]["background"]
    return background[:7] if background != "transparent" else "transparent"


def pixel_size(scene, options, max_pixels: Optional[int] = None, check: bool = True):
    """(scale, dpi, width_px, height_px) of a raster, after checking the size is rasterizable."""
    physical = options.physical_width
    scale, dpi = raster_scale(options.scale, options.dpi, physical is not None)
    width, height = scene.width, scene.height
    if physical is not None and dpi is not None:
        value, unit = physical
        width_px = value / UNITS_PER_INCH[unit] * dpi
        height_px = width_px * height / width
        if unit == "px":  # in/cm/mm/pt are converted by dpi, px taken as device pixels (as cairosvg does)
            scale = dpi / 96.0
    else:
        factor = scale
        if physical is not None:
            value, unit = physical
            factor = scale * value / UNITS_PER_INCH[unit] * 96 / width
        width_px, height_px = width * factor, height * factor
    if check:
        check_size(width_px, height_px, " or a wrapping layout (aspect=...)", max_pixels)
    return scale, dpi, width_px, height_px


def cairosvg_module():
    """cairosvg, or an ImportError that names what to install."""
    try:
        import cairosvg
    except ImportError as exc:
        raise ImportError(
            "rasterizing needs cairosvg and the system cairo library: pip install cairosvg "
            "(Debian/Ubuntu: apt-get install libcairo2)"
        ) from exc
    return cairosvg


def raster_scale(scale: Optional[float], dpi: Optional[float], physical: bool) -> Tuple[float, Optional[float]]:
    """(scale, dpi) of a raster. A physical width is converted at `dpi`; otherwise scale = dpi / 96."""
    if scale is not None and dpi is not None:
        raise ValueError("give scale or dpi, not both (without a physical width, scale = dpi / 96)")
    if dpi is not None:
        if dpi <= 0:
            raise ValueError(f"dpi must be greater than 0, got {dpi!r}")
        return (1.0, dpi) if physical else (dpi / 96.0, dpi)
    if scale is None:
        scale = 1.0
    if scale <= 0:
        raise ValueError(f"scale must be greater than 0, got {scale!r}")
    return scale, None


def check_size(width_px: float, height_px: float, hint: str = "", max_pixels: Optional[int] = None) -> Tuple[int, int]:
    """Refuse sizes cairo cannot rasterize (over 32,767 px a side), over the pixels budget or over `max_pixels`,
    with a clear ValueError."""
    if not (math.isfinite(width_px) and math.isfinite(height_px)):
        raise ValueError(f"a raster of {width_px} x {height_px} px cannot be drawn{hint}")
    w, h = round(width_px), round(height_px)
    if max_pixels is not None and w * h > max_pixels and max(w, h) <= MAX_RASTER_SIDE:
        largest = math.sqrt(max_pixels / (width_px * height_px))
        raise ValueError(
            f"a {w} x {h} px image is {w * h:,} pixels, over the {max_pixels:,}-pixel limit of Pillow, which writes "
            f"JPEG and the other bitmap formats; "
            f"use a smaller scale or dpi (this figure allows a scale up to {largest:.2f} times the one asked for){hint}")
    if max(w, h) > MAX_RASTER_SIDE:
        largest = MAX_RASTER_SIDE / max(width_px, height_px)
        raise ValueError(
            f"a {w} x {h} px raster exceeds cairo's limit of {MAX_RASTER_SIDE} px a side; use a smaller scale "
            f"or dpi (this figure allows a scale up to {largest:.2f}){hint}"
        )
    if w * h > budgets.current().pixels:
        largest = math.sqrt(budgets.current().pixels / (width_px * height_px))
        refused = budgets.exceeded(f"a {w:,} x {h:,} px image of {w * h:,} pixels", "pixels")
        raise budgets.BudgetError(f"{refused}; or use a smaller scale or dpi (this figure allows up to {largest:.2f} "
                                  f"times the one asked for){hint}")
    return w, h


def to_png(source: Source, scale: float = 1.0, dpi: Optional[float] = None) -> bytes:
    """PNG bytes of a scene (`cairo_scene.Picture`, drawn with cairo) or of SVG text (through cairosvg), at
    `scale`, lengths with units converted at `dpi` (then written to the pHYs chunk too)."""
    if isinstance(source, cairo_scene.Picture):
        png = cairo_scene.png(source, scale, dpi)
    else:
        kwargs = {"bytestring": source.encode("utf-8"), "scale": scale}
        if dpi is not None:
            kwargs["dpi"] = dpi
        png = cairosvg_module().svg2png(**kwargs)
    return with_dpi(png, dpi) if dpi is not None else png


def to_pdf(source: Source) -> bytes:
    """A one-page PDF without cairo's creation date, so the same input always gives the same bytes."""
    drawn = isinstance(source, cairo_scene.Picture)
    width_pt, height_pt = cairo_scene.page_points(source) if drawn else page_points(source)
    check_page(width_pt * PT_TO_PX, height_pt * PT_TO_PX, "PDF")
    if drawn:
        return cairo_scene.pdf(source)
    cairosvg_module()
    return _dateless_pdf_surface().convert(bytestring=source.encode("utf-8"))


_PDF_SURFACE = None


def _dateless_pdf_surface():
    global _PDF_SURFACE
    if _PDF_SURFACE is None:
        import cairocffi
        import cairosvg.surface

        class DatelessPDF(cairocffi.PDFSurface):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.set_metadata(cairocffi.PDF_METADATA_CREATE_DATE, "")

        class Surface(cairosvg.surface.PDFSurface):
            surface_class = DatelessPDF

        _PDF_SURFACE = Surface
    return _PDF_SURFACE


_ROOT = re.compile(r"<svg\b[^>]*>")
_LENGTH_ATTR = re.compile(r'\s(width|height)="\s*([0-9.eE+-]+)\s*(px|pt|in|cm|mm|)\s*"')


def page_points(svg: str) -> Tuple[float, float]:
    """The page size in points that cairosvg gives the SVG's root width and height."""
    root = _ROOT.search(svg)
    sizes = {name: float(value) * _POINTS_PER[unit] for name, value, unit in _LENGTH_ATTR.findall(root.group() if root else "")}
    return sizes.get("width", 0.0), sizes.get("height", 0.0)


def to_jpeg(png: bytes, background: str, quality: int = 95, dpi: Optional[float] = None) -> bytes:
    """Flatten onto `background` (#rrggbb; white when transparent) and encode as RGB JPEG."""
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError("writing JPEG needs Pillow: pip install Pillow") from exc
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    base = Image.new("RGBA", image.size, background if background != "transparent" else "#ffffff")
    base.alpha_composite(image)
    out = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    base.convert("RGB").save(out, format="JPEG", quality=quality, **extra)
    return out.getvalue()


def with_dpi(png: bytes, dpi: float) -> bytes:
    """Insert (or replace) the PNG pHYs chunk so viewers and print tools see the DPI."""
    per_metre = round(dpi / 0.0254)
    data = struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", len(data)) + b"pHYs" + data + struct.pack(">I", zlib.crc32(b"pHYs" + data))
    pos, out = 8, [png[:8]]
    while pos < len(png):
        length = struct.unpack(">I", png[pos:pos + 4])[0]
        kind = png[pos + 4:pos + 8]
        end = pos + 12 + length
        if kind != b"pHYs":
            out.append(png[pos:end])
        if kind == b"IHDR":
            out.append(chunk)
        pos = end
    return b"".join(out)
