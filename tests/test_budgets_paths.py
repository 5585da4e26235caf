"""Budgets that hold on every path (issue 21): nothing read outside the file, giants inside the budgets
rendered in time, errors as one line naming the file and the setting.

Every input is built here (external links, virtual datasets and fixed-length strings with h5py, the
symbol-table bomb by hand). Whole-process cases run a `kerasvg` process and read its own peak memory, as
tests/test_hostile.py does, and check that it left no child process behind.
"""
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from test_hostile import MEASURED_SCRIPT, SENTINEL, dense_model, one_error_line, write_json

from kerasvg.readers import hdf5
from kerasvg.readers.isolate import IsolationError, run_isolated

ROOT = Path(__file__).resolve().parent.parent
WALL = 15  # seconds, the whole process (the README's budget table)
MEMORY = 1536  # MiB

h5py = pytest.importorskip("h5py")



def kerasvg(*args, timeout=120):
    """A `kerasvg` process: (status, stderr, wall seconds, its own peak RSS in MiB); fails the test if a
    child it started (the isolated HDF5 reader) outlives it."""
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as errors:
        peak_file = Path(scratch) / "peak"
        env = dict(os.environ, PYTHONPATH=str(ROOT), KERASVG_TEST_PEAK=str(peak_file))
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-c", MEASURED_SCRIPT, *map(str, args)], stdout=subprocess.DEVNULL,
                                 stderr=errors, env=env)
        try:
            status = child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            pytest.fail(f"kerasvg {args} ran for more than {timeout} s")
        wall = time.monotonic() - started
        errors.seek(0)
        stderr = errors.read().decode("utf-8")
        peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else 0.0
    assert not readers_of(child.pid), f"a child of kerasvg {child.pid} is still running"
    return status, stderr, wall, peak


def readers_of(parent: int):
    """Pids of isolated children started by `parent` that are still alive (not zombies)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"PR_SET_PDEATHSIG" in b"".join(argv) and str(parent).encode() in argv and state != "Z":
            found.append(int(entry.name))
    return found


def keras_archive(path, config, weights_file):
    """A .keras archive (stored, so the weights are read in place) of `config` and a weights file."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.write(weights_file, "model.weights.h5")
    return path


@pytest.fixture
def kept(tmp_path):
    path = tmp_path / "kept.svg"
    path.write_bytes(SENTINEL)
    return path


# ---------------------------------------------------------------- 1. nothing read outside the file


def legacy_h5(path, link):
    """A legacy .h5 of `dense_model()` whose Dense kernel is `link` (an h5py link object)."""
    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = json.dumps(dense_model())
        weights = handle.create_group("model_weights")
        weights.attrs["layer_names"] = [b"dense"]
        group = weights.create_group("dense")
        group.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        group.create_dataset("dense/bias:0", shape=(4,), dtype="float32")
        group["dense"]["kernel:0"] = link
    return path


def test_an_external_link_in_a_legacy_h5_is_not_followed(tmp_path, kept):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as handle:
        handle.create_dataset("big", shape=(1234, 5678), dtype="float32")  # 7,006,652 "params"
    model = legacy_h5(tmp_path / "linked.h5", h5py.ExternalLink(str(other), "/big"))
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "'model_weights/dense/dense/kernel:0' is an external link to", str(other),
                   "reads nothing outside the file")
    assert "7,006,652" not in stderr and kept.read_bytes() == SENTINEL
    assert wall < WALL and peak < 300, (wall, peak)


def test_an_external_link_to_a_fifo_is_never_opened(tmp_path, kept):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    model = legacy_h5(tmp_path / "linked.h5", h5py.ExternalLink(str(fifo), "/x"))
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept, timeout=60)
    assert status == 2
    one_error_line(stderr, model, "external link")
    assert wall < 5, f"{wall:.1f} s: the FIFO was opened"


