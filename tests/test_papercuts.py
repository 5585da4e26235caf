"""What a newcomer meets first: one version, install hints, CLI typos, missing folders, files that are not models."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import kerasvg
from kerasvg.cli import DEMO_MODEL, main
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


def test_readme_has_no_stale_statements():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "NotImplementedError" not in readme
    assert "kerasvg/hdf5.py" not in readme and "`kerasvg.hdf5`" not in readme
    assert "repository URL>" not in readme and "- repo: local" in readme


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
