"""kerasvg.hdf5: HDF5 structure (groups, shapes, string attributes) read in pure Python, safely."""
import os
import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kerasvg import hdf5
from kerasvg.weights import read_weight_tree, read_weight_tree_h5py

h5py = pytest.importorskip("h5py")


def _sample(path, **file_options):
    with h5py.File(path, "w", **file_options) as f:
        layers = f.create_group("layers")
        dense = layers.create_group("dense").create_group("vars")
        dense.attrs["name"] = "first dense ✓"  # a variable-length UTF-8 string, in the global heap
        dense.create_dataset("0", shape=(5, 7), dtype="float32")
        dense.create_dataset("1", shape=(7,), dtype="float32")
        fixed = layers.create_group("batch_normalization").create_group("vars")
        fixed.attrs["name"] = np.bytes_("bn")  # a fixed-length string
        for i in range(4):
            fixed.create_dataset(str(i), shape=(7,), dtype="float32")
        inner = layers.create_group("functional").create_group("layers").create_group("dense_1").create_group("vars")
        inner.create_dataset("0", shape=(3, 2), dtype="float16")
        inner.create_dataset("scalar", data=1.5)
        for i in range(300):  # enough members for a B-tree of two levels
            layers.create_group(f"activation_{i}").create_group("vars")
        f.create_group("optimizer").create_group("vars").create_dataset("0", shape=(), dtype="int64")
        many = layers["dense"]
        for i in range(30):  # enough attributes for the header to continue in another block
            many.attrs[f"note_{i}"] = "x" * 20


def test_walk_finds_groups_shapes_and_string_attributes(tmp_path):
    path = tmp_path / "w.h5"
    _sample(path)
    found = {name: (kind, value) for name, kind, value in hdf5.walk(str(path))}
    assert found["layers/dense/vars"] == ("group", {"name": "first dense ✓"})
    assert found["layers/batch_normalization/vars"] == ("group", {"name": "bn"})
    assert found["layers/dense/vars/0"] == ("dataset", (5, 7))
    assert found["layers/functional/layers/dense_1/vars/scalar"] == ("dataset", ())
    assert found["optimizer/vars/0"] == ("dataset", ())
    assert sum(1 for name in found if name.startswith("layers/activation_")) == 600
    assert found["layers/dense"][1]["note_29"] == "x" * 20


def test_weight_tree_equals_h5pys_including_a_range_inside_a_bigger_file(tmp_path):
    path = tmp_path / "w.h5"
    _sample(path)
    assert read_weight_tree(str(path)) == read_weight_tree_h5py(str(path))
    inner = path.read_bytes()
    wrapped = tmp_path / "wrapped.bin"
    wrapped.write_bytes(b"Z" * 1000 + inner + b"tail")
    assert read_weight_tree(str(wrapped), 1000, len(inner)) == read_weight_tree_h5py(str(path))


def test_new_style_groups_are_refused_for_h5py_to_read(tmp_path):
    path = tmp_path / "latest.h5"
    _sample(path, libver="latest")
    with pytest.raises(hdf5.FormatError):
        hdf5.walk(str(path))


@pytest.mark.parametrize("junk", [b"", b"\x89HDF\r\n\x1a\n", b"\x89HDF\r\n\x1a\n" + bytes(200), os.urandom(4096)])
def test_junk_is_a_format_error(tmp_path, junk):
    path = tmp_path / "junk.h5"
    path.write_bytes(junk)
    with pytest.raises(hdf5.FormatError):
        hdf5.walk(str(path))


def test_a_truncated_file_is_a_format_error(tmp_path):
    path = tmp_path / "w.h5"
    _sample(path)
    data = path.read_bytes()
    for cut in (100, 800, 2000, len(data) // 2):
        path.write_bytes(data[:cut])
        with pytest.raises(hdf5.FormatError):
            hdf5.walk(str(path))


@pytest.fixture(scope="module")
def sample_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("h5") / "w.h5"
    _sample(path)
    return path.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 32 - 1), flips=st.integers(1, 40))
def test_corrupted_files_fail_cleanly_and_quickly(sample_bytes, tmp_path, seed, flips):
    """Random byte changes: a result or FormatError, never another exception, within a second."""
    rng = random.Random(seed)
    data = bytearray(sample_bytes)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path = tmp_path / "bad.h5"
    path.write_bytes(bytes(data))
    started = time.process_time()
    try:
        hdf5.walk(str(path))
    except hdf5.FormatError:
        pass
    assert time.process_time() - started < 1.0


def test_the_string_type_that_crashes_the_hdf5_library_is_just_not_a_name(tmp_path):
    """The corruption that segfaults h5py (see test_hostile): here the attribute is simply not read."""
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as f:
        f.create_group("layers/dense/vars").attrs["name"] = "dense"
    data = bytearray(path.read_bytes())
    marker = b"name\x00\x00\x00\x00\x19\x01"
    at = data.find(marker)
    assert at > 0
    data[at + len(marker) - 1] = 0x1D
    path.write_bytes(bytes(data))
    found = {name: value for name, _, value in hdf5.walk(str(path))}
    assert found["layers/dense/vars"] == {}