def test_an_external_link_in_keras_weights_is_not_followed(tmp_path, kept):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as handle:
        handle.create_dataset("big", shape=(1234, 5678), dtype="float32")
    weights = tmp_path / "model.weights.h5"
    with h5py.File(weights, "w") as handle:
        handle.create_group("layers/dense/vars")["0"] = h5py.ExternalLink(str(other), "/big")
    model = keras_archive(tmp_path / "linked.keras", dense_model(), weights)
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, f"{model}: model.weights.h5: 'layers/dense/vars/0' is an external link")
    assert wall < WALL and peak < 300, (wall, peak)


def virtual_weights(path, source):
    """A weights file whose only variable is a virtual dataset over `source`, with an unlimited extent
    (its size is only known by opening `source`)."""
    from h5py import h5d, h5p, h5s, h5t

    with h5py.File(path, "w") as handle:
        group = handle.create_group("layers/dense/vars")
        virtual = h5s.create_simple((10,), (h5s.UNLIMITED,))
        virtual.select_hyperslab((0,), (h5s.UNLIMITED,), stride=(10,), block=(10,))
        mapped = h5s.create_simple((10,), (h5s.UNLIMITED,))
        mapped.select_hyperslab((0,), (1,), block=(10,))
        plist = h5p.create(h5p.DATASET_CREATE)
        plist.set_virtual(virtual, str(source).encode() + b"%b", b"d", mapped)
        virtual.select_all()
        h5d.create(group.id, b"0", h5t.NATIVE_FLOAT, virtual, dcpl=plist)
    return path


def test_a_virtual_dataset_is_not_followed(tmp_path, kept):
    os.mkfifo(tmp_path / "fifo0")  # the first source file the virtual dataset would open
    weights = virtual_weights(tmp_path / "model.weights.h5", tmp_path / "fifo")
    with pytest.raises(hdf5.FormatError, match="virtual dataset"):
        hdf5.walk(str(weights))
    model = keras_archive(tmp_path / "virtual.keras", dense_model(), weights)
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept, timeout=60)
    assert status == 2
    one_error_line(stderr, model, "'layers/dense/vars/0' is a virtual dataset")
    assert wall < 5, f"{wall:.1f} s: a source file was opened"


def test_a_soft_link_inside_the_file_is_followed(tmp_path):
    model = legacy_h5(tmp_path / "soft.h5", h5py.SoftLink("/model_weights/dense/dense/bias:0"))
    status, stderr, _, _ = kerasvg("render", model, "-o", tmp_path / "soft.svg")
    assert status == 0, stderr
    assert 'data-params="8"' in (tmp_path / "soft.svg").read_text()  # kernel and bias: both the 4-vector


def shared_table_weights(path, depth=61, members=65_535):
    """The name bomb: `depth` groups nested in one another that all share one symbol table of `members`
    entries (each group lists all the others, and 65k links to one dataset), written by hand."""
    with h5py.File(path, "w", libver="earliest") as handle:
        group = handle.create_group("layers")
        group.create_dataset("d", shape=(1,), dtype="uint8")
        for i in range(depth):
            group.create_group(f"n{i:02d}")
    data = bytearray(path.read_bytes())
    fd = os.open(path, os.O_RDONLY)
    try:
        reader = hdf5._Reader(hdf5._File(fd, 0, len(data)))

        def table(header):  # where a group's symbol table message (B-tree, local heap) is
            return next(at for kind, _, at, _ in reader.messages(header) if kind == 0x0011)

        def members_of(at):
            return dict(reader.children(reader.address(at), reader.address(at + 8)))

        top = members_of(table(reader.address(reader.root + 8)))["layers"]
        inside = members_of(table(top))
        nested = [inside[f"n{i:02d}"] for i in range(depth)]
        headers = [table(h) for h in [top] + nested]
    finally:
        os.close(fd)
    names = [f"n{i:02d}" for i in range(depth)] + [f"x{i}" for i in range(members - depth)]
    targets = nested + [inside["d"]] * (members - depth)
    heap, offsets = bytearray(8), []
    for name in names:
        offsets.append(len(heap))
        heap += name.encode() + bytes(8 - len(name) % 8)
    data += bytes(-len(data) % 8)
    heap_at = len(data)
    data += b"HEAP" + bytes(4) + struct.pack("<Q", len(heap)) + b"\xff" * 8 + struct.pack("<Q", heap_at + 32) + heap
    node_at = len(data)
    data += b"SNOD\x01\x00" + struct.pack("<H", members)
    data += b"".join(struct.pack("<QQII16x", offset, target, 0, 0) for offset, target in zip(offsets, targets))
    tree_at = len(data)
    data += b"TREE\x00\x00" + struct.pack("<H", 1) + b"\xff" * 16 + struct.pack("<QQQ", 0, node_at, offsets[-1])
    for at in headers:
        data[at:at + 16] = struct.pack("<QQ", tree_at, heap_at)
    data += bytes(4096)
    data[40:48] = struct.pack("<Q", len(data))  # the superblock's end-of-file address
    path.write_bytes(bytes(data))
    return path


