"""Geometry properties (no TensorFlow): sizing, box faces and layout on plain Items and ModelGraphs."""
import itertools

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import kerasvg
import svgcheck
from kerasvg import Layer, ModelGraph
from kerasvg.layout.geometry import box_faces, project_depth
from kerasvg.layout import Item, LayoutOptions, layout
from kerasvg.layout.sizing import ORIENTATIONS, Sizing, box_size
from kerasvg.scene.text import text_width

EPS = 0.01
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONOTONE_MODES = (None, "accurate", "capped", "logarithmic", "relative")
CATEGORIES = ("input", "convolution", "dense", "pooling", "merge", "other")

dims = st.integers(min_value=1, max_value=5000)
shapes = st.lists(dims, min_size=1, max_size=4).map(lambda d: (None,) + tuple(d))
label_text = st.text(alphabet=st.sampled_from("abcxyzMW_019 ×层🚀|()"), min_size=1, max_size=36)


# ---------------------------------------------------------------- sizing


@PROPERTY
@given(shape=shapes, axis=st.integers(0, 3), grow=st.integers(1, 4000),
       mode=st.sampled_from(MONOTONE_MODES), orientation=st.sampled_from(ORIENTATIONS))
def test_box_size_is_monotone_in_tensor_size(shape, axis, grow, mode, orientation):
    assume(axis < len(shape) - 1)
    bigger = list(shape)
    bigger[axis + 1] += grow
    sizing = Sizing(mode=mode, one_dim_orientation=orientation)
    small, large = box_size(shape, sizing), box_size(tuple(bigger), sizing)
    assert all(b >= a - 1e-9 for a, b in zip(small, large)), (shape, bigger, small, large)


@PROPERTY
@given(shape=shapes, mode=st.sampled_from(MONOTONE_MODES + ("balanced",)), orientation=st.sampled_from(ORIENTATIONS),
       scale=st.floats(0.2, 2.0))
def test_box_sizes_are_positive_and_bounded(shape, mode, orientation, scale):
    w, h, d = box_size(shape, Sizing(mode=mode, one_dim_orientation=orientation, scale=scale))
    assert min(w, h, d) > 0
    limit = (2000 if mode else 140) * scale
    assert max(w, h, d) <= limit + 1e-9


def test_a_tiny_layer_stays_visible_and_a_huge_one_bounded():
    tiny, huge = box_size((None, 1), Sizing()), box_size((None, 224, 224, 2048), Sizing())
    assert min(tiny) >= 6
    assert max(huge) <= 140


def test_unknown_shapes_get_a_default_box():
    for shape in ("?", (None,), (None, None, None)):
        assert min(box_size(shape, Sizing())) > 0


# ---------------------------------------------------------------- faces


def _signed_area(poly):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1])) / 2


def _is_convex(poly):
    signs = set()
    for a, b, c in zip(poly, poly[1:] + poly[:1], poly[2:] + poly[:2]):
        cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
        if abs(cross) > 1e-9:
            signs.add(cross > 0)
    return len(signs) == 1


@PROPERTY
@given(x=st.floats(-500, 500), axis=st.floats(-500, 500), width=st.floats(0.5, 400), height=st.floats(0.5, 400),
       depth=st.one_of(st.just(0.0), st.floats(0.5, 400)), reversed_=st.booleans())
def test_faces_are_convex_and_do_not_overlap(x, axis, width, height, depth, reversed_):
    dx, dy = project_depth(depth, reversed_)
    faces = box_faces(x, axis, width, height, dx, dy)
    assert faces[0].role == "front"
    assert [f.role for f in faces] == (["front"] if depth == 0 else ["front", "top", "side"])
    for face in faces:
        points = list(face.points)
        assert len(points) == 4
        assert _is_convex(points), face
        assert abs(_signed_area(points)) > 0
    for a, b in itertools.combinations(faces, 2):
        if abs(_signed_area(list(a.points))) > 1 and abs(_signed_area(list(b.points))) > 1:
            assert not svgcheck.convex_overlap(list(a.points), list(b.points), eps=0.05), (a.role, b.role)


# ---------------------------------------------------------------- layout on plain Items


@st.composite
def scenes(draw):
    count = draw(st.integers(1, 14))
    items = []
    for i in range(count):
        lines = tuple(draw(st.lists(label_text, min_size=0, max_size=3)))
        items.append(Item(
            name=f"layer{i}", type=draw(st.sampled_from(("Dense", "Conv2D", "Add"))),
            category=draw(st.sampled_from(CATEGORIES)),
            width=draw(st.floats(2, 120)), height=draw(st.floats(2, 160)), depth=draw(st.one_of(st.just(0.0), st.floats(1, 140))),
            lines=lines, above=draw(st.booleans()),
        ))
    edges = [(f"layer{i}", f"layer{i + 1}") for i in range(count - 1) if draw(st.booleans()) or i == 0]
    for _ in range(draw(st.integers(0, 4))):
        if count >= 3:
            a = draw(st.integers(0, count - 3))
            b = draw(st.integers(a + 2, count - 1))
            edges.append((f"layer{a}", f"layer{b}"))
    font = draw(st.sampled_from((9.0, 12.0, 16.0)))
    legend = tuple(("type", t, c, t) for t, c in sorted({(it.type, it.category) for it in items})) if draw(st.booleans()) else ()
    opts = LayoutOptions(
        spacing=draw(st.floats(4, 60)), padding=draw(st.floats(0, 40)), font_size=font,
        line_spacing=draw(st.floats(0, 8)), reversed=draw(st.booleans()), funnel=draw(st.booleans()),
        legend=legend, measure=lambda text: text_width(text, font),
    )
    return items, edges, opts


