"""Hostile shapes (issue 21, section 3): refused as one line naming the file and the budget, or drawn, inside
15 s and 1.5 GB, with nothing lost.

Every input is built here: a layer called 60,000 times, a tensor index of 10**7, a theme padding that makes a
gigapixel PNG, 30,000 glob style keys, a `.keras` of 150,000 zip entries, and a legacy `.h5` that keeps the
HDF5 child busy. Each runs a whole `kerasvg` process (its wall time and own peak memory measured, no child
left behind), as tests/test_budgets_paths.py does.
"""
import fnmatch
import json
import re
import struct
import zipfile
import zlib

import numpy
import pytest
from test_budgets_paths import MEMORY, WALL, functional, h5py, keras3_layer, keras_tensor, kerasvg
from test_hostile import SENTINEL, dense_model, one_error_line, write_json

from kerasvg.readers.files import zip_entries_at_most
from kerasvg.theme import STYLE_KEYS, GlobStyles, is_glob, load_theme


@pytest.fixture
def kept(tmp_path):
    path = tmp_path / "kept.svg"
    path.write_bytes(SENTINEL)
    return path


def shared_dense(calls, width=8):
    """An input and one Dense layer called `calls` times on it."""
    node = {"args": [keras_tensor("input", [None, width])], "kwargs": {}}
    layers = [keras3_layer("InputLayer", "input", batch_shape=[None, width]),
              keras3_layer("Dense", "dense", [node] * calls, units=4)]
    return functional("shared", layers, ["input"], ["dense"])


def test_a_layer_called_60000_times_is_refused_naming_it(tmp_path, kept):
    model = write_json(tmp_path / "calls.json", shared_dense(60_000))
    assert model.stat().st_size > 8_000_000
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "59,998 calls beyond one per layer (layer 'dense' has 60,000 inbound nodes)",
                   "calls budget of 10,000", "--budget calls=")
    assert kept.read_bytes() == SENTINEL
    assert wall < 5 and peak < 300, (wall, peak)


def test_calls_of_many_layers_count_together(tmp_path, kept):
    """20 layers called 600 to 619 times each: none over 10,000, all together 12,169 more than one per layer."""
    node = {"args": [keras_tensor("input", [None, 8])], "kwargs": {}}
    layers = [keras3_layer("InputLayer", "input", batch_shape=[None, 8])]
    layers += [keras3_layer("Dense", f"dense_{i}", [node] * (600 + i), units=4) for i in range(20)]
    model = write_json(tmp_path / "calls.json", functional("m", layers, ["input"], ["dense_0"]))
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "12,169 calls beyond one per layer (layer 'dense_19' has 619 inbound nodes)",
                   "calls budget of 10,000")
    assert wall < 5 and peak < 300, (wall, peak)


def test_a_layer_called_as_often_as_the_budget_allows_renders(tmp_path):
    model = write_json(tmp_path / "calls.json", shared_dense(10_000))
    status, stderr, wall, peak = kerasvg("render", model, "-o", tmp_path / "calls.svg")
    assert status == 0, stderr
    assert 'data-name="dense"' in (tmp_path / "calls.svg").read_text()
    assert wall < WALL and peak < MEMORY, (wall, peak)


@pytest.mark.parametrize("index", [10 ** 7, 10 ** 8])
def test_a_tensor_index_past_the_outputs_budget_is_refused(tmp_path, kept, index):
    """Before: 10**7 took 31 s, 1.4 GB and wrote a 100 MB SVG of `?` shapes; 10**8 ran out of memory."""
    node = {"args": [keras_tensor("input", [None, 8])], "kwargs": {}}
    read = keras_tensor("dense", [None, 4])
    read["config"]["keras_history"][2] = index
    layers = [keras3_layer("InputLayer", "input", batch_shape=[None, 8]),
              keras3_layer("Dense", "dense", [node], units=4),
              keras3_layer("Dense", "out", [{"args": [read], "kwargs": {}}], units=2)]
    model = write_json(tmp_path / "index.json", functional("m", layers, ["input"], ["out"]))
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, f"output {index:,} of layer 'dense'", "outputs budget of 10,000")
    assert kept.read_bytes() == SENTINEL
    assert wall < 5 and peak < 300, (wall, peak)


