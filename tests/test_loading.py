"""Files in Python (`kerasvg.read`, `layered_view(path)`), and model classes that only their library can
build: refused with one line naming the class and `--load`; drawn with `--load` / `--import`."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kerasvg
from conftest import connector_groups, layer_groups, parse_svg
from kerasvg.readers.live import read_model
from kerasvg.readers.saved import NeedsLibraryError, read_saved_model

ROOT = Path(__file__).resolve().parent.parent

TINY_PACKAGE = '''
import keras


@keras.saving.register_keras_serializable(package="mypkg")
class TinyNet(keras.Model):
    """A model class whose config is its constructor arguments."""

    def __init__(self, width=4, **kwargs):
        inputs = keras.Input((6,), name="features")
        hidden = keras.layers.Dense(width, name="tiny_hidden")(inputs)
        super().__init__(inputs, keras.layers.Dense(2, name="tiny_out")(hidden), **kwargs)
        self.width = width

    def get_config(self):
        return {"width": self.width, "name": self.name}
'''


def _env(*paths):
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *map(str, paths)]),
                TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")


def _cli(*args, paths=()):
    return subprocess.run([sys.executable, "-m", "kerasvg", *map(str, args)], capture_output=True, text=True,
                          env=_env(*paths), timeout=300)


def _one_line(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture(scope="module")
def tiny_package(tmp_path_factory):
    """`mypkg` in a folder of its own, and a TinyNet saved by a process that imported it."""
    root = tmp_path_factory.mktemp("pkg")
    (root / "mypkg").mkdir()
    (root / "mypkg" / "__init__.py").write_text(textwrap.dedent(TINY_PACKAGE))
    path = root / "tiny.keras"
    code = f"import mypkg; mypkg.TinyNet(width=5, name='tiny').save({str(path)!r})"
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(root), timeout=300, capture_output=True)
    return root, path


def test_registered_model_class_without_load_says_what_and_how(tiny_package):
    _, path = tiny_package
    with pytest.raises(NeedsLibraryError) as info:
        read_saved_model(path)
    assert info.value.registered == "mypkg>TinyNet" and info.value.package == "mypkg"
    result = _cli("render", path, "-o", path.with_suffix(".svg"))
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "mypkg>TinyNet" in line and "--load" in line and "constructor arguments" in line
    assert not path.with_suffix(".svg").exists()


def test_load_without_import_names_the_package_to_import(tiny_package):
    _, path = tiny_package
    result = _cli("render", path, "--load", "-o", path.with_suffix(".svg"))
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "mypkg>TinyNet" in line and "--import mypkg" in line


def test_load_with_import_draws_the_built_model(tiny_package, tmp_path):
    root, path = tiny_package
    out = tmp_path / "tiny.svg"
    result = _cli("render", path, "--load", "--import", "mypkg", "-o", out, "--labels", "name,params", paths=[root])
    assert result.returncode == 0, result.stderr
    groups = layer_groups(parse_svg(out.read_text()))
    assert [(g.get("data-name"), g.get("data-params")) for g in groups] == [
        ("features", "0"), ("tiny_hidden", "35"), ("tiny_out", "12")]
    assert [(c.get("data-from"), c.get("data-to")) for c in connector_groups(parse_svg(out.read_text()))] == [
        ("features", "tiny_hidden"), ("tiny_hidden", "tiny_out")]


def test_import_needs_load():
    result = _cli("render", "whatever.keras", "--import", "mypkg", "-o", "x.svg")
    assert result.returncode == 2
    assert "--import" in _one_line(result.stderr)
    with pytest.raises(ValueError, match="load=True"):
        kerasvg.read("whatever.keras", imports=["mypkg"])


def test_layered_view_and_read_take_paths_without_importing_tensorflow(keras, tmp_path):
    L = keras.layers
    model = keras.Sequential([keras.Input((8,), name="x"), L.Dense(3, name="d")], name="paths")
    model.save(tmp_path / "m.keras")
    (tmp_path / "m.json").write_text(model.to_json())
    keras.saving.save_model(model, tmp_path / "m.h5")
    code = textwrap.dedent(f"""
        import json, sys, pathlib, kerasvg
        folder = pathlib.Path({str(tmp_path)!r})
        svgs = [kerasvg.layered_view(folder / name, id_prefix="p").svg for name in ("m.keras", "m.json", "m.h5")]
        svgs.append(kerasvg.layered_view(str(folder / "m.keras"), id_prefix="p").svg)
        graph = kerasvg.read(folder / "m.keras")
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras"))
        print(json.dumps({{"svgs": svgs, "layers": [l.name for l in graph.layers], "total": graph.total_params,
                           "heavy": heavy}}))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=120)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["heavy"] == []
    assert report["layers"] == ["x", "d"] and report["total"] == 27
    live = kerasvg.layered_view(model, id_prefix="p").svg
    assert report["svgs"] == [live] * 4


def test_load_true_draws_the_live_model(keras, tmp_path):
    L = keras.layers
    model = keras.Sequential([keras.Input((8,), name="x"), L.Dense(3, name="d")], name="loaded")
    model.save(tmp_path / "m.keras")
    graph = kerasvg.read(tmp_path / "m.keras", load=True)
    assert [(l.name, l.params) for l in graph.layers] == [(l.name, l.params) for l in read_model(model)[0].layers]
    assert kerasvg.layered_view(tmp_path / "m.keras", load=True).svg == kerasvg.layered_view(model).svg


def test_a_missing_path_names_the_file():
    from kerasvg.readers.saved import SavedModelError

    with pytest.raises(SavedModelError, match="missing.keras: no such file"):
        kerasvg.layered_view("missing.keras")