def test_the_pure_reader_refuses_a_shared_symbol_table_at_once(tmp_path):
    weights = shared_table_weights(tmp_path / "bomb.h5")
    started = time.process_time()
    with pytest.raises(hdf5.FormatError, match="share one symbol table"):
        hdf5.walk(str(weights))
    assert time.process_time() - started < 1


def test_a_symbol_table_bomb_in_a_keras_file_renders_within_budget(tmp_path):
    """61 nested groups sharing one 65,535-entry table: 5.4 GB in the main process before."""
    weights = shared_table_weights(tmp_path / "bomb.h5")
    model = keras_archive(tmp_path / "bomb.keras", dense_model(), weights)
    assert model.stat().st_size < 4 * 1024 ** 2
    status, stderr, wall, peak = kerasvg("render", model, "-o", tmp_path / "bomb.svg")
    assert status == 0, stderr
    assert wall < WALL and peak < 300, (wall, peak)


def test_the_pure_reader_bounds_members_and_names(tmp_path, monkeypatch):
    path = tmp_path / "w.h5"
    with h5py.File(path, "w", libver="earliest") as handle:
        for i in range(40):
            handle.create_group(f"layers/{'long_name_' * 8}{i}/vars").create_dataset("0", shape=(3,))
    assert len(hdf5.walk(str(path))) == 121
    monkeypatch.setattr(hdf5, "MAX_MEMBERS", 100)
    with pytest.raises(hdf5.FormatError, match="more than 100 group members"):
        hdf5.walk(str(path))
    monkeypatch.setattr(hdf5, "MAX_MEMBERS", 1000)
    monkeypatch.setattr(hdf5, "MAX_NAMES", 2000)
    with pytest.raises(hdf5.FormatError, match="MiB of member names"):
        hdf5.walk(str(path))


def test_the_child_has_a_wall_clock_limit(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it blocks: no CPU is used, so only a wall-clock limit stops it
    started = time.monotonic()
    with pytest.raises(IsolationError, match="did not finish within 3 s"):
        run_isolated(open, str(fifo), seconds=1, what="reading fifo")
    assert time.monotonic() - started < 6


def test_the_child_dies_with_its_parent(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code = f"from kerasvg.readers.isolate import run_isolated; run_isolated(open, {str(fifo)!r}, seconds=120)"
    parent = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        deadline = time.monotonic() + 30
        while not readers_of(parent.pid):
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.05)
        reader = readers_of(parent.pid)[0]
        parent.send_signal(signal.SIGKILL)  # as `kill -9`: the parent gets no chance to clean up
        parent.wait()
        deadline = time.monotonic() + 5
        while readers_of(parent.pid):
            assert time.monotonic() < deadline, f"the isolated child {reader} outlived its parent"
            time.sleep(0.05)
    finally:
        parent.kill()
        for pid in readers_of(parent.pid):
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- 2. giants inside the budget


def keras_tensor(source, shape):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": shape, "dtype": "float32", "keras_history": [source, 0, 0]}}


def keras3_layer(cls, name, inbound=(), module="keras.layers", **config):
    return {"module": module, "class_name": cls, "name": name, "config": {"name": name, **config},
            "inbound_nodes": list(inbound)}


def functional(name, layers, inputs, outputs):
    return {"module": "keras", "class_name": "Functional", "config": {
        "name": name, "layers": layers, "input_layers": [[n, 0, 0] for n in inputs],
        "output_layers": [[n, 0, 0] for n in outputs]}}


def functional_chain(n, width=8):
    """A Keras 3 functional chain of `n` layers: an input and n - 1 Dense."""
    layers, previous = [keras3_layer("InputLayer", "input", batch_shape=[None, width])], "input"
    for i in range(n - 1):
        node = {"args": [keras_tensor(previous, [None, width])], "kwargs": {}}
        layers.append(keras3_layer("Dense", f"dense_{i}", [node], units=width))
        previous = f"dense_{i}"
    return functional("chain", layers, ["input"], [previous])


def spacer_chain(n, width=8):
    """A Sequential of `n` layers: an input, then Dense and visualkeras's SpacingDummyLayer by turns."""
    layers = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, width]}}]
    layers += [{"class_name": "SpacingDummyLayer", "config": {"name": f"spacer_{i}"}} if i % 2 else
               {"class_name": "Dense", "config": {"name": f"dense_{i}", "units": width}} for i in range(n - 1)]
    return {"class_name": "Sequential", "config": {"name": "spacers", "layers": layers}}


