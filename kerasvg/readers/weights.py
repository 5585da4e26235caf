"""Parameter counts from a saved model's weights file, from dataset shapes only (no values are read).

`.keras` archives hold `model.weights.h5`: Keras 3 and tf_keras store each layer's variables under
a class-based key (`layers/dense_2/vars/0`), Keras 3 with the layer's name as attribute `name` on
`vars`; nested models and sublayers are groups below. Legacy `.h5` files list their layers in
`model_weights.attrs["layer_names"]`, each with its `weight_names`. `read_weight_tree` (pure Python,
`hdf5.py`) and `read_weight_tree_h5py` (for any HDF5 file; run it in a child process) turn these into
plain data; `WeightTree` matches it to the layers of a config. Neither reads anything outside the file:
a file with an external link or a virtual dataset is refused (`OutsideFileError`), soft links are
followed only inside the file.
"""
from __future__ import annotations

import io
import math
import os
import re
import struct
import zipfile
from typing import Any, Dict, List, Optional, Tuple

WEIGHTS_MEMBER = "model.weights.h5"
MAX_LINKS = 1_000_000  # links of one weights file looked at (50,000 layers of four entries: 200,000)
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def weights_location(path, archive: Optional[zipfile.ZipFile] = None) -> Optional[Tuple[int, int]]:
    """(offset, length) of the stored (uncompressed) weights member of a `.keras` archive (`archive`: the
    archive already open), or None."""
    try:
        if archive is not None:
            info = archive.getinfo(WEIGHTS_MEMBER)
        else:
            with zipfile.ZipFile(path) as opened:
                info = opened.getinfo(WEIGHTS_MEMBER)
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
        return None
    if not 0 <= info.header_offset <= os.path.getsize(path) - _LOCAL_HEADER.size:
        return None
    with open(path, "rb") as handle:
        handle.seek(info.header_offset)
        header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<2H", header[26:30])
    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length, info.file_size


class _Slice(io.RawIOBase):
    """A read-only window [offset, offset + length) of a file, as a file object h5py can open."""

    def __init__(self, path, offset: int, length: int):
        super().__init__()
        self._fd = os.open(path, os.O_RDONLY)
        self._offset, self._length, self._position = offset, length, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, position, whence=io.SEEK_SET):
        if whence == io.SEEK_CUR:
            position += self._position
        elif whence == io.SEEK_END:
            position += self._length
        self._position = position if position > 0 else 0
        return self._position

    def tell(self):
        return self._position

    def readinto(self, buffer):
        wanted = self._length - self._position
        if len(buffer) < wanted:
            wanted = len(buffer)
        if wanted <= 0:
            return 0
        data = os.pread(self._fd, wanted, self._offset + self._position)
        buffer[:len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self):
        if not self.closed:
            os.close(self._fd)
        super().close()


def read_weight_tree(path: str, offset: int = 0, length: Optional[int] = None) -> Dict[str, Any]:
    """The weight counts of a weights file (or of the byte range of one inside an archive):
    `{"layers": [{"key", "name", "size", "layers"}...]}`, each level ordered as Keras numbered the keys.

    Pure Python (`kerasvg.readers.hdf5`): only group names, dataset shapes and the `name` attributes are read.
    Raises `hdf5.FormatError` for files that use parts of HDF5 it does not read (see `read_weight_tree_h5py`)."""
    from . import hdf5

    return _tree(hdf5.walk(path, offset, length))


