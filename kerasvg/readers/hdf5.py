"""The structure of an HDF5 file in pure Python: groups, dataset shapes and string attributes.

Enough of the format (HDF5 spec: superblock 0/1, version 1 object headers, symbol-table groups,
dataspace and attribute messages, the global heap for variable-length strings) for the weight files
that Keras and tf_keras write through h5py with its default settings. No values are read and nothing
is executed; every read is bounds-checked, so a crafted file can only make this raise `FormatError`
(for files using other parts of the format too, e.g. new-style groups: the caller falls back to h5py).
Nothing outside the file is read: soft links and virtual datasets are refused (as parts it does not read),
and the work is bounded: each group's symbol table is read once (two groups sharing one are refused),
at most MAX_OBJECTS B-tree nodes and MAX_MEMBERS group members in all, and at most MAX_NAMES bytes of the
paths of the objects visited.

    for path, kind, value in walk("model.weights.h5"):   # kind "group" (value: its attributes) or
        ...                                              # "dataset" (value: its shape)
"""
from __future__ import annotations

import os
import struct
from typing import Dict, Iterator, List, Optional, Tuple

SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAX_OBJECTS = 200_000  # B-tree nodes
MAX_MEMBERS = 1_000_000  # group members (links), over the whole file
MAX_DEPTH = 64
MAX_MESSAGES = 4096
MAX_HEAP = 16 * 1024 ** 2  # the largest single structure (a heap, a header block)
MAX_READ = 256 * 1024 ** 2  # bytes read in all: the structure of a real weights file is a few MiB at most
MAX_NAMES = 32 * 1024 ** 2  # bytes of member paths in all (50,000 layers of four entries: about 8 MiB)


class FormatError(ValueError):
    """Not an HDF5 file this reader understands (or a damaged one)."""


class _File:
    def __init__(self, fd: int, offset: int, length: int):
        self.fd, self.base, self.length, self.total = fd, offset, length, 0

    def read(self, address: int, size: int) -> bytes:
        if address < 0 or size < 0 or address + size > self.length:
            raise FormatError(f"a read of {size} bytes at {address} lies outside the file")
        if size > MAX_HEAP:
            raise FormatError(f"a structure of {size:,} bytes")
        self.total += size
        if self.total > MAX_READ:
            raise FormatError(f"more than {MAX_READ // 1024 ** 2} MiB of structure")
        data = os.pread(self.fd, size, self.base + address)
        if len(data) != size:
            raise FormatError("the file ended early")
        return data


