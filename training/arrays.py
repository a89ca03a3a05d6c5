"""Flat numpy arrays on disk: appended a chunk at a time while preparing; read after, a row at a time (Rows) or
memory-mapped (mapped), so that every process that trains on them shares one copy in the page cache."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class ArrayFile:
    """A file that numpy arrays of one dtype are appended to; close() makes it durable (fsync)."""

    def __init__(self, path: Path, dtype):
        self.path, self.dtype, self.count = path, np.dtype(dtype), 0
        self.handle = open(path, "wb")  # noqa: SIM115 (closed in close())

    def append(self, values) -> None:
        array = np.ascontiguousarray(values, dtype=self.dtype)
        self.handle.write(array.data.cast("B"))  # array.data: memoryview(array)
        self.count += len(array)

    def close(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()


class Offsets(ArrayFile):
    """Where each item of a flat array starts (uint64, count + 1 values): items i is values[off[i]:off[i + 1]]."""

    def __init__(self, path: Path):
        super().__init__(path, np.uint64)
        self.end = 0
        super().append([0])

    def append(self, sizes) -> None:
        ends = self.end + np.cumsum(sizes, dtype=np.uint64)
        if len(ends):
            self.end = int(ends[-1])
        super().append(ends)


def mapped(path: Path, dtype) -> np.ndarray:
    """The file as a read-only array (an empty file as an empty array: mmap refuses length 0)."""
    if path.stat().st_size == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r")


class Rows:
    """Item i of a flat array on disk, values[off[i]:off[i + 1]], read with pread. Nothing is memory-mapped, so the
    process's resident memory does not grow with the rows it has read (a mapped page counts in RSS, and the kernel
    maps 64 KB around each one touched): the rows stay in the page cache, which every process shares."""

    def __init__(self, values: Path, offsets: Path, dtype):
        self.dtype = np.dtype(dtype)
        self._values, self._offsets = os.open(values, os.O_RDONLY), os.open(offsets, os.O_RDONLY)

    def __getitem__(self, i: int) -> np.ndarray:
        start, end = np.frombuffer(os.pread(self._offsets, 16, 8 * i), np.uint64).tolist()
        size = self.dtype.itemsize
        return np.frombuffer(os.pread(self._values, (end - start) * size, start * size), self.dtype)

    def __del__(self) -> None:
        for fd in (self._values, self._offsets):
            os.close(fd)
