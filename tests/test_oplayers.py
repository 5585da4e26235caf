"""Op layers in saved graphs (tf_keras `TFOpLambda`/`SlicingOpLambda`, Keras 3 operation nodes):
every inbound-node form is read, so no edge is lost, and their shapes are inferred or `?`."""
import json
import re

import pytest

from kerasvg.graph.model import UNKNOWN
from kerasvg.readers.oprules import TensorArg, infer_op, infer_value, op_name
from kerasvg.readers.live import read_model
from kerasvg.readers.saved import graph_from_config, read_saved_model

T0, T1 = TensorArg(0), TensorArg(1)


def _base(name):
    return re.sub(r"_\d+$", "", name)


def _layers(graph):
    return [(l.name, l.shape_text, l.params) for l in graph.layers]


# ---------------------------------------------------------------- models


def _tf_keras_op_model(tk):
    import tensorflow as tf

    x = tk.Input((4, 6), name="x")
    y = tk.Input((4, 6), name="y")
    a = tk.layers.Dense(6, name="d")(x)
    t = tf.transpose(a, perm=[0, 2, 1])
    s = a + y
    p1, p2 = tf.split(s, 2, axis=-1)
    part = tf.reshape(s[:, 1:3], (-1, 12))
    product = tf.matmul(a, t)
    mask = tf.math.not_equal(x, 0)
    mean = tf.reduce_mean(s, axis=1, keepdims=True)
    joined = tf.concat([p1, p2], axis=-1)
    last = s[:, -1]
    doubled = 2.0 * x
    return tk.Model([x, y], [t, part, product, mask, mean, joined, last, doubled], name="tf_ops")


def _keras3_op_model(keras):
    from keras import ops

    x = keras.Input((4, 6), name="x")
    y = keras.Input((4, 6), name="y")
    a = keras.layers.Dense(6, name="d")(x)
    t = ops.transpose(a, (0, 2, 1))
    s = a + y
    p1, p2 = ops.split(s, 2, axis=-1)
    part = ops.reshape(s[:, 1:3], (-1, 12))
    outputs = [t, part, ops.matmul(a, t), ops.einsum("bij,bjk->bik", a, t), ops.not_equal(x, 0),
               ops.mean(s, axis=1), ops.concatenate([p1, p2], axis=-1), ops.expand_dims(s, 1), ops.max(s, axis=-1),
               s[:, 0, 2:5], ops.squeeze(ops.expand_dims(s, 1), axis=1)]
    return keras.Model([x, y], outputs, name="keras_ops")


@pytest.fixture(scope="module")
def tf_keras():
    return pytest.importorskip("tf_keras")


@pytest.mark.parametrize("suffix", [".json", ".h5"])
def test_tf_keras_op_layers_keep_every_edge_and_shape(tf_keras, tmp_path, suffix):
    model = _tf_keras_op_model(tf_keras)
    path = tmp_path / f"ops{suffix}"
    if suffix == ".json":
        path.write_text(model.to_json())
    else:
        model.save(path)
    graph = read_saved_model(path)
    live = read_model(model)[0]
    assert _layers(graph) == _layers(live)
    assert sorted(graph.edges) == sorted(live.edges)
    bases = {(_base(s), _base(t)) for s, t in graph.edges}  # op names get a per-session suffix
    assert ("y", "tf.__operators__.add") in bases  # the kwargs input of `a + y`: {"y": ["y", 0, 0]}
    assert ("tf.compat.v1.transpose", "tf.linalg.matmul") in bases
    assert UNKNOWN not in [l.shape_text for l in graph.layers]


def test_keras3_op_shapes_are_inferred_without_recorded_shapes(keras):
    model = _keras3_op_model(keras)
    config = json.loads(model.to_json())
    for entry in config["config"]["layers"]:
        entry.pop("build_config", None)
        for node in entry["inbound_nodes"]:
            _strip(node)
    graph = graph_from_config(config)
    live = read_model(model)[0]
    assert _layers(graph) == _layers(live)
    assert graph.edges == live.edges


def _strip(value):
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            value["config"]["shape"] = None
        for item in value.values():
            _strip(item)
    elif isinstance(value, list):
        for item in value:
            _strip(item)


# ---------------------------------------------------------------- node forms (hand-written, no Keras)


def _config(entries, outputs):
    return {"class_name": "Functional", "config": {
        "name": "hand", "layers": entries, "input_layers": [["in", 0, 0]], "output_layers": outputs}}