class _Reader:
    def __init__(self, file: _File):
        self.file = file
        head = file.read(0, 24)
        if head[:8] != SIGNATURE:
            raise FormatError("no HDF5 signature at the start")
        version = head[8]
        if version not in (0, 1):
            raise FormatError(f"superblock version {version}")
        self.offsets, self.lengths = head[13], head[14]
        if self.offsets not in (2, 4, 8) or self.lengths not in (2, 4, 8):
            raise FormatError("unusual address sizes")
        position = 24 + (4 if version == 1 else 0)
        self.base = self.address(position)
        if self.base != 0:
            raise FormatError("a base address other than 0")
        self.root = position + 4 * self.offsets  # the root group's symbol table entry
        self.objects = 0  # B-tree nodes, over the whole walk
        self.members = 0  # group members, over the whole walk
        self.names = 0  # bytes of member paths, over the whole walk
        self.tables: set = set()  # the symbol tables read so far
        self.heaps: Dict[int, Dict[int, bytes]] = {}

    def unsigned(self, address: int, size: int) -> int:
        return int.from_bytes(self.file.read(address, size), "little")

    def address(self, position: int) -> int:
        return self.unsigned(position, self.offsets)

    # -------- object headers

    def messages(self, header: int) -> List[Tuple[int, int, int, int]]:
        """(type, flags, data address, data size) of the version 1 object header at `header`."""
        raw = self.file.read(header, 16)
        if raw[0] != 1:
            raise FormatError(f"object header version {raw[0]}")
        count, = struct.unpack_from("<H", raw, 2)
        size, = struct.unpack_from("<I", raw, 8)
        blocks, found, seen = [(header + 16, size)], [], set()
        while blocks:
            start, length = blocks.pop(0)
            if (start, length) in seen:
                raise FormatError("object header continuations loop")
            seen.add((start, length))
            data = self.file.read(start, length)
            at = 0
            while at + 8 <= length and len(found) < count:
                kind, size_, flags = struct.unpack_from("<HHB", data, at)
                if at + 8 + size_ > length:
                    raise FormatError("an object header message runs past its block")
                found.append((kind, flags, start + at + 8, size_))
                if kind == 0x10:  # continuation
                    blocks.append((self.address(start + at + 8), self.unsigned(start + at + 8 + self.offsets, self.lengths)))
                at += 8 + size_
                if len(found) > MAX_MESSAGES:
                    raise FormatError("too many object header messages")
        return found

    def dataspace(self, address: int) -> Optional[Tuple[int, ...]]:
        """A dataspace message's dimensions (None for a null dataspace)."""
        version, rank, flags = self.file.read(address, 3)
        if version == 1:
            first = address + 8
        elif version == 2:
            kind = self.file.read(address + 3, 1)[0]
            if kind == 2:
                return None
            first = address + 4
        else:
            raise FormatError(f"dataspace version {version}")
        if rank > 32:
            raise FormatError(f"a dataspace of rank {rank}")
        return tuple(self.unsigned(first + i * self.lengths, self.lengths) for i in range(rank))

    def string_attribute(self, address: int, size: int) -> Optional[Tuple[str, str]]:
        """(name, value) of an attribute message holding one string; None for any other attribute."""
        data = self.file.read(address, size)
        version = data[0]
        if version not in (1, 2, 3):
            raise FormatError(f"attribute message version {version}")
        name_size, type_size, space_size = struct.unpack_from("<HHH", data, 2)
        at = 8 if version < 3 else 9
        pad = (lambda n: (n + 7) & ~7) if version == 1 else (lambda n: n)
        name = data[at:at + name_size].rstrip(b"\0")
        at += pad(name_size)
        datatype = data[at:at + type_size]
        at += pad(type_size)
        space = self.dataspace(address + at)
        at += pad(space_size)
        if len(datatype) < 8 or space is None or space not in ((), (1,)):
            return None
        kind, bits, element = datatype[0] & 0x0F, datatype[1:4], struct.unpack_from("<I", datatype, 4)[0]
        if kind == 3:  # fixed-length string
            text = data[at:at + element]
        elif kind == 9 and bits[0] & 0x0F == 1:  # variable-length string: its bytes are in the global heap
            length, = struct.unpack_from("<I", data, at)
            collection = int.from_bytes(data[at + 4:at + 4 + self.offsets], "little")
            index, = struct.unpack_from("<I", data, at + 4 + self.offsets)
            text = self.global_heap_object(collection, index)[:length]
        else:
            return None
        return name.decode("utf-8", "replace"), text.split(b"\0", 1)[0].decode("utf-8", "replace")

    def global_heap_object(self, collection: int, index: int) -> bytes:
        if collection not in self.heaps:
            self.heaps[collection] = self._global_heap(collection)
        found = self.heaps[collection].get(index)
        if found is None:
            raise FormatError(f"global heap object {index} is missing")
        return found

    def _global_heap(self, collection: int) -> Dict[int, bytes]:
        """The objects of a global heap collection, read once."""
        head = self.file.read(collection, 8 + self.lengths)
        if head[:4] != b"GCOL":
            raise FormatError("a global heap reference that points at no global heap")
        size = self.unsigned(collection + 8, self.lengths)
        if size > MAX_HEAP:
            raise FormatError(f"a global heap of {size:,} bytes")
        data = self.file.read(collection, min(size, self.file.length - collection))
        objects, at = {}, 8 + self.lengths
        while at + 8 + self.lengths <= len(data):
            number = int.from_bytes(data[at:at + 2], "little")
            length = int.from_bytes(data[at + 8:at + 8 + self.lengths], "little")
            if number == 0:
                break
            objects[number] = data[at + 8 + self.lengths:at + 8 + self.lengths + length]
            at += 8 + self.lengths + ((length + 7) & ~7)
        return objects

    # -------- groups

    def children(self, btree: int, heap: int) -> List[Tuple[str, int]]:
        """(name, object header address) of a symbol-table group's members."""
        if btree in self.tables or heap in self.tables:
            raise FormatError("two groups share one symbol table")
        self.tables.update((btree, heap))
        head = self.file.read(heap, 8 + 2 * self.lengths + self.offsets)
        if head[:4] != b"HEAP":
            raise FormatError("a group without its local heap")
        heap_size = self.unsigned(heap + 8, self.lengths)
        heap_data = self.address(heap + 8 + 2 * self.lengths)
        names = self.file.read(heap_data, heap_size)
        found, pending, visited = [], [btree], set()
        entry = 2 * self.offsets + 24
        while pending:
            node = pending.pop(0)
            if node in visited:
                raise FormatError("a group's B-tree loops")
            visited.add(node)
            signature = self.file.read(node, 4)
            if signature == b"TREE":
                kind, level = self.file.read(node + 4, 2)
                used = self.unsigned(node + 6, 2)
                if kind != 0:
                    raise FormatError("a group B-tree of another kind")
                first = node + 8 + 2 * self.offsets
                step = self.lengths + self.offsets
                pending.extend(self.address(first + self.lengths + i * step) for i in range(used))
            elif signature == b"SNOD":
                count = self.unsigned(node + 6, 2)
                block = self.file.read(node + 8, count * entry)
                self.members += count
                if self.members > MAX_MEMBERS:
                    raise FormatError(f"more than {MAX_MEMBERS:,} group members")
                for i in range(count):
                    name_at = int.from_bytes(block[i * entry:i * entry + self.offsets], "little")
                    header = int.from_bytes(block[i * entry + self.offsets:i * entry + 2 * self.offsets], "little")
                    cache = int.from_bytes(block[i * entry + 2 * self.offsets:i * entry + 2 * self.offsets + 4], "little")
                    if cache == 2:
                        raise FormatError("a soft link")
                    if name_at >= len(names):
                        raise FormatError("a member name outside the group's heap")
                    end = names.find(b"\0", name_at)
                    found.append((names[name_at:end if end >= 0 else len(names)].decode("utf-8", "replace"), header))
            else:
                raise FormatError("a group B-tree node without its signature")
            self.objects += 1
            if self.objects > MAX_OBJECTS:
                raise FormatError(f"more than {MAX_OBJECTS:,} objects")
        return sorted(found)

    def walk(self) -> Iterator[Tuple[str, str, object]]:
        header = self.address(self.root + self.offsets)
        stack: List[Tuple[str, int, int]] = [("", header, 0)]
        seen = set()
        while stack:
            path, header, depth = stack.pop()
            if header in seen:
                continue  # a second hard link to an object already visited, as h5py's visit skips it
            seen.add(header)
            messages = self.messages(header)
            kinds = {kind for kind, _, _, _ in messages}
            if any(flags & 0x02 for _, flags, _, _ in messages):
                raise FormatError("shared object header messages")
            if 0x0015 in kinds:
                raise FormatError("attributes in dense storage")
            if 0x0011 in kinds:
                if depth >= MAX_DEPTH:
                    raise FormatError(f"groups nested more than {MAX_DEPTH} deep")
                attributes: Dict[str, str] = {}
                for kind, _, at, size in messages:
                    if kind == 0x000C:
                        found = self.string_attribute(at, size)
                        if found is not None:
                            attributes[found[0]] = found[1]
                    elif kind == 0x0011:
                        btree, heap = self.address(at), self.address(at + self.offsets)
                if path:
                    yield path, "group", attributes
                members, queued = [], set()
                for name, child in self.children(btree, heap):  # each object once, as below
                    if child not in seen and child not in queued:
                        queued.add(child)
                        members.append((name, child))
                self.names += sum(len(path) + len(name) + 1 for name, _ in members)
                if self.names > MAX_NAMES:
                    raise FormatError(f"more than {MAX_NAMES // 1024 ** 2} MiB of member names")
                stack.extend((f"{path}/{name}" if path else name, child, depth + 1) for name, child in reversed(members))
            elif kinds & {0x0002, 0x0006}:
                raise FormatError("new-style groups (link messages)")
            elif 0x0001 in kinds and 0x0008 in kinds:
                layout = next(at for kind, _, at, _ in messages if kind == 0x0008)
                version, kind = self.file.read(layout, 2)
                if version >= 4 and kind == 3:  # a virtual dataset: its data is in other files
                    raise FormatError("a virtual dataset")
                space = next(at for kind, _, at, _ in messages if kind == 0x0001)
                yield path, "dataset", self.dataspace(space)


def walk(path, offset: int = 0, length: Optional[int] = None) -> List[Tuple[str, str, object]]:
    """Every group (with its string attributes) and dataset (with its shape) below the root of the HDF5
    file at `path` (or of the byte range [offset, offset + length) of it), parents before children."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if length is None:
            length = os.fstat(fd).st_size - offset
        return list(_Reader(_File(fd, offset, length)).walk())
    except (struct.error, IndexError, OverflowError) as exc:
        raise FormatError(f"damaged structure ({exc})") from None
    finally:
        os.close(fd)
