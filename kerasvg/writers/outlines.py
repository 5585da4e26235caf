"""`text="paths"`: the SVG's text drawn as glyph outlines from the bundled DejaVu fonts (fontTools), so
it looks the same where the font is missing. Each outline keeps its words in `<title>` and `aria-label`.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict

from .paint import fmt

TEXT_MODES = ("text", "paths")
FONT_FILES = {"DejaVu Sans": "DejaVuSans.ttf", "DejaVu Serif": "DejaVuSerif.ttf",
              "DejaVu Sans Mono": "DejaVuSansMono.ttf"}
FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_BOLD_STROKE = 0.045  # faux bold: an outline stroke, in em


def check_text_mode(text, family: str) -> str:
    """The validated text mode ('text' when not given)."""
    if text is None:
        return "text"
    if text not in TEXT_MODES:
        raise ValueError(f"text={text!r} is not allowed (allowed: {', '.join(TEXT_MODES)})")
    if text == "paths" and family not in FONT_FILES:
        raise ValueError(f"text='paths' outlines the bundled fonts only, not the theme's font_family {family!r} "
                         f"(allowed: {', '.join(FONT_FILES)})")
    if text == "paths":
        _require_fonttools()
    return text


def _require_fonttools() -> None:
    """fontTools, or an ImportError that names the extra to install (checked before any layout)."""
    try:
        import fontTools.pens.svgPathPen  # noqa: F401
        import fontTools.pens.transformPen  # noqa: F401
        import fontTools.ttLib  # noqa: F401
    except ImportError as exc:
        raise ImportError("text='paths' needs fontTools: pip install 'kerasvg[paths]'") from exc


@lru_cache(maxsize=None)
def _font(family: str):
    _require_fonttools()
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS_DIR / FONT_FILES[family], lazy=True)
    return font, font.getGlyphSet(), font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm


def _glyphs(family: str, text: str):
    font, glyph_set, cmap, hmtx, _ = _font(family)
    return [(name, hmtx[name][0]) for name in (cmap.get(ord(c), ".notdef") for c in text)]


def outline(text: str, family: str, size: float, x: float, y: float, anchor: str) -> str:
    """Path data drawing `text` at baseline (x, y), `anchor` start / middle / end, `size` px."""
    _require_fonttools()
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen

    _, glyph_set, _, _, units = _font(family)
    scale = size / units
    glyphs = _glyphs(family, text)
    width = sum(advance for _, advance in glyphs) * scale
    left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    pen = SVGPathPen(glyph_set, ntos=fmt)
    for name, advance in glyphs:
        glyph_set[name].draw(TransformPen(pen, (scale, 0, 0, -scale, left, y)))
        left += advance * scale
    return pen.getCommands()


def _escape_attr(text: str) -> str:
    return html.escape(text, quote=True)


def text_as_paths(svg: str, family: str, size: float) -> str:
    """`svg` with every `<text>` the SVG writer wrote replaced by an outlined `<path>` of the same words."""

    def replace(match) -> str:
        attrs: Dict[str, str] = dict(_ATTR.findall(match.group(1)))
        words = html.unescape(match.group(2))
        classes = attrs.get("class", "")
        anchor = attrs.get("text-anchor") or ("middle" if "label" in classes.split() else "start")
        data = outline(words, family, size, float(attrs["x"]), float(attrs["y"]), anchor)
        paint = {k: v for k, v in attrs.items() if k in ("fill", "fill-opacity")}
        if attrs.get("font-weight") == "bold":
            paint.update({"stroke": attrs.get("fill", "#000000"), "stroke-width": fmt(size * _BOLD_STROKE),
                          "stroke-linejoin": "round"})
        extra = "".join(f' {k}="{v}"' for k, v in paint.items())
        label = _escape_attr(words)
        return (f'<path class="{_escape_attr((classes + " glyphs").strip())}" role="img" aria-label="{label}" '
                f'd="{data}"{extra}><title>{html.escape(words, quote=False)}</title></path>')

    return _TEXT.sub(replace, svg)
