"""The `kerasvg` command line: render, batch, themes, demo, exit codes and error lines."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kerasvg
from conftest import layer_groups, parse_svg
from kerasvg.cli import DEMO_FORMATS, DEMO_MODEL, main
from kerasvg.readers.saved import read_saved_model

ROOT = Path(__file__).resolve().parent.parent
PNG, JPEG, PDF = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-"
SENTINEL = b"previous output, must survive"


def _run(*args, cwd=None, env_extra=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "kerasvg", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def small_keras(tmp_path_factory, keras):
    L = keras.layers
    image = keras.Input((24, 24, 3), name="image")
    a = L.Conv2D(8, 3, padding="same", name="conv_a")(image)
    b = L.Conv2D(8, 3, padding="same", name="conv_b")(a)
    x = L.GlobalAveragePooling2D(name="gap")(L.Add(name="add")([a, b]))
    model = keras.Model(image, L.Dense(4, name="logits")(x), name="small")
    path = tmp_path_factory.mktemp("models") / "small.keras"
    model.save(path)
    return path, model


def _error_line(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# ---------------------------------------------------------------- render


def test_render_keras_file_in_a_process_without_tensorflow(small_keras, tmp_path):
    path, _ = small_keras
    out = tmp_path / "small.svg"
    code = (
        "import json, sys\n"
        "from kerasvg.cli import main\n"
        f"status = main(['render', {str(path)!r}, '-o', {str(out)!r}, '-o', {str(tmp_path / 'small.png')!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras'))\n"
        "print(json.dumps({'status': status, 'heavy': heavy}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"status": 0, "heavy": []}
    names = [g.get("data-name") for g in layer_groups(parse_svg(out.read_text()))]
    assert names == ["image", "conv_a", "conv_b", "add", "gap", "logits"]
    assert (tmp_path / "small.png").read_bytes().startswith(PNG)


def test_python_dash_m_render_writes_what_the_api_writes(small_keras, tmp_path):
    path, model = small_keras
    out = tmp_path / "small.svg"
    result = _run("render", path, "-o", out, "--theme", "paper", "--labels", "name,type,params", "--legend")
    assert result.returncode == 0, result.stderr
    expected = kerasvg.layered_view(read_saved_model(path), theme="paper", labels="name,type,params", legend=True)
    assert out.read_text() == expected.svg
    live = kerasvg.layered_view(model, theme="paper", labels="name,type,params", legend=True)
    assert out.read_text() == live.svg


def test_several_outputs_from_one_read(small_keras, tmp_path):
    path, _ = small_keras
    outs = [tmp_path / f"fig.{ext}" for ext in ("svg", "png", "jpg", "jpeg", "pdf")]
    args = ["render", str(path)]
    for out in outs:
        args += ["-o", str(out)]
    assert main(args) == 0
    assert len(layer_groups(parse_svg(outs[0].read_text()))) == 6
    assert outs[1].read_bytes().startswith(PNG)
    assert outs[2].read_bytes().startswith(JPEG) and outs[3].read_bytes().startswith(JPEG)
    assert outs[4].read_bytes().startswith(PDF)


def test_width_and_dpi_set_the_png_size(small_keras, tmp_path):
    from PIL import Image

    path, _ = small_keras
    out = tmp_path / "print.png"
    assert main(["render", str(path), "-o", str(out), "--width", "3.5in", "--dpi", "300"]) == 0
    with Image.open(out) as image:
        assert abs(image.width - 1050) <= 1
        assert round(image.info["dpi"][0]) == 300


def test_scale_doubles_the_png(small_keras, tmp_path):
    from PIL import Image

    path, _ = small_keras
    one, two = tmp_path / "one.png", tmp_path / "two.png"
    assert main(["render", str(path), "-o", str(one)]) == 0
    assert main(["render", str(path), "-o", str(two), "--scale", "2"]) == 0
    with Image.open(one) as a, Image.open(two) as b:
        assert abs(b.width - 2 * a.width) <= 1


def test_successful_render_overwrites_output(small_keras, tmp_path):
    path, _ = small_keras
    out = tmp_path / "fig.svg"
    out.write_bytes(SENTINEL)
    assert main(["render", str(path), "-o", str(out)]) == 0
    assert out.read_bytes() != SENTINEL and b"<svg" in out.read_bytes()


@pytest.mark.parametrize("option, keyword, value", [
    ("--aspect", "aspect", "16:9"),
    ("--direction", "direction", "lr"),
    ("--expand-nested", "expand_nested", None),
    ("--fold-repeats", "fold_repeats", None),
    ("--detail", "detail", "stages"),
    ("--groups", "groups", "auto"),
])
def test_layout_options_reach_layered_view(small_keras, tmp_path, option, keyword, value):
    """Each layout option gives exactly what layered_view gives with its keyword."""
    path, _ = small_keras
    out = tmp_path / "fig.svg"
    args = ["render", str(path), "-o", str(out), option] + ([value] if value else [])
    given = {"16:9": 16 / 9}.get(value, value if value else True)
    expected = kerasvg.layered_view(read_saved_model(path), **{keyword: given}).svg
    assert main(args) == 0
    assert out.read_text() == expected


def test_top_to_bottom_direction_renders(small_keras, tmp_path):
    path, _ = small_keras
    out = tmp_path / "fig.svg"
    assert main(["render", str(path), "-o", str(out), "--direction", "tb"]) == 0
    assert out.read_text() == kerasvg.layered_view(read_saved_model(path), direction="tb").svg


# ---------------------------------------------------------------- errors


def _bad_inputs(tmp_path):
    noise = tmp_path / "noise.keras"
    noise.write_bytes(b"this is not a zip")
    no_config = tmp_path / "noconfig.keras"
    with zipfile.ZipFile(no_config, "w") as archive:
        archive.writestr("model.weights.h5", b"weights")
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"class_name": "Functional", "config": {"layers": [')
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"format": "something else"}')
    return {
        "missing": (tmp_path / "missing.keras", "no such file"),
        "not a zip": (noise, "not a zip"),
        "no config": (no_config, "no config.json"),
        "corrupt": (corrupt, "corrupt JSON"),
        "unknown": (unknown, "unknown config format"),
    }


@pytest.mark.parametrize("case", ["missing", "not a zip", "no config", "corrupt", "unknown"])
def test_bad_model_exits_2_with_one_line_and_keeps_output(tmp_path, case):
    model, expected = _bad_inputs(tmp_path)[case]
    out = tmp_path / "fig.svg"
    out.write_bytes(SENTINEL)
    result = _run("render", model, "-o", out, "-o", tmp_path / "fig.png")
    assert result.returncode == 2
    line = _error_line(result.stderr)
    assert str(model) in line and expected in line
    assert out.read_bytes() == SENTINEL
    assert not (tmp_path / "fig.png").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_zip_bomb_exits_2_fast(tmp_path):
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b" " * (80 * 1024 * 1024))
    assert bomb.stat().st_size < 1_000_000
    result = _run("render", bomb, "-o", tmp_path / "bomb.svg")
    assert result.returncode == 2
    line = _error_line(result.stderr)
    assert str(bomb) in line and "budget" in line
    assert not (tmp_path / "bomb.svg").exists()


def test_debug_shows_the_traceback(tmp_path):
    (tmp_path / "corrupt.json").write_text("{")
    result = _run("render", tmp_path / "corrupt.json", "-o", tmp_path / "x.svg", "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("kerasvg: error:")


def test_failure_in_a_later_format_writes_nothing(small_keras, tmp_path, monkeypatch, capsys):
    """Every output is rendered before any is written: a failing PDF leaves the SVG untouched."""
    import kerasvg.diagram

    path, _ = small_keras
    svg_out, pdf_out = tmp_path / "fig.svg", tmp_path / "fig.pdf"
    svg_out.write_bytes(SENTINEL)

    encode = kerasvg.diagram.Diagram.encode

    def broken_pdf(self, path=None, **options):
        if str(path).endswith(".pdf"):
            raise RuntimeError("cairo exploded")
        return encode(self, path, **options)

    monkeypatch.setattr(kerasvg.diagram.Diagram, "encode", broken_pdf)
    assert main(["render", str(path), "-o", str(svg_out), "-o", str(pdf_out)]) == 2
    line = _error_line(capsys.readouterr().err)
    assert "cairo exploded" in line
    assert svg_out.read_bytes() == SENTINEL and not pdf_out.exists()


@pytest.mark.parametrize("args, expected", [
    (["render", "{model}", "-o", "{tmp}/fig.txt"], "unsupported extension '.txt'"),
    (["render", "{model}", "-o", "{tmp}/nowhere/fig.svg"], "does not exist"),
    (["render", "{model}", "-o", "{tmp}/fig.svg", "--theme", "no-such-theme"], "unknown theme 'no-such-theme'"),
    (["render", "{model}", "-o", "{tmp}/fig.svg", "--width", "wide"], "width='wide'"),
    (["render", "{model}", "-o", "{tmp}/fig.png", "--scale", "2", "--dpi", "300"], "not both"),
    (["render", "{model}", "-o", "{tmp}/fig.svg", "--labels", "name,colour"], "'colour'"),
    (["render", "{model}", "{tmp}/other.keras", "-o", "{tmp}/fig.svg"], "-o FOLDER/"),
    (["render", "{tmp}/*.nothing", "-o", "{tmp}/out/"], "no file matches"),
    (["render", "kerasvg_no_such_module:build", "-o", "{tmp}/fig.svg"], "cannot import module 'kerasvg_no_such_module'"),
    (["render", "json:no_such_function", "-o", "{tmp}/fig.svg"], "has no attribute 'no_such_function'"),
    (["render", "os:getcwd", "-o", "{tmp}/fig.svg"], "expects a Keras model"),
])
def test_user_errors_exit_2_with_one_clear_line(small_keras, tmp_path, capsys, args, expected):
    path, _ = small_keras
    argv = [a.format(model=path, tmp=tmp_path) for a in args]
    assert main(argv) == 2
    line = _error_line(capsys.readouterr().err)
    assert line.startswith("kerasvg: error:") and expected in line
    assert not (tmp_path / "fig.svg").exists()


def test_callable_that_raises_is_reported(tmp_path):
    (tmp_path / "user_models.py").write_text("def build(weights='imagenet'):\n    raise RuntimeError('no GPU here')\n")
    result = _run("render", "user_models:build", "-o", tmp_path / "fig.svg", env_extra={"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
    assert result.returncode == 2
    line = _error_line(result.stderr)
    assert "user_models:build" in line and "RuntimeError: no GPU here" in line


def test_callable_gets_weights_none(tmp_path, keras):
    (tmp_path / "user_models.py").write_text(
        "import keras\n"
        "def build(weights='imagenet'):\n"
        "    assert weights is None, weights\n"
        "    x = keras.Input((6,), name='x')\n"
        "    return keras.Model(x, keras.layers.Dense(3, name='d')(x), name='built')\n"
        "def plain():\n"
        "    x = keras.Input((2,), name='p')\n"
        "    return keras.Model(x, keras.layers.Dense(1, name='q')(x), name='plain')\n")
    env = {"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    result = _run("render", "user_models:build", "-o", tmp_path / "a.svg", env_extra=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert [g.get("data-name") for g in layer_groups(parse_svg((tmp_path / "a.svg").read_text()))] == ["x", "d"]
    result = _run("render", "user_models:plain", "-o", tmp_path / "b.svg", env_extra=env)
    assert result.returncode == 0, result.stderr
    assert [g.get("data-name") for g in layer_groups(parse_svg((tmp_path / "b.svg").read_text()))] == ["p", "q"]


@pytest.mark.slow
def test_keras_applications_callable(tmp_path):
    result = _run("render", "keras.applications:MobileNetV2", "-o", tmp_path / "mobilenet.svg")
    assert result.returncode == 0, result.stderr
    groups = layer_groups(parse_svg((tmp_path / "mobilenet.svg").read_text()))
    assert len(groups) == 156 and groups[-1].get("data-shape") == "(None, 1000)"


@pytest.mark.slow
def test_detail_blocks_from_the_command_line(tmp_path):
    result = _run("render", "keras.applications:ResNet50", "-o", tmp_path / "resnet.svg", "--detail", "blocks")
    assert result.returncode == 0, result.stderr
    groups = layer_groups(parse_svg((tmp_path / "resnet.svg").read_text()))
    assert len(groups) == 25 and sum("block" in g.get("class").split() for g in groups) == 16


def test_usage_errors_exit_2(capsys):
    assert main(["render", "model.keras"]) == 2
    assert main(["render", "-o", "x.svg"]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["render", "m.keras", "-o", "x.svg", "--direction", "diagonal"]) == 2
    assert main(["render", "m.keras", "-o", "x.svg", "--aspect", "wide"]) == 2
    assert main([]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "kerasvg render model.keras -o model.svg" in text and "kerasvg demo" in text
    assert main(["render", "--help"]) == 0
    assert "--expand-nested" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"kerasvg {kerasvg.__version__}"


# ---------------------------------------------------------------- batch


def test_batch_renders_good_models_and_reports_bad_ones(small_keras, tmp_path, keras):
    path, _ = small_keras
    models = tmp_path / "models"
    models.mkdir()
    (models / "a.keras").write_bytes(path.read_bytes())
    seq = keras.Sequential([keras.Input((3,), name="in"), keras.layers.Dense(2, name="d")], name="tiny")
    (models / "b.json").write_text(seq.to_json())
    (models / "c.keras").write_bytes(b"broken")
    out = tmp_path / "figures"
    result = _run("render", models / "a.keras", models / "c.keras", models / "b.json", "-o", f"{out}/",
                  "--format", "svg,png")
    assert result.returncode == 2
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "a.svg", "b.png", "b.svg"]
    errors = [l for l in result.stderr.splitlines() if l.startswith("kerasvg: error:")]
    assert len(errors) == 1 and "c.keras" in errors[0] and "not a zip" in errors[0]
    assert "Traceback" not in result.stderr
    assert "1 of 3" in result.stderr
    names = [g.get("data-name") for g in layer_groups(parse_svg((out / "b.svg").read_text()))]
    assert names == ["in", "d"]


def test_batch_glob_into_existing_folder(small_keras, tmp_path):
    path, _ = small_keras
    for name in ("one", "two"):
        (tmp_path / f"{name}.keras").write_bytes(path.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    assert main(["render", str(tmp_path / "*.keras"), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["one.svg", "two.svg"]


def test_batch_progress_is_plain_lines_off_a_terminal(small_keras, tmp_path):
    path, _ = small_keras
    result = _run("render", path, path.parent / "*.keras", "-o", f"{tmp_path}/")
    assert result.returncode == 0, result.stderr
    assert "[1/1]" in result.stderr and "\x1b[" not in result.stderr


# ---------------------------------------------------------------- themes, demo


def test_themes_lists_every_builtin_with_its_description(capsys):
    assert main(["themes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = {line.split()[0]: line.split(None, 1)[1] for line in lines}
    assert listed == kerasvg.themes()


def test_demo_model_is_a_config_read_without_keras():
    graph = read_saved_model(DEMO_MODEL)
    types = [l.type for l in graph.layers]
    assert "Add" in types and "Conv2D" in types
    assert sum(1 for s, t in graph.edges if t == "res_add") == 2


def test_demo_writes_every_format(tmp_path, capsys):
    folder = tmp_path / "demo"
    status = main(["demo", "-o", str(folder)])
    assert status == 0, capsys.readouterr().err
    files = {p.suffix.lstrip("."): p for p in folder.iterdir()}
    assert sorted(files) == sorted(DEMO_FORMATS)
    svg = files["svg"].read_text()
    assert len(layer_groups(parse_svg(svg))) == len(read_saved_model(DEMO_MODEL).layers)
    assert files["png"].read_bytes().startswith(PNG)
    assert files["jpg"].read_bytes().startswith(JPEG)
    assert files["pdf"].read_bytes().startswith(PDF)
    html = files["html"].read_text()
    assert "<html" in html.lower() and "res_add" in html


def test_demo_defaults_to_kerasvg_demo_in_the_current_folder(tmp_path):
    result = _run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.suffix for p in (tmp_path / "kerasvg-demo").iterdir()) == sorted("." + f for f in DEMO_FORMATS)