def test_a_png_over_the_pixel_budget_is_refused_before_drawing(tmp_path):
    """`padding = 16250` made a 32,569 x 32,580 PNG: 88 s and 4 GB before."""
    theme = tmp_path / "padded.toml"
    theme.write_text("[canvas]\npadding = 16250\n")
    model = write_json(tmp_path / "m.json", dense_model())
    png = tmp_path / "big.png"
    png.write_bytes(SENTINEL)
    status, stderr, wall, peak = kerasvg("render", model, "-o", png, "--theme", theme)
    assert status == 2
    line = one_error_line(stderr, model, png, "pixels budget of 100,000,000", "--budget pixels=")
    assert re.search(r"a 32,\d{3} x 32,\d{3} px image of 1,0\d\d,\d{3},\d{3} pixels", line), line
    assert png.read_bytes() == SENTINEL
    assert wall < 5 and peak < 300, (wall, peak)


def glob_styles(keys, layers):
    """`keys` glob keys over the names dense_0 ... dense_{layers - 2}, each matching a layer: {glob: style}."""
    colours = ("#1f77b4", "#ff7f0e", "#2ca02c")
    return {f"dense_{j % (layers - 1)}{'*' * (j // (layers - 1) + 1)}": {"fill": colours[j % 3]} for j in range(keys)}


def glob_theme(path, tables):
    """A theme file of those keys."""
    path.write_text("".join(f'[layer."{key}"]\nfill = "{style["fill"]}"\n' for key, style in tables.items()))
    return path


def dense_chain(layers):
    """A Sequential of an input and `layers - 1` Dense layers named dense_0, dense_1, ..."""
    entries = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 8]}}]
    entries += [{"class_name": "Dense", "config": {"name": f"dense_{i}", "units": 8}} for i in range(layers - 1)]
    return {"class_name": "Sequential", "config": {"name": "m", "layers": entries}}


def test_30000_glob_keys_are_refused(tmp_path, kept):
    """30,000 glob keys on a 1,000-layer model: 29 to 58 s before (every key tried on every layer)."""
    model = write_json(tmp_path / "chain.json", dense_chain(1000))
    theme = glob_theme(tmp_path / "globs.toml", glob_styles(30_000, 1000))
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept, "--theme", theme)
    assert status == 2
    one_error_line(stderr, theme, "[layer] holds 30,000 glob keys", "globs budget of 1,000", "--budget globs=")
    assert kept.read_bytes() == SENTINEL
    assert wall < 5 and peak < 300, (wall, peak)


def test_5000_glob_keys_allowed_by_the_budget_render_fast(tmp_path):
    """5,000 keys x 1,000 layers were 5 million fnmatch calls before; now one regex per style key."""
    model = write_json(tmp_path / "chain.json", dense_chain(1000))
    tables = glob_styles(5000, 1000)
    theme = glob_theme(tmp_path / "globs.toml", tables)
    out = tmp_path / "chain.svg"
    status, stderr, wall, peak = kerasvg("render", model, "-o", out, "--theme", theme, "--budget", "globs=5000")
    assert status == 0, stderr
    assert wall < 5 and peak < 300, (wall, peak)
    drawn = out.read_text()
    for name in ("dense_0", "dense_1", "dense_99", "dense_998"):
        box = drawn[drawn.index(f'data-name="{name}"'):]
        assert f'fill="{naive_styles(tables, name)["fill"]}"' in box[:box.index("</g>")], name


def naive_styles(tables, name):
    """What a layer name gets from the glob keys, every matching glob applied in order."""
    style = {}
    for key in tables:
        if is_glob(key) and fnmatch.fnmatchcase(name, key):
            style.update(tables[key])
    return style


