"""`--load` and `--import` reach every model of a batch, on one process and on --jobs workers."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kerasvg
from conftest import drawn_layers_and_edges, parse_svg, save_hub_models
from kerasvg.cli import main
from test_loading import tiny_package  # noqa: F401  a fixture: mypkg's TinyNet, saved

ROOT = Path(__file__).resolve().parent.parent

HUB = {
    "BertBackbone": dict(vocabulary_size=100, num_layers=1, num_heads=2, hidden_dim=16, intermediate_dim=32,
                         max_sequence_length=16),
    "GPT2Backbone": dict(vocabulary_size=50, num_layers=1, num_heads=2, hidden_dim=16, intermediate_dim=32,
                         max_sequence_length=16),
}


@pytest.fixture(scope="module")
def hub_files(tmp_path_factory, keras):
    """Two tiny keras_hub backbones saved as .keras (built here, no weights downloaded), with the models."""
    return save_hub_models(tmp_path_factory.mktemp("hub"), HUB)


def _cli(*args, paths=()):
    """`python -m kerasvg ARGS` in a fresh process (no TensorFlow yet: --jobs forks its workers)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *map(str, paths)]), TF_CPP_MIN_LOG_LEVEL="3",
               CUDA_VISIBLE_DEVICES="-1")
    return subprocess.run([sys.executable, "-m", "kerasvg", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


def _session_free(svg):
    """(name, type) of each drawn layer and the edges, without Keras's per-session name counters (get_item_3)."""
    layers, edges = drawn_layers_and_edges(svg)
    base = lambda n: re.sub(r"_\d+$", "", n)  # noqa: E731
    return [(base(n), t) for n, t, *_ in layers], [(base(a), base(b)) for a, b in edges]


def _assert_hub_outputs(folder, hub_files):
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{name}.svg" for name in hub_files)
    for name, (_, model) in hub_files.items():
        svg = (folder / f"{name}.svg").read_text(encoding="utf-8")
        parse_svg(svg)  # well-formed XML with an <svg> root
        drawn = _session_free(svg)
        assert drawn == _session_free(kerasvg.layered_view(model).svg), name
        types = [t for _, t in drawn[0]]
        assert types[0] == "InputLayer" and ("TransformerEncoder" if name == "BertBackbone" else "TransformerDecoder") \
            in types


def test_batch_with_load_draws_every_keras_hub_model(hub_files, tmp_path, capsys):
    paths = [str(path) for path, _ in hub_files.values()]
    assert main(["render", *paths, "-o", f"{tmp_path / 'plain'}/"]) == 2  # without --load: both refused
    err = capsys.readouterr().err
    assert all(f"keras_hub>{name}" in err for name in hub_files) and "--load" in err
    out = tmp_path / "one"
    assert main(["render", *paths, "--load", "-o", f"{out}/", "--jobs", "1"]) == 0, capsys.readouterr().err
    _assert_hub_outputs(out, hub_files)


def test_batch_with_load_on_two_worker_processes(hub_files, tmp_path):
    out = tmp_path / "two"
    result = _cli("render", *(path for path, _ in hub_files.values()), "--load", "-o", f"{out}/", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    _assert_hub_outputs(out, hub_files)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_with_load_and_import(tiny_package, tmp_path, jobs):  # noqa: F811
    root, path = tiny_package
    copy = tmp_path / "models" / "tiny_copy.keras"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    out = tmp_path / "out"
    result = _cli("render", path, copy, "--load", "--import", "mypkg", "-o", f"{out}/", "--jobs", jobs,
                  "--labels", "name,params", paths=[root])
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["tiny.svg", "tiny_copy.svg"]
    for svg in out.iterdir():
        layers, edges = drawn_layers_and_edges(svg.read_text(encoding="utf-8"))
        assert [(n, p) for n, _, _, p in layers] == [("features", "0"), ("tiny_hidden", "35"), ("tiny_out", "12")]
        assert edges == [("features", "tiny_hidden"), ("tiny_hidden", "tiny_out")]
