"""Saved model files (`.keras` zip, model-config `.json`, legacy `.h5`): recognise one and read its model
config and weight counts, within the byte budgets. Nothing in the file is executed."""
from __future__ import annotations

import json
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Optional, Tuple

from .. import budgets
from .errors import SavedModelError
from .weights import WeightTree, read_weight_tree, read_weight_tree_h5py, weights_location

ZIP_MAGIC = b"PK\x03\x04"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
H5_CHILD_MEMORY = 1536 * 1024 ** 2  # address space h5py and numpy need before reading anything
H5_CHILD_SECONDS = 10  # CPU seconds; the wall-clock limit is 2 s more
ZIP_END_SEARCH = 22 + 65_535  # where a zip's end record can be: the last 22 bytes, after a comment of up to 64 KiB
METADATA_BYTES = 64 * 1024  # a .keras archive's metadata.json: a version and a date


def read_model_file(path: Path) -> Tuple[dict, Optional[WeightTree]]:
    """The model config dict and weight counts of a `.keras` zip, a model-config `.json` or a legacy `.h5` file."""
    if not path.exists():
        raise SavedModelError(f"{path}: no such file")
    if path.is_dir():
        raise SavedModelError(f"{path}: is a folder, not a model file (.keras, .h5 or .json)")
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise SavedModelError(f"{path}: not a regular file (a FIFO, device or socket), so not read")
    with open(path, "rb") as handle:
        head = handle.read(8)
    weights = None
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        text, location = _read_archive(path)
        weights = _archive_weights(path, location)
    elif head.startswith(HDF5_MAGIC):
        text, tree = _config_from_h5(path)
        weights = WeightTree(tree["layers"]) if tree else None
    elif path.suffix.lower() in (".keras", ".h5", ".hdf5"):
        kind = "a zip archive" if path.suffix.lower() == ".keras" else "an HDF5 file"
        raise SavedModelError(f"{path}: not {kind}, so not a saved Keras model (is the file truncated or renamed?)")
    else:
        text = _read_capped(path)
        if not text.strip():
            raise SavedModelError(f"{path}: the file is empty, so not a Keras model")
        try:
            return _parse_json(text, path), None
        except SavedModelError:
            kind = looks_like(text)
            if kind:
                raise SavedModelError(f"{path}: looks like {kind}, not a Keras model (expected a .keras, .h5 or "
                                      "model-config .json file)") from None
            raise
    return _parse_json(text, path), weights


_MAGIC = ((b"%pdf-", "a PDF document"), (b"\x89png", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"gif8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"))


