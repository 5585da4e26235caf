"""Hostile and broken inputs (issue 11): bounded time and memory, one escaped error line, exit 2, nothing lost.

Every input is built here. Cheap cases run `kerasvg.cli.main` in-process; the ones whose time and
memory are the point run a `kerasvg` process and read its own peak from os.wait4.
"""
import errno
import json
import math
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from kerasvg.zoo import all_to_all_config as all_to_all

from kerasvg import budgets, cli
from kerasvg.cli import outputs as cli_outputs
from kerasvg.readers.isolate import IsolationError, last_run, run_isolated
from kerasvg.scene.text import name_key

ROOT = Path(__file__).resolve().parent.parent
SENTINEL = b"previous output, must survive"
ESCAPES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]")


# ---------------------------------------------------------------- helpers


def dense_model(**dense_config):
    """A two-layer Sequential config whose Dense layer gets `dense_config`."""
    return {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [None, 8]}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 4, **dense_config}}]}}


def sequential(*layers, input_shape=(None, 8)):
    return {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": list(input_shape)}}, *layers]}}


def layer(cls, name, **config):
    return {"class_name": cls, "config": {"name": name, **config}}


def write_json(path, config):
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def run_main(capsys, *args):
    """cli.main in this process: (status, stdout, stderr)."""
    status = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# The CLI, reporting its own peak RSS (VmHWM) to $KERASVG_TEST_PEAK.
MEASURED_SCRIPT = """
import atexit, os, sys

def report():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["KERASVG_TEST_PEAK"], "w") as out:
        out.write(peak)

atexit.register(report)
from kerasvg.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_measured(*args, timeout=120):
    """A `kerasvg` process: (status, stderr, wall seconds, CPU seconds, its own peak RSS in MiB).

    The peak is the process's VmHWM, reported by itself: ru_maxrss from wait4 would include the
    parent's memory at fork time (Linux keeps the larger across exec).
    """
    import tempfile

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as errors:
        peak_file = Path(scratch) / "peak"
        env = dict(os.environ, PYTHONPATH=str(ROOT), KERASVG_TEST_PEAK=str(peak_file))
        with open(os.devnull, "wb") as devnull:
            child = subprocess.Popen([sys.executable, "-c", MEASURED_SCRIPT, *map(str, args)], stdout=devnull,
                                     stderr=errors, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                pytest.fail(f"kerasvg {args} ran for more than {timeout} s")
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8")
        peak = int(peak_file.read_text()) / 1024
    return child.returncode, stderr, time.monotonic() - started, usage.ru_utime + usage.ru_stime, peak


def one_error_line(stderr, *must_name):
    """The contract: one line, `kerasvg: error: ...`, no traceback, no raw control characters."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and not ESCAPES.search(stderr), repr(stderr)
    assert lines[0].startswith("kerasvg: error: "), lines[0]
    for text in must_name:
        assert str(text) in lines[0], (text, lines[0])
    return lines[0]


@pytest.fixture
def kept(tmp_path):
    """A pre-existing output that a failing render must leave untouched."""
    path = tmp_path / "kept.svg"
    path.write_bytes(SENTINEL)
    return path


# ---------------------------------------------------------------- 1. CPU: edges


def test_all_to_all_within_the_edge_budget_renders_in_seconds(tmp_path):
    model = write_json(tmp_path / "dense_graph.json", all_to_all(141))  # 9,870 edges: just inside 10,000
    status, stderr, wall, cpu, peak = run_measured("render", model, "-o", tmp_path / "out.svg", timeout=300)
    assert status == 0, stderr
    assert (tmp_path / "out.svg").stat().st_size > 0
    assert cpu < 15, f"{cpu:.1f} s of CPU"
    assert peak < 1024, f"{peak:.0f} MiB"


def test_all_to_all_over_the_edge_budget_is_refused_before_layout(tmp_path, kept):
    model = write_json(tmp_path / "dense_graph.json", all_to_all(150))  # 11,175 edges
    status, stderr, wall, cpu, peak = run_measured("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "edges budget", "--budget edges=")
    assert cpu < 5 and peak < 300, (cpu, peak)
    assert kept.read_bytes() == SENTINEL


def test_a_budget_can_be_raised_from_the_command_line(tmp_path, capsys):
    model = write_json(tmp_path / "chain.json", sequential(*[layer("Dense", f"d{i}", units=4) for i in range(5)]))
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "a.svg", "--budget", "layers=3")
    assert status == 2
    one_error_line(stderr, model, "layers budget of 3")
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "a.svg", "--budget", "layers=10")
    assert status == 0 and (tmp_path / "a.svg").exists(), stderr


