"""What a newcomer meets first: one version, install hints, CLI typos, missing folders, files that are not models,
tf_keras files given to --load, and legacy .h5 files counted as their .keras twins."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from conftest import layer_groups, parse_svg

import kerasvg
from kerasvg.cli import DEMO_MODEL, main
from kerasvg.readers.saved import graph_from_config, h5_model_config
from kerasvg.writers.files import write_atomic

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# ---- hygiene ------------------------------------------------------------------------------------


def test_the_version_is_written_once_and_read_from_the_installed_distribution():
    from importlib.metadata import version

    source = (ROOT / "kerasvg" / "__init__.py").read_text(encoding="utf-8")
    assert not re.search(r"^__version__\s*=", source, re.M)
    assert kerasvg.__version__ == version("kerasvg") == PYPROJECT["project"]["version"]


def test_import_kerasvg_stays_cheap_until_the_version_is_asked_for():
    code = ("import sys, kerasvg; before = 'importlib.metadata' in sys.modules; v = kerasvg.__version__; "
            "print(before, 'importlib.metadata' in sys.modules, v)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", PYPROJECT["project"]["version"]]


def test_the_version_without_an_installed_distribution_is_unknown(monkeypatch):
    import importlib.metadata

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert kerasvg._installed_version() == "0+unknown"


def test_license_changelog_and_extras():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License") and "Copyright (c) 2026 kerasvg contributors" in license_text
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(project['version'])}\] - 2026-\d\d-\d\d$", changelog, re.M)
    assert "## [0.1.0] - 2026-11-26" in changelog
    base = {re.split(r"[<>=\[ ]", dep)[0].lower() for dep in project["dependencies"]}
    extras = project["optional-dependencies"]
    assert "h5" in extras  # `pip install kerasvg[h5]` still works
    for name in ("h5", "pptx", "paths", "tensorflow"):
        assert not base & {re.split(r"[<>=\[ ]", dep)[0].lower() for dep in extras[name]}, name


def test_readme_and_docs_have_no_stale_statements():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    assert "NotImplementedError" not in text
    assert "kerasvg/hdf5.py" not in text and "`kerasvg.hdf5`" not in text
    assert "repository URL>" not in text
    assert "- repo: local" in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


# ---- install hints ------------------------------------------------------------------------------


def test_text_paths_without_fonttools_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "fontTools" or m.startswith("fontTools.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fontTools", None)
    with pytest.raises(ImportError, match=re.escape("pip install 'kerasvg[paths]'")):
        kerasvg.layered_view(str(DEMO_MODEL), text="paths")


def test_text_paths_without_fonttools_on_the_command_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "fontTools", None)
    assert main(["render", str(DEMO_MODEL), "-o", str(tmp_path / "x.svg"), "--text", "paths"]) == 2
    assert "pip install 'kerasvg[paths]'" in capsys.readouterr().err
    assert not (tmp_path / "x.svg").exists()


# ---- CLI typos ----------------------------------------------------------------------------------


def test_a_mistyped_flag_gets_did_you_mean_and_the_command_usage(tmp_path, capsys):
    assert main(["render", str(DEMO_MODEL), "-o", str(tmp_path / "x.svg"), "--lgend"]) == 2
    err = capsys.readouterr().err
    assert "usage: kerasvg render" in err
    assert "kerasvg render: error: unrecognized arguments: --lgend (did you mean --legend?)" in err
    assert not (tmp_path / "x.svg").exists()


def test_a_mistyped_flag_of_diff_is_answered_in_diff_usage(capsys):
    assert main(["diff", "a.keras", "b.keras", "--exit-cod"]) == 2
    err = capsys.readouterr().err
    assert "usage: kerasvg diff" in err and "did you mean --exit-code?" in err


@pytest.mark.parametrize("argv, flag", [(["render", "m.json", "-o", "x.svg", "--them", "paper"], "--them"),
                                        (["render", "m.json", "-o", "x.svg", "--lab", "name"], "--lab"),
                                        (["diff", "a.keras", "b.keras", "--qui"], "--qui")])
def test_abbreviated_flags_are_refused(argv, flag, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"usage: kerasvg {argv[0]}" in err and f"unrecognized arguments: {flag} (did you mean" in err


def test_a_word_no_flag_resembles_gets_no_suggestion(tmp_path, capsys):
    assert main(["render", str(DEMO_MODEL), "-o", str(tmp_path / "x.svg"), "--zzzzzz"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --zzzzzz" in err and "did you mean" not in err


# ---- outputs and inputs -------------------------------------------------------------------------


def test_save_into_a_missing_folder_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    diagram = kerasvg.layered_view(str(DEMO_MODEL))
    with pytest.raises(FileNotFoundError) as caught:
        diagram.save("nodir/x.svg")
    message = str(caught.value)
    assert message == "cannot write nodir/x.svg: the folder nodir does not exist (create it first)"
    assert ".tmp" not in message
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_under_a_file_says_it_is_not_a_folder(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        write_atomic(tmp_path / "plain" / "x.svg", b"data")


NOT_MODELS = {
    "page.json": (b"<!DOCTYPE html>\n<html><head><title>x</title></head></html>\n", "an HTML file"),
    "page.html": (b"\n  <html lang='en'><body>saved from a browser</body></html>", "an HTML file"),
    "figure.svg": (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "an SVG image"),
    "model.txt": (b"Layer (type)    Output Shape    Param #\n dense (Dense)  (None, 10)  110\n", "a plain-text file"),
    "notes.xml": (b"<?xml version='1.0'?><notes/>", "an XML file"),
    "paper.json": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
    "shot.json": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
}


@pytest.mark.parametrize("name", NOT_MODELS)
def test_a_file_that_is_not_a_model_is_called_what_it_looks_like(name, tmp_path, capsys):
    data, kind = NOT_MODELS[name]
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["render", str(path), "-o", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"kerasvg: error: {path}: looks like {kind}, not a Keras model "
                   "(expected a .keras, .h5 or model-config .json file)")
    assert "corrupt JSON" not in err


def test_broken_json_still_says_where_it_breaks(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{"class_name": "Functional", "config": {')
    assert main(["render", str(path), "-o", str(tmp_path / "x.svg")]) == 2
    assert "corrupt JSON at line 1" in capsys.readouterr().err


def test_an_empty_file_is_called_empty(tmp_path, capsys):
    path = tmp_path / "empty.json"
    path.write_bytes(b"")
    with pytest.raises(Exception, match="the file is empty, so not a Keras model"):
        kerasvg.read(str(path))


# ---- saved files ---------------------------------------------------------------------------------


def _tf_keras_model_keras3_cannot_load():
    """A tf_keras model with a TFOpLambda (`tf.reshape`), which Keras 3 cannot build from any file."""
    tf_keras = pytest.importorskip("tf_keras")
    import tensorflow as tf

    x = tf_keras.Input((4,), name="x")
    h = tf_keras.layers.Dense(6, name="d")(x)
    return tf_keras.Model(x, tf.reshape(h, (-1, 2, 3)), name="tk_op")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_load_of_a_tf_keras_file_says_to_drop_load(suffix, tmp_path, capsys):
    path = tmp_path / f"tk{suffix}"
    _tf_keras_model_keras3_cannot_load().save(path)
    capsys.readouterr()
    assert main(["render", str(path), "--load", "-o", str(tmp_path / "loaded.svg")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.fullmatch(
        rf"kerasvg: error: {re.escape(str(path))}: saved by tf_keras / Keras 2 \(keras_version 2\.[\d.]+\), which "
        r"Keras 3 could not load; drop --load \(Python: load=False\) and kerasvg reads the file itself, without Keras\n",
        err), err
    assert not (tmp_path / "loaded.svg").exists()
    assert main(["render", str(path), "-o", str(tmp_path / "read.svg")]) == 0  # the advice works
    assert 'data-name="d"' in (tmp_path / "read.svg").read_text(encoding="utf-8")


def _keras3_ops_model(keras):
    """Weightless layers, `keras.ops` calls (saved as operation nodes) and a class kerasvg has no rule for."""
    L, ops = keras.layers, keras.ops

    @keras.saving.register_keras_serializable(package="kvpapercuts")
    class Gain(L.Layer):
        def build(self, shape):
            self.gain = self.add_weight(shape=(shape[-1],), name="gain")

        def call(self, x):
            return x * self.gain

    image = keras.Input((8, 8, 3), name="image")
    a = L.Conv2D(4, 3, padding="same", name="conv_a")(image)
    b = L.Conv2D(4, 3, padding="same", name="conv_b")(image)
    x = L.Concatenate(name="concat")([a, L.Add(name="add")([a, b])])
    x = L.Activation("relu", name="relu")(L.MaxPooling2D(name="pool")(x))
    x = L.Reshape((16, 8), name="reshape")(L.Dropout(0.1, name="dropout")(x))
    x = ops.sigmoid(ops.mean(ops.transpose(x, (0, 2, 1)), axis=-1))
    x = Gain(name="gain")(L.Flatten(name="flatten")(ops.expand_dims(x, -1)))
    return keras.Model(image, L.Dense(2, name="head")(x), name="ops_and_layers")


def _drawn_params(source):
    """layer name → (type, parameter count as drawn)."""
    return {g.get("data-name"): (g.get("data-type"), g.get("data-params"))
            for g in layer_groups(parse_svg(kerasvg.layered_view(source).svg))}


OPS = ("Transpose", "Mean", "Sigmoid", "ExpandDims")  # op names get a session counter (transpose_3): found by type


def test_keras3_legacy_h5_counts_every_layer_as_the_keras_archive_does(keras, tmp_path):
    model = _keras3_ops_model(keras)
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    archive, legacy = _drawn_params(tmp_path / "m.keras"), _drawn_params(tmp_path / "m.h5")
    assert legacy == archive == _drawn_params(model)
    weightless = {kind: params for kind, params in archive.values() if kind in (*OPS, "Add", "Flatten", "InputLayer")}
    assert weightless == dict.fromkeys((*OPS, "Add", "Flatten", "InputLayer"), "0")
    assert archive["gain"] == ("Gain", "8") and all(params for _, params in archive.values())


def test_a_legacy_h5_without_its_weights_keeps_real_unknowns_unknown(keras, tmp_path):
    path = tmp_path / "m.h5"
    _keras3_ops_model(keras).save(path)
    graph = graph_from_config(json.loads(h5_model_config(str(path), 1 << 24)))  # the config alone
    assert graph.layer("gain").params is None  # only the weights know this class's count
    assert graph.layer("head").params == 18
    ops = {layer.type: layer for layer in graph.layers if layer.type in OPS}
    assert {kind: layer.params for kind, layer in ops.items()} == dict.fromkeys(OPS, 0)
    assert ops["Transpose"].shape_text == "(None, 8, 16)" and ops["Transpose"].index is None  # not a layer