def mask_chain(n, width=8):
    """An input, a chain of `n` ops, the last one only the `mask` of a Dense call on the input."""
    layers, previous = [keras3_layer("InputLayer", "input", batch_shape=[None, width])], "input"
    for i in range(n):
        node = {"args": [keras_tensor(previous, [None, width]), 0], "kwargs": {}}
        layers.append(keras3_layer("NotEqual", f"op_{i}", [node], module="keras.src.ops.numpy"))
        previous = f"op_{i}"
    node = {"args": [keras_tensor("input", [None, width])], "kwargs": {"mask": keras_tensor(previous, [None, width])}}
    layers.append(keras3_layer("Dense", "out", [node], units=width))
    return functional("masked", layers, ["input"], ["out"])


def spacer_hub(inputs=50, outputs=2000, width=8):
    """`inputs` inputs into one SpacingDummyLayer feeding `outputs` Dense: leaving the spacer out joins
    every input to every Dense."""
    layers = [keras3_layer("InputLayer", f"in_{i}", batch_shape=[None, width]) for i in range(inputs)]
    node = {"args": [[keras_tensor(f"in_{i}", [None, width]) for i in range(inputs)]], "kwargs": {}}
    layers.append(keras3_layer("SpacingDummyLayer", "spacer", [node], module=None))
    node = {"args": [keras_tensor("spacer", [None, width])], "kwargs": {}}
    layers += [keras3_layer("Dense", f"d_{j}", [node], units=width) for j in range(outputs)]
    return functional("hub", layers, [f"in_{i}" for i in range(inputs)], [f"d_{j}" for j in range(outputs)])


def test_a_49990_layer_functional_chain_renders_in_budget(tmp_path):
    model = write_json(tmp_path / "chain.json", functional_chain(49_990))
    out = tmp_path / "chain.svg"
    status, stderr, wall, peak = kerasvg("render", model, "-o", out)
    assert status == 0, stderr
    assert out.read_text().count('class="layer') >= 1
    assert wall < WALL and peak < MEMORY, (wall, peak)


def test_a_diff_of_the_chain_against_a_renamed_copy_is_in_budget(tmp_path):
    config = functional_chain(49_990)
    a = write_json(tmp_path / "a.json", config)
    b = tmp_path / "b.json"
    b.write_text(json.dumps(config).replace('"dense_', '"renamed_'))
    status, stderr, wall, peak = kerasvg("diff", a, b)
    assert status == 0, stderr
    assert wall < 2 * WALL and peak < 2 * MEMORY, (wall, peak)  # a diff reads two models: 30 s


