"""Writers: each draws a `scene.Scene` in one output format (svg, raster for PNG/JPEG/PDF, html, tikz, pptx).

`paint` resolves the theme's colours once for all of them; `schemes` adds the light/dark CSS to an SVG;
`outlines` turns SVG text into paths.
"""
