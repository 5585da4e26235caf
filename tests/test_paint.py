"""writers/paint.py resolves the same colours the SVG writer draws, so every format matches the SVG."""
import pytest

import kerasvg
from kerasvg import Layer, ModelGraph
from kerasvg.writers import paint
from conftest import SVG_NS, layer_groups, parse_svg


def graph():
    layers = (Layer("image", "InputLayer", ((None, 16, 16, 3),), is_input=True),
              Layer("conv", "Conv2D", ((None, 16, 16, 8),), trainable_params=224),
              Layer("norm", "BatchNormalization", ((None, 16, 16, 8),), trainable_params=32),
              Layer("out", "Dense", ((None, 4),), trainable_params=36))
    names = [l.name for l in layers]
    return ModelGraph("tiny", layers, tuple(zip(names, names[1:])), inputs=("image",), outputs=("out",))


@pytest.mark.parametrize("theme, shade_step", [("default", None), ("paper", None), ("slides", None),
                                               ("default", 10), ("default", 0)])
def test_face_paints_match_the_svg(theme, shade_step):
    d = kerasvg.layered_view(graph(), theme=theme, shade_step=shade_step)
    root = parse_svg(d.to_svg())
    for group, box in zip(layer_groups(root), d.scene.boxes):
        look = paint.box_paint(d.theme, box.type, box.category, shade_step)
        for polygon in group.iter(f"{SVG_NS}polygon"):
            role = polygon.get("class").split()[-1]
            if "face" in polygon.get("class").split():
                assert polygon.get("fill") == look.faces[role].colour
                assert polygon.get("stroke") == look.outline.colour


def test_writers_use_the_diagrams_shade_step():
    flat = kerasvg.layered_view(graph(), shade_step=0)
    tex = flat.to_tikz()
    assert "{HTML}{4E79A7}" in tex and "{HTML}{83A1C1}" not in tex  # conv's top face is not lightened
    assert "{HTML}{83A1C1}" in kerasvg.layered_view(graph()).to_tikz()
