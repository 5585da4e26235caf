"""Scene → TikZ: a `tikzpicture` for `\\input{}` (needs only the tikz package), or a standalone document.

Coordinates stay in the scene's px (1 px = 0.75 bp, or the printed width's share; y pointing down); labels are nodes set in the
document's font, anchored at their centre (or left edge) so any font width stays aligned.
"""
from __future__ import annotations

import unicodedata
from typing import Dict, List, Optional

from ..scene import Scene
from ..theme import Theme
from . import paint as P
from .paint import fmt

EXTENSIONS = (".tex",)

_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#",
    "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}", "\"": r"\textquotedbl{}", "'": r"\textquotesingle{}", "`": r"\textasciigrave{}",
    "\u2192": r"\textrightarrow{}",
}
_LIGATURES = "-,"  # doubled, T1 fonts join them (-- is an en dash, ,, a low quote)
# Latin-1 Supplement and Latin Extended-A characters that pdflatex's utf8 support cannot set in T1/TS1.
_T1_MISSING = set("\u00b8\u0126\u0127\u0138\u013f\u0140\u0149\u0166\u0167\u017f")


def latex_text(text: str) -> str:
    """`text` as LaTeX that prints it as typed with T1 fonts; characters T1 cannot set become `U+XXXX`."""
    out: List[str] = []
    text = str(text)
    for i, char in enumerate(text):
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char in _LIGATURES and text[i + 1:i + 2] == char:
            out.append(char + "{}")
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif 0xA0 <= code <= 0x17F and char not in _T1_MISSING:
            out.append(char if code != 0xA0 else "~")
        elif unicodedata.combining(char):
            continue
        else:
            out.append(f"U+{code:04X}")
    return "".join(out)


def _comment(text: str) -> str:
    return latex_text(text).replace("%", "")


class _Colours:
    """`\\definecolor` names for the colours a picture uses, in first-use order."""

    def __init__(self):
        self.names: Dict[str, str] = {}

    def __call__(self, colour: str) -> str:
        colour = colour[:7].lower()
        if colour not in self.names:
            self.names[colour] = f"kv{len(self.names)}"
        return self.names[colour]

    def definitions(self) -> List[str]:
        return [f"\\definecolor{{{name}}}{{HTML}}{{{colour[1:].upper()}}}" for colour, name in self.names.items()]


def _pt(point) -> str:
    return f"({fmt(point[0])},{fmt(point[1])})"


def _path(points, close: bool) -> str:
    return " -- ".join(_pt(p) for p in points) + (" -- cycle" if close else "")


def _bp(px: float, unit: float) -> str:
    """A length of `px` scene px in bp, at `unit` bp per px."""
    return fmt(px * unit) + "bp"


def _unit_text(unit: float) -> str:
    """The picture's bp per px with enough digits that a printed width comes out right."""
    return ("%.5f" % unit).rstrip("0").rstrip(".")


def _opacity(option: str, value: float) -> str:
    return f", {option}={fmt(value)}" if value < 1 else ""


PATTERN_SPACING = 6.0  # px, as the SVG writer's pattern tiles


def _pattern_strokes(name: str, bounds, unit: float) -> List[str]:
    """Segments (or dots) of a fill pattern over `bounds`, on the same global grid as the SVG's tiles."""
    import math

    s = PATTERN_SPACING
    x0, y0, x1, y1 = bounds
    out: List[str] = []
    if name in ("hatch", "crosshatch"):  # lines x + y = k s
        for k in range(math.floor((x0 + y0) / s), math.ceil((x1 + y1) / s) + 1):
            out.append(f"{_pt((k * s - y1, y1))} -- {_pt((k * s - y0, y0))}")
    if name in ("backhatch", "crosshatch"):  # lines x - y = k s
        for k in range(math.floor((x0 - y1) / s), math.ceil((x1 - y0) / s) + 1):
            out.append(f"{_pt((k * s + y0, y0))} -- {_pt((k * s + y1, y1))}")
    if name == "vertical":
        out += [f"{_pt((s / 2 + k * s, y0))} -- {_pt((s / 2 + k * s, y1))}"
                for k in range(math.floor(x0 / s) - 1, math.ceil(x1 / s) + 1)]
    if name == "horizontal":
        out += [f"{_pt((x0, s / 2 + k * s))} -- {_pt((x1, s / 2 + k * s))}"
                for k in range(math.floor(y0 / s) - 1, math.ceil(y1 / s) + 1)]
    if name == "dots":
        out += [f"{_pt((s / 2 + i * s, s / 2 + j * s))} circle[radius={_bp(1, unit)}]"
                for i in range(math.floor(x0 / s) - 1, math.ceil(x1 / s) + 1)
                for j in range(math.floor(y0 / s) - 1, math.ceil(y1 / s) + 1)]
    return out


