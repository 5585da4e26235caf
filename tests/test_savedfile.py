"""Saved model files → ModelGraph without Keras: same drawing as the live model, clear errors on bad files."""
import json
import zipfile

import pytest

import kerasvg
from conftest import drawn_layers_and_edges, layer_groups, parse_svg
from kerasvg.graph.model import UNKNOWN
from kerasvg.readers.live import read_model
from kerasvg.readers.saved import SavedModelError, graph_from_config, read_saved_model


# ---------------------------------------------------------------- models (layers named: names are compared)


def _sequential(keras, L):
    return keras.Sequential([keras.Input((8,), name="features"), L.Dense(12, activation="relu", name="hidden"),
                             L.Dropout(0.2, name="drop"), L.Dense(1, activation="sigmoid", name="score")], name="seq")


def _sequential_built(keras, L):
    model = keras.Sequential([L.Conv2D(3, 3, name="q_conv"), L.Flatten(name="q_flat"), L.Dense(2, name="q_out")],
                             name="seq_built")
    model.build((None, 10, 10, 1))
    return model


def _functional(keras, L):
    image = keras.Input((32, 32, 3), name="image")
    a = L.Conv2D(8, 3, padding="same", name="conv_a")(image)
    b = L.BatchNormalization(name="bn")(a)
    b = L.Conv2D(8, 3, padding="same", activation="relu", name="conv_b")(b)
    x = L.Add(name="residual")([a, b])
    x = L.MaxPooling2D(name="pool")(x)
    x = L.Conv2DTranspose(4, 3, strides=2, name="deconv")(x)
    x = L.DepthwiseConv2D(3, depth_multiplier=2, name="depthwise")(x)
    x = L.SeparableConv2D(5, 3, strides=2, padding="same", name="separable")(x)
    x = L.ZeroPadding2D(((1, 2), (3, 4)), name="pad")(x)
    x = L.Cropping2D(1, name="crop")(x)
    x = L.UpSampling2D(2, name="upsample")(x)
    flat = L.Dense(7, name="dense_flat")(L.Flatten(name="flatten")(x))
    pooled = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(10, activation="softmax", name="classes")(L.Concatenate(name="concat")([flat, pooled]))
    return keras.Model(image, out, name="functional")


def _nested(keras, L):
    inner_in = keras.Input((16, 16, 3), name="inner_in")
    inner = keras.Model(inner_in, L.Conv2D(4, 3, name="inner_conv")(inner_in), name="inner_functional")
    head = keras.Sequential([keras.Input((14, 14, 4), name="head_in"), L.Conv2D(2, 1, name="head_conv"),
                             L.PReLU(name="head_prelu")], name="head")
    outer_in = keras.Input((16, 16, 3), name="outer_in")
    x = L.AveragePooling2D(3, strides=1, padding="same", name="smooth")(inner(outer_in))
    return keras.Model(outer_in, head(x), name="nested")


def _multi_input(keras, L):
    branch = keras.Sequential([keras.Input((5,), name="branch_in"), L.Dense(3, name="branch_dense"),
                               L.LayerNormalization(name="branch_norm")], name="branch")
    numbers = keras.Input((5,), name="numbers")
    series = keras.Input((7, 10), name="series")
    _, state_h, state_c = L.LSTM(6, return_state=True, name="encoder")(series)
    shared = L.Dense(4, name="shared")
    merged = L.Concatenate(name="merge")([branch(numbers), state_h, shared(state_h), shared(state_c)])
    return keras.Model([numbers, series], [merged, state_c], name="multi_input")


def _recurrent(keras, L):
    tokens = keras.Input((20,), name="tokens")
    x = L.Embedding(100, 16, name="embed")(tokens)
    x = L.Bidirectional(L.GRU(8, return_sequences=True, name="gru"), name="bigru")(x)
    x = L.SimpleRNN(4, return_sequences=True, name="rnn")(x)
    x = L.TimeDistributed(L.Dense(3, name="step_dense"), name="per_step")(x)
    x = L.Conv1D(6, 3, strides=2, name="conv1d")(x)
    x = L.MultiHeadAttention(2, 4, name="attention")(x, x)
    x = L.GlobalMaxPooling1D(name="gmp")(x)
    x = L.Reshape((2, -1), name="reshape")(x)
    x = L.Permute((2, 1), name="permute")(x)
    x = L.LSTM(5, name="lstm")(x)
    return keras.Model(tokens, L.RepeatVector(3, name="repeat")(x), name="recurrent")


def _with_ops(keras, L):
    x = keras.Input((4,), name="x")
    y = keras.Input((4,), name="y")
    return keras.Model([x, y], L.Dense(2, name="out")(x + y * 2.0), name="with_ops")