@pytest.mark.parametrize("flags", [(), ("--hide-types", "Dense"), ("--fold-repeats",)], ids=["plain", "hide", "fold"])
def test_a_49999_layer_chain_with_spacers_renders_in_budget(tmp_path, flags):
    model = write_json(tmp_path / "spacers.json", spacer_chain(49_999))
    out = tmp_path / "spacers.svg"
    status, stderr, wall, peak = kerasvg("render", model, "-o", out, *flags)
    assert status == 0, stderr
    assert 'data-name="spacer_1"' not in out.read_text()
    assert wall < WALL and peak < MEMORY, (wall, peak)


def test_fold_repeats_on_a_49999_layer_chain_is_in_budget(tmp_path):
    layers = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 8]}}]
    layers += [{"class_name": "Dense", "config": {"name": f"dense_{i}", "units": 8}} for i in range(49_998)]
    model = write_json(tmp_path / "chain.json", {"class_name": "Sequential", "config": {"name": "c", "layers": layers}})
    out = tmp_path / "chain.svg"
    status, stderr, wall, peak = kerasvg("render", model, "-o", out, "--fold-repeats")
    assert status == 0, stderr
    assert "×" in out.read_text()
    assert wall < WALL and peak < MEMORY, (wall, peak)


def test_a_30000_op_mask_chain_renders_in_budget(tmp_path):
    model = write_json(tmp_path / "masked.json", mask_chain(30_000))
    out = tmp_path / "masked.svg"
    status, stderr, wall, peak = kerasvg("render", model, "-o", out)
    assert status == 0, stderr
    assert 'data-name="op_0"' not in out.read_text() and 'data-name="out"' in out.read_text()
    assert wall < WALL and peak < MEMORY, (wall, peak)


def test_edges_made_by_leaving_out_a_layer_count_against_the_edge_budget(tmp_path, kept):
    model = write_json(tmp_path / "hub.json", spacer_hub())
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "leaving out 1 layer(s)", "edges budget of 10,000", "--budget edges=")
    assert wall < 5 and peak < 300, (wall, peak)
    assert kept.read_bytes() == SENTINEL
    small = write_json(tmp_path / "small_hub.json", spacer_hub(5, 30))  # 150 joined edges: inside the budget
    status, stderr, _, _ = kerasvg("render", small, "-o", tmp_path / "hub.svg")
    assert status == 0, stderr
    assert (tmp_path / "hub.svg").read_text().count('data-from="in_') == 150


def test_without_layers_joins_paths_through_dropped_layers():
    from kerasvg.graph.model import Layer, ModelGraph, without_layers

    names = ["a", "x", "y", "b", "c"]
    graph = ModelGraph("m", tuple(Layer(n, "Dense") for n in names),
                       (("a", "x"), ("x", "y"), ("y", "b"), ("x", "c"), ("a", "b"), ("y", "x")), ("a",), ("b", "c"))
    drawn = without_layers(graph, ["x", "y"])
    assert [l.name for l in drawn.layers] == ["a", "b", "c"]
    assert drawn.edges == (("a", "b"), ("a", "c"))


# ---------------------------------------------------------------- 5. errors that say what and where


def test_a_fixed_length_model_config_renders(tmp_path):
    import numpy

    model = tmp_path / "fixed.h5"
    with h5py.File(model, "w") as handle:
        handle.attrs["model_config"] = numpy.bytes_(json.dumps(dense_model(units=6)))
    assert h5py.h5a.open(h5py.File(model).id, b"model_config").get_type().is_variable_str() is False
    status, stderr, wall, peak = kerasvg("render", model, "-o", tmp_path / "fixed.svg")
    assert status == 0, stderr
    assert 'data-name="dense"' in (tmp_path / "fixed.svg").read_text()
    assert wall < WALL and peak < 300, (wall, peak)


def test_weight_names_naming_a_group_is_one_line(tmp_path, kept):
    model = tmp_path / "group.h5"
    with h5py.File(model, "w") as handle:
        handle.attrs["model_config"] = json.dumps(dense_model())
        weights = handle.create_group("model_weights")
        weights.attrs["layer_names"] = [b"dense"]
        weights.create_group("dense/dense/kernel:0")
        weights["dense"].attrs["weight_names"] = [b"dense/kernel:0"]
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "layer 'dense'", "'dense/kernel:0'", "weight_names", "not a dataset")
    assert kept.read_bytes() == SENTINEL


