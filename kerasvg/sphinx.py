"""Sphinx extension: `.. kerasvg:: package.module:build_model` draws the model when the docs build.

Add `"kerasvg.sphinx"` to `extensions` in conf.py. Options: `:theme:` (a theme name, path or `auto`),
`:detail:` (layers, blocks or stages), `:width:` (printed width such as `600px` or `5in`), `:html:` (the
interactive fragment instead of an image). Images go to `_kerasvg/` in the build's output folder,
named by a hash of the spec, the options and the model's source file, and are reused while those stay
the same.
"""
from __future__ import annotations

import hashlib
import html
import importlib.util
import posixpath
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives

FOLDER = "_kerasvg"
DETAILS = ("layers", "blocks", "stages")


def _module_file(spec: str):
    """The path of the module file that defines `spec`, or None."""
    try:
        found = importlib.util.find_spec(spec.split(":", 1)[0])
    except (ImportError, ValueError):
        return None
    origin = getattr(found, "origin", None)
    return Path(origin) if origin and Path(origin).is_file() else None


def _detail(value: str) -> str:
    return directives.choice(value, DETAILS)


class KerasvgDirective(Directive):
    """`.. kerasvg:: package.module:build_model` with :theme:, :detail:, :width:, :html:."""

    required_arguments = 1
    has_content = False
    option_spec = {"theme": directives.unchanged_required, "detail": _detail,
                   "width": directives.unchanged_required, "html": directives.flag}

    def run(self):
        env = self.state.document.settings.env
        spec = self.arguments[0].strip()
        keywords = {key: self.options[key] for key in ("theme", "detail", "width") if key in self.options}
        interactive = "html" in self.options
        module = _module_file(spec)
        if module is not None:
            env.note_dependency(str(module))  # an edited model re-reads the page
        try:
            svg_name, fragment = _render(env.app.outdir, spec, keywords, interactive, module)
        except Exception as exc:  # the docs build reports it at this directive and goes on
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return [self.state_machine.reporter.error(f"kerasvg: {spec}: {message}", line=self.lineno)]
        if fragment is not None:
            return [nodes.raw("", fragment, format="html")]
        uri = posixpath.relpath(f"{FOLDER}/{svg_name}", posixpath.dirname(env.docname) or ".")
        alt = html.escape(spec.split(":", 1)[-1], quote=True)
        tag = f'<img class="kerasvg" src="{html.escape(uri, quote=True)}" alt="{alt}">'
        return [nodes.raw("", tag, format="html")]


def _render(outdir, spec: str, keywords, interactive: bool, module):
    """(SVG file name in outdir/_kerasvg, the HTML fragment or None), rendering only on a cache miss."""
    from . import __version__

    key = hashlib.sha256(repr((__version__, spec, sorted(keywords.items()), interactive)).encode("utf-8")
                         + (module.read_bytes() if module is not None else b"")).hexdigest()[:16]
    folder = Path(outdir) / FOLDER
    svg_path, fragment_path = folder / f"{key}.svg", folder / f"{key}.fragment.html"
    if svg_path.is_file() and (not interactive or fragment_path.is_file()):
        return svg_path.name, fragment_path.read_text(encoding="utf-8") if interactive else None
    from .cli.models import call_model
    from .layered import layered_view
    from .writers.files import write_atomic

    diagram = layered_view(call_model(spec), **keywords)
    folder.mkdir(parents=True, exist_ok=True)
    fragment = diagram.to_html(standalone=False) if interactive else None
    if fragment is not None:
        write_atomic(fragment_path, fragment.encode("utf-8"))
    write_atomic(svg_path, diagram.to_svg().encode("utf-8"))
    return svg_path.name, fragment


def setup(app):
    """Register the `kerasvg` directive."""
    from . import __version__

    app.add_directive("kerasvg", KerasvgDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
