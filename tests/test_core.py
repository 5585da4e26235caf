"""Core (issue 2): the public API, the SVG contract, the models that must work, rasters, errors,
atomic writes, escaping and determinism."""
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import kerasvg
import svgcheck
from conftest import SVG_NS, connector_groups, layer_groups, parse_svg
from kerasvg import Layer, ModelGraph

ROOT = Path(__file__).resolve().parent.parent
PNG, JPEG, PDF = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-"
OLD = b"the user's previous figure: must survive"


# ---------------------------------------------------------------- helpers


def groups(diagram):
    return layer_groups(parse_svg(diagram.to_svg()))


def names(diagram):
    return [g.get("data-name") for g in groups(diagram)]


def edges(diagram):
    return [(c.get("data-from"), c.get("data-to")) for c in connector_groups(parse_svg(diagram.to_svg()))]


def group_named(diagram, name):
    found = [g for g in groups(diagram) if g.get("data-name") == name]
    assert len(found) == 1, f"expected one layer group named {name!r}, found {len(found)}"
    return found[0]


def image(data):
    from PIL import Image

    return Image.open(io.BytesIO(data))


def topological(names_in_order, edge_list):
    """Reference order: Kahn's algorithm, ready layers taken in `names_in_order` order."""
    done, order = set(), []
    while len(order) < len(names_in_order):
        for name in names_in_order:
            if name not in done and all(s in done for s, t in edge_list if t == name):
                done.add(name)
                order.append(name)
                break
    return order


def tiny_graph(name="tiny", layer_names=("input", "hidden", "output")):
    shapes = [(None, 8), (None, 16), (None, 2)]
    layers = tuple(Layer(n, "InputLayer" if i == 0 else "Dense", (shapes[i % 3],), 10 * i, is_input=i == 0, index=i)
                   for i, n in enumerate(layer_names))
    return ModelGraph(name, layers, tuple(zip(layer_names, layer_names[1:])), (layer_names[0],), (layer_names[-1],))


# ---------------------------------------------------------------- models


@pytest.fixture(scope="module")
def cnn(keras):
    L = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1), name="pixels"),
        L.Conv2D(16, 3, activation="relu", name="conv1"),
        L.MaxPooling2D(name="pool1"),
        L.Conv2D(32, 3, activation="relu", name="conv2"),
        L.Flatten(name="flatten"),
        L.Dense(10, activation="softmax", name="probs"),
    ], name="small_cnn")


@pytest.fixture(scope="module")
def residual(keras):
    L = keras.layers
    x = keras.Input((16, 16, 8), name="features")
    a = L.Conv2D(8, 3, padding="same", name="conv_a")(x)
    b = L.BatchNormalization(name="bn")(a)
    c = L.Conv2D(8, 3, padding="same", name="conv_b")(L.Activation("relu", name="relu")(b))
    out = L.Activation("relu", name="out")(L.Add(name="add")([x, c]))
    return keras.Model(x, out, name="residual_block")


def image_model(keras):
    L = keras.layers
    x = keras.Input((16, 16, 3), name="rgb")
    y = L.Rescaling(1 / 255, name="rescale")(x)
    y = L.ZeroPadding2D(1, name="zero_pad")(y)
    y = L.Conv2D(8, 3, name="conv2d")(y)
    y = L.DepthwiseConv2D(3, padding="same", name="depthwise")(y)
    y = L.SeparableConv2D(8, 3, padding="same", name="separable")(y)
    y = L.BatchNormalization(name="batch_norm")(y)
    y = L.Activation("relu", name="activation")(y)
    y = L.MaxPooling2D(name="max_pool")(y)
    y = L.Conv2DTranspose(8, 3, strides=2, padding="same", name="conv_transpose")(y)
    y = L.AveragePooling2D(2, name="avg_pool")(y)
    y = L.Dropout(0.3, name="dropout")(y)
    y = L.GlobalAveragePooling2D(name="global_avg")(y)
    y = L.Reshape((2, 4), name="reshape")(y)
    y = L.Flatten(name="flatten")(y)
    return keras.Model(x, L.Dense(3, name="dense")(y), name="image_model")


def volume_model(keras):
    L = keras.layers
    seq = keras.Input((12, 3), name="signal")
    a = L.Conv1D(4, 3, name="conv1d")(seq)
    a = L.MaxPooling1D(name="max_pool1d")(a)
    a = L.GlobalMaxPooling1D(name="global_max1d")(a)
    vol = keras.Input((6, 6, 6, 1), name="volume")
    b = L.Conv3D(2, 3, name="conv3d")(vol)
    b = L.GlobalAveragePooling3D(name="global_avg3d")(b)
    return keras.Model([seq, vol], L.Concatenate(name="concat")([a, b]), name="volume_model")


def sequence_model(keras):
    L = keras.layers
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    e = L.Embedding(50, 8, name="embedding")(tokens)
    s = L.LSTM(8, return_sequences=True, name="lstm")(e)
    s = L.GRU(8, return_sequences=True, name="gru")(s)
    s = L.Bidirectional(L.SimpleRNN(4, return_sequences=True, name="rnn"), name="bidirectional")(s)
    s = L.TimeDistributed(L.Dense(8, name="td_dense"), name="time_distributed")(s)
    s = L.LayerNormalization(name="layer_norm")(s)
    att = L.MultiHeadAttention(2, 4, name="attention")(s, s)
    added = L.Add(name="add")([s, att])
    multiplied = L.Multiply(name="multiply")([added, s])
    return keras.Model(tokens, L.Concatenate(name="concat")([added, multiplied]), name="sequence_model")


def custom_layer_model(keras):
    class Wobble(keras.layers.Layer):
        def call(self, x):
            return x * 2.0

    x = keras.Input((5,), name="x")
    return keras.Model(x, keras.layers.Dense(2, name="head")(Wobble(name="wobble")(x)), name="custom")


