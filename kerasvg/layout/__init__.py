"""Layout: sized layers and graph edges → a Scene. Pure math.

Columns come from the graph (longest path from the inputs), lanes stack parallel branches
below the main path, and rows wrap a long flow ("snake") to an aspect ratio or width.
Connectors run only through corridors that hold no box and no label: straight between
neighbours, elbows in the gaps between columns, along empty lanes, in the skip area above
each row, down the right margin and through the gaps between rows.

The pieces, side by side: `sizing` (box sizes from tensor shapes), `groups` (stages and blocks),
`columns` (columns, lanes and placement within a row), `rows` (where a long flow wraps),
`routing` (every edge's corridor and tracks), `assemble` (all of it into a `Scene`);
`geometry` holds the projection and arrowheads, `spec` what the engine is given.
"""
from .assemble import layout
from .spec import FrameSpec, Item, LayoutOptions

__all__ = ["FrameSpec", "Item", "LayoutOptions", "layout"]