BADGE_TEXT = {"added": "+", "removed": "$-$", "changed": "\\textasciitilde{}"}


def _badge(status: str, x: float, y: float, font_size: float, marks: P.DiffInk, colour, unit: float) -> List[str]:
    """A diff badge: a disc in the status colour with its symbol, centred at (x, y)."""
    return [f"\\filldraw[fill={colour(marks.colours[status])}, draw={colour(marks.badge_text)}, "
            f"line width={_bp(0.8, unit)}] ({fmt(x)},{fmt(y)}) circle[radius={_bp(font_size * 0.55, unit)}];",
            f"\\node[inner sep=0pt, text={colour(marks.badge_text)}, font=\\bfseries] at ({fmt(x)},{fmt(y)}) "
            f"{{{BADGE_TEXT[status]}}};"]


def _diff_mark(box, marks: P.DiffInk, colour, unit: float, font_size: float) -> List[str]:
    """A box's diff outline (on a halo) and badge, as the SVG writer draws them."""
    status = box.diff.status
    outline = P.hull([p for face in box.faces for p in face.points])
    dash = P.DIFF_DASHES[status]
    dash_text = f", dash pattern=on {_bp(max(dash[0], 0.5), unit)} off {_bp(dash[1], unit)}" if dash else ""
    return [f"\\draw[{colour(marks.halo)}, line width={_bp(marks.outline_width + 2, unit)}, line join=round] "
            f"{_path(outline, True)};",
            f"\\draw[{colour(marks.colours[status])}, line width={_bp(marks.outline_width, unit)}, line join=round"
            f"{dash_text}] {_path(outline, True)};",
            *_badge(status, max(p[0] for p in outline), min(p[1] for p in outline), font_size, marks, colour, unit)]


def _lock(x: float, y: float, ink: str, paper: str) -> List[str]:
    """The frozen mark: a small padlock whose top-right corner is at (x, y), as the SVG writer draws it."""
    left, top = x - 10.5, y + 1.5
    return [f"\\fill[{paper}, fill opacity=0.85, rounded corners=2bp] ({fmt(left)},{fmt(top)}) rectangle "
            f"({fmt(left + 9)},{fmt(top + 10)});",
            f"\\draw[{ink}, line width=0.8bp] ({fmt(left + 2.75)},{fmt(top + 5)}) -- ({fmt(left + 2.75)},{fmt(top + 3.5)}) "
            f"arc[start angle=180, end angle=0, radius=1.75] -- ({fmt(left + 6.25)},{fmt(top + 5)});",
            f"\\fill[{ink}] ({fmt(left + 1.5)},{fmt(top + 5)}) rectangle ({fmt(left + 7.5)},{fmt(top + 9)});"]


def _pattern(name: str, points, ink: str, unit: float) -> List[str]:
    """A face's fill pattern: its strokes clipped to the face (plain TikZ, no patterns library)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    strokes = _pattern_strokes(name, (min(xs), min(ys), max(xs), max(ys)), unit)
    if not strokes:
        return []
    command = f"\\fill[{ink}, fill opacity=0.6]" if name == "dots" else \
        f"\\draw[{ink}, draw opacity=0.55, line width={_bp(0.8, unit)}]"
    return ["\\begin{scope}", f"\\clip {_path(points, True)};", f"{command} {' '.join(strokes)};", "\\end{scope}"]


def _connector(c, ink: P.Paint, dash, width: float, arrowhead: bool, colour, unit: float) -> List[str]:
    """A connector's polyline in `ink` (dashed `dash`, `width` px wide) and, with `arrowhead`, its arrowhead."""
    dash_text = f", dash pattern=on {_bp(dash[0], unit)} off {_bp(dash[1], unit)}" if dash else ""
    out = [f"\\draw[{colour(ink.colour)}{_opacity('draw opacity', ink.opacity)}, "
           f"line width={_bp(width, unit)}, line join=round{dash_text}] {_path(c.points, False)};"]
    if arrowhead and c.arrow:
        out.append(f"\\fill[{colour(ink.colour)}{_opacity('fill opacity', ink.opacity)}] {_path(c.arrow, True)};")
    return out