BUILDERS = [_sequential, _sequential_built, _functional, _nested, _multi_input, _recurrent, _with_ops]


def _describe(graph):
    rows = [(l.name, l.type, l.shape_text, l.trainable_params, l.non_trainable_params, l.index, l.is_input, l.config,
             _describe(l.nested) if l.nested else None) for l in graph.layers]
    return rows, list(graph.edges), graph.inputs, graph.outputs, graph.name, graph.type


@pytest.mark.parametrize("suffix", [".keras", ".json"])
@pytest.mark.parametrize("build", BUILDERS, ids=lambda f: f.__name__.strip("_"))
def test_saved_file_draws_like_the_live_model(keras, tmp_path, build, suffix):
    model = build(keras, keras.layers)
    path = tmp_path / f"model{suffix}"
    if suffix == ".keras":
        model.save(path)
    else:
        path.write_text(model.to_json())
    graph = read_saved_model(path)
    live_svg = kerasvg.layered_view(model, id_prefix="m").svg
    file_svg = kerasvg.layered_view(graph, id_prefix="m").svg
    live_groups, live_edges = drawn_layers_and_edges(live_svg)
    file_groups, file_edges = drawn_layers_and_edges(file_svg)
    assert any(t == "InputLayer" for _, t, _, _ in file_groups)
    assert file_groups == live_groups
    assert file_edges == live_edges
    assert _describe(graph) == _describe(read_model(model)[0])
    assert file_svg == live_svg


@pytest.mark.parametrize("build", [_functional, _nested, _multi_input, _recurrent], ids=lambda f: f.__name__.strip("_"))
def test_shapes_are_inferred_when_the_file_records_none(keras, build):
    """Strip every recorded shape: the inference rules alone must reproduce Keras's shapes."""
    model = build(keras, keras.layers)
    config = _strip_shapes(json.loads(model.to_json()))
    live = read_model(model)[0]
    graph = graph_from_config(config)
    assert [(l.name, l.shape_text, l.params) for l in graph.layers] == [(l.name, l.shape_text, l.params) for l in live.layers]


def _strip_shapes(value):
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            config = dict(value["config"], shape=None)
            return dict(value, config=config)
        return {k: _strip_shapes(v) for k, v in value.items() if k not in ("build_config", "build_input_shape")}
    if isinstance(value, list):
        return [_strip_shapes(v) for v in value]
    return value


def test_keras3_legacy_h5(keras, tmp_path):
    model = _functional(keras, keras.layers)
    path = tmp_path / "model.h5"
    keras.saving.save_model(model, path)
    graph = read_saved_model(path)
    live = read_model(model)[0]
    assert [(l.name, l.shape_text) for l in graph.layers] == [(l.name, l.shape_text) for l in live.layers]
    assert graph.edges == live.edges


@pytest.fixture(scope="module")
def tf_keras():
    return pytest.importorskip("tf_keras")


def _tf_keras_models(tk):
    L = tk.layers
    image = tk.Input((28, 28, 1), name="img")
    a = L.Conv2D(4, 3, name="c1")(image)
    b = L.Conv2D(4, 3, name="c2")(image)
    x = L.Dense(3, name="d")(L.Flatten(name="f")(L.Add(name="add")([a, b])))
    yield tk.Model(image, x, name="tk_functional")
    yield tk.Sequential([L.Dense(4, input_shape=(8,), name="s1"), L.Dense(2, name="s2")], name="tk_seq")
    tokens = tk.Input((10,), name="tok")
    r = L.GRU(3, name="g")(L.LSTM(4, return_sequences=True, name="l")(L.Embedding(50, 8, name="e")(tokens)))
    yield tk.Model(tokens, r, name="tk_recurrent")


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".json"])
def test_tf_keras_files_best_effort(tf_keras, tmp_path, suffix):
    """Keras 2 configs (nested-list inbound_nodes, few recorded shapes) are read and shapes inferred."""
    for model in _tf_keras_models(tf_keras):
        path = tmp_path / f"{model.name}{suffix}"
        if suffix == ".json":
            path.write_text(model.to_json())
        else:
            model.save(path)
        graph = read_saved_model(path)
        live = read_model(model)[0]
        assert [(l.name, l.type, l.shape_text, l.params) for l in graph.layers] == \
            [(l.name, l.type, l.shape_text, l.params) for l in live.layers]
        assert graph.edges == live.edges