@pytest.fixture(scope="module")
def zoo(keras):
    """One diagram per model covering the layer classes the issue lists."""
    models = [image_model(keras), volume_model(keras), sequence_model(keras), custom_layer_model(keras)]
    return {m.name: (m, kerasvg.layered_view(m)) for m in models}


LAYER_CLASSES = [
    ("image_model", "Rescaling"), ("image_model", "ZeroPadding2D"), ("image_model", "Conv2D"),
    ("image_model", "DepthwiseConv2D"), ("image_model", "SeparableConv2D"), ("image_model", "BatchNormalization"),
    ("image_model", "Activation"), ("image_model", "MaxPooling2D"), ("image_model", "Conv2DTranspose"),
    ("image_model", "AveragePooling2D"), ("image_model", "Dropout"), ("image_model", "GlobalAveragePooling2D"),
    ("image_model", "Reshape"), ("image_model", "Flatten"), ("image_model", "Dense"),
    ("volume_model", "Conv1D"), ("volume_model", "MaxPooling1D"), ("volume_model", "GlobalMaxPooling1D"),
    ("volume_model", "Conv3D"), ("volume_model", "GlobalAveragePooling3D"), ("volume_model", "Concatenate"),
    ("sequence_model", "Embedding"), ("sequence_model", "LSTM"), ("sequence_model", "GRU"),
    ("sequence_model", "Bidirectional"), ("sequence_model", "TimeDistributed"),
    ("sequence_model", "LayerNormalization"), ("sequence_model", "MultiHeadAttention"), ("sequence_model", "Add"),
    ("sequence_model", "Multiply"), ("custom", "Wobble"),
]


# ---------------------------------------------------------------- the seed example and the public API


BLOG_EXAMPLE = """
import keras
from keras.models import Sequential
from keras.layers import Dense

model = Sequential()
model.add(Dense(12, input_dim=8, activation='relu'))
model.add(Dense(8, activation='relu'))
model.add(Dense(1, activation='sigmoid'))

import kerasvg as visualkeras
visualkeras.layered_view(model)
visualkeras.layered_view(model).save('model_visualization.png')
"""