def _faces(box, look: P.BoxPaint, colour, stroke: str, pattern_ink: str, unit: float) -> List[str]:
    """A box's faces filled and outlined as `look` says (dashed when the box is frozen), patterned in `pattern_ink`."""
    outline = colour(look.outline.colour) + _opacity("draw opacity", look.outline.opacity)
    frozen = f", dash pattern=on {_bp(3, unit)} off {_bp(2, unit)}" if box.frozen else ""
    out: List[str] = []
    for face in box.faces:
        fill = look.faces[face.role]
        out.append(f"\\filldraw[fill={colour(fill.colour)}{_opacity('fill opacity', fill.opacity)}, "
                   f"draw={outline}, {stroke}{frozen}] {_path(face.points, True)};")
        if look.pattern != "none":
            out += _pattern(look.pattern, face.points, pattern_ink, unit)
    return out


def _block_key(key, theme: Theme, shade_step: Optional[int], colour, node: str, font: str, stroke: str,
               text_name: str, unit: float) -> List[str]:
    """The block key in a scope, as the SVG writer draws it: its caption in bold, then per kind a caption,
    its connectors (connector colour, box stroke width) and its layers' boxes."""
    ink = P.paint(theme.values["connector"]["color"])
    width = theme.values["box"]["stroke_width"]
    x, y = key.caption_at
    out = [f"% block key: {_comment(key.caption)}", "\\begin{scope}",
           f"\\node[{node}, anchor=base west, font={font}\\bfseries] at ({fmt(x)},{fmt(y)}) {{{latex_text(key.caption)}}};"]
    for block in key.blocks:
        x, y = block.caption_at
        out += [f"% key block: {_comment(block.block)}",
                f"\\node[{node}, anchor=base west] at ({fmt(x)},{fmt(y)}) {{{latex_text(block.caption)}}};"]
        for c in block.connectors:
            out += _connector(c, ink, None, width, True, colour, unit)
        for b in block.boxes:
            out += _faces(b, P.box_paint(theme, b.type, b.category, shade_step), colour, stroke, text_name, unit)
    return out + ["\\end{scope}"]


def write(scene: Scene, theme: Theme, options) -> str:
    """The scene as a `tikzpicture` (or, with `options.standalone`, a pdflatex-ready document), labels
    at `options.font`; a printed width sets the picture's width, else it is 0.75 bp per scene px."""
    width_bp = None
    if options.physical_width is not None:
        value, unit_name = options.physical_width
        width_bp = value / P.UNITS_PER_INCH[unit_name] * 72
    return draw(scene, theme, standalone=options.standalone, font=options.font, shade_step=options.shade_step,
                width_bp=width_bp)


