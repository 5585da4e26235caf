"""Patterns of keras_cv_attention_models (kecam) graphs, built small with tf_keras: the saved files
(`.h5`, tf_keras `.keras`) read as the live model draws (issue 10: Swin, CoAtNet, YOLOv8)."""
import re

import pytest

from kerasvg.graph.model import UNKNOWN
from kerasvg.readers.live import read_model
from kerasvg.readers.saved import read_saved_model


def _layers(graph):
    return [(l.name, l.type, l.shape_text, l.params) for l in graph.layers]


@pytest.fixture(scope="module")
def tf_keras():
    return pytest.importorskip("tf_keras")


@pytest.fixture(scope="module")
def bias_layer(tf_keras):
    """kecam's `volo>BiasLayer`: a registered layer whose output shape only its code knows."""

    @tf_keras.utils.register_keras_serializable(package="kecam_patterns")
    class BiasLayer(tf_keras.layers.Layer):
        def build(self, input_shape):
            self.bias = self.add_weight(name="bias", shape=(input_shape[-1],), initializer="zeros")

        def call(self, inputs):
            return inputs + self.bias

    return BiasLayer


def _save(model, tmp_path, suffix):
    path = tmp_path / f"{model.name}{suffix}"
    model.save(path)
    return read_saved_model(path)


def _custom_layer_model(tk, bias_layer):
    import tensorflow as tf

    x = tk.Input((4, 6), name="x")
    q = tk.layers.Dense(6, name="q")(x)
    b = bias_layer(name="q_bias")(q)
    t = tf.transpose(b, perm=[0, 2, 1])
    return tk.Model(x, tk.layers.Dense(2, name="out")(t), name="custom")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_registered_layer_type_is_its_class_name(tf_keras, bias_layer, tmp_path, suffix):
    """tf_keras writes a registered layer's class as `package>Name` in `.h5` files: drawn as `Name`, as live."""
    model = _custom_layer_model(tf_keras, bias_layer)
    graph = _save(model, tmp_path, suffix)
    assert graph.layer("q_bias").type == "BiasLayer" == read_model(model)[0].layer("q_bias").type


def test_unknown_layer_output_shape_read_from_its_consumers_build_config(tf_keras, bias_layer, tmp_path):
    """A tf_keras `.keras` file records each layer's build input shape: the shape a layer of unknown
    class produced, exactly, where its consumer was built on that one tensor."""
    model = _custom_layer_model(tf_keras, bias_layer)
    graph = _save(model, tmp_path, ".keras")
    assert _layers(graph) == _layers(read_model(model)[0])
    assert graph.layer("q_bias").shape_text == "(None, 4, 6)"


def test_unknown_layer_output_shape_is_unknown_without_build_configs(tf_keras, bias_layer, tmp_path):
    """`.h5` files record no build shapes: the custom layer and what follows it stay `?`, never guessed."""
    model = _custom_layer_model(tf_keras, bias_layer)
    graph = _save(model, tmp_path, ".h5")
    shapes = {l.name: l.shape_text for l in graph.layers}
    assert shapes["q"] == "(None, 4, 6)"
    assert UNKNOWN == shapes["q_bias"] == shapes["out"]


def _tracked_extra_layer_model(tk):
    """kecam's YOLOv8 keeps its `DecodePredictions` layer as a model attribute, outside the graph:
    tf_keras saves it with no inbound nodes, and the loaded (and live) model does not draw it."""
    x = tk.Input((4,), name="x")
    model = tk.Model(x, tk.layers.Dense(2, name="out")(x), name="tracked")
    model.decode_predictions = tk.layers.Dense(3, name="decode_predictions")
    return model


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_layer_outside_the_graph_is_not_drawn(tf_keras, tmp_path, suffix):
    model = _tracked_extra_layer_model(tf_keras)
    graph = _save(model, tmp_path, suffix)
    live = read_model(model)[0]
    assert [l.name for l in graph.layers] == [l.name for l in live.layers] == ["x", "out"]
    assert graph.edges == live.edges


def _resize_like_model(tk):
    """YOLOv8's path aggregation: `tf.image.resize(x, tf.shape(feature)[1:-1])`."""
    import tensorflow as tf

    x = tk.Input((8, 8, 3), name="x")
    small = tk.layers.Conv2D(4, 3, strides=2, padding="same", name="down")(x)
    size = tf.shape(x)[1:-1]
    up = tf.image.resize(small, size, method="nearest")
    joined = tf.concat([up, x], axis=-1)
    return tk.Model(x, tk.layers.Conv2D(2, 1, name="out")(joined), name="resize_like")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_resize_to_a_shape_tensor(tf_keras, tmp_path, suffix):
    model = _resize_like_model(tf_keras)
    graph = _save(model, tmp_path, suffix)
    live = read_model(model)[0]
    assert _layers(graph) == _layers(live)
    assert graph.edges == live.edges
    shapes = {re.sub(r"_\d+$", "", l.name): l.shape_text for l in graph.layers}  # op names: per-session suffix
    assert shapes["tf.compat.v1.shape"] == "(4,)"
    assert shapes["tf.image.resize"] == "(None, 8, 8, 4)"
