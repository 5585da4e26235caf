"""Sphinx configuration of kerasvg's documentation (`make docs`)."""
from __future__ import annotations

import inspect
import os
import re
import sys
from importlib.metadata import version as installed_version

sys.path.insert(0, os.path.dirname(__file__))  # models.py: the models the pages draw
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

project = "kerasvg"
author = "the kerasvg authors"
copyright = "2026, the kerasvg authors"
release = installed_version("kerasvg")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinxarg.ext",
    "kerasvg.sphinx",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
default_role = "code"
smartquotes = False  # `--width` stays two hyphens in the generated CLI reference

html_theme = "furo"
html_title = f"kerasvg {release}"
html_static_path = ["_static"]
html_css_files = ["kerasvg.css"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
maximum_signature_line_length = 100

KEYWORD_LINE = re.compile(r"^(\w+): (.*)$")


def keyword_fields(app, what, name, obj, options, lines):
    """Turn the `keyword: meaning` lines of kerasvg's docstrings into Sphinx parameter fields.

    A keyword of a documented function or class that its docstring does not describe is a build warning.
    """
    lines[:] = [line.replace("\\", "\\\\") for line in lines]  # a docstring's `\input` is text, not an escape
    if what not in ("function", "class", "method"):
        return
    try:
        parameters = [p for p in inspect.signature(obj).parameters if p not in ("self", "args", "kwargs")]
    except (TypeError, ValueError):
        return
    described, converted, current = set(), [], None
    for line in lines:
        match = KEYWORD_LINE.match(line)
        if match and match.group(1) in parameters:
            current = match.group(1)
            described.add(current)
            converted.append(f":param {current}: {match.group(2)}")
        elif current is not None and line.startswith("    ") and line.strip():
            converted.append("   " + line.strip())
        else:
            if current is not None and line.strip():
                converted.append("")
            current = None
            converted.append(line)
    lines[:] = converted
    if name == "kerasvg.layered_view":
        missing = [p for p in parameters if p not in described and p != "model"]
        if missing:
            from sphinx.util import logging

            logging.getLogger(__name__).warning("layered_view's docstring does not describe: %s", ", ".join(missing))


def setup(app):
    app.connect("autodoc-process-docstring", keyword_fields)