def draw(scene: Scene, theme: Theme, *, standalone: bool = False, font: str = r"\small",
         shade_step: Optional[int] = None, width_bp: Optional[float] = None) -> str:
    """The scene in TikZ, `width_bp` wide when given."""
    unit = width_bp / scene.width if width_bp else P.PX_TO_PT
    P.check_page(scene.width * unit / P.PX_TO_PT, scene.height * unit / P.PX_TO_PT, "TikZ")
    colour = _Colours()
    body: List[str] = []
    text = P.text_paint(theme)
    text_name = colour(text.colour)
    node = f"inner sep=0pt, font={font}, text={text_name}" + _opacity("text opacity", text.opacity)
    box = theme.values["box"]
    stroke = f"line width={_bp(box['stroke_width'], unit)}, line join=round"

    background = P.background_paint(theme)
    if background is not None:
        body.append(f"\\fill[{colour(background.colour)}{_opacity('fill opacity', background.opacity)}] "
                    f"(0,0) rectangle ({fmt(scene.width)},{fmt(scene.height)});")
    for a, b in scene.funnels:
        body.append(f"\\draw[{colour(box['stroke'])}, {stroke}] {_pt(a)} -- {_pt(b)};")
    for frame in scene.frames:
        dash = f", dash pattern=on {_bp(4, unit)} off {_bp(3, unit)}" if frame.kind == "repeat" else ""
        body.append(f"% {frame.kind}: {_comment(frame.label)}")
        for x0, y0, x1, y1 in frame.rects:
            body.append(f"\\draw[{text_name}, draw opacity=0.6, line width={_bp(1, unit)}, rounded corners={_bp(4, unit)}{dash}] "
                        f"({fmt(x0)},{fmt(y0)}) rectangle ({fmt(x1)},{fmt(y1)});")
        x, y = frame.label_at
        if frame.kind == "repeat":
            body.append(f"\\node[{node}, anchor=base east, font={font}\\bfseries] at ({fmt(x)},{fmt(y)}) "
                        f"{{{latex_text(frame.label)}}};")
        else:
            for text, x, y in [(frame.label, x, y), *frame.continued]:
                body.append(f"\\node[{node}, anchor=base west] at ({fmt(x)},{fmt(y)}) {{{latex_text(text)}}};")

    conn = theme.values["connector"]
    marks = P.diff_ink(theme) if scene.diff is not None else None
    for c in scene.connectors:
        ink = P.connector_paint(theme, c.skip)
        dash = P.dash_of(theme, c.skip, c.inferred)
        if c.diff == "same":
            ink = P.Paint(ink.colour, round(ink.opacity * marks.same_opacity, 4))
        elif c.diff is not None:
            ink = P.paint(marks.colours[c.diff])
            dash = (1.0, 3.0) if c.diff == "removed" else dash
        body += _connector(c, ink, dash, conn["width"], conn["arrowheads"], colour, unit)

    paper = P.paper(theme)
    for b in scene.boxes:
        look = P.box_paint(theme, b.type, b.category, shade_step, b.name)
        body.append(f"% layer: {_comment(b.name)}")
        status = b.diff.status if b.diff is not None else None
        fade = {"same": f"[opacity={fmt(marks.same_opacity)}]",
                "removed": f"[fill opacity={fmt(marks.removed_opacity)}, draw opacity=0.5]"}.get(status, "") \
            if marks is not None else ""
        body.append("\\begin{scope}" + fade)
        body += _faces(b, look, colour, stroke, text_name, unit)
        if b.label is not None:
            label = b.label
            anchor, align = ("north", "center") if label.anchor == "middle" else ("north west", "left")
            lines = "\\\\".join(latex_text(line) for line in label.lines)
            label_node = node if status != "removed" else \
                f"inner sep=0pt, font={font}, text={colour(marks.colours['removed'])}, text opacity=1"
            body.append(f"\\node[{label_node}, anchor={anchor}, align={align}] at ({fmt(label.x)},{fmt(label.y)}) "
                        f"{{{lines}}};")
        body.append("\\end{scope}")
        if status not in (None, "same"):
            body += _diff_mark(b, marks, colour, unit, scene.font_size)
        if b.frozen:
            body += _lock(b.x + b.width, b.y, text_name, colour(paper))

    if scene.block_key is not None:
        body += _block_key(scene.block_key, theme, shade_step, colour, node, font, stroke, text_name, unit)

    for e in scene.legend:
        look = P.box_paint(theme, e.type, e.category, shade_step)
        x, y, size = e.swatch
        if e.kind != "type":
            if e.kind == "frozen":
                body.append(f"\\draw[{text_name}, {stroke}, dash pattern=on {_bp(3, unit)} off {_bp(2, unit)}] "
                            f"({fmt(x)},{fmt(y)}) rectangle ({fmt(x + size)},{fmt(y + size)});")
                body += _lock(x + size + 0.5, y - 1.0, text_name, colour(paper))
            elif e.type == "same":
                grey = look.faces["front"].colour
                body.append(f"\\filldraw[fill={colour(grey)}, draw={colour(grey)}, opacity={fmt(marks.same_opacity)}] "
                            f"({fmt(x)},{fmt(y)}) rectangle ({fmt(x + size)},{fmt(y + size)});")
            else:
                body += _badge(e.type, x + size / 2, y + size / 2 - size * 0.05, size * 0.9, marks, colour, unit)
            body.append(f"\\node[{node}, anchor=base west] at ({fmt(e.text_x)},{fmt(e.text_y)}) {{{latex_text(e.text)}}};")
            continue
        front = look.faces["front"]
        body.append(f"\\filldraw[fill={colour(front.colour)}{_opacity('fill opacity', front.opacity)}, "
                    f"draw={colour(look.outline.colour)}, {stroke}] ({fmt(x)},{fmt(y)}) rectangle "
                    f"({fmt(x + size)},{fmt(y + size)});")
        if look.pattern != "none":
            body += _pattern(look.pattern, ((x, y), (x + size, y), (x + size, y + size), (x, y + size)), text_name,
                             unit)
        body.append(f"\\node[{node}, anchor=base west] at ({fmt(e.text_x)},{fmt(e.text_y)}) {{{latex_text(e.text)}}};")

    picture = [f"% {_comment(scene.graph.name)}: drawn by kerasvg. Needs only \\usepackage{{tikz}}.",
               f"\\begin{{tikzpicture}}[x={_unit_text(unit)}bp, y=-{_unit_text(unit)}bp]", *colour.definitions(), *body, "\\end{tikzpicture}"]
    if not standalone:
        return "\n".join(picture) + "\n"
    preamble = ["\\documentclass[tikz, border=0pt]{standalone}", "\\usepackage[utf8]{inputenc}",
                "\\usepackage[T1]{fontenc}", "\\usepackage{lmodern}", "\\usepackage{textcomp}", "\\begin{document}"]
    return "\n".join(preamble + picture + ["\\end{document}"]) + "\n"