def looks_like(data: bytes) -> Optional[str]:
    """What a file that is no JSON model config looks like ('an HTML file'), or None: JSON, even broken, is
    left to the JSON parser, which says where it breaks."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:1] in b'{["-0123456789' or head.rstrip() in (b"true", b"false", b"null"):
        return None
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "an HTML file"
    if b"<svg" in head:
        return "an SVG image"
    if head.startswith(b"<"):
        return "an XML file"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if all(c.isprintable() or c in "\t\r\n\f" for c in text[:4096]):
        return "a plain-text file"
    return None


def _archive_weights(path: Path, location: Optional[Tuple[int, int]]) -> Optional[WeightTree]:
    """The weight counts of a `.keras` archive's `model.weights.h5`, or None when there are none or they
    cannot be read: counts then come from the config where kerasvg knows the class, and are unknown
    otherwise. Read in pure Python (`kerasvg.readers.hdf5`); files using parts of HDF5 it does not read go to
    h5py in a child process (a crafted HDF5 file can crash the library)."""
    from .hdf5 import FormatError
    from .isolate import IsolationError, run_isolated

    if location is None:
        return None
    try:
        tree = read_weight_tree(str(path), *location)
    except (FormatError, OSError):
        try:
            tree = run_isolated(weight_tree_or_none, str(path), *location, memory_bytes=H5_CHILD_MEMORY,
                                seconds=H5_CHILD_SECONDS, what="the HDF5 library")
        except (IsolationError, OSError):
            return None
    return WeightTree(tree["layers"]) if tree else None


def weight_tree_or_none(path: str, offset: int = 0, length: Optional[int] = None) -> Optional[dict]:
    """`read_weight_tree_h5py`, or None when h5py is missing or the weights cannot be parsed (run it isolated).
    A file that points outside itself, or that lists a weight that is not a dataset, is a SavedModelError."""
    try:
        import h5py  # noqa: F401
    except ImportError:
        return None
    try:
        return read_weight_tree_h5py(path, offset, length)
    except SavedModelError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, IndexError):
        return None


def _read_capped(path: Path) -> bytes:
    try:
        return budgets.read_bounded(path, "model config")
    except budgets.BudgetError as exc:
        raise SavedModelError(str(exc)) from None


def _read_archive(path: Path) -> Tuple[bytes, Optional[Tuple[int, int]]]:
    """A `.keras` archive's config.json and where its weights are, from one reading of its directory, after
    checking how many entries that directory holds."""
    entries = zip_entries_at_most(path)
    if entries > budgets.current().zip_entries:
        raise SavedModelError(str(budgets.exceeded(f"{path}: a zip directory of {entries:,} entries, which",
                                                   "zip_entries")))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SavedModelError(f"{path}: not a readable zip archive ({exc})") from None
    with archive:
        return _config_from_zip(path, archive), weights_location(path, archive)


def zip_entries_at_most(path: Path) -> int:
    """How many entries `zipfile` would read from an archive's central directory, at most: the entry
    signatures in the bytes it would read, counted without building anything (0 without an end record)."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        handle.seek(max(0, size - ZIP_END_SEARCH))
        tail = handle.read()
        end = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) - end < 22:
            return 0
        directory_size = struct.unpack_from("<I", tail, end + 12)[0]
        stop = size - len(tail) + end
        if end >= 76 and tail[end - 20:end - 16] == b"PK\x06\x07":  # zip64: its end record gives the size
            directory_size = max(directory_size, struct.unpack_from("<Q", tail, end - 36)[0])
            stop -= 76
        start = max(0, stop - directory_size)
        handle.seek(start)
        count, carry, remaining = 0, b"", stop - start
        while remaining > 0:
            chunk = handle.read(min(1 << 20, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            joined = carry + chunk  # a signature across two chunks is counted once
            count += joined.count(b"PK\x01\x02")
            carry = joined[-3:]
    return count


def _config_from_zip(path: Path, archive: zipfile.ZipFile) -> bytes:
    try:
        info = archive.getinfo("config.json")
    except KeyError:
        names = ", ".join(archive.namelist()[:5]) or "nothing"
        raise SavedModelError(f"{path}: the archive has no config.json, so it is not a .keras model (it holds {names})") from None
    size = os.path.getsize(path)
    if not 0 <= info.header_offset <= size - 30:  # a local header is 30 bytes at least
        raise SavedModelError(f"{path}: config.json is said to start at byte {info.header_offset:,}, outside the "
                              f"{size:,}-byte file (a damaged or crafted archive)")
    limit = budgets.current().input_bytes
    if info.file_size > limit:
        raise SavedModelError(str(budgets.exceeded(f"{path}: config.json unpacks to {info.file_size:,} bytes, which",
                                                   "input_bytes")))
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise SavedModelError(f"{path}: config.json cannot be unpacked ({exc})") from None
    if len(data) > limit:
        raise SavedModelError(str(budgets.exceeded(f"{path}: config.json unpacks to more than it declares, which",
                                                   "input_bytes")))
    return data


def _config_from_h5(path: Path) -> Tuple[bytes, Optional[dict]]:
    """The `model_config` attribute and the weight counts, read in a child process: a crafted HDF5 file
    can crash the library."""
    from .isolate import IsolationError, run_isolated

    limit = budgets.current().input_bytes
    try:
        return run_isolated(h5_model_config_and_weights, str(path), limit, memory_bytes=4 * limit + H5_CHILD_MEMORY,
                            seconds=H5_CHILD_SECONDS, what="the HDF5 library")
    except IsolationError as exc:
        raise SavedModelError(f"{path}: {exc} (reading this file in a child process)") from None


def h5_model_config_and_weights(path: str, limit: int) -> Tuple[bytes, Optional[dict]]:
    """`model_config` and the weight counts of a legacy `.h5` file, in one child process."""
    return h5_model_config(path, limit), weight_tree_or_none(path)


def h5_model_config(path: str, limit: int) -> bytes:
    """`model_config` of a legacy `.h5` file as bytes, at most `limit` of them (run it isolated)."""
    try:
        import h5py
    except ImportError:
        raise SavedModelError(f"{path}: reading legacy .h5 files needs h5py (a kerasvg dependency): pip install h5py") from None
    try:
        with h5py.File(path, "r") as handle:
            if "model_config" not in handle.attrs:
                raw = None
            else:
                stored = h5py.h5a.open(handle.id, b"model_config").get_storage_size()
                if stored > limit:
                    raise SavedModelError(str(budgets.exceeded(
                        f"{path}: the model_config attribute of {stored:,} bytes", "input_bytes", limit)))
                raw = handle.attrs.get("model_config")
    except OSError as exc:
        raise SavedModelError(f"{path}: not a readable HDF5 file ({exc})") from None
    if raw is None:
        raise SavedModelError(f"{path}: the HDF5 file has no model_config (a weights-only file?), so there is no model to draw")
    if getattr(raw, "shape", None) == (1,):  # an array of one string
        raw = raw[0]
    # a fixed-length string (older h5py) reads as numpy.bytes_: plain bytes cross to the parent process
    data = bytes(raw) if isinstance(raw, bytes) else str(raw).encode("utf-8")
    if len(data) > limit:
        raise SavedModelError(str(budgets.exceeded(
            f"{path}: the model_config attribute of {len(data):,} bytes", "input_bytes", limit)))
    return data


def saving_keras_version(path: Path) -> Optional[str]:
    """The version of Keras (or tf_keras) that saved a `.keras` archive (its `metadata.json`) or a legacy
    `.h5` file (its `keras_version` attribute, read in a child process), or None when the file does not say."""
    from .isolate import IsolationError, run_isolated

    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
        if head.startswith(HDF5_MAGIC):
            return run_isolated(h5_keras_version, str(path), memory_bytes=H5_CHILD_MEMORY, seconds=H5_CHILD_SECONDS,
                                what="the HDF5 library")
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("metadata.json")
            if info.file_size > METADATA_BYTES:
                return None
            metadata = json.loads(archive.read(info))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, zlib.error, EOFError, IsolationError, ImportError,
            NotImplementedError, RuntimeError):
        return None
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    return str(version) if version is not None else None


def h5_keras_version(path: str) -> Optional[str]:
    """The `keras_version` attribute of a legacy `.h5` file, or None (run it isolated)."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            value = handle.attrs.get("keras_version")
    except OSError:
        return None
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _parse_json(data: bytes, path) -> dict:
    try:
        config = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SavedModelError(f"{path}: not a JSON model config (the bytes are not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SavedModelError(f"{path}: corrupt JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise SavedModelError(f"{path}: JSON nested too deeply to be a model config") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        digits = re.search(r"has (\d+) digits", str(exc))
        what = f"an integer of {digits.group(1)} digits" if digits else str(exc)
        raise SavedModelError(f"{path}: not a usable JSON model config ({what}; no model needs such a number)") from None
    limit = budgets.current().depth
    if not _nested_at_most(data, limit):  # then measured exactly
        depth = _json_depth(config)
        if depth > limit:
            raise SavedModelError(str(budgets.exceeded(f"{path}: JSON nested {depth} deep, which", "depth")))
    if not isinstance(config, dict):
        raise SavedModelError(f"{path}: expected a JSON object (what model.to_json() writes), got a JSON {type(config).__name__}")
    return config


_BRACKETS = bytes.maketrans(b"[]{}", b"()()")
_NOT_QUOTES_OR_BRACKETS = bytes(set(range(256)) - set(b'"[]{}'))


def _nested_at_most(data: bytes, limit: int) -> bool:
    """True when the brackets of parsed JSON text nest at most `limit` deep outside its strings, so the value
    does too (deeper only where a repeated key dropped a deeper value); checked at C speed, a pass per level.
    False (not known) too when the passes would scan more than 8 times the brackets (many deep branches)."""
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")  # no quote is left inside a string
    kept = data.translate(None, _NOT_QUOTES_OR_BRACKETS).replace(b'""', b"")  # strings without brackets go
    if b'"' in kept:  # the strings left hold brackets
        kept = b"".join(kept.split(b'"')[::2])
    brackets = kept.translate(_BRACKETS)
    budget = 8 * len(brackets)
    for _ in range(limit):
        if not brackets:
            return True
        budget -= len(brackets)
        inner = brackets.replace(b"()", b"")  # the empty containers: one level of the deepest
        if len(inner) == len(brackets) or budget < 0:  # not balanced (not what json parsed), or too slow
            return False
        brackets = inner
    return not brackets


def _json_depth(value) -> int:
    """How deeply lists and objects nest (level by level, so any depth is safe to measure)."""
    depth, level = 0, [value] if isinstance(value, (list, dict)) else []
    while level:
        depth += 1
        deeper = []
        for item in level:
            deeper += [c for c in (item.values() if isinstance(item, dict) else item) if isinstance(c, (list, dict))]
        level = deeper
    return depth
