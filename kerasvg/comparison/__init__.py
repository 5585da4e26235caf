"""Comparing two models: `matching` pairs their layers, `compare` gives every layer and edge a status,
`marks` puts those statuses on the scene, `summary` prints them."""
from __future__ import annotations

from .compare import ModelDiff, compare, diff, render, summary_lines

__all__ = ["ModelDiff", "compare", "diff", "render", "summary_lines"]