def test_glob_styles_give_what_applying_every_glob_in_order_gives():
    tables = {"block*": {"fill": "#111111"}, "block1_*": {"outline": "#222222", "pattern": "dots"},
              "Conv2D": {"fill": "#333333"}, "*_conv": {"fill": "#444444"}, "block[12]_?onv": {"pattern": "hatch"},
              "block2_*": {"fill": "#555555"}, "[!b]*": {"outline": "#666666"}, "a.b(c)*": {"fill": "#777777"}}
    globs = GlobStyles(tables)
    names = ["block1_conv", "block2_conv", "block3_conv", "block1_pool", "stem_conv", "a.b(c)d", "abc", "block",
             "x\nblock1_conv", "block1_conv\n"]
    for name in names:
        assert globs.styles(name) == naive_styles(tables, name), name
    theme = load_theme(None, {"layer": tables})
    assert theme.style_for("Conv2D", "convolution", "block1_conv") == {
        "fill": "#444444", "outline": "#222222", "pattern": "hatch"}
    assert set(theme.style_for("Conv2D", "convolution")) == set(STYLE_KEYS)


def hand_made_archive(path, entries):
    """A `.keras` whose central directory lists config.json, then `entries - 1` more entries, written by hand
    (as zipfile would take minutes to)."""
    config = json.dumps(dense_model()).encode()
    crc, name = zlib.crc32(config), b"config.json"
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, len(config), len(config), len(name), 0)

    def central(entry, size, checksum):
        return struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, checksum, size, size, len(entry),
                           0, 0, 0, 0, 0, 0) + entry

    directory = central(name, len(config), crc) + central(b"x", 0, 0) * (entries - 1)
    start = len(local) + len(name) + len(config)
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, min(entries, 0xFFFF), min(entries, 0xFFFF), len(directory),
                      start, 0)
    path.write_bytes(local + name + config + directory + end)
    return path


def test_a_keras_archive_of_150000_entries_is_refused_before_reading_its_directory(tmp_path, kept):
    """1.39 million entries took 15 to 23 s and 530 MB before: the directory was read twice."""
    model = hand_made_archive(tmp_path / "entries.keras", 150_000)
    with zipfile.ZipFile(model) as archive:
        assert len(archive.infolist()) == 150_000 and archive.read("config.json")
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "a zip directory of 150,000 entries", "zip_entries budget of 100,000")
    assert kept.read_bytes() == SENTINEL
    assert wall < 5 and peak < 300, (wall, peak)
    small = hand_made_archive(tmp_path / "small.keras", 1000)
    status, stderr, _, _ = kerasvg("render", small, "-o", tmp_path / "small.svg")
    assert status == 0, stderr


def test_entries_are_counted_as_zipfile_reads_them(tmp_path):
    plain = tmp_path / "plain.keras"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.comment = b"a comment"
        for i in range(3):
            archive.writestr(f"{i}", b"PK\x01\x02" * 10)  # the signature in the data, outside the directory
    assert zip_entries_at_most(plain) == 3
    named = tmp_path / "named.keras"
    with zipfile.ZipFile(named, "w") as archive:
        archive.writestr("PK\x01\x02", b"")
    assert zip_entries_at_most(named) == 2  # an upper bound: the signature inside a name counts too
    many = tmp_path / "zip64.keras"
    with zipfile.ZipFile(many, "w") as archive:  # over 65,535 entries: a zip64 end record
        for i in range(70_000):
            archive.writestr(str(i), b"")
    assert zip_entries_at_most(many) == 70_000
    assert zip_entries_at_most(hand_made_archive(tmp_path / "hand.keras", 5)) == 5


def test_a_cpu_bound_h5_is_stopped_by_the_childs_wall_clock_limit(tmp_path, kept):
    """200,000 layer names x 100 weight names keep h5py busy: 22 to 24 s wall before, when only CPU was limited."""
    model = tmp_path / "busy.h5"
    with h5py.File(model, "w", libver="latest") as handle:
        handle.attrs["model_config"] = json.dumps(dense_model())
        weights = handle.create_group("model_weights")
        weights.attrs["layer_names"] = numpy.array([b"dense"] * 200_000)
        weights.create_group("dense").attrs["weight_names"] = numpy.array([b"dense/bias:0"] * 100)
        weights["dense"].create_dataset("dense/bias:0", shape=(4,), dtype="float32")
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept, timeout=60)
    assert status == 2
    line = one_error_line(stderr, model, "the HDF5 library")
    assert "did not finish within 12 s" in line or "more than 10 s of CPU time" in line, line
    assert kept.read_bytes() == SENTINEL
    assert wall < WALL and peak < 300, (wall, peak)
