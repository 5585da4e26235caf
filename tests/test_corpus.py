"""Acceptance corpus (issue 10): real saved models from libraries kerasvg did not write.

For each model, the file render (the CLI, in a process that never imports TensorFlow) and the live
render give the same layers, edges, shapes and parameter counts, layer by layer. keras_hub models
need `--load` (without it: exit 2 and one line); a registered model class of one's own package needs
`--load --import`. Every model is built and saved once per session, at small input sizes.
"""
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kerasvg
from conftest import drawn_layers_and_edges, save_hub_models
from kerasvg.cli import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent

APPLICATIONS = {
    "ConvNeXtTiny": (32, 32, 3), "NASNetMobile": (32, 32, 3), "Xception": (71, 71, 3),
    "EfficientNetV2B0": (32, 32, 3), "MobileNetV3Small": (32, 32, 3), "InceptionResNetV2": (75, 75, 3),
    "ResNet50": (32, 32, 3), "DenseNet121": (32, 32, 3), "MobileNetV2": (32, 32, 3), "InceptionV3": (75, 75, 3),
}
HUB = {
    "BertBackbone": dict(vocabulary_size=50, num_layers=2, num_heads=2, hidden_dim=16, intermediate_dim=32,
                         max_sequence_length=16),
    "GPT2Backbone": dict(vocabulary_size=50, num_layers=2, num_heads=2, hidden_dim=16, intermediate_dim=32,
                         max_sequence_length=16),
    "GemmaBackbone": dict(vocabulary_size=50, num_layers=2, num_query_heads=2, num_key_value_heads=1, hidden_dim=16,
                          intermediate_dim=32, head_dim=8),
    "ViTBackbone": dict(image_shape=(32, 32, 3), patch_size=8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=32),
    "ResNetBackbone": dict(input_conv_filters=[64], input_conv_kernel_sizes=[7], stackwise_num_filters=[64, 16],
                           stackwise_num_blocks=[1, 1], stackwise_num_strides=[1, 2], block_type="basic_block",
                           image_shape=(32, 32, 3)),
    "CSPNetBackbone": dict(stem_filters=16, stem_kernel_size=3, stem_strides=2, stackwise_depth=[1, 1],
                           stackwise_strides=2, stackwise_num_filters=[16, 32], block_type="dark_block",
                           stage_type="dark", image_shape=(32, 32, 3)),
}


def _session_free(drawn):
    """Names with Keras's per-session counter dropped (a loaded model's ops are renumbered: get_item_1)."""
    layers, edges = drawn
    base = lambda n: re.sub(r"_\d+$", "", n)  # noqa: E731
    return [(base(n), *rest) for n, *rest in layers], [(base(a), base(b)) for a, b in edges]


def _assert_same(name, file_svg, live_svg, loaded=False):
    read = (lambda svg: _session_free(drawn_layers_and_edges(svg))) if loaded else drawn_layers_and_edges
    file_layers, file_edges = read(file_svg)
    live_layers, live_edges = read(live_svg)
    assert [l[0] for l in file_layers] == [l[0] for l in live_layers], name
    for got, want in zip(file_layers, live_layers):
        assert got == want, (name, got, want)
    assert file_edges == live_edges, name
    assert all(params != "" for *_, params in file_layers), name  # every count known from the weights


def _tf_keras_ops(tk):
    import tensorflow as tf

    x = tk.Input((4, 6), name="x")
    y = tk.Input((4, 6), name="y")
    a = tk.layers.Dense(6, name="d")(x)
    t = tf.transpose(a, perm=[0, 2, 1])
    s = a + y
    p1, p2 = tf.split(s, 2, axis=-1)
    head = s[:, 1:3]
    out = tk.layers.Dense(3, name="head")(tf.concat([p1, p2], axis=-1))
    return tk.Model([x, y], [t, out, tf.reshape(head, (-1, 12))], name="tf_keras_ops")


def _custom_layer_model(keras):
    @keras.saving.register_keras_serializable(package="corpus")
    class GatedScale(keras.layers.Layer):
        def build(self, shape):
            self.gate = self.add_weight(shape=(shape[-1], shape[-1]), name="gate")
            self.bias = self.add_weight(shape=(shape[-1],), name="bias", trainable=False)

        def call(self, x):
            return keras.ops.matmul(x, self.gate) + self.bias

    x = keras.Input((10,), name="x")
    h = GatedScale(name="gated")(keras.layers.Dense(8, name="d")(x))
    return keras.Model(x, keras.layers.Dense(2, name="out")(h), name="custom_layer")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, keras):
    """name → (saved path, live model): built and saved once."""
    folder = tmp_path_factory.mktemp("corpus")
    models = {}
    for name, shape in APPLICATIONS.items():
        models[name] = getattr(keras.applications, name)(weights=None, classes=10, input_shape=shape)
    from test_masks import _seq2seq

    models["seq2seq"] = _seq2seq(keras)
    models["custom_layer"] = _custom_layer_model(keras)
    saved = {}
    for name, model in models.items():
        path = folder / f"{name}.keras"
        model.save(path)
        saved[name] = (path, model)
    tf_keras = pytest.importorskip("tf_keras")
    model = _tf_keras_ops(tf_keras)
    path = folder / "tf_keras_ops.h5"
    model.save(path)
    saved["tf_keras_ops"] = (path, model)
    return saved


def test_file_renders_match_live_renders(corpus, tmp_path):
    outputs = {name: tmp_path / f"{name}.svg" for name in corpus}
    jobs = [[str(path), str(outputs[name])] for name, (path, _) in corpus.items()]
    code = textwrap.dedent(f"""
        import json, sys
        from kerasvg.cli import main
        status = [main(["render", path, "-o", out, "--labels", "name,shape,params"]) for path, out in {jobs!r}]
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras", "jax"))
        print(json.dumps({{"status": status, "heavy": heavy}}))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"status": [0] * len(jobs), "heavy": []}
    for name, (_, model) in corpus.items():
        live = kerasvg.layered_view(model, labels="name,shape,params").svg
        _assert_same(name, outputs[name].read_text(), live)


@pytest.fixture(scope="session")
def hub_models(tmp_path_factory, keras):
    return save_hub_models(tmp_path_factory.mktemp("hub"), HUB)


def test_keras_hub_needs_load_and_draws_with_it(hub_models, tmp_path, capsys):
    for name, (path, model) in hub_models.items():
        out = tmp_path / f"{name}.svg"
        assert main(["render", str(path), "-o", str(out)]) == 2
        lines = [l for l in capsys.readouterr().err.splitlines() if l.strip()]
        assert len(lines) == 1 and f"keras_hub>{name}" in lines[0] and "--load" in lines[0], lines
        assert not out.exists()
        assert main(["render", str(path), "--load", "-o", str(out), "--labels", "name,shape,params"]) == 0
        _assert_same(name, out.read_text(), kerasvg.layered_view(model, labels="name,shape,params").svg, loaded=True)


def test_weight_structure_read_in_python_equals_h5pys(corpus, hub_models):
    """kerasvg.readers.hdf5 (pure Python, in process) reads the same counts and names as h5py from every archive."""
    from kerasvg.readers.weights import read_weight_tree, read_weight_tree_h5py, weights_location

    paths = [path for path, _ in list(corpus.values()) + list(hub_models.values()) if path.suffix == ".keras"]
    assert len(paths) >= 17
    for path in paths:
        location = weights_location(path)
        assert location is not None, path.name
        assert read_weight_tree(str(path), *location) == read_weight_tree_h5py(str(path), *location), path.name