def test_keras2_config_without_input_layer_gets_one():
    config = {"class_name": "Sequential", "config": {"name": "old", "layers": [
        {"class_name": "Dense", "config": {"name": "d1", "units": 5, "batch_input_shape": [None, 3]}},
        {"class_name": "Dense", "config": {"name": "d2", "units": 2, "use_bias": False}},
    ]}}
    graph = graph_from_config(config)
    assert [(l.name, l.shape_text, l.params) for l in graph.layers] == [
        ("d1_input", "(None, 3)", 0), ("d1", "(None, 5)", 20), ("d2", "(None, 2)", 10)]
    assert graph.edges == (("d1_input", "d1"), ("d1", "d2"))


def _keras2_functional(layers):
    """A hand-written Keras 2 style config: [name, class, config, [source names]]."""
    entries = []
    for name, cls, config, sources in layers:
        entries.append({"class_name": cls, "name": name, "config": dict(config, name=name),
                        "inbound_nodes": [[[s, 0, 0, {}] for s in sources]] if sources else []})
    return {"class_name": "Functional", "config": {"name": "hand", "layers": entries,
                                                   "input_layers": [[layers[0][0], 0, 0]],
                                                   "output_layers": [[layers[-1][0], 0, 0]]}}


def test_unknown_classes_show_question_marks_and_do_not_fail():
    config = _keras2_functional([
        ("in", "InputLayer", {"batch_input_shape": [None, 9, 9, 2]}, []),
        ("mystery", "MyCustomBlock", {"anything": [1, 2]}, ["in"]),
        ("lam", "Lambda", {"function": "print('never run')"}, ["mystery"]),
        ("conv", "Conv2D", {"filters": 4, "kernel_size": [3, 3]}, ["lam"]),
    ])
    graph = graph_from_config(config)
    shapes = {l.name: l.shape_text for l in graph.layers}
    assert shapes == {"in": "(None, 9, 9, 2)", "mystery": UNKNOWN, "lam": UNKNOWN, "conv": UNKNOWN}
    assert graph.layer("mystery").type == "MyCustomBlock"
    svg = kerasvg.layered_view(graph).svg
    assert [g.get("data-shape") for g in layer_groups(parse_svg(svg))] == ["(None, 9, 9, 2)", "?", "?", "?"]


# ---------------------------------------------------------------- bad files


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("make, expected", [
    (lambda p: p / "missing.keras", "no such file"),
    (lambda p: (p / "noise.keras").write_bytes(b"not a zip at all") and p / "noise.keras", "not a zip archive"),
    (lambda p: _zip(p / "weights.keras", {"model.weights.h5": b"x"}), "no config.json"),
    (lambda p: _zip(p / "broken.keras", {"config.json": b'{"class_name": "Functional", "config": {'}), "corrupt JSON"),
    (lambda p: (p / "list.json").write_text("[1, 2]") and p / "list.json", "expected a JSON object"),
    (lambda p: (p / "other.json").write_text('{"hello": "world"}') and p / "other.json", "unknown config format"),
    (lambda p: (p / "deep.json").write_text("[" * 100000 + "]" * 100000) and p / "deep.json", "nested too deeply"),
    (lambda p: (p / "binary.json").write_bytes(b"\xff\xfe\x00garbage") and p / "binary.json", "not UTF-8"),
    (lambda p: (p / "fake.h5").write_bytes(b"plain text") and p / "fake.h5", "not an HDF5 file"),
    (lambda p: p, "is a folder"),
])
def test_bad_files_raise_a_clear_error_naming_the_file(tmp_path, make, expected):
    path = make(tmp_path)
    with pytest.raises(SavedModelError) as info:
        read_saved_model(path)
    message = str(info.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_h5_without_model_config_is_refused(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "weights_only.h5"
    with h5py.File(path, "w") as handle:
        handle.create_dataset("kernel", data=[1.0, 2.0])
    with pytest.raises(SavedModelError, match="no model_config"):
        read_saved_model(path)


def test_zip_bomb_config_is_refused_without_unpacking(tmp_path):
    from kerasvg import budgets

    path = _zip(tmp_path / "bomb.keras", {"config.json": b" " * 5_000_000})
    assert path.stat().st_size < 50_000
    with budgets.override(input_bytes=1_000_000), \
            pytest.raises(SavedModelError, match="over the input_bytes budget of 1,000,000"):
        read_saved_model(path)


def test_zip_bomb_with_a_lying_header_stops_at_the_cap(tmp_path):
    """A header claiming a small size does not get the whole member read."""
    from kerasvg import budgets

    path = _zip(tmp_path / "liar.keras", {"config.json": b" " * 3_000_000})
    data = bytearray(path.read_bytes())
    real = (3_000_000).to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    assert data.count(real) == 2  # local header and central directory
    path.write_bytes(bytes(data).replace(real, fake))
    with budgets.override(input_bytes=1_000_000), \
            pytest.raises(SavedModelError, match="budget|cannot be unpacked"):
        read_saved_model(path)
