"""Real architectures: graph topology, skips, branches, nesting, folding, wrapping — measured on the SVG."""
from collections import Counter

import pytest

import svgcheck
from conftest import connector_groups, layer_groups, parse_svg

SVG_NS = "{http://www.w3.org/2000/svg}"


def keras_edges(model):
    """Edges straight from Keras's own config (independent of kerasvg's reader)."""
    edges = set()

    def sources(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                yield value["config"]["keras_history"][0]
            else:
                for v in value.values():
                    yield from sources(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from sources(v)

    config = model.get_config()
    if type(model).__name__ == "Sequential":
        names = [layer["config"]["name"] for layer in config["layers"]]
        return set(zip(names, names[1:]))
    for layer in config["layers"]:
        for node in layer.get("inbound_nodes", []):
            for source in sources(node):
                edges.add((source, layer["config"]["name"]))
    return edges


def drawn_edges(svg):
    return Counter((g.get("data-from"), g.get("data-to")) for g in connector_groups(parse_svg(svg)))


def assert_legible(svg):
    drawing = svgcheck.read(svg)
    assert svgcheck.label_overlaps(drawing) == []
    assert svgcheck.labels_on_other_boxes(drawing) == []
    assert svgcheck.box_overlaps(drawing) == []
    assert svgcheck.connectors_through(drawing) == []
    return drawing


def points_at(drawing, inches):
    """The text size in points when the drawing is printed `inches` wide."""
    return drawing.font_size * (inches * 96 / drawing.width) * 72 / 96


@pytest.fixture(scope="module")
def zoo_models(keras):
    from kerasvg import zoo

    return {name: build() for name, build in zoo.CUSTOM.items()}


@pytest.fixture(scope="module")
def applications(keras):
    """A cache: each keras.applications model is built once per module."""
    return {}


def _application(applications, name):
    from kerasvg import zoo

    if name not in applications:
        applications[name] = zoo.application(name)
    return applications[name]


CUSTOM = ["unet", "transformer-encoder", "two-in-two-out", "sequence-tagger", "nested-classifier", "residual-block"]


@pytest.mark.parametrize("name", CUSTOM)
def test_custom_models_are_legible_and_draw_every_edge_once(zoo_models, name):
    import kerasvg

    model = zoo_models[name]
    for options in ({}, {"aspect": 16 / 9}):
        svg = kerasvg.layered_view(model, **options).to_svg()
        assert_legible(svg)
        drawn = drawn_edges(svg)
        assert set(drawn) == keras_edges(model)
        assert max(drawn.values()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "DenseNet121", "MobileNetV2", "EfficientNetB0", "InceptionV3"])
def test_applications_at_defaults_and_at_16_9(applications, name):
    import kerasvg

    model = _application(applications, name)
    default = kerasvg.layered_view(model)
    assert_legible(default.to_svg())
    drawn = drawn_edges(default.to_svg())
    assert set(drawn) == keras_edges(model) and max(drawn.values()) == 1
    png = default.to_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"

    wrapped = kerasvg.layered_view(model, aspect=16 / 9)
    drawing = assert_legible(wrapped.to_svg())
    aspect = drawing.width / drawing.height
    assert 1 / 1.15 <= aspect / (16 / 9) <= 1.15  # the asked ratio, legend included
    assert points_at(drawing, 13.33) >= 7.5  # legible on a widescreen slide (13.33 in wide), legend included
    titles = [g.find(f"{SVG_NS}title").text for g in layer_groups(parse_svg(wrapped.to_svg()))]
    assert len(titles) == len(model.layers) and all(t for t in titles)


@pytest.mark.slow
def test_resnet_skips_arrive_at_every_add(applications):
    import kerasvg

    model = _application(applications, "ResNet50")
    root = parse_svg(kerasvg.layered_view(model).to_svg())
    adds = [g.get("data-name") for g in layer_groups(root) if g.get("data-type") == "Add"]
    assert len(adds) == 16
    skips = [g for g in connector_groups(root) if "skip" in g.get("class").split()]
    for add in adds:
        assert any(g.get("data-to") == add for g in skips), add
    for g in skips:
        head = g.find(f"{SVG_NS}polygon")
        assert head is not None and "arrowhead" in head.get("class")
        assert g.find(f"{SVG_NS}polyline").get("stroke-dasharray")


def _layer_centres(svg):
    centres = {}
    for layer in svgcheck.read(svg).layers:
        front = layer.faces[0]
        xs, ys = [p[0] for p in front], [p[1] for p in front]
        centres[layer.name] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return centres


def test_branches_get_parallel_lanes_and_inputs_are_labelled(zoo_models):
    import kerasvg

    svg = kerasvg.layered_view(zoo_models["two-in-two-out"]).to_svg()
    centres = _layer_centres(svg)
    assert centres["image"][1] != centres["metadata"][1]
    assert centres["label"][1] != centres["score"][1]
    assert centres["label"][0] == pytest.approx(centres["score"][0])
    root = parse_svg(svg)
    labelled = {g.get("data-name") for g in layer_groups(root) if g.findall(f"{SVG_NS}text")}
    assert {"image", "metadata", "label", "score"} <= labelled


def test_topology_comes_from_the_graph_not_layer_order(keras):
    import kerasvg
    from keras import layers as L

    x = keras.Input((8,), name="x")
    late = L.Dense(4, name="late")  # created first, used last
    early = L.Dense(4, name="early")
    y = late(early(x))
    model = keras.Model(x, y, name="order")
    centres = _layer_centres(kerasvg.layered_view(model).to_svg())
    assert centres["x"][0] < centres["early"][0] < centres["late"][0]


def test_shared_layer_is_one_box_with_an_edge_per_use(keras):
    import kerasvg
    from keras import layers as L

    a, b = keras.Input((8,), name="left"), keras.Input((8,), name="right")
    tower = L.Dense(4, name="tower")
    out = L.Subtract(name="distance")([tower(a), tower(b)])
    svg = kerasvg.layered_view(keras.Model([a, b], out, name="siamese")).to_svg()
    names = [g.get("data-name") for g in layer_groups(parse_svg(svg))]
    assert names.count("tower") == 1
    assert set(drawn_edges(svg)) == {("left", "tower"), ("right", "tower"), ("tower", "distance")}


def test_nested_models_collapse_by_default_and_expand_on_request(zoo_models):
    import kerasvg

    model = zoo_models["nested-classifier"]
    collapsed = parse_svg(kerasvg.layered_view(model).to_svg())
    assert "encoder" in [g.get("data-name") for g in layer_groups(collapsed)]
    assert not any("/" in g.get("data-name") for g in layer_groups(collapsed))

    svg = kerasvg.layered_view(model, expand_nested=True).to_svg()
    root = parse_svg(svg)
    outer = [g for g in layer_groups(root) if g.get("data-name") == "encoder"]
    assert len(outer) == 1
    inner = [g.get("data-name") for g in outer[0].iter(f"{SVG_NS}g") if "layer" in g.get("class", "").split() and g is not outer[0]]
    assert inner == ["encoder/enc_conv1", "encoder/enc_pool", "encoder/enc_conv2", "encoder/enc_gap"]
    assert outer[0].find(f"{SVG_NS}rect") is not None
    assert ("rescale", "encoder/enc_conv1") in drawn_edges(svg)
    assert ("encoder/enc_gap", "head_dense") in drawn_edges(svg)
    assert_legible(svg)


def test_fold_repeats_draws_identical_blocks_once_with_a_badge(keras):
    import kerasvg
    from keras import layers as L

    blocks = [keras.Input((16,), name="features")]
    for i in range(5):
        blocks += [L.Dense(16, name=f"dense{i}"), L.BatchNormalization(name=f"bn{i}"), L.ReLU(name=f"relu{i}")]
    blocks.append(L.Dense(2, name="out"))
    model = keras.Sequential(blocks, name="repeated")
    svg = kerasvg.layered_view(model, fold_repeats=True).to_svg()
    root = parse_svg(svg)
    names = [g.get("data-name") for g in layer_groups(root)]
    assert names == ["features", "dense0", "bn0", "relu0", "out"]
    badges = [t.text for t in root.iter(f"{SVG_NS}text") if (t.text or "").startswith("×")]
    assert badges == ["×5"]
    assert ("relu0", "out") in drawn_edges(svg)
    unfolded = [g.get("data-name") for g in layer_groups(parse_svg(kerasvg.layered_view(model).to_svg()))]
    assert len(unfolded) == 17


def test_aspect_wraps_a_long_flow_into_rows(keras):
    import kerasvg
    from keras import layers as L

    model = keras.Sequential([keras.Input((32,), name="in")] + [L.Dense(32, name=f"d{i}") for i in range(40)], name="long")
    flat = kerasvg.layered_view(model, aspect=8.0)
    wrapped = kerasvg.layered_view(model, aspect=16 / 9)
    assert wrapped.width / wrapped.height == pytest.approx(16 / 9, rel=0.6)
    assert flat.width / flat.height > wrapped.width / wrapped.height
    rows = {round(y) for _, y in _layer_centres(wrapped.to_svg()).values()}
    assert len(rows) >= 3
    assert_legible(wrapped.to_svg())
    assert set(drawn_edges(wrapped.to_svg())) == keras_edges(model)


def test_max_width_limits_the_drawing(keras):
    import kerasvg
    from keras import layers as L

    model = keras.Sequential([keras.Input((32,), name="in")] + [L.Dense(32, name=f"d{i}") for i in range(30)], name="long")
    for limit in (600, "6in"):
        d = kerasvg.layered_view(model, max_width=limit)
        assert d.vector_size[0] <= (600 if limit == 600 else 576) + 1e-6
        assert_legible(d.to_svg())


def test_bad_layout_options_are_rejected(keras, seed_model):
    import kerasvg

    with pytest.raises(ValueError, match="aspect"):
        kerasvg.layered_view(seed_model, aspect="wide")
    with pytest.raises(ValueError, match="aspect"):
        kerasvg.layered_view(seed_model, aspect=0)
    with pytest.raises(ValueError, match="max_width"):
        kerasvg.layered_view(seed_model, max_width="ten inches")


def test_default_sizes_keep_big_and_small_tensors_readable():
    from kerasvg.layout.sizing import Sizing, box_size

    big = box_size((None, 224, 224, 64), Sizing())
    small = box_size((None, 10), Sizing())
    assert 60 <= big[1] <= 160 and big[0] <= 80
    assert 14 <= small[1] < big[1]
    accurate = box_size((None, 224, 224, 64), Sizing(mode="accurate"))
    assert accurate[1] == 896  # visualkeras: 224 * scale_xy 4


def test_large_models_label_key_layers_only_unless_asked(keras):
    import kerasvg
    from keras import layers as L

    x = inp = keras.Input((16, 16, 8), name="in")
    for i in range(35):
        y = L.Conv2D(8, 3, padding="same", name=f"conv{i}")(x)
        x = L.Add(name=f"add{i}")([x, y])
    model = keras.Model(inp, L.GlobalAveragePooling2D(name="pool")(x), name="deep")
    root = parse_svg(kerasvg.layered_view(model).to_svg())
    labelled = {g.get("data-name") for g in layer_groups(root) if g.findall(f"{SVG_NS}text")}
    assert {"in", "pool", "add0", "add34"} <= labelled and "conv5" not in labelled
    root = parse_svg(kerasvg.layered_view(model, labels=("name",)).to_svg())
    assert all(g.findall(f"{SVG_NS}text") for g in layer_groups(root))


@pytest.mark.parametrize("name", CUSTOM)
def test_top_to_bottom_flow_is_legible_and_draws_every_edge_once(zoo_models, name):
    import kerasvg

    model = zoo_models[name]
    for options in ({"direction": "tb"}, {"direction": "tb", "aspect": 0.7}):
        svg = kerasvg.layered_view(model, **options).to_svg()
        assert_legible(svg)
        drawn = drawn_edges(svg)
        assert set(drawn) == keras_edges(model) and max(drawn.values()) == 1


def test_top_to_bottom_puts_each_layer_below_its_input(zoo_models):
    import kerasvg

    model = zoo_models["sequence-tagger"]
    centres = _layer_centres(kerasvg.layered_view(model, direction="tb").to_svg())
    order = ["tokens", "embedding", "bilstm", "dropout", "time_dense", "tags"]
    ys = [centres[name][1] for name in order]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    assert len({round(centres[name][0]) for name in order}) == 1
    root = parse_svg(kerasvg.layered_view(model, direction="tb").to_svg())
    assert all(t.get("text-anchor") == "start" for t in root.iter(f"{SVG_NS}text") if t.get("class") == "label")


def test_direction_rejects_unknown_values_and_max_width_with_tb(seed_model):
    import kerasvg

    with pytest.raises(ValueError, match="direction"):
        kerasvg.layered_view(seed_model, direction="diagonal")
    with pytest.raises(ValueError, match="max_width"):
        kerasvg.layered_view(seed_model, direction="tb", max_width=600)


def test_legend_can_stand_right_of_the_drawing(zoo_models):
    import kerasvg

    svg = kerasvg.layered_view(zoo_models["small-cnn"], legend=True, overrides={"legend": {"position": "right"}}).to_svg()
    root = parse_svg(svg)
    rightmost_box = max(p[0] for layer in svgcheck.read(svg).layers for face in layer.faces for p in face)
    swatches = [g.find(f"{SVG_NS}rect") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "legend-entry"]
    assert len(swatches) == 6
    xs = {float(r.get("x")) for r in swatches}
    ys = [float(r.get("y")) for r in swatches]
    assert len(xs) == 1 and min(xs) > rightmost_box and ys == sorted(ys) and len(set(ys)) == 6
