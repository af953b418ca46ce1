"""Local caches of verified S3 objects in MIRAGE_WORKER_CACHE: artifacts (manifests, checkpoints) kept by
content hash, and image blobs kept up to a byte cap, least recently used evicted first."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mirage_gpu_worker.s3 import ArtifactStore, IntegrityError, blob_sha256, parse_s3_uri, sha256_hex


class ArtifactCache:
    """Downloads an object once per content hash; a cached file is only ever one that passed verification."""

    def __init__(self, store: ArtifactStore, root: Path) -> None:
        self.store = store
        self.root = root

    def fetch(self, bucket: str, key: str, expected_sha256: str | None = None) -> Path:
        """Local path of the verified bytes of ``s3://bucket/key``; IntegrityError names key and hashes."""
        tagged = self.store.stored_sha256(bucket, key)
        if tagged is None:
            raise IntegrityError(bucket, key, "a sha256 metadata tag", "none", "object metadata")
        if expected_sha256 is not None and tagged != expected_sha256:
            raise IntegrityError(bucket, key, expected_sha256, tagged, "caller")
        path = self.root / "sha256" / tagged[:2] / tagged
        if not path.exists():
            self.store.download_file(bucket, key, path, expected_sha256=tagged)
        return path


EVICT_TO_FRACTION = 0.9
"""An eviction frees the cache down to this fraction of its cap, so the folder is scanned once per
tenth of the cap of new blobs rather than on every miss of a full cache."""


@dataclass
class _Ledger:
    total: int


class BlobCache:
    """Image and video blobs (content-addressed keys, s3.blob_key) on local disk, at most `max_bytes`.

    A blob lives at ``<root>/sha256/<2 hex>/<sha256>``; its mtime is its last use (set on every hit:
    atime is not reliable, most mounts are relatime or noatime). The bytes held are counted in a ledger
    file updated under an flock, so DataLoader processes and workers sharing `root` keep one count. A
    blob that would pass the cap first evicts the least recently used blobs (the folder is rescanned,
    which also corrects the ledger) down to EVICT_TO_FRACTION of the cap; a blob larger than the cap is
    read but not kept; a cap of 0 keeps nothing.

    Every read is verified against the sha256 its key names: bytes from S3 (IntegrityError naming the
    key and both hashes; the image opener turns it into a BadImageError naming the uri) and bytes from
    disk (a damaged file is dropped and read from S3 again). Uris that are not content addressed are
    read through, uncached.
    """

    def __init__(
        self, store: ArtifactStore, root: Path, max_bytes: int, clock: Callable[[], int] = time.time_ns
    ) -> None:
        if max_bytes < 0:
            raise ValueError(f"BlobCache: max_bytes must be >= 0, got {max_bytes}")
        self.store = store
        self.root = root
        self.max_bytes = max_bytes
        self._clock = clock
        self._blobs = root / "sha256"
        self._partial = root / "partial"
        self._blobs.mkdir(parents=True, exist_ok=True)
        self._partial.mkdir(parents=True, exist_ok=True)

    def read_uri(self, uri: str) -> bytes:
        """The verified bytes of ``s3://bucket/key``, from the cache when held (the image opener's read)."""
        bucket, key = parse_s3_uri(uri)
        digest = blob_sha256(key)
        if digest is None:
            return self.store.read_uri(uri)
        return self.read(bucket, key, digest)

    def read(self, bucket: str, key: str, sha256: str) -> bytes:
        """The bytes of ``s3://bucket/key``, which must hash to `sha256`; kept for next time if they fit."""
        cached = self._read_cached(sha256)
        if cached is not None:
            return cached
        data = self.store.get_bytes(bucket, key, expected_sha256=sha256, require_checksum=False)
        self._admit(sha256, data)
        return data

    def path(self, sha256: str) -> Path:
        """Where the blob of `sha256` is kept (whether or not it is held now)."""
        return self._blobs / sha256[:2] / sha256

    def held_bytes(self) -> int:
        """Bytes of blobs held now, by the ledger."""
        with self._ledger() as ledger:
            return ledger.total

    def _read_cached(self, sha256: str) -> bytes | None:
        path = self.path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if sha256_hex(data) != sha256:
            with self._ledger() as ledger:
                self._remove(path, ledger)
            return None
        self._touch(path)
        return data

    def _admit(self, sha256: str, data: bytes) -> None:
        size = len(data)
        if size > self.max_bytes:
            return
        # Written outside the lock (a video can be large), moved into place under it.
        partial = self._partial / f"{sha256}.{os.getpid()}.{threading.get_ident()}"
        partial.write_bytes(data)
        try:
            with self._ledger() as ledger:
                path = self.path(sha256)
                if path.exists():  # another process or thread kept it meanwhile
                    return
                if ledger.total + size > self.max_bytes:
                    limit = min(int(self.max_bytes * EVICT_TO_FRACTION), self.max_bytes - size)
                    ledger.total = self._evict(limit)
                path.parent.mkdir(exist_ok=True)
                os.replace(partial, path)
                self._touch(path)
                ledger.total += size
        finally:
            partial.unlink(missing_ok=True)

    def _evict(self, limit: int) -> int:
        """Remove least recently used blobs until at most `limit` bytes are held; returns the bytes held."""
        entries = sorted(self._scan())
        total = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if total <= limit:
                break
            path.unlink(missing_ok=True)
            total -= size
        return total

    def _scan(self) -> Iterator[tuple[int, int, Path]]:
        """(last use in ns, size, path) of every blob held."""
        for folder in self._blobs.iterdir():
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder):
                try:
                    stat = entry.stat()
                except FileNotFoundError:
                    continue
                yield stat.st_mtime_ns, stat.st_size, Path(entry.path)

    def _remove(self, path: Path, ledger: _Ledger) -> None:
        # Rare (a file damaged on disk): its admitted size is unknown now, so count the folder again.
        path.unlink(missing_ok=True)
        ledger.total = sum(size for _, size, _ in self._scan())

    def _touch(self, path: Path) -> None:
        now = self._clock()
        # FileNotFoundError: evicted by another process meanwhile; the bytes were still read whole.
        with contextlib.suppress(FileNotFoundError):
            os.utime(path, ns=(now, now))

    @contextmanager
    def _ledger(self) -> Iterator[_Ledger]:
        # flock conflicts between separate open() calls, so threads of one process serialise here too.
        with (self.root / "ledger").open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                text = handle.read().strip()
                ledger = _Ledger(int(text) if text.isdigit() else sum(size for _, size, _ in self._scan()))
                yield ledger
                handle.seek(0)
                handle.truncate()
                handle.write(str(ledger.total))
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