INPUT = {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [None, 3, 8]},
         "inbound_nodes": []}


def _op(name, function, node, cls="TFOpLambda"):
    return {"class_name": cls, "name": name, "config": {"name": name, "function": function}, "inbound_nodes": [node]}


def test_flat_nodes_nested_kwargs_and_constants():
    entries = [
        INPUT,
        {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 8}, "inbound_nodes": [[["in", 0, 0, {}]]]},
        _op("sum", "__operators__.add", ["in", 0, 0, {"y": ["d", 0, 0], "name": None}]),
        _op("deep", "math.add_n_like", ["in", 0, 0, {"extra": {"inner": [["d", 0, 0]]}}]),
        _op("scaled", "math.multiply", ["_CONSTANT_VALUE", -1, 2.0, {"y": ["sum", 0, 0]}]),
        _op("stacked", "stack", [["in", 0, 0, {"axis": 1}], ["d", 0, 0, {"axis": 1}]]),
        _op("first", "__operators__.getitem", ["stacked", 0, 0, {"slice_spec": [{"start": None, "stop": None, "step": None}, 0]}],
            cls="SlicingOpLambda"),
    ]
    graph = graph_from_config(_config(entries, [["scaled", 0, 0], ["deep", 0, 0], ["first", 0, 0]]))
    assert set(graph.edges) == {("in", "d"), ("in", "sum"), ("d", "sum"), ("in", "deep"), ("d", "deep"),
                                ("sum", "scaled"), ("in", "stacked"), ("d", "stacked"), ("stacked", "first")}
    shapes = {l.name: l.shape_text for l in graph.layers}
    assert shapes["sum"] == "(None, 3, 8)"
    assert shapes["scaled"] == "(None, 3, 8)"
    assert shapes["deep"] == UNKNOWN  # an op kerasvg has no rule for: unknown, not a guess
    assert shapes["stacked"] == "(None, 2, 3, 8)"
    assert shapes["first"] == "(None, 3, 8)"
    assert graph.layer("sum").params == 0


def test_shared_layer_nodes_each_get_their_inputs():
    shared = {"class_name": "Dense", "name": "shared", "config": {"name": "shared", "units": 2},
              "inbound_nodes": [[["in", 0, 0, {}]], [["other", 0, 0, {}]]]}
    other = {"class_name": "Dense", "name": "other", "config": {"name": "other", "units": 8},
             "inbound_nodes": [[["in", 0, 0, {}]]]}
    graph = graph_from_config(_config([INPUT, other, shared], [["shared", 1, 0]]))
    assert set(graph.edges) == {("in", "other"), ("in", "shared"), ("other", "shared")}


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize("name, config, args, kwargs, shapes, expected", [
    ("transpose", {}, [T0], {"perm": [0, 2, 1]}, [(None, 3, 5)], [(None, 5, 3)]),
    ("transpose", {"axes": None}, [T0], {}, [(2, 3, 5)], [(5, 3, 2)]),
    ("add", {}, [T0, T1], {}, [(None, 3, 1), (4,)], [(None, 3, 4)]),
    ("add", {}, [T0, T1], {}, [(None, 3, 4), (None, 5, 4)], [UNKNOWN]),  # cannot broadcast: not a guess
    ("not_equal", {}, [T0, 0], {}, [(None, 7)], [(None, 7)]),
    ("split", {}, [T0], {"num_or_size_splits": [2, -1], "axis": 1}, [(None, 6)], [(None, 2), (None, 4)]),
    ("split", {"indices_or_sections": [1, 4], "axis": -1}, [T0], {}, [(None, 6)], [(None, 1), (None, 3), (None, 2)]),
    ("split", {"indices_or_sections": 4, "axis": -1}, [T0], {}, [(None, 6)], [UNKNOWN]),
    ("reshape", {}, [T0], {"shape": [-1, 4, 2]}, [(None, 8)], [(None, 4, 2)]),
    ("reshape", {"newshape": [-1, 3]}, [T0], {}, [(2, 6)], [(4, 3)]),
    ("get_item", {}, [T0, [{"class_name": "__slice__", "config": {"start": None, "stop": None, "step": None}},
                           {"class_name": "__slice__", "config": {"start": 1, "stop": None, "step": 2}}]], {},
     [(None, 7)], [(None, 3)]),
    ("get_item", {}, [T0], {"slice_spec": [{"class_name": "__ellipsis__"}, 0]}, [(None, 3, 8)], [(None, 3)]),
    ("get_item", {}, [T0], {"slice_spec": [{"start": None, "stop": None, "step": None}, {"start": 0, "stop": 2, "step": None}]},
     [(None, None, 8)], [(None, None, 8)]),
    ("mean", {"axis": [1, 2], "keepdims": True}, [T0], {}, [(None, 4, 4, 3)], [(None, 1, 1, 3)]),
    ("sum", {}, [T0], {}, [(None, 4)], [()]),
    ("matmul", {}, [T0], {"b": T1, "transpose_b": True}, [(None, 3, 4), (None, 5, 4)], [(None, 3, 5)]),
    ("einsum", {"subscripts": "bqd,bkd->bqk"}, [T0, T1], {}, [(None, 3, 8), (None, 5, 8)], [(None, 3, 5)]),
    ("einsum", {"subscripts": "...d,de->...e"}, [T0, T1], {}, [(None, 3, 8), (8, 2)], [UNKNOWN]),
    ("concatenate", {}, [[T0, T1]], {"axis": -1}, [(None, 3, 2), (None, 3, 5)], [(None, 3, 7)]),
    ("expand_dims", {"axis": -1}, [T0], {}, [(None, 3)], [(None, 3, 1)]),
    ("shape", {"function": "compat.v1.shape"}, [T0], {"out_type": "int32"}, [(None, 4, 4, 3)], [(4,)]),
    ("resize", {"function": "image.resize"}, [T0, [6, 8]], {}, [(None, 3, 4, 2)], [(None, 6, 8, 2)]),
    ("resize", {"function": "image.resize"}, [T0], {"size": T1}, [(None, 3, 4, 2), (2,)], [UNKNOWN]),  # contents unknown
    ("resize", {"size": [6, 8], "data_format": "channels_first"}, [T0], {}, [(None, 2, 3, 4)], [(None, 2, 6, 8)]),
    ("resize", {"size": [6, 8], "data_format": None}, [T0], {}, [(None, 3, 4, 2)], [UNKNOWN]),
    ("no_such_op", {}, [T0], {}, [(None, 3)], [UNKNOWN]),
    ("add", {}, [T0, T1], {}, [UNKNOWN, (None, 3)], [UNKNOWN]),
])
def test_op_rules(name, config, args, kwargs, shapes, expected):
    assert infer_op(name, config, args, kwargs, shapes) == expected


