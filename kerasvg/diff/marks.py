"""How a diff looks in the SVG: status attributes, outlines, `+ − ~` badges, quiet unchanged parts, legend.

`svg.write_svg(..., marks=DiffMarks(...))` asks this object for each layer's and connector's extras;
colours come from the theme's `[diff]` table. Marks differ without colour too: added boxes get a solid
outline, changed a dashed one, removed a dotted one on a ghosted box, and each its badge.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Dict, List, Mapping, Optional, Tuple

from ..writers.svg import fmt
from ..scene.text import name_key, xml_safe

LEGEND_PREFIX = "\x1fdiff:"
LEGEND_TEXT = {"added": "added (only in b)", "removed": "removed (only in a)", "changed": "changed", "same": "same"}
BADGES = {"added": "+", "removed": "\u2212", "changed": "~"}
LABEL_ALL_CHANGES_UP_TO = 40
DASHES = {"added": None, "changed": "5 2.5", "removed": "0.1 3"}


def hull(points) -> List[Tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), counter-clockwise from the lowest x."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


@dataclass(frozen=True)
class DiffMarks:
    """Per-layer and per-connector diff statuses (union names), and how to draw them."""

    layers: Mapping[str, str]
    details: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    names_a: Mapping[str, str] = field(default_factory=dict)
    connectors: Mapping[Tuple[str, str], str] = field(default_factory=dict)
    groups: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)  # group layer -> member names
    models: Tuple[Tuple[str, int, str], ...] = ()  # (name, layer count, parameter total: `≥N` if partly unknown)
    style: Optional[Mapping[str, object]] = None  # the theme's [diff] table, set by `with_theme`

    def with_theme(self, theme) -> "DiffMarks":
        background = theme.values["canvas"]["background"]
        halo = "#ffffff" if background == "transparent" else background[:7]
        return replace(self, style=dict(theme.values["diff"], halo=halo))

    # ---- the whole drawing

    def root_attrs(self) -> Dict[str, str]:
        """Attributes of the `<svg>` root: both models' layer counts and parameter totals."""
        if len(self.models) != 2:
            return {}
        (_, layers_a, params_a), (_, layers_b, params_b) = self.models
        return {"data-diff-layers": f"{layers_a} {layers_b}", "data-diff-params": f"{params_a} {params_b}"}

    def description(self) -> str:
        """The `<desc>` of a diff drawing."""
        (name_a, _, params_a), (name_b, _, params_b) = self.models
        counts = ", ".join(f"{sum(1 for s in self.layers.values() if s == status)} {status}"
                           for status in ("added", "removed", "changed", "same"))
        return (f"Differences from Keras model '{name_a}' to '{name_b}': layers {counts}; "
                f"parameters {params_a} \u2192 {params_b}. Drawn by kerasvg.")

    # ---- layers

    def status(self, name: str) -> str:
        if name in self.layers:
            return self.layers[name]
        if name in self.groups:
            from .compare import glyph_status

            return glyph_status(self.status(m) for m in self.groups[name])
        return "same"

    def needs_label(self, name: str) -> bool:
        """Name every layer that is not the same, unless so many differ that labels would crowd the page."""
        return self.status(name) != "same" and self._differing_count <= LABEL_ALL_CHANGES_UP_TO

    @cached_property
    def _differing_count(self) -> int:
        return sum(1 for s in self.layers.values() if s != "same")

    def layer_attrs(self, name: str) -> Dict[str, str]:
        """Attributes of a `g.layer`: `data-diff`, `data-diff-detail`, `data-name-a`, and the quiet/ghost styling."""
        status = self.status(name)
        attrs = {"data-diff": status}
        if self.details.get(name):
            attrs["data-diff-detail"] = xml_safe("; ".join(self.details[name]))
        old = self.names_a.get(name)
        if old is not None and old != name:
            attrs["data-name-a"] = name_key(old)
        if name in self.groups:
            return attrs
        if status == "same":
            attrs["opacity"] = _num(self.style["same_opacity"])
        elif status == "removed":
            attrs["fill-opacity"] = _num(self.style["removed_opacity"])
            attrs["stroke-opacity"] = "0.5"
        return attrs

    def title_suffix(self, name: str) -> str:
        """Lines added to the layer's `<title>` tooltip."""
        status = self.status(name)
        if status == "same":
            return ""
        if status == "changed" and self.details.get(name):
            return "\nchanged: " + "\n".join(self.details[name])
        return "\n" + LEGEND_TEXT[status]

    def label_fill(self, name: str) -> Optional[Dict[str, str]]:
        """A removed layer's label is written in the removed colour, unfaded; others keep the text colour."""
        if self.status(name) == "removed":
            return {"fill": self.style["removed"], "fill-opacity": "1"}
        return None

    def layer_overlay(self, box, font_size: float) -> str:
        """The status outline around a box and its badge, as SVG text (empty for `same`)."""
        status = self.status(box.name)
        if status == "same":
            return ""
        colour = self.style[status]
        outline = hull([p for face in box.faces for p in face.points])
        dash = DASHES[status]
        dash_attrs = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
        points = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in outline)
        xs, ys = [p[0] for p in outline], [p[1] for p in outline]
        width = float(self.style["outline_width"])
        return (f'<polygon class="diff-halo" points="{points}" fill="none" stroke="{self.style["halo"]}" '
                f'stroke-opacity="1" stroke-width="{_num(width + 2)}" />'
                f'<polygon class="diff-outline" points="{points}" fill="none" stroke="{colour}" stroke-opacity="1" '
                f'stroke-width="{_num(self.style["outline_width"])}"{dash_attrs} />'
                + self._badge(status, max(xs), min(ys), font_size))

    def _badge(self, status: str, x: float, y: float, font_size: float) -> str:
        r = font_size * 0.55
        return (f'<g class="diff-badge" fill-opacity="1" stroke-opacity="1">'
                f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(r)}" fill="{self.style[status]}" '
                f'stroke="{self.style["badge_text"]}" stroke-width="0.8" stroke-dasharray="none" />'
                f'<text x="{fmt(x)}" y="{fmt(y + font_size * 0.36)}" text-anchor="middle" font-weight="bold" '
                f'font-size="{fmt(font_size * 0.95)}" fill="{self.style["badge_text"]}">{BADGES[status]}</text></g>')

    # ---- connectors

    def connector_status(self, source: str, target: str) -> str:
        status = self.connectors.get((source, target))
        if status is not None:
            return status
        ends = {self.status(source), self.status(target)}
        return "added" if "added" in ends else "removed" if "removed" in ends else "same"

    def connector(self, source: str, target: str):
        """(attributes of the `g.connector`, line paint or None, arrowhead paint or None)."""
        status = self.connector_status(source, target)
        if status == "same":
            return {"data-diff": status, "opacity": _num(self.style["same_opacity"])}, None, None
        colour = self.style[status]
        line = {"stroke": colour, "stroke-width": _num(self.style["outline_width"] * 0.8)}
        if status == "removed":
            line.update({"stroke-dasharray": "1 3", "stroke-linecap": "round"})
        return {"data-diff": status}, line, {"class": "arrowhead", "fill": colour}

    # ---- legend

    def legend_entries(self) -> Tuple[Tuple[str, str, str], ...]:
        """(type, category, text) entries the layout places like a type legend."""
        return tuple((LEGEND_PREFIX + s, "other", LEGEND_TEXT[s]) for s in ("added", "removed", "changed", "same"))

    @staticmethod
    def is_legend(type_name: str) -> bool:
        return type_name.startswith(LEGEND_PREFIX)

    def legend_swatch(self, type_name: str, x: float, y: float, size: float, grey: str) -> str:
        """The badge of this status (a faded box for `same`), as SVG text."""
        status = type_name[len(LEGEND_PREFIX):]
        if status == "same":
            return (f'<rect class="diff-swatch" x="{fmt(x)}" y="{fmt(y)}" width="{fmt(size)}" height="{fmt(size)}" '
                    f'fill="{grey}" stroke="{grey}" opacity="{_num(self.style["same_opacity"])}" />')
        return self._badge(status, x + size / 2, y + size / 2 - size * 0.05, size * 0.9)


def _num(value) -> str:
    return fmt(float(value))
