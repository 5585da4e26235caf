"""The documentation's and the README's examples run, its pictures exist, and the README stays a short front page.

Each page's fenced blocks run in document order in a folder of their own: ```python blocks in one
namespace per page, the `kerasvg …` lines of ```bash blocks as shell commands, and a code block captioned
with a file name (```{code-block} toml` + `:caption: my_lab.toml`) is written to that file first.
```shell blocks are illustrative (they need your own files or machine set-up) and do not run.
"""
from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kerasvg

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
EXAMPLE_PAGES = [*PAGES, ROOT / "README.md"]
FENCE = re.compile(r"^(`{3,})(\{code-block\}\s*)?(\w*)[^\n]*\n(.*?)^\1\s*$", re.M | re.S)
KERASVG_BIN = Path(sys.executable).parent


def blocks(page: Path):
    """(language, caption or None, code) of each fenced block of a MyST page, in order."""
    for match in FENCE.finditer(page.read_text(encoding="utf-8")):
        language, body = match.group(3), match.group(4)
        caption = None
        if match.group(2):
            options = re.findall(r"^:(\w+):\s*(.*)$", body, re.M)
            caption = dict(options).get("caption")
            body = re.sub(r"^:\w+:.*\n", "", body, flags=re.M).lstrip("\n")
        yield language, caption, body


def commands(code: str):
    """The `kerasvg …` command lines of a bash block, with backslash continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", code)
    for line in joined.splitlines():
        if line.startswith("kerasvg "):
            yield line


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """The saved models the CLI examples name: model.keras/.json, unet.keras, runs/*.keras, old/new.keras."""
    from kerasvg import zoo

    folder = tmp_path_factory.mktemp("docs-models")
    small, revised, unet = zoo.small_cnn(), zoo.small_cnn_revised(), zoo.unet()
    small.save(folder / "model.keras")
    (folder / "model.json").write_text(small.to_json(), encoding="utf-8")
    unet.save(folder / "unet.keras")
    (folder / "runs").mkdir()
    small.save(folder / "runs" / "a.keras")
    revised.save(folder / "runs" / "b.keras")
    small.save(folder / "old.keras")
    revised.save(folder / "new.keras")
    return folder


def test_every_page_is_found():
    names = {page.stem for page in PAGES}
    assert {"index", "getting-started", "visualkeras", "structure", "themes", "html", "destinations", "cli",
            "diff", "budgets", "speed", "gallery", "api"} <= names


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`/`input_dim`:UserWarning")  # the blog post's input_dim
@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=[page.stem for page in EXAMPLE_PAGES])
def test_page_examples_run(page, model_files, tmp_path, monkeypatch):
    found = list(blocks(page))
    runnable = [b for b in found if b[0] in ("python", "bash") or b[1]]
    if not runnable:
        assert all(language not in ("python", "bash") for language, _, _ in found)
        return
    shutil.copytree(model_files, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    environment = dict(os.environ, PATH=f"{KERASVG_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                       TF_CPP_MIN_LOG_LEVEL="3")
    namespace: dict = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for language, caption, code in runnable:
        if caption:
            Path(caption).write_text(code, encoding="utf-8")
        elif language == "python":
            exec(compile(code, f"{page.name} (python block)", "exec"), namespace)
        elif language == "bash":
            for line in commands(code):
                done = subprocess.run(line, shell=True, executable="/bin/bash", env=environment,
                                      capture_output=True, text=True, timeout=300)
                allowed = (0, 1) if ("--exit-code" in line or "--check" in line) else (0,)
                assert done.returncode in allowed, f"{page.name}: `{line}` exited {done.returncode}: {done.stderr[-800:]}"


def test_layered_view_docstring_describes_every_keyword():
    """The API page lists layered_view's keywords from its docstring: none may be missing."""
    described = set(re.findall(r"^\s{4}(\w+): ", kerasvg.layered_view.__doc__, re.M))
    keywords = [name for name in inspect.signature(kerasvg.layered_view).parameters if name != "model"]
    assert [name for name in keywords if name not in described] == []


def test_docs_pictures_exist_and_gallery_page_shows_every_zoo_picture():
    referenced = set()
    for page in PAGES:
        text = re.sub(r"`[^`\n]*`", "", page.read_text(encoding="utf-8"))  # not pictures inside inline code
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            path = (DOCS / target).resolve()
            assert path.is_file(), f"{page.name} shows {target}, which does not exist"
            referenced.add(path)
    zoo_pictures = {path.resolve() for path in (ROOT / "gallery" / "zoo").glob("*.png")}
    missing = sorted(path.name for path in zoo_pictures - referenced)
    assert zoo_pictures and missing == [], f"docs/gallery.md does not show {missing}"


def test_readme_is_a_short_front_page_linking_into_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    for command in ("make demo", "make test", "make docs"):
        assert command in readme
    linked = set(re.findall(r"\(docs/([\w-]+)\.md", readme))
    assert {"getting-started", "destinations", "api", "cli"} <= linked
    assert all((DOCS / f"{name}.md").is_file() for name in linked)
    for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (ROOT / target).is_file(), target


def test_docs_build_configuration_and_extra():
    """`make docs` installs the docs extra and builds with warnings as errors; CI runs it."""
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["docs"]
    assert {re.split(r"[<>=\[]", item)[0] for item in extra} >= {"sphinx", "furo", "myst-parser", "sphinx-argparse"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndocs:", 1)[1].split("\n\n", 1)[0]
    assert '".[docs]"' in recipe and "sphinx -W" in recipe
    assert "make docs" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_make_demo_uses_an_activated_virtual_environment(tmp_path):
    venv = tmp_path / "activated"
    plan = subprocess.run(["make", "-n", "-C", str(ROOT), "demo"], capture_output=True, text=True, check=True,
                          env=dict(os.environ, VIRTUAL_ENV=str(venv))).stdout
    assert f"{venv}/bin/pip install" in plan and f"{venv}/bin/kerasvg demo" in plan and ".venv/" not in plan
    plain = subprocess.run(["make", "-n", "-C", str(ROOT), "demo"], capture_output=True, text=True, check=True,
                           env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}).stdout
    assert ".venv/bin/kerasvg demo" in plain