def _inside(point, scene):
    x, y = point
    return -EPS <= x <= scene.width + EPS and -EPS <= y <= scene.height + EPS


@PROPERTY
@given(case=scenes())
def test_everything_lies_inside_the_view_box(case):
    items, edges, opts = case
    scene = layout(items, edges, opts)
    for box in scene.boxes:
        for face in box.faces:
            assert all(_inside(p, scene) for p in face.points), box.name
        if box.label is not None:
            x0, y0, x1, y1 = box.label.bounds
            assert _inside((x0, y0), scene) and _inside((x1, y1), scene), box.name
    for c in scene.connectors:
        assert all(_inside(p, scene) for p in c.points + c.arrow), (c.source, c.target)
    for entry in scene.legend:
        x, y, size = entry.swatch
        assert _inside((x, y), scene) and _inside((x + size, y + size), scene)
        assert _inside((entry.text_x + opts.measure(entry.text), entry.text_y), scene)
    for line in scene.funnels:
        assert all(_inside(p, scene) for p in line)


@PROPERTY
@given(case=scenes())
def test_boxes_come_back_to_front_in_layer_order_and_never_overlap(case):
    items, edges, opts = case
    scene = layout(items, edges, opts)
    assert [b.name for b in scene.boxes] == [it.name for it in items]
    for a, b in itertools.combinations(scene.boxes, 2):
        for fa in a.faces:
            for fb in b.faces:
                assert not svgcheck.convex_overlap(list(fa.points), list(fb.points)), (a.name, b.name)
    for box in scene.boxes:
        assert [f.role for f in box.faces][0] == "front"
        assert all(_is_convex(list(f.points)) for f in box.faces)


@PROPERTY
@given(case=scenes())
def test_labels_never_overlap_for_any_label_lengths(case):
    items, edges, opts = case
    scene = layout(items, edges, opts)
    labels = [(b.name, b.label.bounds) for b in scene.boxes if b.label is not None]
    assert len(labels) == sum(1 for it in items if it.lines)
    for (na, a), (nb, b) in itertools.combinations(labels, 2):
        overlap = min(a[2], b[2]) - max(a[0], b[0]) > EPS and min(a[3], b[3]) - max(a[1], b[1]) > EPS
        assert not overlap, (na, a, nb, b)


@PROPERTY
@given(case=scenes())
def test_every_edge_is_routed_once(case):
    items, edges, opts = case
    scene = layout(items, edges, opts)
    drawn = [(c.source, c.target) for c in scene.connectors]
    assert sorted(drawn) == sorted(set(edges))
    for c in scene.connectors:
        assert len(c.points) >= 2 and len(c.arrow) == 3


@PROPERTY
@given(case=scenes())
def test_layout_is_deterministic(case):
    items, edges, opts = case
    assert layout(items, edges, opts) == layout(items, edges, opts)


# ---------------------------------------------------------------- the whole pipeline on ModelGraphs


@st.composite
def graphs(draw):
    count = draw(st.integers(2, 10))
    names = draw(st.lists(label_text.map(str.strip).filter(bool), min_size=count, max_size=count, unique=True))
    layers = []
    for i, name in enumerate(names):
        shape = draw(shapes)
        layers.append(Layer(name, "InputLayer" if i == 0 else draw(st.sampled_from(("Dense", "Conv2D", "LSTM", "Add"))),
                            (shape,), draw(st.integers(0, 10 ** 7)), is_input=i == 0, index=i))
    edges = list(zip(names, names[1:]))
    if count >= 3 and draw(st.booleans()):
        edges.append((names[0], names[-1]))
    return ModelGraph("random", tuple(layers), tuple(edges), (names[0],), (names[-1],))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=graphs(), labels=st.sampled_from([("name", "shape"), ("name", "type", "shape", "params"), ("type",)]))
def test_rendered_labels_never_overlap_and_stay_in_the_view_box(graph, labels):
    drawing = svgcheck.read(kerasvg.layered_view(graph, labels=labels).to_svg())
    assert svgcheck.label_overlaps(drawing) == []
    assert svgcheck.box_overlaps(drawing) == []
    for layer in drawing.layers:
        for x, y in [p for face in layer.faces for p in face]:
            assert -EPS <= x <= drawing.width + EPS and -EPS <= y <= drawing.height + EPS
        for x0, y0, x1, y1 in layer.labels:
            assert x0 >= -0.5 and x1 <= drawing.width + 0.5, layer.name
    for _, _, points, _ in drawing.connectors:
        assert all(-EPS <= x <= drawing.width + EPS and -EPS <= y <= drawing.height + EPS for x, y in points)


def test_balanced_mode_is_visualkeras_step_function():
    """visualkeras's 'balanced' mode scales 1-64 fully and 65-512 by 0.6: kerasvg keeps that meaning."""
    sizing = Sizing(mode="balanced", one_dim_orientation="z")
    assert box_size((None, 64), sizing)[0] == pytest.approx(96)
    assert box_size((None, 100), sizing)[0] == pytest.approx(90)