@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`/`input_dim`:UserWarning")  # as the blog writes it
def test_blog_example_runs_as_written(tmp_path, monkeypatch, keras):
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(BLOG_EXAMPLE, "seed-blog", "exec"), scope)
    png = (tmp_path / "model_visualization.png").read_bytes()
    assert png.startswith(PNG)
    picture = image(png)
    assert picture.width >= 200 and picture.height >= 100, f"a thumbnail: {picture.size}"
    diagram = scope["visualkeras"].layered_view(scope["model"])
    assert isinstance(diagram, kerasvg.Diagram)
    found = groups(diagram)
    assert len(found) == 4
    assert [g.get("data-type") for g in found] == ["InputLayer", "Dense", "Dense", "Dense"]
    assert [g.get("data-shape") for g in found] == ["(None, 8)", "(None, 12)", "(None, 8)", "(None, 1)"]
    assert [g.get("data-params") for g in found] == ["0", "108", "104", "9"]


def test_seed_labels_are_readable_at_100_percent(seed_model):
    drawing = svgcheck.read(kerasvg.layered_view(seed_model).to_svg())
    assert drawing.font_size >= 10
    for layer in drawing.layers:
        xs = [x for face in layer.faces for x, _ in face]
        ys = [y for face in layer.faces for _, y in face]
        assert max(xs) - min(xs) >= 6 and max(ys) - min(ys) >= 6, f"{layer.name} is a speck"
        assert layer.labels, f"{layer.name} has no label"


def test_to_svg_and_repr_svg(seed_model):
    d = kerasvg.layered_view(seed_model)
    assert isinstance(d.to_svg(), str)
    assert d._repr_svg_() == d.to_svg()
    assert parse_svg(d._repr_svg_()).tag == f"{SVG_NS}svg"


@pytest.mark.parametrize("extension", ["svg", "png", "jpg", "jpeg", "pdf", "html"])
def test_save_picks_the_format_from_the_extension(seed_model, tmp_path, extension):
    d = kerasvg.layered_view(seed_model)
    path = tmp_path / f"fig.{extension}"
    assert d.save(path) is d
    data = path.read_bytes()
    if extension == "svg":
        assert data == d.to_svg().encode("utf-8")
    elif extension == "html":
        assert data.lstrip().lower().startswith(b"<!doctype html") and b"<svg" in data
    else:
        magic = {"png": PNG, "jpg": JPEG, "jpeg": JPEG, "pdf": PDF}[extension]
        assert data.startswith(magic)
    assert os.listdir(tmp_path) == [path.name]


def test_png_size_is_svg_size_times_scale(seed_model):
    d = kerasvg.layered_view(seed_model)
    for scale in (1, 2, 3.5):
        w, h = image(d.to_png(scale=scale)).size
        vw, vh = d.vector_size
        assert abs(w - vw * scale) <= 1 and abs(h - vh * scale) <= 1, (scale, w, h, vw, vh)


def test_dpi_is_scale_times_96(seed_model):
    d = kerasvg.layered_view(seed_model)
    by_dpi, by_scale = image(d.to_png(dpi=192)), image(d.to_png(scale=2))
    assert by_dpi.size == by_scale.size
    assert by_dpi.convert("RGBA").tobytes() == by_scale.convert("RGBA").tobytes()
    assert round(by_dpi.info["dpi"][0]) == 192


def test_scale_and_dpi_together_is_an_error(seed_model):
    d = kerasvg.layered_view(seed_model)
    with pytest.raises(ValueError, match="scale or dpi"):
        d.to_png(scale=2, dpi=192)
    for bad in ({"scale": 0}, {"scale": -1}, {"dpi": 0}):
        with pytest.raises(ValueError, match="greater than 0"):
            d.to_png(**bad)


def test_a_diagram_has_no_public_setters(seed_model):
    d = kerasvg.layered_view(seed_model)
    for name in ("svg", "scene", "graph", "theme", "background", "physical_width", "detail", "vector_size", "size"):
        with pytest.raises(AttributeError):
            setattr(d, name, None)
    assert "4 layers" in repr(d)


def test_the_extension_is_case_insensitive(seed_model, tmp_path):
    kerasvg.layered_view(seed_model).save(tmp_path / "FIG.PNG")
    assert (tmp_path / "FIG.PNG").read_bytes().startswith(PNG)


def test_a_svg_string_is_a_valid_standalone_document(cnn):
    svg = kerasvg.layered_view(cnn).to_svg()
    root = parse_svg(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    _, _, vw, vh = (float(v) for v in root.get("viewBox").replace(",", " ").split())
    assert float(root.get("width")) == pytest.approx(vw) and float(root.get("height")) == pytest.approx(vh)
    assert vw > 0 and vh > 0
    assert not root.findall(f".//{SVG_NS}image"), "boxes must be vector, not bitmaps"
    assert "base64" not in svg
    import cairosvg

    assert cairosvg.svg2png(bytestring=svg.encode()).startswith(PNG)


# ---------------------------------------------------------------- the SVG contract


def test_layer_group_attributes_and_title(cnn):
    d = kerasvg.layered_view(cnn)
    root = parse_svg(d.to_svg())
    prefix = root.get("id")
    found = layer_groups(root)
    assert [g.get("data-name") for g in found] == ["pixels", "conv1", "pool1", "conv2", "flatten", "probs"]
    assert [g.get("data-type") for g in found] == ["InputLayer", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense"]
    assert [g.get("data-shape") for g in found] == [
        "(None, 28, 28, 1)", "(None, 26, 26, 16)", "(None, 13, 13, 16)", "(None, 11, 11, 32)", "(None, 3872)", "(None, 10)"]
    assert [int(g.get("data-params")) for g in found] == [0, 160, 0, 4640, 0, 38730]
    for i, g in enumerate(found):
        assert g.get("class") == "layer"
        assert g.get("id") == f"{prefix}-layer-{i}"
        assert re.fullmatch(r"\d+", g.get("data-params"))
        title = g.find(f"{SVG_NS}title")
        assert title is not None and list(g).index(title) == 0
        for part in (g.get("data-name"), g.get("data-type"), g.get("data-shape")):
            assert part in title.text
        faces = [p for p in g.findall(f"{SVG_NS}polygon") if "face" in p.get("class", "").split()]
        assert {p.get("class") for p in faces} == {"face front", "face top", "face side"}
        assert g.findall(f"{SVG_NS}text[@class='label']")


def test_params_are_trainable_plus_non_trainable(residual):
    bn = group_named(kerasvg.layered_view(residual), "bn")
    assert bn.get("data-params") == str(residual.get_layer("bn").count_params()) == "32"


def test_params_are_plain_digits_for_large_layers(keras):
    x = keras.Input((1000,), name="wide")
    model = keras.Model(x, keras.layers.Dense(2000, name="big")(x), name="big_model")
    assert group_named(kerasvg.layered_view(model), "big").get("data-params") == "2002000"


def test_several_outputs_give_a_list_of_tuples(keras):
    L = keras.layers
    x = keras.Input((3, 6), name="seq")
    outputs = L.LSTM(4, return_state=True, name="lstm")(x)
    model = keras.Model(x, outputs, name="stateful")
    assert group_named(kerasvg.layered_view(model), "lstm").get("data-shape") == "[(None, 4), (None, 4), (None, 4)]"


def test_none_dimensions_are_written_as_none(keras):
    x = keras.Input((None, 8), name="ragged")
    model = keras.Model(x, keras.layers.Dense(3, name="proj")(x), name="ragged_model")
    d = kerasvg.layered_view(model)
    assert group_named(d, "ragged").get("data-shape") == "(None, None, 8)"
    assert group_named(d, "proj").get("data-shape") == "(None, None, 3)"


def test_unknown_shape_is_a_question_mark():
    graph = ModelGraph("unknown", (Layer("in", "InputLayer", ("?",), is_input=True), Layer("mystery", "Lambda", ())),
                       (("in", "mystery"),))
    d = kerasvg.layered_view(graph)
    assert group_named(d, "in").get("data-shape") == "?"
    assert group_named(d, "mystery").get("data-shape") == "?"


def test_input_layers_are_drawn_for_sequential_and_functional(seed_model, keras):
    seq = groups(kerasvg.layered_view(seed_model))
    assert seq[0].get("data-type") == "InputLayer" and len(seq) == 4
    a, b = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    model = keras.Model([a, b], keras.layers.Concatenate(name="join")([a, b]), name="two_inputs")
    found = groups(kerasvg.layered_view(model))
    assert [(g.get("data-name"), g.get("data-type")) for g in found] == [
        ("left", "InputLayer"), ("right", "InputLayer"), ("join", "Concatenate")]


def test_every_edge_once_as_a_connector_outside_the_layer_groups(residual):
    d = kerasvg.layered_view(residual)
    root = parse_svg(d.to_svg())
    drawn = [(c.get("data-from"), c.get("data-to")) for c in connector_groups(root)]
    expected = {("features", "conv_a"), ("conv_a", "bn"), ("bn", "relu"), ("relu", "conv_b"), ("features", "add"),
                ("conv_b", "add"), ("add", "out")}
    assert sorted(drawn) == sorted(expected)
    assert len(drawn) == len(set(drawn))
    for g in layer_groups(root):
        assert not connector_groups(g), "a connector inside a layer group"
    holder = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "connectors"]
    assert len(holder) == 1 and len(connector_groups(holder[0])) == len(drawn)
    for c in connector_groups(root):
        assert c.find(f"{SVG_NS}polyline") is not None
        assert c.find(f"{SVG_NS}polygon[@class='arrowhead']") is not None


def test_an_edge_used_twice_is_one_connector(keras):
    x = keras.Input((5, 8), name="x")
    model = keras.Model(x, keras.layers.MultiHeadAttention(2, 4, name="mha")(x, x), name="self_attention")
    assert edges(kerasvg.layered_view(model)) == [("x", "mha")]


def test_a_shared_layer_is_one_box_with_an_edge_per_use(keras):
    L = keras.layers
    shared = L.Dense(4, name="shared")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    left, right = L.Dense(2, name="left")(shared(a)), L.Dense(2, name="right")(shared(b))
    model = keras.Model([a, b], [left, right], name="siamese")
    d = kerasvg.layered_view(model)
    assert names(d).count("shared") == 1
    assert sorted(edges(d)) == sorted([("a", "shared"), ("b", "shared"), ("shared", "left"), ("shared", "right")])


def test_a_nested_model_is_one_layer_group(keras):
    L = keras.layers
    inner = keras.Sequential([keras.Input((4,), name="inner_in"), L.Dense(3, name="inner_dense")], name="encoder")
    x = keras.Input((4,), name="outer_in")
    model = keras.Model(x, L.Dense(2, name="head")(inner(x)), name="outer")
    d = kerasvg.layered_view(model)
    assert names(d) == ["outer_in", "encoder", "head"]
    encoder = group_named(d, "encoder")
    assert encoder.get("data-type") == "Sequential"
    assert encoder.get("data-shape") == "(None, 3)" and encoder.get("data-params") == "15"
    assert edges(d) == [("outer_in", "encoder"), ("encoder", "head")]


@pytest.mark.filterwarnings(r"ignore:`build\(\)` was called on layer 'tower':UserWarning")  # `spare` stays unbuilt
def test_a_subclassed_model_gets_inferred_connectors_and_computed_shapes(keras):
    L = keras.layers

    class Tower(keras.Model):
        def __init__(self):
            super().__init__(name="tower")
            self.first = L.Dense(5, name="first")
            self.second = L.Dense(2, name="second")
            self.spare = L.Dense(7, name="spare")  # tracked, never called: its shape is unknown

        def call(self, x):
            return self.second(self.first(x))

    model = Tower()
    model(keras.ops.zeros((1, 3)))
    d = kerasvg.layered_view(model)
    root = parse_svg(d.to_svg())
    assert [g.get("data-name") for g in layer_groups(root)] == ["first", "second", "spare"]
    assert [g.get("data-shape") for g in layer_groups(root)] == ["(None, 5)", "(None, 2)", "?"]
    connectors = connector_groups(root)
    assert [(c.get("data-from"), c.get("data-to")) for c in connectors] == [("first", "second"), ("second", "spare")]
    assert all(set(c.get("class").split()) >= {"connector", "inferred"} for c in connectors)


def test_graph_models_have_no_inferred_connectors(residual):
    assert all("inferred" not in c.get("class").split() for c in connector_groups(parse_svg(kerasvg.layered_view(residual).svg)))


def test_layers_are_in_topological_order_with_ties_by_model_layers(keras):
    L = keras.layers
    x = keras.Input((4,), name="root")
    late = L.Dense(3, name="zz_branch")(x)
    early = L.Dense(3, name="aa_branch")(x)
    deep = L.Dense(3, name="deep")(L.Dense(3, name="mid")(late))
    model = keras.Model(x, L.Concatenate(name="merge")([deep, early]), name="ties")
    d = kerasvg.layered_view(model)
    layer_names = [layer.name for layer in model.layers]
    assert names(d) == topological(layer_names, edges(d))


def test_topological_order_breaks_ties_by_the_given_order():
    from kerasvg.graph.model import topological_order

    names_in_order = ["merge", "b", "input", "a", "c"]
    edge_list = [("input", "a"), ("input", "b"), ("a", "merge"), ("b", "merge"), ("c", "merge")]
    assert topological_order(names_in_order, edge_list) == topological(names_in_order, edge_list)
    assert topological_order(names_in_order, edge_list) == ["input", "b", "a", "c", "merge"]


@pytest.mark.parametrize("model_name, class_name", LAYER_CLASSES)
def test_every_listed_layer_class_draws(zoo, model_name, class_name):
    model, d = zoo[model_name]
    found = [g for g in groups(d) if g.get("data-type") == class_name]
    assert found, f"no {class_name} box in {model_name}"
    for g in found:
        live = model.get_layer(g.get("data-name"))
        assert type(live).__name__ == class_name
        assert g.get("data-params") == str(live.count_params())
        assert re.fullmatch(r"\(None(, (\d+|None))*,?\)|\[.*\]", g.get("data-shape")), g.get("data-shape")
        assert g.findall(f"{SVG_NS}polygon"), f"{class_name} has no faces"


def test_zoo_models_draw_every_layer_and_edge(zoo):
    for model, d in zoo.values():
        assert sorted(names(d)) == sorted(layer.name for layer in model.layers)
        drawn = edges(d)
        assert len(drawn) == len(set(drawn))
        assert d.to_png().startswith(PNG)


def test_an_unknown_layer_class_draws_as_a_generic_box(zoo):
    _, d = zoo["custom"]
    wobble = group_named(d, "wobble")
    assert wobble.get("data-type") == "Wobble" and wobble.get("data-category") == "other"
    assert wobble.get("data-shape") == "(None, 5)"
    assert edges(d) == [("x", "wobble"), ("wobble", "head")]


@pytest.fixture(scope="module")
def tf_keras():
    import tf_keras

    return tf_keras


def test_tf_keras_sequential(tf_keras):
    L = tf_keras.layers
    seq = tf_keras.Sequential([L.Dense(3, input_shape=(4,), name="t_first"), L.Dense(2, name="t_second")], name="tk_seq")
    found = groups(kerasvg.layered_view(seq))
    assert [g.get("data-type") for g in found] == ["InputLayer", "Dense", "Dense"]
    assert [g.get("data-name") for g in found][1:] == ["t_first", "t_second"]
    assert [g.get("data-shape") for g in found] == ["(None, 4)", "(None, 3)", "(None, 2)"]
    assert [g.get("data-params") for g in found] == ["0", "15", "8"]
    assert len(edges(kerasvg.layered_view(seq))) == 2


def test_tf_keras_functional_with_branches(tf_keras):
    L = tf_keras.layers
    x = tf_keras.Input((4,), name="tk_in")
    a, b = L.Dense(3, name="tk_a")(x), L.Dense(3, name="tk_b")(x)
    fn = tf_keras.Model(x, L.Concatenate(name="tk_cat")([a, b]), name="tk_fn")
    d = kerasvg.layered_view(fn)
    assert names(d) == ["tk_in", "tk_a", "tk_b", "tk_cat"]
    assert sorted(edges(d)) == sorted([("tk_in", "tk_a"), ("tk_in", "tk_b"), ("tk_a", "tk_cat"), ("tk_b", "tk_cat")])
    assert group_named(d, "tk_cat").get("data-shape") == "(None, 6)"
    assert [g.get("data-name") for g in groups(d)] == topological([l.name for l in fn.layers], edges(d))


def test_tf_keras_shared_nested_attention_and_states(tf_keras):
    L = tf_keras.layers
    shared = L.Dense(4, name="tk_shared")
    a, b = tf_keras.Input((4,), name="tk_a_in"), tf_keras.Input((4,), name="tk_b_in")
    siamese = tf_keras.Model([a, b], [L.Dense(2, name="tk_l")(shared(a)), L.Dense(2, name="tk_r")(shared(b))])
    d = kerasvg.layered_view(siamese)
    assert names(d).count("tk_shared") == 1
    assert sorted(edges(d)) == sorted([("tk_a_in", "tk_shared"), ("tk_b_in", "tk_shared"), ("tk_shared", "tk_l"),
                                       ("tk_shared", "tk_r")])
    inner = tf_keras.Sequential([L.Dense(3, input_shape=(4,), name="tk_inner_dense")], name="tk_encoder")
    x = tf_keras.Input((4,), name="tk_outer_in")
    d = kerasvg.layered_view(tf_keras.Model(x, L.Dense(2, name="tk_head")(inner(x))))
    assert names(d) == ["tk_outer_in", "tk_encoder", "tk_head"]
    assert group_named(d, "tk_encoder").get("data-params") == "15"
    x = tf_keras.Input((5, 8), name="tk_x")
    assert edges(kerasvg.layered_view(tf_keras.Model(x, L.MultiHeadAttention(2, 4, name="tk_mha")(x, x)))) == [
        ("tk_x", "tk_mha")]
    x = tf_keras.Input((3, 6), name="tk_seq")
    d = kerasvg.layered_view(tf_keras.Model(x, L.LSTM(4, return_state=True, name="tk_lstm")(x)))
    assert group_named(d, "tk_lstm").get("data-shape") == "[(None, 4), (None, 4), (None, 4)]"


def test_tf_keras_subclassed_and_unbuilt(tf_keras):
    L = tf_keras.layers

    class Tower(tf_keras.Model):
        def __init__(self):
            super().__init__(name="tk_tower")
            self.first = L.Dense(5, name="tk_first")
            self.second = L.Dense(2, name="tk_second")

        def call(self, x):
            return self.second(self.first(x))

    model = Tower()
    model(tf_keras.Input((3,)))
    root = parse_svg(kerasvg.layered_view(model).to_svg())
    assert [g.get("data-shape") for g in layer_groups(root)] == ["(None, 5)", "(None, 2)"]
    assert [c.get("class") for c in connector_groups(root)] == ["connector inferred"]
    with pytest.raises(ValueError, match="not built"):
        kerasvg.layered_view(tf_keras.Sequential([L.Dense(4)]))


def test_layered_view_takes_a_model_graph_directly():
    d = kerasvg.layered_view(tiny_graph())
    assert names(d) == ["input", "hidden", "output"]
    assert edges(d) == [("input", "hidden"), ("hidden", "output")]
    assert d.graph == tiny_graph()


# ---------------------------------------------------------------- determinism and ids


def _keras_cnn(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((8, 8, 1), name="img"), L.Conv2D(4, 3, name="c"), L.Flatten(name="f"),
                             L.Dense(2, name="d")], name="det")


def test_same_model_built_twice_gives_identical_bytes(keras):
    first = kerasvg.layered_view(_keras_cnn(keras)).to_svg()
    second = kerasvg.layered_view(_keras_cnn(keras)).to_svg()
    assert first == second


def test_output_does_not_depend_on_the_process(tmp_path):
    code = (
        "import kerasvg\nfrom test_core import tiny_graph\n"
        "print(kerasvg.layered_view(tiny_graph(), legend=True).to_svg())\n"
    )
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}", PYTHONHASHSEED=seed)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].strip() == kerasvg.layered_view(tiny_graph(), legend=True).to_svg()


def test_ids_are_prefixed_by_a_content_hash(cnn):
    svg = kerasvg.layered_view(cnn).to_svg()
    root = parse_svg(svg)
    prefix = root.get("id")
    assert re.fullmatch(r"[A-Za-z][\w-]{3,15}", prefix)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert all(i == prefix or i.startswith(prefix + "-") for i in ids)
    assert len(ids) == len(set(ids))
    assert "timestamp" not in svg.lower()


def test_id_prefix_overrides_the_hash(cnn):
    root = parse_svg(kerasvg.layered_view(cnn, id_prefix="fig1").to_svg())
    assert root.get("id") == "fig1"
    assert [g.get("id") for g in layer_groups(root)] == [f"fig1-layer-{i}" for i in range(6)]


def test_two_different_diagrams_have_different_prefixes(cnn, residual, seed_model):
    prefixes = {parse_svg(kerasvg.layered_view(m).to_svg()).get("id") for m in (cnn, residual, seed_model)}
    prefixes.add(parse_svg(kerasvg.layered_view(cnn, legend=True).to_svg()).get("id"))
    assert len(prefixes) == 4


def test_floats_have_fixed_precision(residual):
    svg = kerasvg.layered_view(residual).to_svg()
    numbers = re.findall(r"-?\d+\.\d+", svg)
    assert numbers and all(len(n.split(".")[1]) <= 2 for n in numbers)


# ---------------------------------------------------------------- legibility and legend


@pytest.fixture(scope="module")
def long_names(keras):
    L = keras.layers
    x = keras.Input((32,), name="a_rather_long_input_layer_name")
    y = L.Dense(4, name="tiny_dense_with_an_extremely_long_name_indeed")(x)
    y = L.Dense(3, name="another_very_long_layer_name_here")(y)
    y = L.Dense(2, name="w")(y)
    return keras.Model(x, L.Dense(1, name="yet_another_long_name_for_the_output")(y), name="long_names")


def test_labels_never_overlap_at_the_defaults(seed_model, cnn, residual, long_names, zoo):
    models = [seed_model, cnn, residual, long_names] + [m for m, _ in zoo.values()]
    for model in models:
        drawing = svgcheck.read(kerasvg.layered_view(model).to_svg())
        assert sum(len(layer.labels) for layer in drawing.layers) >= len(drawing.layers)
        assert svgcheck.label_overlaps(drawing) == [], model.name
        assert svgcheck.box_overlaps(drawing) == [], model.name


def test_labels_show_name_and_shape_by_default(cnn):
    conv = group_named(kerasvg.layered_view(cnn), "conv1")
    lines = [t.text for t in conv.findall(f"{SVG_NS}text")]
    assert lines == ["conv1", "26×26×16"]


def test_labels_keyword_picks_the_parts_and_an_empty_tuple_draws_none(cnn):
    def lines(**kw):
        return [t.text for t in group_named(kerasvg.layered_view(cnn, **kw), "conv1").findall(f"{SVG_NS}text")]

    assert lines(labels=("type", "params")) == ["Conv2D", "160 params"]
    assert lines(labels="name,type") == ["conv1", "Conv2D"]
    assert lines(labels=()) == []
    with pytest.raises(ValueError, match="colour"):
        kerasvg.layered_view(cnn, labels=("colour",))


def test_legend_has_one_entry_per_layer_type_in_the_colour_used(residual):
    root = parse_svg(kerasvg.layered_view(residual, legend=True).to_svg())
    entries = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "legend-entry"]
    types = [g.get("data-type") for g in layer_groups(root)]
    assert sorted(e.get("data-type") for e in entries) == sorted(set(types))
    for entry in entries:
        swatch = entry.find(f"{SVG_NS}rect")
        fronts = {p.get("fill") for g in layer_groups(root) if g.get("data-type") == entry.get("data-type")
                  for p in g.findall(f"{SVG_NS}polygon[@class='face front']")}
        assert fronts == {swatch.get("fill")}, entry.get("data-type")
        assert entry.find(f"{SVG_NS}text").text.startswith(entry.get("data-type"))
    assert not [g for g in parse_svg(kerasvg.layered_view(residual).svg).iter(f"{SVG_NS}g") if g.get("class") == "legend"]


# ---------------------------------------------------------------- raster


def test_png_background_pixel_is_the_background_colour(seed_model):
    assert image(kerasvg.layered_view(seed_model).to_png()).convert("RGBA").getpixel((1, 1)) == (255, 255, 255, 255)
    coloured = kerasvg.layered_view(seed_model, background_fill="#336699")
    assert coloured.background.lower().startswith("#336699")
    assert image(coloured.to_png()).convert("RGBA").getpixel((1, 1)) == (0x33, 0x66, 0x99, 255)
    clear = kerasvg.layered_view(seed_model, background_fill=(0, 0, 0, 0))
    assert image(clear.to_png()).convert("RGBA").getpixel((1, 1))[3] == 0


def test_jpeg_is_rgb_and_flattens_transparency_to_white(seed_model, tmp_path):
    clear = kerasvg.layered_view(seed_model, background_fill=(0, 0, 0, 0))
    picture = image(clear.to_jpeg())
    assert picture.format == "JPEG" and picture.mode == "RGB"
    assert all(abs(c - 255) <= 3 for c in picture.getpixel((1, 1)))
    clear.save(tmp_path / "fig.jpg")
    assert image((tmp_path / "fig.jpg").read_bytes()).mode == "RGB"
    coloured = image(kerasvg.layered_view(seed_model, background_fill="#336699").to_jpeg())
    assert all(abs(a - b) <= 4 for a, b in zip(coloured.getpixel((1, 1)), (0x33, 0x66, 0x99)))


def test_pdf_is_vector(seed_model):
    pdf = kerasvg.layered_view(seed_model).to_pdf()
    assert pdf.startswith(PDF)
    assert b"/Subtype /Image" not in pdf


def test_a_raster_past_cairos_limit_is_a_value_error(seed_model, tmp_path):
    d = kerasvg.layered_view(seed_model)
    with pytest.raises(ValueError, match="smaller scale") as error:
        d.to_png(scale=500)
    assert "32767" in str(error.value).replace(",", "")
    with pytest.raises(ValueError, match="smaller scale"):
        d.to_jpeg(dpi=96 * 500)
    target = tmp_path / "huge.png"
    target.write_bytes(OLD)
    with pytest.raises(ValueError, match="smaller scale"):
        d.save(target, scale=500)
    assert target.read_bytes() == OLD


def test_a_raster_just_under_the_limit_is_allowed():
    from kerasvg.writers import raster

    assert raster.check_size(32767, 10) == (32767, 10)
    with pytest.raises(ValueError):
        raster.check_size(32768, 10)


@pytest.mark.slow
def test_keras_applications_render_to_png_at_the_defaults(keras):
    for build in (keras.applications.MobileNetV2, keras.applications.ResNet50, keras.applications.NASNetLarge):
        model = build(weights=None)
        d = kerasvg.layered_view(model)
        assert len(groups(d)) == len(model.layers)
        picture = image(d.to_png())
        assert max(picture.size) <= 32767 and min(picture.size) > 100
        drawing = svgcheck.read(d.to_svg())
        assert svgcheck.label_overlaps(drawing) == []


# ---------------------------------------------------------------- errors


def test_an_unbuilt_model_is_a_value_error_saying_how_to_build_it(keras):
    model = keras.Sequential([keras.layers.Dense(4)])
    with pytest.raises(ValueError) as error:
        kerasvg.layered_view(model)
    message = str(error.value)
    assert "not built" in message and "keras.Input" in message and "build" in message
    model.build((None, 8))
    assert [g.get("data-shape") for g in groups(kerasvg.layered_view(model))] == ["(None, 8)", "(None, 4)"]


@pytest.mark.parametrize("thing, what", [(42, "int"), ({"layers": []}, "dict"), (b"model.keras", "bytes")])
def test_not_a_keras_model_is_a_type_error(thing, what):
    with pytest.raises(TypeError) as error:
        kerasvg.layered_view(thing)
    message = str(error.value)
    assert "Keras model" in message and what in message


def test_a_torch_like_module_is_a_type_error_naming_it():
    Linear = type("Linear", (), {"__module__": "torch.nn.modules.linear"})
    with pytest.raises(TypeError) as error:
        kerasvg.layered_view(Linear())
    assert "Keras model" in str(error.value) and "torch.nn.modules.linear.Linear" in str(error.value)


def test_an_unknown_extension_lists_the_supported_ones_and_touches_nothing(seed_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("fig.bmp2").write_bytes(OLD)
    d = kerasvg.layered_view(seed_model)
    with pytest.raises(ValueError) as error:
        d.save("fig.bmp2")
    for extension in (".svg", ".png", ".jpg", ".jpeg", ".pdf"):
        assert extension in str(error.value)
    assert "bmp2" in str(error.value)
    assert Path("fig.bmp2").read_bytes() == OLD
    with pytest.raises(ValueError, match=r"\.svg"):
        kerasvg.layered_view(seed_model, to_file="fig.bmp2")
    assert Path("fig.bmp2").read_bytes() == OLD
    assert sorted(os.listdir(tmp_path)) == ["fig.bmp2"]


def test_a_failing_raster_leaves_the_existing_file_alone(seed_model, tmp_path, monkeypatch):
    from kerasvg.writers import raster

    target = tmp_path / "fig.png"
    target.write_bytes(OLD)
    d = kerasvg.layered_view(seed_model)

    def broken(*args, **kwargs):
        raise RuntimeError("cairo fell over")

    monkeypatch.setattr(raster, "to_png", broken)
    with pytest.raises(RuntimeError, match="cairo fell over"):
        d.save(target)
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["fig.png"]


def test_a_write_failing_midway_leaves_no_truncated_file(seed_model, tmp_path, monkeypatch):
    import kerasvg.writers.files as files_module

    target = tmp_path / "fig.png"
    target.write_bytes(OLD)
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(OSError, match="No space"):
        kerasvg.layered_view(seed_model).save(target)
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["fig.png"]


def test_a_failing_rename_leaves_no_temporary_file(seed_model, tmp_path, monkeypatch):
    import kerasvg.writers.files as files_module

    target = tmp_path / "fig.svg"
    target.write_bytes(OLD)

    def refuse(src, dst):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(files_module.os, "replace", refuse)
    with pytest.raises(PermissionError):
        kerasvg.layered_view(seed_model).save(target)
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["fig.svg"]


def test_a_successful_render_overwrites(seed_model, tmp_path):
    d = kerasvg.layered_view(seed_model)
    for extension, magic in (("png", PNG), ("svg", b"<svg"), ("pdf", PDF), ("jpg", JPEG)):
        target = tmp_path / f"fig.{extension}"
        target.write_bytes(OLD)
        d.save(target)
        assert magic in target.read_bytes()[:300]
    assert sorted(os.listdir(tmp_path)) == ["fig.jpg", "fig.pdf", "fig.png", "fig.svg"]


# ---------------------------------------------------------------- user text


HOSTILE = ["<img src=x onerror=alert(1)>", "say \"hi\" & 'bye'", "a&b&amp;c", "层_ß_🚀", "]]><!--"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_layer_names_round_trip_through_a_live_model(keras, name):
    x = keras.Input((3,), name="safe_input")
    model = keras.Model(x, keras.layers.Dense(2, name=name)(x), name="hostile")
    svg = kerasvg.layered_view(model).to_svg()
    root = parse_svg(svg)
    group = [g for g in layer_groups(root) if g.get("data-type") == "Dense"][0]
    assert group.get("data-name") == name
    assert name in group.find(f"{SVG_NS}title").text
    assert name in [t.text for t in group.findall(f"{SVG_NS}text")]
    assert "<img" not in svg
    assert [c.get("data-to") for c in connector_groups(root)] == [name]


def test_hostile_names_everywhere_in_a_model_graph():
    bad = "<b>&\"'层_ß_🚀"
    layers = (Layer(bad + "in", "InputLayer", ((None, 4),), is_input=True),
              Layer(bad, "Weird<Type>&", ((None, 2),), 10))
    graph = ModelGraph("model" + bad, layers, ((bad + "in", bad),), (bad + "in",), (bad,))
    svg = kerasvg.layered_view(graph, legend=True, labels=("name", "type")).to_svg()
    root = parse_svg(svg)
    assert root.get("data-model") == "model" + bad
    assert root.find(f"{SVG_NS}title").text == "model" + bad
    assert [g.get("data-name") for g in layer_groups(root)] == [bad + "in", bad]
    assert [g.get("data-type") for g in layer_groups(root)][1] == "Weird<Type>&"
    legend = [t.text for e in root.iter(f"{SVG_NS}g") if e.get("class") == "legend-entry" for t in e.iter(f"{SVG_NS}text")]
    assert "Weird<Type>&" in legend
    assert "<b>" not in svg and "<Type>" not in svg
    assert kerasvg.layered_view(graph).to_png().startswith(PNG)


def test_control_characters_are_replaced_and_the_svg_stays_valid(keras):
    name = "ctl\x01\x07\x1bend"
    x = keras.Input((3,), name="clean")
    model = keras.Model(x, keras.layers.Dense(2, name=name)(x), name="controls\x02")
    d = kerasvg.layered_view(model)
    root = parse_svg(d.to_svg())
    expected = "ctl\ufffd\ufffd\ufffdend"  # shown; data-name keeps the name one-to-one (issue 11)
    assert [g.get("data-name") for g in layer_groups(root)] == ["clean", "ctl\\x01\\x07\\x1bend"]
    assert expected in [t.text for t in layer_groups(root)[1].findall(f"{SVG_NS}text")]
    assert root.get("data-model") == "controls\ufffd"
    assert d.to_png().startswith(PNG)
    graph = ModelGraph("g", (Layer("tab\tnl\nnul\x00", "Dense", ((None, 2),)),))
    svg = kerasvg.layered_view(graph).to_svg()
    assert "\x00" not in svg
    assert layer_groups(parse_svg(svg))[0].get("data-name") == "tab\tnl\nnul\\x00"


def test_text_callable_output_is_escaped(seed_model):
    d = kerasvg.layered_view(seed_model, text_callable=lambda i, layer: ("<script>x&y</script>", False))
    root = parse_svg(d.to_svg())
    assert "<script>x&y</script>" in [t.text for t in root.iter(f"{SVG_NS}text")]
    assert "<script>" not in d.to_svg()


# ---------------------------------------------------------------- imports


def test_import_kerasvg_loads_no_heavy_module():
    code = (
        "import json, sys\nimport kerasvg\nimport kerasvg.layered, kerasvg.diagram, kerasvg.writers.svg, kerasvg.writers.raster\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'tensorflow', 'keras', 'tf_keras', 'cairosvg', 'cairocffi', 'jinja2', 'torch', 'jax'})))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_a_model_graph_renders_without_keras_or_tensorflow(tmp_path):
    code = (
        "import json, sys\nimport kerasvg\nfrom test_core import tiny_graph\n"
        f"kerasvg.layered_view(tiny_graph()).save({str(tmp_path / 'g.svg')!r})\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'tf_keras'})))\n"
    )
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    assert ET.parse(tmp_path / "g.svg").getroot().get("class") == "kerasvg"


# ---------------------------------------------------------------- golden files


def _golden():
    import importlib.util

    spec = importlib.util.spec_from_file_location("golden_regenerate", ROOT / "tests" / "golden" / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["seed", "small_cnn", "residual_block"])
def test_golden_svg_files_match_byte_for_byte(keras, name):
    golden = _golden()
    expected = golden.path_of(name).read_bytes()
    actual = golden.render(name).encode("utf-8")
    assert actual == expected, (
        f"{name}: the SVG differs from tests/golden/{name}.svg. If the change is intended, run "
        f"`PYTHONPATH=. python tests/golden/regenerate.py`, look at the new files and commit them."
    )
    root = parse_svg(expected.decode("utf-8"))
    assert len(layer_groups(root)) == len(golden.MODELS[name]().layers) + (name != "residual_block")


# ---------------------------------------------------------------- speed's side effects (issue 22)


def _chain_graph(count=12):
    layers = [Layer("in", "InputLayer", ((None, 32, 32, 3),), is_input=True)]
    layers += [Layer(f"conv_{i}", "Conv2D", ((None, 32, 32, 8),), 224) for i in range(count)]
    edges = tuple((a.name, b.name) for a, b in zip(layers, layers[1:]))
    return ModelGraph("chain", tuple(layers), edges, ("in",), (layers[-1].name,))


def test_the_garbage_collector_runs_again_after_every_render_and_error():
    import gc

    graph = _chain_graph()
    assert gc.isenabled()
    d = kerasvg.layered_view(graph)
    assert gc.isenabled()
    d.to_svg(), d.to_png(), d.to_pdf()
    assert gc.isenabled()
    with pytest.raises(ValueError):
        kerasvg.layered_view(graph, detail="everything")
    assert gc.isenabled()
    gc.disable()  # a user who turned it off keeps it off
    try:
        kerasvg.layered_view(graph).to_svg()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_later_render_never_moves_an_earlier_diagram():
    """Layouts move their own scene into place: a second render of the same graph, items and all, must leave the
    first one's boxes, labels, connectors and frames where they were."""
    graph = _chain_graph(70)  # stages found, labels sparse, wrapped into rows
    first = kerasvg.layered_view(graph, groups={"s1": {"b1": "conv_[0-9]"}, "s2": {"b2": "conv_[1-6]?"}})
    svg = first.to_svg()
    snapshot = [(b.x, b.y, b.faces[0].points, b.label and (b.label.x, b.label.y)) for b in first.scene.boxes]
    lines = [c.points for c in first.scene.connectors]
    for padding in (0, 80):
        kerasvg.layered_view(graph, padding=padding, groups={"s1": {"b1": "conv_[0-9]"}})
    assert [(b.x, b.y, b.faces[0].points, b.label and (b.label.x, b.label.y)) for b in first.scene.boxes] == snapshot
    assert [c.points for c in first.scene.connectors] == lines
    fresh = kerasvg.Diagram(first.scene, first.theme, first.options)
    assert fresh.to_svg() == svg
