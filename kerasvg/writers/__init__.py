"""Writers that draw a `scene.Scene` in one output format each (the SVG writer is `kerasvg.svg`)."""
