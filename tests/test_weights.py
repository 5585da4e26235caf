"""Parameter counts from the file's own weights; unknown counts shown as unknown, never as 0."""
import json
import re

import pytest

import kerasvg
from conftest import layer_groups, parse_svg
from kerasvg.writers.html import diagram_data
from kerasvg.readers.live import read_model
from kerasvg.readers.saved import graph_from_config, read_saved_model
from kerasvg.readers.weights import weights_location


def _custom_model(keras):
    L = keras.layers

    @keras.saving.register_keras_serializable(package="kvtest")
    class ScaleShift(L.Layer):
        def build(self, shape):
            self.scale = self.add_weight(shape=(shape[-1],), name="scale")
            self.table = self.add_weight(shape=(4, shape[-1]), name="table", trainable=False)

        def call(self, x):
            return x * self.scale

    inner_in = keras.Input((5, 6), name="inner_in")
    inner = keras.Model(inner_in, L.Dense(3, name="inner_dense")(inner_in), name="inner")
    x = keras.Input((5, 6), name="x")
    a = L.Dense(6, name="first")(x)
    frozen = L.BatchNormalization(name="frozen_bn")
    frozen.trainable = False
    a = L.BatchNormalization(name="bn")(frozen(a))
    a = ScaleShift(name="custom")(a)
    a = L.MultiHeadAttention(2, 4, name="mha")(a, a)
    a = L.Attention(use_scale=True, name="scaled_attention")([a, a])
    return keras.Model(x, inner(a), name="weighted")


def _counts(graph):
    return [(l.name, l.params) for l in graph.layers]


def test_keras_archive_counts_every_layer_from_its_weights(keras, tmp_path):
    model = _custom_model(keras)
    path = tmp_path / "model.keras"
    model.save(path)
    graph = read_saved_model(path)
    live = read_model(model)[0]
    assert _counts(graph) == _counts(live)
    assert graph.params_known and graph.total_params == model.count_params()
    assert graph.layer("custom").params == 30  # a class kerasvg has no rule for
    frozen = graph.layer("frozen_bn")
    assert (frozen.trainable_params, frozen.non_trainable_params) == (0, 24)
    bn = graph.layer("bn")
    assert (bn.trainable_params, bn.non_trainable_params) == (12, 12)
    inner = graph.layer("inner").nested
    assert _counts(inner) == _counts(live.layer("inner").nested)


def test_weights_member_is_read_in_place(keras, tmp_path):
    model = _custom_model(keras)
    path = tmp_path / "model.keras"
    model.save(path)
    offset, length = weights_location(path)
    assert path.read_bytes()[offset:offset + 8] == b"\x89HDF\r\n\x1a\n"
    assert offset + length <= path.stat().st_size


def test_without_weights_unknown_counts_are_unknown(keras):
    graph = graph_from_config(json.loads(_custom_model(keras).to_json()))
    assert graph.layer("custom").params is None
    assert graph.layer("scaled_attention").params is None
    assert graph.layer("first").params == 42  # known classes still count from the config
    assert not graph.params_known
    diagram = kerasvg.layered_view(graph, labels=["name", "params"], id_prefix="u")
    groups = {g.get("data-name"): g for g in layer_groups(parse_svg(diagram.svg))}
    assert groups["custom"].get("data-params") == ""
    assert groups["first"].get("data-params") == "42"
    labels = ["".join(t.itertext()) for t in groups["custom"].iter() if t.get("class") == "label"]
    assert "? params" in labels
    assert re.search(r"at least \d+ parameters", diagram.svg)
    data = {l["name"]: l for l in diagram_data(graph)["layers"]}
    assert data["custom"]["trainable"] is None and data["custom"]["nonTrainable"] is None
    assert "<b>≥ " in diagram.to_html()  # totals are lower bounds


@pytest.fixture(scope="module")
def tf_keras():
    return pytest.importorskip("tf_keras")


def test_tf_keras_archive_matches_weights_by_class_and_order(tf_keras, tmp_path):
    L = tf_keras.layers
    x = tf_keras.Input((5, 6), name="x")
    a = L.Dense(6, name="first")(x)
    a = L.MultiHeadAttention(2, 4, name="mha")(a, a)
    for i in range(11):  # keys dense ... dense_11: numeric order, not "dense_10" < "dense_2"
        a = L.Dense(6 + i, name=f"step_{i}")(a)
    model = tf_keras.Model(x, a, name="tk")
    path = tmp_path / "tk.keras"
    model.save(path)
    graph = read_saved_model(path)
    assert _counts(graph) == _counts(read_model(model)[0])
    assert graph.params_known


def test_legacy_h5_counts_from_model_weights(keras, tmp_path):
    model = _custom_model(keras)
    path = tmp_path / "model.h5"
    keras.saving.save_model(model, path)
    graph = read_saved_model(path)
    assert _counts(graph) == _counts(read_model(model)[0])


def test_a_block_with_an_unknown_member_count_is_unknown(keras):
    graph = graph_from_config(json.loads(_custom_model(keras).to_json()))
    diagram = kerasvg.layered_view(graph, groups={"known": ["first", "frozen_bn"], "mixed": ["bn", "custom"]},
                                   detail="blocks", labels=["name", "params"])
    groups = {g.get("data-name"): g for g in layer_groups(parse_svg(diagram.svg))}
    assert groups["known"].get("data-params") == str(42 + 24)
    assert groups["mixed"].get("data-params") == ""
    assert "? params" in ["".join(t.itertext()) for t in groups["mixed"].iter() if t.get("class") == "label"]


def test_legacy_h5_counts_layers_whose_names_hold_slashes(tf_keras, tmp_path):
    """tf_keras allows `/` in layer names (keras_cv_attention_models' MaxViT: `stack_1_block_1/mbconv/...`);
    HDF5 stores such a layer's weights in deeper groups."""
    L = tf_keras.layers

    @tf_keras.utils.register_keras_serializable(package="kvslash")
    class Gain(L.Layer):  # a class kerasvg has no rule for: only the weights give its count
        def build(self, shape):
            self.gain = self.add_weight(name="gain", shape=(shape[-1],))

        def call(self, x):
            return x * self.gain

    x = tf_keras.Input((6,), name="x")
    h = L.Dense(5, name="stack_1/mbconv/dense")(x)
    h = Gain(name="stack_1/mbconv/gain")(h)
    h = L.BatchNormalization(name="stack_1/mbconv/bn")(h)
    model = tf_keras.Model(x, L.Dense(2, name="head")(h), name="slashes")
    path = tmp_path / "slashes.h5"
    model.save(path)
    graph = read_saved_model(path)
    assert _counts(graph) == _counts(read_model(model)[0])
    assert graph.layer("stack_1/mbconv/gain").params == 5
    assert graph.params_known and graph.total_params == model.count_params()