def read_weight_tree_h5py(path: str, offset: int = 0, length: Optional[int] = None) -> Dict[str, Any]:
    """`read_weight_tree` through h5py's low-level calls, for any HDF5 file (run it isolated: a crafted file
    can crash the library). Raises `OutsideFileError` for a file with links out of it or virtual datasets,
    ValueError for one of more than MAX_LINKS links."""
    import h5py
    from h5py import h5a, h5d, h5g, h5o

    source = _Slice(path, offset, length) if length is not None else path
    where = f"{path}: {WEIGHTS_MEMBER}" if length is not None else path
    try:
        with h5py.File(source, "r") as handle:
            refuse_links_out(handle, where)
            if "model_weights" in handle and "layer_names" in handle["model_weights"].attrs:
                return _legacy_tree(handle["model_weights"], where)
            fid = handle.id
            found: List[Tuple[bytes, int]] = []
            h5o.visit(fid, lambda name, info: found.append((name, info.type)), info=True)
            entries: List[Tuple[str, str, Any]] = []
            for raw, kind in found:
                name = raw.decode("utf-8", "replace")
                if kind == h5o.TYPE_DATASET:
                    dataset = h5d.open(fid, raw)
                    _refuse_virtual(dataset, where, name)
                    entries.append((name, "dataset", dataset.shape))
                elif kind == h5o.TYPE_GROUP:
                    attributes = {}
                    if name.split("/")[-1] == "vars":
                        group = h5g.open(fid, raw)
                        if h5a.exists(group, b"name"):
                            attribute = h5a.open(group, b"name")
                            value = numpy_empty(attribute)
                            attribute.read(value)
                            attributes["name"] = value[()]
                    entries.append((name, "group", attributes))
    finally:
        if isinstance(source, _Slice):
            source.close()
    return _tree(entries)


def refuse_links_out(handle, where: str) -> None:
    """OutsideFileError if any link of the open h5py file `handle` leads out of it (an external or a
    user-defined link); ValueError past MAX_LINKS links. Soft links stay inside the file once no link
    leads out: every group a soft path runs through is reached by hard links, so this visit sees it."""
    from h5py import h5l

    from .configcheck import short_repr
    from .errors import OutsideFileError

    found: List[Tuple[bytes, int]] = []
    count = [0]

    def look(name, info):
        count[0] += 1
        if info.type not in (h5l.TYPE_HARD, h5l.TYPE_SOFT):
            found.append((name, info.type))
            return True  # stop the visit
        if count[0] > MAX_LINKS:
            return True
        return None

    handle.id.links.visit(look, info=True)
    if found:
        name, kind = found[0]
        shown = short_repr(name.decode("utf-8", "replace"), 80)
        if kind == h5l.TYPE_EXTERNAL:
            file, target = handle.id.links.get_val(name)
            outside = f"an external link to {short_repr(_text(file), 120)} (object {short_repr(_text(target), 60)})"
        else:
            outside = f"a user-defined link (type {kind})"
        raise OutsideFileError(f"{where}: {shown} is {outside}; kerasvg reads nothing outside the file")
    if count[0] > MAX_LINKS:
        raise ValueError(f"{where}: more than {MAX_LINKS:,} links")


def _refuse_virtual(dataset, where: str, name: str) -> None:
    """OutsideFileError for a virtual dataset (its data lives in other files; even its shape may be read there)."""
    from h5py import h5d

    from .configcheck import short_repr
    from .errors import OutsideFileError

    if dataset.get_create_plist().get_layout() == h5d.VIRTUAL:
        raise OutsideFileError(f"{where}: {short_repr(name, 80)} is a virtual dataset, whose data lives in other "
                               f"files; kerasvg reads nothing outside the file")


def _legacy_tree(weights, where: str = "the file") -> Dict[str, Any]:
    """A legacy `.h5`'s counts from the `layer_names` and `weight_names` it lists (names may hold `/`, which
    HDF5 turns into deeper groups); each layer's entries below it keyed by its weights' first path part."""
    import h5py

    from .configcheck import short_repr
    from .errors import SavedModelError

    root: Dict[str, Any] = {}
    for layer_name in weights.attrs["layer_names"]:
        name = _text(layer_name)
        group = weights[name]
        entry = root.setdefault(name, {"key": name, "name": name, "size": 0, "layers": {}})
        for weight_name in group.attrs.get("weight_names", []):
            weight = _text(weight_name)
            dataset = group[weight]
            if not isinstance(dataset, h5py.Dataset):
                raise SavedModelError(f"{where}: layer {short_repr(name)} lists the weight {short_repr(weight)} in its "
                                      f"weight_names, which is a {type(dataset).__name__.lower()}, not a dataset")
            _refuse_virtual(dataset.id, where, f"model_weights/{name}/{weight}")
            size = int(math.prod(dataset.shape or ()))
            head = weight.split("/")[0]
            entry["size"] += size
            inner = entry["layers"].setdefault(head, {"key": head, "name": head, "size": 0, "layers": {}})
            inner["size"] += size
    return {"layers": _ordered(root)}


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _tree(entries) -> Dict[str, Any]:
    """The weight counts from (path, "dataset", shape) and (path, "group", attributes) entries."""
    root: Dict[str, Any] = {"layers": {}}
    for name, kind, value in entries:
        parts = name.split("/")
        if kind == "dataset":
            _add_size(root, parts, math.prod(value or ()))
        elif parts[-1] == "vars":
            if "name" in value:
                _set_name(root, parts[:-1], value["name"])
        else:
            _entries_along(root, parts)
    return {"layers": _ordered(root["layers"])}