def test_models_nested_deeper_than_the_depth_budget_are_refused(tmp_path, capsys, kept):
    inner = sequential(layer("Dense", "d", units=2))
    for level in range(70):
        inner = sequential({"class_name": "Sequential", "config": {**inner["config"], "name": f"level_{level}"}})
    model = write_json(tmp_path / "deep.json", inner)
    status, _, stderr = run_main(capsys, "render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "depth budget of 64")
    assert kept.read_bytes() == SENTINEL


# ---------------------------------------------------------------- 2. memory bombs from config values


BOMBS = {
    "embedding_string_output_dim": (layer("Embedding", "embed", input_dim=402653184, output_dim="AAAAAAAA"),
                                    "output_dim"),
    "dense_string_units": (layer("Dense", "dense", units="AAAA"), "units"),
    "dense_list_units": (layer("Dense", "dense", units=[0]), "units"),
    "reshape_float_and_string": (layer("Reshape", "reshape", target_shape=[-1, 5e8, "AAAA"]), "target_shape"),
    "units_infinity": (layer("Dense", "dense", units=math.inf), "units"),
    "units_1e308": (layer("Dense", "dense", units=1e308), "units"),
    "dropout_nan_rate": (layer("Dropout", "drop", rate=math.nan), "rate"),
    "huge_parameter_count": (layer("Dense", "dense", units=2 ** 31), "params budget"),
}


@pytest.mark.parametrize("case", sorted(BOMBS))
def test_config_values_are_checked_before_arithmetic(tmp_path, kept, case):
    bad, key = BOMBS[case]
    input_shape = (None, 2 ** 31) if case == "huge_parameter_count" else (None, 8)
    model = write_json(tmp_path / f"{case}.json", sequential(bad, input_shape=input_shape))
    assert model.stat().st_size < 1000
    status, stderr, wall, cpu, peak = run_measured("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, f"layer '{bad['config']['name']}'", key)
    assert cpu < 5 and peak < 300, (cpu, peak)
    assert kept.read_bytes() == SENTINEL


def test_a_5000_digit_dimension_is_one_line(tmp_path, capsys, kept):
    model = tmp_path / "digits.json"
    model.write_text(json.dumps(sequential(layer("Dense", "d", units=4))).replace("null, 8", "null, " + "9" * 5000))
    status, _, stderr = run_main(capsys, "render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "digits")
    assert kept.read_bytes() == SENTINEL


def test_a_dimension_over_the_budget_names_the_layer(tmp_path, capsys, kept):
    model = write_json(tmp_path / "wide.json", sequential(layer("Dense", "d", units=4), input_shape=(None, 10 ** 40)))
    status, _, stderr = run_main(capsys, "render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "layer 'in'", "dimension budget")


# ---------------------------------------------------------------- 3, 4. files that are not what they claim


def corrupt_keras(path):
    """A .keras whose deflated config.json has its compressed bytes overwritten."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", json.dumps(dense_model()) * 50)
    data = bytearray(path.read_bytes())
    start = data.index(b"config.json") + len(b"config.json")
    data[start + 10:start + 60] = b"\xff" * 50
    path.write_bytes(bytes(data))
    return path


def test_corrupt_compressed_config_is_one_line(tmp_path, capsys, kept):
    model = corrupt_keras(tmp_path / "corrupt.keras")
    status, _, stderr = run_main(capsys, "render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "config.json")
    assert kept.read_bytes() == SENTINEL


def test_dev_zero_and_a_fifo_are_refused_without_reading(tmp_path, kept):
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    for source in ("/dev/zero", fifo):
        status, stderr, wall, cpu, peak = run_measured("render", source, "-o", kept, timeout=60)
        assert status == 2
        one_error_line(stderr, source, "not a regular file")
        assert wall < 30 and peak < 300, (wall, peak)
    assert kept.read_bytes() == SENTINEL


def test_a_theme_extending_a_huge_file_is_refused_by_size(tmp_path, kept):
    huge = tmp_path / "huge.toml"
    with open(huge, "wb") as handle:
        handle.truncate(1024 ** 3)  # sparse: 1 GB to read, nothing on disk
    theme = tmp_path / "mine.toml"
    theme.write_text('extends = "huge.toml"\n')
    model = write_json(tmp_path / "m.json", dense_model())
    status, stderr, wall, cpu, peak = run_measured("render", model, "-o", kept, "--theme", theme)
    assert status == 2
    one_error_line(stderr, huge, "input_bytes budget")
    assert peak < 300 and cpu < 5, (peak, cpu)
    assert kept.read_bytes() == SENTINEL


def test_an_h5_model_config_over_the_byte_budget_is_refused(tmp_path, kept):
    h5py = pytest.importorskip("h5py")
    model = tmp_path / "big.h5"
    with h5py.File(model, "w") as handle:
        handle.attrs["model_config"] = " " * (85 * 1024 * 1024)
    status, stderr, wall, cpu, peak = run_measured("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "model_config", "input_bytes budget")
    assert kept.read_bytes() == SENTINEL


def test_an_output_ending_in_a_slash_that_is_a_file_is_one_line(tmp_path, capsys):
    model = write_json(tmp_path / "m.json", dense_model())
    existing = tmp_path / "existing.svg"
    existing.write_bytes(SENTINEL)
    status, _, stderr = run_main(capsys, "render", model, "-o", f"{existing}/")
    assert status == 2
    one_error_line(stderr, existing, "not a folder")
    assert existing.read_bytes() == SENTINEL


@pytest.mark.parametrize("command", ["render", "demo"])
def test_an_unwritable_folder_is_one_line(tmp_path, capsys, command):
    folder = "/proc/kerasvg-cannot-write-here/"
    model = write_json(tmp_path / "m.json", dense_model())
    args = ("render", model, model.with_name("copy.json"), "-o", folder) if command == "render" else ("demo", "-o", folder)
    if command == "render":
        write_json(model.with_name("copy.json"), dense_model())
    status, _, stderr = run_main(capsys, *args)
    assert status == 2
    one_error_line(stderr, folder.rstrip("/"))


def test_a_batch_reports_each_bad_model_and_writes_the_good_ones(tmp_path, capsys):
    good_a = write_json(tmp_path / "a.json", dense_model())
    bad = write_json(tmp_path / "b.json", dense_model(units="AAAA"))
    corrupt = corrupt_keras(tmp_path / "c.keras")
    good_d = write_json(tmp_path / "d.json", dense_model())
    out = tmp_path / "out"
    status, _, stderr = run_main(capsys, "render", good_a, bad, corrupt, good_d, "-o", f"{out}/")
    assert status == 2
    errors = [line for line in stderr.splitlines() if line.startswith("kerasvg: error:")]
    assert len(errors) == 2 and str(bad) in errors[0] and "units" in errors[0] and str(corrupt) in errors[1]
    assert "Traceback" not in stderr and "2 of 4 model(s) failed" in stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.svg", "d.svg"]


def test_debug_adds_the_traceback(tmp_path, capsys):
    model = write_json(tmp_path / "m.json", dense_model(units="AAAA"))
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "m.svg", "--debug")
    assert status == 2 and "Traceback" in stderr and stderr.rstrip().splitlines()[-1].startswith("kerasvg: error:")


# ---------------------------------------------------------------- 5, 6. outputs


def test_a_batch_never_writes_two_models_to_one_name(tmp_path, capsys):
    first = write_json((tmp_path / "d1").mkdir() or tmp_path / "d1" / "model.json", dense_model(units=3))
    second = write_json((tmp_path / "d2").mkdir() or tmp_path / "d2" / "model.json", dense_model(units=5))
    out = tmp_path / "out"
    status, _, stderr = run_main(capsys, "render", first, second, "-o", f"{out}/")
    assert status == 0, stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == ["d1_model.svg", "d2_model.svg"]
    assert (out / "d1_model.svg").read_bytes() != (out / "d2_model.svg").read_bytes()


def test_same_stem_different_extension_keeps_the_extension(tmp_path, capsys):
    a = write_json(tmp_path / "model.json", dense_model())
    b = tmp_path / "model.keras"
    with zipfile.ZipFile(b, "w") as archive:
        archive.writestr("config.json", json.dumps(dense_model(units=7)))
    status, _, stderr = run_main(capsys, "render", a, b, "-o", f"{tmp_path / 'out'}/")
    assert status == 0, stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["model.json.svg", "model.keras.svg"]


def test_several_outputs_are_all_written_or_none(tmp_path, capsys, monkeypatch, kept):
    model = write_json(tmp_path / "m.json", dense_model())
    png = tmp_path / "x.png"
    real = cli_outputs.write_atomic

    def full_disk(path, data):
        if Path(path) == png:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(cli_outputs, "write_atomic", full_disk)
    html = tmp_path / "new.html"
    status, _, stderr = run_main(capsys, "render", model, "-o", kept, "-o", html, "-o", png)
    assert status == 2
    one_error_line(stderr, png, "No space left on device")
    assert kept.read_bytes() == SENTINEL and not html.exists() and not png.exists()


# ---------------------------------------------------------------- 7, 8. themes and keywords


@pytest.mark.parametrize("table, key, value", [
    ("canvas", "font_size", "nan"), ("canvas", "padding", "inf"), ("box", "stroke_width", "nan"),
    ("canvas", "padding", "-inf"), ("canvas", "font_family", '"A\\u0000B"'), ("canvas", "font_family", '"A\\u202eB"'),
    ("canvas", "font_family", '"DejaVu Sans, Evil"'),
])
def test_theme_values_must_be_finite_and_printable(tmp_path, capsys, kept, table, key, value):
    theme = tmp_path / "bad.toml"
    theme.write_text(f"[{table}]\n{key} = {value}\n")
    model = write_json(tmp_path / "m.json", dense_model())
    status, _, stderr = run_main(capsys, "render", model, "-o", kept, "--theme", theme)
    assert status == 2
    one_error_line(stderr, theme, f"{table}.{key}")
    assert kept.read_bytes() == SENTINEL


@pytest.mark.parametrize("keyword, value", [("padding", math.nan), ("text_vspacing", math.inf), ("spacing", -math.inf),
                                            ("font", "A\x00B"), ("font", "A\x1b[2JB"), ("max_width", math.inf)])
def test_keywords_must_be_finite_and_printable(keyword, value):
    from kerasvg import ModelGraph, Layer, layered_view

    graph = ModelGraph("m", (Layer("in", "InputLayer", ((None, 8),), is_input=True), Layer("d", "Dense", ((None, 4),))),
                       (("in", "d"),))
    with pytest.raises(ValueError, match=keyword):
        layered_view(graph, **{keyword: value})


@pytest.mark.parametrize("flag", ["--scale", "--dpi"])
def test_infinite_scale_is_a_usage_error(tmp_path, capsys, flag):
    model = write_json(tmp_path / "m.json", dense_model())
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "m.png", flag, "inf")
    assert status == 2 and "finite" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "m.png").exists()


# ---------------------------------------------------------------- 9. terminal escapes


EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b31m"


def test_json_keys_reach_the_terminal_escaped(tmp_path, capsys):
    model = write_json(tmp_path / "m.json", {EVIL: 1, "x": 2})
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "m.svg")
    assert status == 2
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m" in one_error_line(stderr, model)


def test_zip_entry_names_reach_the_terminal_escaped(tmp_path, capsys):
    model = tmp_path / "m.keras"
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr(EVIL + ".bin", b"x")
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "m.svg")
    assert status == 2
    assert "\\x1b]0;pwned" in one_error_line(stderr, model, "config.json")


def test_toml_table_names_reach_the_terminal_escaped(tmp_path, capsys):
    theme = tmp_path / "t.toml"
    theme.write_text('["\\u001b]0;pwned\\u0007"]\nx = 1\n')
    model = write_json(tmp_path / "m.json", dense_model())
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "m.svg", "--theme", theme)
    assert status == 2
    assert "\\x1b]0;pwned\\x07" in one_error_line(stderr, "unknown table")


def test_a_file_name_with_escapes_is_shown_escaped(tmp_path, capsys):
    model = tmp_path / "evil\x1b[2J.json"
    model.write_text("{not json")
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "m.svg")
    assert status == 2
    assert "evil\\x1b[2J.json" in one_error_line(stderr)


# ---------------------------------------------------------------- 10. module:callable


@pytest.mark.parametrize("source", ["def build():\n    raise SystemExit(0)\n",
                                    "import sys\nsys.exit(3)\ndef build():\n    pass\n"])
def test_sys_exit_in_a_module_callable_is_an_error(tmp_path, capsys, monkeypatch, kept, source):
    module = f"exiting_{abs(hash(source)) % 10 ** 6}"
    (tmp_path / f"{module}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    status, _, stderr = run_main(capsys, "render", f"{module}:build", "-o", kept)
    assert status == 2
    one_error_line(stderr, f"{module}:build", "sys.exit")
    assert kept.read_bytes() == SENTINEL


# ---------------------------------------------------------------- 11. names that collide after sanitising


def test_names_that_differ_only_in_unsafe_characters_stay_distinct(tmp_path):
    from kerasvg import Layer, ModelGraph, layered_view
    from kerasvg.writers.html import diagram_data
    from conftest import connector_groups, layer_groups, parse_svg

    names = ["coll\x00ide", "coll\x01ide", "coll\ufffdide", "coll\\x00ide"]
    layers = [Layer("in", "InputLayer", ((None, 8),), is_input=True)] + [Layer(n, "Dense", ((None, 4),)) for n in names]
    graph = ModelGraph("m", tuple(layers), tuple(("in", n) for n in names))
    diagram = layered_view(graph)
    root = parse_svg(diagram.svg)
    shown = [g.get("data-name") for g in layer_groups(root)][1:]
    assert shown == [name_key(n) for n in names] and len(set(shown)) == 4
    assert sorted(g.get("data-to") for g in connector_groups(root)) == sorted(shown)
    data = diagram_data(graph)
    assert [l["name"] for l in data["layers"]][1:] == shown
    assert data["layers"][0]["outbound"] == shown


# ---------------------------------------------------------------- 12. raster and page size


def test_a_jpeg_over_the_pixel_limit_is_refused_before_rasterizing(tmp_path, kept):
    model = write_json(tmp_path / "dense_graph.json", all_to_all(40))
    jpeg = tmp_path / "big.jpg"
    status, stderr, wall, cpu, peak = run_measured("render", model, "-o", jpeg, "--scale", "38")
    assert status == 2
    one_error_line(stderr, model, "pixel")
    assert cpu < 10 and peak < 300 and not jpeg.exists(), (cpu, peak)


def test_a_pdf_page_over_14400_points_is_refused(tmp_path, capsys):
    model = write_json(tmp_path / "m.json", dense_model())
    pdf = tmp_path / "huge.pdf"
    status, _, stderr = run_main(capsys, "render", model, "-o", pdf, "--width", "1000000000in")
    assert status == 2
    one_error_line(stderr, model, "14,400 pt")
    assert not pdf.exists()
    status, _, stderr = run_main(capsys, "render", model, "-o", pdf, "--width", "199in")
    assert status == 0 and pdf.read_bytes().startswith(b"%PDF-"), stderr


# ---------------------------------------------------------------- HDF5 in a child process


def test_a_crash_in_the_child_is_an_error_not_a_crash():
    import ctypes

    with pytest.raises(IsolationError, match="reading bad.h5 crashed \\(SIGSEGV\\)"):
        run_isolated(ctypes.string_at, 0, what="reading bad.h5")


def test_the_child_is_held_to_its_memory_and_cpu_limits():
    with pytest.raises(IsolationError, match="memory"):
        run_isolated(bytearray, 3 * 1024 ** 3, memory_bytes=1024 ** 3)
    started = time.monotonic()
    with pytest.raises(IsolationError, match="CPU time"):
        run_isolated(sum, range(10 ** 12), seconds=1)
    assert time.monotonic() - started < 10


def test_the_child_returns_data_and_its_own_peak():
    assert run_isolated(bytes, 3 * 1024 ** 2) == bytes(3 * 1024 ** 2)
    assert 3 * 1024 < last_run["peak_kib"] < 300 * 1024 and last_run["seconds"] < 30
    with pytest.raises(ValueError, match="invalid literal"):
        run_isolated(int, "AAAA")


def test_a_crash_of_the_hdf5_library_is_one_line_naming_the_file(tmp_path, capsys, monkeypatch, kept):
    """The real child runner, handed a function that segfaults in place of the h5py read."""
    import ctypes

    from kerasvg.readers import isolate

    real = isolate.run_isolated
    monkeypatch.setattr(isolate, "run_isolated", lambda func, *args, **limits: real(ctypes.string_at, 0, **limits))
    model = tmp_path / "crafted.h5"
    model.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(4096))
    status, _, stderr = run_main(capsys, "render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, f"{model}: the HDF5 library crashed (SIGSEGV)")
    assert kept.read_bytes() == SENTINEL


def test_a_file_that_really_crashes_the_hdf5_library_is_one_line(tmp_path, capsys, kept):
    """A legacy .h5 whose `model_config` string type is corrupted (variable-length type 13, which HDF5 does
    not define): reading the attribute segfaults h5py 3.14 / HDF5 1.14 (found by fuzzing)."""
    import h5py

    model = tmp_path / "crafted.h5"
    with h5py.File(model, "w") as handle:
        handle.attrs["model_config"] = json.dumps(dense_model())
    data = bytearray(model.read_bytes())
    marker = b"model_config\x00\x00\x00\x00\x19\x01"  # the name, padding, a vlen string's datatype
    at = data.find(marker)
    assert at > 0
    data[at + len(marker) - 1] = 0x1D
    model.write_bytes(bytes(data))
    bare = subprocess.run([sys.executable, "-c", "import h5py, sys; h5py.File(sys.argv[1]).attrs['model_config']",
                           str(model)], capture_output=True)
    status, _, stderr = run_main(capsys, "render", model, "-o", kept)
    assert status == 2 and kept.read_bytes() == SENTINEL
    if bare.returncode < 0:  # the library crashes on it (as it does with the h5py this was found with)
        one_error_line(stderr, f"{model}: the HDF5 library crashed (SIG")
    else:  # a fixed library refuses it instead
        one_error_line(stderr, model)


def test_a_broken_h5_file_is_one_line(tmp_path, capsys, kept):
    model = tmp_path / "broken.h5"
    model.write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(4096))
    status, _, stderr = run_main(capsys, "render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model)
    assert kept.read_bytes() == SENTINEL


def test_an_h5_model_reads_through_the_child(tmp_path, capsys):
    h5py = pytest.importorskip("h5py")
    model = tmp_path / "legacy.h5"
    with h5py.File(model, "w") as handle:
        handle.attrs["model_config"] = json.dumps(dense_model(units=6))
    status, _, stderr = run_main(capsys, "render", model, "-o", tmp_path / "legacy.svg")
    assert status == 0, stderr
    assert 'data-name="dense"' in (tmp_path / "legacy.svg").read_text()
    assert last_run["peak_kib"] < 512 * 1024


def test_budgets_are_named_in_help(capsys):
    assert cli.main(["render", "--help"]) == 0
    text = capsys.readouterr().out
    for name in budgets.DESCRIPTIONS:
        assert name in text
    assert "IMPORTS AND RUNS" in text and "only when no file of that name exists" in text
    assert "d1_model.svg" in text
