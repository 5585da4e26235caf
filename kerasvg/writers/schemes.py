"""Light and dark in one SVG: the base theme's colours stay attributes (what cairosvg and old viewers
draw); a `<style>` with a `prefers-color-scheme` media query repaints them with the other theme.

No CSS variables (cairosvg has none) and no script: only class and attribute selectors, scoped to the
drawing's id so the rules never reach the rest of an HTML page.
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from ..scene import Scene
from ..scene.text import xml_safe
from ..theme import Theme
from . import paint as P
from .paint import fmt

SCHEMES = ("light", "dark")
AUTO_PAIR = ("default", "dark")


def theme_pair(theme) -> Optional[Tuple[str, str]]:
    """(light, dark) theme names or paths for `theme="auto"` or a pair; None for a single theme."""
    if isinstance(theme, str) and theme == "auto":
        return AUTO_PAIR
    if isinstance(theme, (tuple, list)):
        if len(theme) != 2:
            raise ValueError(f"theme={theme!r}: a pair is (light, dark), two theme names or paths")
        return (theme[0], theme[1])
    return None


def check_scheme(scheme, paired: bool) -> str:
    """The validated scheme ('light' when not given)."""
    if scheme is None:
        return "light"
    if scheme not in SCHEMES:
        raise ValueError(f"scheme={scheme!r} is not allowed (allowed: {', '.join(SCHEMES)})")
    if scheme == "dark" and not paired:
        raise ValueError("scheme='dark' needs a light/dark pair: theme='auto' or theme=(light, dark)")
    return scheme


def _css_string(text: str) -> str:
    """A CSS string matching an attribute the SVG writer wrote from `text`."""
    escaped = (xml_safe(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("\r", "\\d ")
               .replace(">", "\\3e ").replace("<", "\\3c "))
    return '"' + escaped + '"'


def _paint(prop: str, ink: P.Paint) -> str:
    return f"{prop}:{ink.colour};{prop}-opacity:{fmt(ink.opacity)}"


def scheme_css(scene: Scene, theme: Theme, scope: str, shade_step: Optional[int] = None) -> List[str]:
    """CSS rules that repaint the SVG writer's output of `scene` in `theme`'s colours."""
    text = P.text_paint(theme)
    box = theme.values["box"]
    rules = [f"{scope} text,{scope} path.glyphs{{{_paint('fill', text)}}}",
             f"{scope} path.glyphs[stroke]{{stroke:{text.colour}}}",
             f"{scope} rect.frame{{stroke:{text.colour}}}",
             f"{scope} pattern line{{stroke:{text.colour}}}",
             f"{scope} pattern circle{{fill:{text.colour}}}",
             f"{scope} .funnels{{stroke:{box['stroke'][:7]}}}"]
    background = P.background_paint(theme)
    rules.append(f"{scope} rect.background{{{_paint('fill', background) if background else 'fill-opacity:0'}}}")
    for skip, selector in ((False, ".connector"), (True, ".connector.skip")):
        ink = P.connector_paint(theme, skip)
        rules.append(f"{scope} {selector}>polyline{{{_paint('stroke', ink)}}}")
        rules.append(f"{scope} {selector}>.arrowhead{{{_paint('fill', ink)}}}")
    seen = set()
    for b in scene.boxes:
        if (b.type, b.category) in seen:
            continue
        seen.add((b.type, b.category))
        look = P.box_paint(theme, b.type, b.category, shade_step)
        layer = f'{scope} .layer[data-type={_css_string(b.type)}][data-category={_css_string(b.category)}]'
        for role, ink in look.faces.items():
            rules.append(f"{layer}>.face.{role}{{{_paint('fill', ink)};{_paint('stroke', look.outline)}}}")
    for e in scene.legend:
        look = P.box_paint(theme, e.type, e.category, shade_step)
        rules.append(f"{scope} .legend-entry[data-type={_css_string(e.type)}]>rect:first-child"
                     f"{{{_paint('fill', look.faces['front'])};{_paint('stroke', look.outline)}}}")
    return rules


def with_scheme(svg: str, scene: Scene, other: Theme, other_scheme: str, shade_step: Optional[int] = None) -> str:
    """`svg` with a `<style>` that repaints it in `other`'s colours when the viewer prefers `other_scheme`."""
    root = re.search(r'<svg\b[^>]*\bid="([^"]+)"', svg)
    scope = "svg#" + re.sub(r"([^A-Za-z0-9_-])", r"\\\1", root.group(1)) if root else "svg.kerasvg"
    rules = "".join(scheme_css(scene, other, scope, shade_step))
    body = f"@media (prefers-color-scheme: {other_scheme}){{{rules}}}"
    style = "<style><![CDATA[" + body + "]]></style>"
    at = svg.index("</desc>") + len("</desc>")
    return svg[:at] + style + svg[at:]