def test_shape_vector_contents_flow_into_resize():
    """`tf.image.resize(x, tf.shape(y)[1:-1])`: the shape vector's contents are y's dimensions."""
    shape = infer_value("shape", {"function": "shape"}, [T0], {}, [(None, 5, 7, 3)])
    assert shape == (None, 5, 7, 3)
    size = infer_value("get_item", {"function": "__operators__.getitem"}, [T0],
                       {"slice_spec": {"start": 1, "stop": -1, "step": None}}, [(4,)], [shape])
    assert size == (5, 7)
    assert infer_op("resize", {"function": "image.resize"}, [T0], {"size": T1}, [(None, 2, 2, 8), (2,)],
                    [None, size]) == [(None, 5, 7, 8)]
    assert infer_value("get_item", {}, [T0], {"slice_spec": {"start": 1, "stop": None, "step": None}}, [(4,)]) is None
    assert infer_value("add", {}, [T0, T1], {}, [(2,), (2,)], [size, size]) is None  # no arithmetic on contents


def test_op_names_agree_between_keras3_and_tf():
    assert op_name("NotEqual") == op_name("TFOpLambda", "math.not_equal") == "not_equal"
    assert op_name("GetItem") == op_name("SlicingOpLambda", "__operators__.getitem") == "get_item"
    assert op_name("Mean") == op_name("TFOpLambda", "math.reduce_mean") == "mean"
    assert op_name("Concatenate") == op_name("TFOpLambda", "concat") == "concatenate"


def test_config_keys_of_unknown_classes_are_not_judged_by_keras_meanings():
    """InceptionResNetV2's CustomScaleLayer has `scale: 0.17` (not BatchNormalization's flag); op nodes have `axis`."""
    entries = [INPUT, {"class_name": "CustomScaleLayer", "name": "s", "config": {"name": "s", "scale": 0.17},
                       "inbound_nodes": [[["in", 0, 0, {}]]]}]
    graph = graph_from_config(_config(entries, [["s", 0, 0]]))
    assert graph.layer("s").shape_text == UNKNOWN and graph.layer("s").params is None