def numpy_empty(attribute):
    import numpy

    return numpy.zeros(attribute.shape, dtype=attribute.dtype)


def _levels(parts: List[str]) -> Tuple[List[str], int]:
    """The layer keys a path runs through and where they end: `layers/a/layers/b/vars/0` → ([a, b], 4).
    Legacy files: `model_weights/a/b/kernel:0` → ([a, b], 3). No keys outside the layers."""
    if not parts:
        return [], 0
    if parts[0] == "model_weights":
        keys = parts[1:3] if len(parts) > 3 else parts[1:2]
        return keys, 1 + len(keys)
    keys, i = [], 0
    while i + 1 < len(parts) and parts[i] == "layers":
        keys.append(parts[i + 1])
        i += 2
    return keys, i


def _entries_along(root, parts: List[str]) -> List[Dict[str, Any]]:
    keys, _ = _levels(parts)
    entries, level = [], root
    for key in keys:
        level = level["layers"].setdefault(key, {"key": key, "name": key if parts[0] == "model_weights" else None,
                                                 "size": 0, "layers": {}})
        entries.append(level)
    return entries


def _add_size(root, parts, size) -> None:
    for entry in _entries_along(root, parts):
        entry["size"] += int(size)


def _set_name(root, parts, value) -> None:
    """`layers/<key>/vars` carries the layer's name (Keras 3); a sublayer's `vars` does not name the layer."""
    keys, end = _levels(parts)
    if keys and end == len(parts) and parts[0] == "layers":  # keys imply parts
        _entries_along(root, parts)[-1]["name"] = (
            value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))


def _ordered(level: Dict[str, Any]) -> List[Dict[str, Any]]:
    result = []
    for key in sorted(level, key=_natural):
        entry = level[key]
        result.append(dict(entry, layers=_ordered(entry["layers"]) if entry["layers"] else None))
    return result


def _natural(key: str):
    match = re.fullmatch(r"(.*?)(?:_(\d+))?", key)
    return match.group(1), int(match.group(2) or 0)


def snake_case(class_name: str) -> str:
    """The key Keras saves a layer's weights under (before the `_N` suffix)."""
    text = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    text = re.sub("([a-z])([A-Z])", r"\1_\2", text).lower()
    return text if not text.startswith("_") else "private" + text


class WeightTree:
    """The weight entries of one model level, matched to its config's layers."""

    def __init__(self, entries: List[Dict[str, Any]]):
        self._entries = entries

    def match(self, layers: List[Tuple[str, str]]) -> Dict[str, Tuple[int, Optional["WeightTree"]]]:
        """layer name → (weight count, the nested model's tree), for (name, class) in config order.

        By the `name` attribute when Keras wrote it; otherwise by class key and order, and only for
        classes whose number of entries equals the number of layers of that class."""
        found: Dict[str, Tuple[int, Optional[WeightTree]]] = {}
        named = {e["name"]: e for e in self._entries if e.get("name")}
        by_class: Dict[str, List[str]] = {}
        for name, cls in layers:
            if name in named:
                found[name] = self._pair(named[name])
            else:
                by_class.setdefault(snake_case(cls), []).append(name)
        keyed: Dict[str, List[Dict[str, Any]]] = {}
        for entry in self._entries:
            if not entry.get("name"):
                keyed.setdefault(_natural(entry["key"])[0], []).append(entry)
        for base, names in by_class.items():
            candidates = keyed.get(base, [])
            if len(candidates) == len(names):
                for name, entry in zip(names, candidates):
                    found[name] = self._pair(entry)
        return found

    @staticmethod
    def _pair(entry):
        inner = entry.get("layers")
        return int(entry["size"]), WeightTree(inner) if inner is not None else None
