"""The Sphinx extension (issue 14): a tiny project with the directive builds the SVG and the fragment."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")

ROOT = Path(__file__).resolve().parent.parent
MODELS = '''
from kerasvg import Layer, ModelGraph


def build_model():
    layers = (Layer("pixels", "InputLayer", ((None, 8, 8, 1),), is_input=True),
              Layer("conv_x", "Conv2D", ((None, 8, 8, 4),), trainable_params=40),
              Layer("scores", "Dense", ((None, 3),), trainable_params=771))
    return ModelGraph("docs_model", layers, (("pixels", "conv_x"), ("conv_x", "scores")),
                      inputs=("pixels",), outputs=("scores",))
'''
INDEX = '''Models
======

.. kerasvg:: docs_models:build_model
   :theme: paper
   :width: 400px

.. kerasvg:: docs_models:build_model
   :html:

.. kerasvg:: docs_models:missing
'''


def build(source: Path, out: Path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(source)]))
    return subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(source), str(out)],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.destinations
def test_directive_draws_the_model_into_the_build_output(tmp_path):
    source = tmp_path / "docs"
    (source / "sub").mkdir(parents=True)
    (source / "conf.py").write_text('extensions = ["kerasvg.sphinx"]\nproject = "t"\n')
    (source / "docs_models.py").write_text(MODELS)
    (source / "index.rst").write_text(INDEX + "\n.. toctree::\n\n   sub/page\n")
    (source / "sub" / "page.rst").write_text("Nested\n======\n\n.. kerasvg:: docs_models:build_model\n   :theme: paper\n   :width: 400px\n")
    out = tmp_path / "html"
    run = build(source, out)
    assert run.returncode == 0, run.stderr
    assert "docs_models:missing" in run.stderr and "has no attribute" in run.stderr  # reported, build goes on
    svgs = sorted((out / "_kerasvg").glob("*.svg"))
    assert len(svgs) == 2  # the :html: one and the :theme: paper one; the nested page reuses the latter
    page = (out / "index.html").read_text()
    nested = (out / "sub" / "page.html").read_text()
    paper = next(p for p in svgs if 'width="400px"' in p.read_text())
    assert f'src="_kerasvg/{paper.name}"' in page and f'src="../_kerasvg/{paper.name}"' in nested
    assert "DejaVu Serif" in paper.read_text() and 'data-name="conv_x"' in paper.read_text()
    assert 'class="kerasvg' in page and page.count('data-name="conv_x"') == 1  # the interactive fragment inline
    stamps = {p: p.stat().st_mtime_ns for p in svgs}
    (source / "index.rst").write_text(INDEX + "\nEdited.\n\n.. toctree::\n\n   sub/page\n")
    assert build(source, out).returncode == 0
    assert {p: p.stat().st_mtime_ns for p in svgs} == stamps  # cached by content: not drawn again
    (source / "docs_models.py").write_text(MODELS.replace('"conv_x"', '"conv_y"'))
    assert build(source, out).returncode == 0  # only the model changed: the pages are drawn again
    fresh = set((out / "_kerasvg").glob("*.svg")) - set(svgs)
    assert len(fresh) == 2 and all('data-name="conv_y"' in p.read_text() for p in fresh)
