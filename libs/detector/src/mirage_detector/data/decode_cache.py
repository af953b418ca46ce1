"""Decode once: clean evaluation crops kept on local disk as raw uint8 arrays, shared by loader workers.

An evaluation crop is a pure function of the image bytes and the preprocessing, so scoring a second
checkpoint on the same test set need not decode and resize every file again. Entries are lossless (the
uint8 array itself with a small header and a CRC; never re-encoded as JPEG or PNG), keyed by
``DecodeKey``: the image's sha256, the video frame, the transform's ``cache_id`` (policy, size,
small-image policy), the condition's id, and the decoders' versions (Pillow, pillow-heif, PyAV: another
libjpeg or FFmpeg may decode other pixels).

Only deterministic work is cached: a transform with augmentation or a random crop, or a perturbation that
draws from its rng (``Perturbation.deterministic`` false), is never cached (RecordDataset checks). The
built-in perturbations are deterministic, so their output is cached under their id.

Concurrency: each entry is written to a temporary file in its folder and renamed into place (atomic on
POSIX), so a reader sees a whole entry or none; several loader worker processes may read and write at
once. Reads and writes set the entry's mtime to now, and eviction removes the oldest mtimes first (LRU by
access; the filesystem's own atime is not used since relatime/noatime mounts do not keep it). The byte cap
is checked by a scan of the folder when this process's estimate of the total passes it, then the oldest
entries go until the total is 90% of the cap; writes by other processes since their scan are not in this
estimate, so the folder may exceed the cap by what the other workers wrote since (bounded, and corrected at
the next scan).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"MDC1"
"""First bytes of every entry (format version 1)."""

_HEADER = struct.Struct("<4sBxxxI")  # magic, ndim, pad, crc32 of the payload; then ndim uint32 sizes
TEMP_PREFIX = ".tmp-"
STALE_TEMP_SECONDS = 3600.0
"""A temporary file this old is the leftover of a killed writer: the next scan removes it."""


@dataclass(frozen=True)
class DecodeKey:
    """What a cached crop depends on."""

    sha256: str
    frame: int | None
    preprocess: str
    condition: str

    def digest(self) -> str:
        """The entry's file name: a hash of every field and of the decoder's version."""
        fields = (
            MAGIC.decode(),
            decoder_versions(),
            self.sha256,
            self.frame,
            self.preprocess,
            self.condition,
        )
        text = "|".join(map(str, fields))
        return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


@functools.cache
def decoder_versions() -> str:
    """The versions of the packages that decode images and frames (read once per process)."""
    versions = []
    for package in ("pillow", "pillow-heif", "av"):
        try:
            versions.append(f"{package}={importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    return ",".join(versions)


class DecodeCache:
    """uint8 arrays on local disk under ``directory``, at most ~``max_bytes`` of them (0 stores nothing)."""

    def __init__(self, directory: str | Path, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f"decode cache max_bytes must be >= 0, got {max_bytes}")
        self.directory = Path(directory)
        self.max_bytes = int(max_bytes)
        self._estimate: int | None = None  # bytes in the folder as this process knows it; None: not scanned

    def path(self, key: DecodeKey) -> Path:
        """Where the entry of ``key`` lives (in a subfolder per first two hex digits)."""
        digest = key.digest()
        return self.directory / digest[:2] / f"{digest}.u8"

    def get(self, key: DecodeKey) -> np.ndarray | None:
        """The stored array; None when absent or unreadable (a corrupt entry is a miss: put rewrites it)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        array = _decode_entry(data)
        if array is not None:
            _touch(path)
        return array

    def put(self, key: DecodeKey, array: np.ndarray) -> None:
        """Store a uint8 array (atomically); entries larger than the cap are not kept."""
        if array.dtype != np.uint8:
            raise TypeError(f"the decode cache stores uint8 arrays, got {array.dtype}")
        payload = np.ascontiguousarray(array).tobytes()
        header = _HEADER.pack(MAGIC, array.ndim, zlib.crc32(payload)) + struct.pack(
            f"<{array.ndim}I", *array.shape
        )
        size = len(header) + len(payload)
        if size > self.max_bytes:
            return
        path = self.path(key)
        temp = path.parent / f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temp, "wb") as file:
                file.write(header)
                file.write(payload)
            os.replace(temp, path)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            return  # a full or read-only disk costs speed, not the evaluation
        self._estimate = None if self._estimate is None else self._estimate + size
        if self._estimate is None or self._estimate > self.max_bytes:
            self.evict()

    def total_bytes(self) -> int:
        """Bytes of the entries now in the folder."""
        return sum(size for _, size, _ in self._entries())

    def evict(self) -> None:
        """Scan the folder; when over the cap, remove the least recently used entries down to 90% of it."""
        entries = self._entries()
        total = sum(size for _, size, _ in entries)
        if total > self.max_bytes:
            target = int(self.max_bytes * 0.9)
            for _, size, path in sorted(entries):
                if total <= target:
                    break
                path.unlink(missing_ok=True)  # another worker may have evicted it first
                total -= size
        self._estimate = total

    def _entries(self) -> list[tuple[float, int, Path]]:
        entries: list[tuple[float, int, Path]] = []
        if not self.directory.is_dir():
            return entries
        now = time.time()
        for folder in self.directory.iterdir():
            if not folder.is_dir():
                continue
            for item in os.scandir(folder):
                try:
                    stats = item.stat()
                except FileNotFoundError:
                    continue
                if item.name.startswith(TEMP_PREFIX):
                    if now - stats.st_mtime > STALE_TEMP_SECONDS:
                        Path(item.path).unlink(missing_ok=True)
                    continue
                entries.append((stats.st_mtime, stats.st_size, Path(item.path)))
        return entries


def _decode_entry(data: bytes) -> np.ndarray | None:
    if len(data) < _HEADER.size or not data.startswith(MAGIC):
        return None
    _, ndim, crc = _HEADER.unpack_from(data)
    shape_end = _HEADER.size + 4 * ndim
    if len(data) < shape_end:
        return None
    shape = struct.unpack_from(f"<{ndim}I", data, _HEADER.size)
    payload = memoryview(data)[shape_end:]
    if len(payload) != int(np.prod(shape, dtype=np.int64)) or zlib.crc32(payload) != crc:
        return None
    # a writable copy: torch.from_numpy warns on (and must not share) the read-only bytes
    return np.frombuffer(payload, dtype=np.uint8).reshape(shape).copy()


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):  # evicted meanwhile: the array read is still whole
        os.utime(path)