def test_duplicate_layer_names_are_refused_naming_the_name(tmp_path, kept):
    layers = [{"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [None, 8]}}]
    layers += [{"class_name": "Dense", "config": {"name": "x", "units": 4}} for _ in range(3)]
    model = write_json(tmp_path / "dup.json", {"class_name": "Sequential", "config": {"name": "m", "layers": layers}})
    status, stderr, wall, peak = kerasvg("render", model, "-o", kept)
    assert status == 2
    one_error_line(stderr, model, "two layers of model 'm' are named 'x'")
    assert kept.read_bytes() == SENTINEL
    assert wall < 5 and peak < 300, (wall, peak)


def test_a_zip64_header_offset_past_the_file_is_one_line(tmp_path, capsys, kept):
    from kerasvg import cli

    model = tmp_path / "z64.keras"
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("config.json", json.dumps(dense_model()))
    data = bytearray(model.read_bytes())
    entry = data.index(b"PK\x01\x02")
    name_length = struct.unpack_from("<H", data, entry + 28)[0]
    extra = struct.pack("<HHQ", 0x0001, 8, 2 ** 64 - 2)  # zip64: the local header is at 2**64 - 2
    struct.pack_into("<I", data, entry + 42, 0xFFFFFFFF)
    struct.pack_into("<H", data, entry + 30, len(extra))
    data[entry + 46 + name_length:entry + 46 + name_length] = extra
    end = data.index(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 12, struct.unpack_from("<I", data, end + 12)[0] + len(extra))
    model.write_bytes(bytes(data))
    assert cli.main(["render", str(model), "-o", str(kept)]) == 2
    one_error_line(capsys.readouterr().err, model, "config.json is said to start at byte 18,446,744,073,709,551,614")
    assert kept.read_bytes() == SENTINEL


def spacer_model(spacing):
    return {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [None, 8]}},
        {"class_name": "SpacingDummyLayer", "config": {"name": "gap", "spacing": spacing}},
        {"class_name": "Dense", "config": {"name": "d", "units": 4}}]}}


@pytest.mark.parametrize("spacing", ["Infinity", "NaN", "1e400", "9" * 400, "-5", '"50"'])
def test_a_spacer_gap_must_be_a_sensible_number(tmp_path, capsys, kept, spacing):
    from kerasvg import cli

    model = tmp_path / "gap.json"
    model.write_text(json.dumps(spacer_model(0)).replace('"spacing": 0', f'"spacing": {spacing}'))
    status = cli.main(["render", str(model), "-o", str(kept)])
    assert status == 2
    one_error_line(capsys.readouterr().err, model, "layer 'gap'", "spacing", "from 0 to 1,000,000")
    assert kept.read_bytes() == SENTINEL


@pytest.mark.parametrize("flags, expected", [
    (("--scale", "1e-300"), "scale=1e-300 makes the image"), (("--dpi", "1e-5"), "dpi=1e-05 makes the image"),
    (("--width", "9" * 400 + "in"), "expected a positive length"),
    (("--layer-range", "0:" + "9" * 5000), "--layer-range: an index of 5,000 digits")])
def test_numbers_out_of_range_are_one_line_naming_the_setting(tmp_path, capsys, flags, expected):
    from kerasvg import cli

    model = write_json(tmp_path / "m.json", dense_model())
    out = tmp_path / "m.png"
    status = cli.main(["render", str(model), "-o", str(out), *flags])
    assert status == 2
    one_error_line(capsys.readouterr().err, expected)
    assert not out.exists()


def test_to_png_checks_its_scale_and_dpi(tmp_path):
    from kerasvg import layered_view, read

    diagram = layered_view(read(write_json(tmp_path / "m.json", dense_model())))
    with pytest.raises(TypeError, match=r"scale='2': expected a number greater than 0"):
        diagram.to_png(scale="2")
    with pytest.raises(TypeError, match=r"dpi=True"):
        diagram.to_png(dpi=True)
    with pytest.raises(ValueError, match=r"scale=nan: expected a finite number"):
        diagram.to_png(scale=float("nan"))
    with pytest.raises(ValueError, match=r"under one pixel a side; this figure needs scale"):
        diagram.to_png(scale=1e-300)
    assert diagram.to_png(scale=2).startswith(b"\x89PNG")


