"""The live reader on Keras's JAX backend draws what the saved config draws (run in a child process:
the backend is fixed at the first `import keras`)."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent("""
    import json, sys
    import keras
    from test_savedfile import _multi_input, _nested, _sequential, _with_ops
    from test_masks import _seq2seq
    from kerasvg.readers.live import read_model
    from kerasvg.readers.saved import graph_from_config

    def rows(graph):
        return [[l.name, l.type, l.shape_text, l.params] for l in graph.layers], [list(e) for e in graph.edges]

    report = {"backend": keras.backend.backend(), "models": {}}
    for build in (_sequential, _nested, _multi_input, _with_ops, lambda k, L: _seq2seq(k)):
        model = build(keras, keras.layers)
        report["models"][model.name] = [rows(read_model(model)[0]), rows(graph_from_config(json.loads(model.to_json())))]
    print(json.dumps(report))
""")


def test_live_reader_on_the_jax_backend():
    pytest.importorskip("jax")
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == "jax"
    assert len(report["models"]) == 5
    for name, (live, saved) in report["models"].items():
        assert live == saved, name
        assert all(shape != "?" for _, _, shape, _ in live[0]), name