# ---------------------------------------------------------------- 4. outputs


def test_a_read_only_output_is_refused_as_cp_would(tmp_path, capsys):
    from kerasvg import cli

    model = write_json(tmp_path / "m.json", dense_model())
    locked, fresh = tmp_path / "locked.svg", tmp_path / "fresh.png"
    locked.write_bytes(SENTINEL)
    locked.chmod(0o444)
    for outputs in ([locked], [fresh, locked]):
        status = cli.main(["render", str(model), *[a for o in outputs for a in ("-o", str(o))]])
        assert status == 2
        one_error_line(capsys.readouterr().err, locked, "read-only (mode 444)", "not replaced")
        assert locked.read_bytes() == SENTINEL and not fresh.exists()
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "m.svg").write_bytes(SENTINEL)
    (batch / "m.svg").chmod(0o444)
    assert cli.main(["render", str(model), str(write_json(tmp_path / "n.json", dense_model())), "-o", f"{batch}/"]) == 2
    assert "read-only" in capsys.readouterr().err and (batch / "m.svg").read_bytes() == SENTINEL


@pytest.mark.parametrize("extension", [".eps", ".h5", ".grib", ".ico", ".pcx", ".ppm", ".jp2", ".im"])
def test_only_the_tested_raster_formats_are_written(tmp_path, extension):
    model = write_json(tmp_path / "m.json", dense_model())
    out = tmp_path / f"m{extension}"
    status, stderr, wall, peak = kerasvg("render", model, "-o", out)
    assert status == 2
    one_error_line(stderr, out, f"unsupported extension '{extension}'", ".webp")
    assert "save handler" not in stderr and not out.exists()
    assert wall < 5 and peak < 300, (wall, peak)


@pytest.mark.parametrize("extension, magic", [(".bmp", b"BM"), (".gif", b"GIF8"), (".tif", b"II*\x00"),
                                              (".tiff", b"II*\x00"), (".webp", b"RIFF")])
def test_the_tested_raster_formats_are_written(tmp_path, capsys, extension, magic):
    from kerasvg import cli

    model = write_json(tmp_path / "m.json", dense_model())
    out = tmp_path / f"m{extension}"
    assert cli.main(["render", str(model), "-o", str(out)]) == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(magic)


def test_check_never_reads_a_fifo_or_a_device(tmp_path, capsys):
    from kerasvg import cli

    model = write_json(tmp_path / "m.json", dense_model())
    fifo, zero = tmp_path / "fifo.svg", tmp_path / "zero.svg"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    for out in (fifo, zero):
        started = time.monotonic()
        assert cli.main(["render", str(model), "-o", str(out), "--check"]) == 1
        assert f"stale: {out}" in capsys.readouterr().err and time.monotonic() - started < 10


def test_replacing_outputs_keeps_the_old_ones_without_reading_them(tmp_path, capsys, monkeypatch):
    from kerasvg import cli
    from kerasvg.cli import outputs as cli_outputs

    model = write_json(tmp_path / "m.json", dense_model())
    big, png = tmp_path / "big.svg", tmp_path / "x.png"
    with open(big, "wb") as handle:
        handle.truncate(2 * 1024 ** 3)  # sparse: 2 GB that a rollback copy in memory would hold
    real = cli_outputs.write_atomic

    def full_disk(path, data):
        if Path(path) == png:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(cli_outputs, "write_atomic", full_disk)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read whole"))
    status = cli.main(["render", str(model), "-o", str(big), "-o", str(png)])
    assert status == 2
    one_error_line(capsys.readouterr().err, png, "No space left on device", "left as they were")
    assert big.stat().st_size == 2 * 1024 ** 3 and not png.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.svg", "m.json"]
