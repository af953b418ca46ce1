"""The size-capped cache of content-addressed image blobs on the real S3 server: cap, LRU order, sha256."""

from __future__ import annotations

import hashlib
import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from mirage_detector.data.loading import BadImageError

from mirage_gpu_worker.cache import BlobCache
from mirage_gpu_worker.image_opener import s3_image_opener
from mirage_gpu_worker.s3 import ArtifactStore, IntegrityError, blob_key, blob_sha256


class Blobs:
    """Uploads random bytes under their content address, as `mirage data push` does."""

    def __init__(self, store: ArtifactStore, bucket: str) -> None:
        self.store = store
        self.bucket = bucket

    def put(self, size: int) -> tuple[str, bytes]:
        data = os.urandom(size)
        digest = hashlib.sha256(data).hexdigest()
        self.store.put_bytes(self.bucket, blob_key(digest), data)
        return digest, data

    def uri(self, digest: str) -> str:
        return f"s3://{self.bucket}/{blob_key(digest)}"


@pytest.fixture
def blobs(store: ArtifactStore, bucket: str) -> Blobs:
    return Blobs(store, bucket)


def ticking_clock() -> itertools.count[int]:
    """A clock that advances one second per reading, so last-use order never depends on timer resolution."""
    return itertools.count(1_000_000_000_000_000_000, 1_000_000_000)


def cache_of(store: ArtifactStore, root: Path, max_bytes: int) -> BlobCache:
    clock = ticking_clock()
    return BlobCache(store, root, max_bytes, clock=lambda: next(clock))


def bytes_on_disk(cache: BlobCache) -> int:
    return sum(p.stat().st_size for p in (cache.root / "sha256").rglob("*") if p.is_file())


def test_blob_key_layout() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    assert blob_key(digest) == f"blobs/sha256/{digest[:2]}/{digest}"
    assert blob_sha256(blob_key(digest)) == digest
    for other in (f"blobs/sha256/00/{digest}", f"images/{digest}", f"blobs/sha256/{digest[:2]}/{digest}.png"):
        assert blob_sha256(other) is None
    with pytest.raises(ValueError, match="not a lowercase hex sha256"):
        blob_key("ABC")


def test_a_blob_is_read_from_s3_once_then_from_disk(
    store: ArtifactStore, blobs: Blobs, tmp_path: Path
) -> None:
    cache = cache_of(store, tmp_path, 10_000)
    digest, data = blobs.put(500)
    assert cache.read_uri(blobs.uri(digest)) == data
    assert cache.path(digest).read_bytes() == data
    store.client.delete_object(Bucket=blobs.bucket, Key=blob_key(digest))
    assert cache.read_uri(blobs.uri(digest)) == data  # gone from S3: only the disk copy can answer
    assert cache.held_bytes() == 500


def test_the_cap_is_honoured_and_the_least_recently_used_blob_goes_first(
    store: ArtifactStore, blobs: Blobs, tmp_path: Path
) -> None:
    cache = cache_of(store, tmp_path, 1000)
    a, b, c, d = (blobs.put(300)[0] for _ in range(4))
    for digest in (a, b, c):
        cache.read_uri(blobs.uri(digest))
    assert cache.held_bytes() == 900
    cache.read_uri(blobs.uri(a))  # a is now used more recently than b and c
    cache.read_uri(blobs.uri(d))  # 1200 > 1000: evict down to 700 = 1000 - 300, b first
    held = {name: cache.path(digest).exists() for name, digest in {"a": a, "b": b, "c": c, "d": d}.items()}
    assert held == {"a": True, "b": False, "c": True, "d": True}
    assert cache.held_bytes() == bytes_on_disk(cache) == 900
    for _ in range(12):
        cache.read_uri(blobs.uri(blobs.put(170)[0]))
        assert cache.held_bytes() == bytes_on_disk(cache) <= 1000


def test_eviction_frees_a_tenth_of_the_cap_so_a_full_cache_is_not_scanned_on_every_miss(
    store: ArtifactStore, blobs: Blobs, tmp_path: Path
) -> None:
    cache = cache_of(store, tmp_path, 1000)
    digests = [blobs.put(50)[0] for _ in range(22)]
    for digest in digests[:21]:
        cache.read_uri(blobs.uri(digest))
    # 20 blobs filled the cap; the 21st evicted down to 900 bytes (the two oldest), leaving room for one more
    assert [cache.path(d).exists() for d in digests[:21]] == [False, False] + [True] * 19
    assert cache.held_bytes() == 950
    cache.read_uri(blobs.uri(digests[21]))
    assert cache.path(digests[2]).exists()
    assert cache.held_bytes() == bytes_on_disk(cache) == 1000


def test_a_blob_larger_than_the_cap_is_read_but_not_kept(
    store: ArtifactStore, blobs: Blobs, tmp_path: Path
) -> None:
    cache = cache_of(store, tmp_path, 1000)
    small, _ = blobs.put(400)
    cache.read_uri(blobs.uri(small))
    large, data = blobs.put(1001)
    assert cache.read_uri(blobs.uri(large)) == data
    assert not cache.path(large).exists()
    assert cache.path(small).exists()
    assert cache.held_bytes() == 400


def test_a_cap_of_zero_keeps_nothing(store: ArtifactStore, blobs: Blobs, tmp_path: Path) -> None:
    cache = cache_of(store, tmp_path, 0)
    digest, data = blobs.put(10)
    assert cache.read_uri(blobs.uri(digest)) == data
    assert bytes_on_disk(cache) == cache.held_bytes() == 0


def test_bytes_from_s3_must_hash_to_their_key(store: ArtifactStore, blobs: Blobs, tmp_path: Path) -> None:
    promised = hashlib.sha256(b"the promised bytes").hexdigest()
    key = blob_key(promised)
    store.put_bytes(blobs.bucket, key, b"other bytes")  # tagged with their own sha256: only the key disagrees
    uri = blobs.uri(promised)
    cache = cache_of(store, tmp_path, 10_000)
    with pytest.raises(IntegrityError, match=rf"{key}: sha256 mismatch: expected {promised} \(caller\)"):
        cache.read_uri(uri)
    assert not cache.path(promised).exists()
    assert cache.held_bytes() == 0
    for opener in (s3_image_opener(store, cache), s3_image_opener(store)):
        with pytest.raises(BadImageError, match=rf"^{uri}: sha256 mismatch: expected {promised}"):
            opener(uri)


def test_a_damaged_file_on_disk_is_dropped_and_read_again(
    store: ArtifactStore, blobs: Blobs, tmp_path: Path
) -> None:
    cache = cache_of(store, tmp_path, 10_000)
    digest, data = blobs.put(256)
    cache.read_uri(blobs.uri(digest))
    cache.path(digest).write_bytes(b"bit rot")
    assert cache.read_uri(blobs.uri(digest)) == data
    assert cache.path(digest).read_bytes() == data
    assert cache.held_bytes() == bytes_on_disk(cache) == 256


def test_uris_that_are_not_content_addressed_are_read_through(
    store: ArtifactStore, bucket: str, tmp_path: Path
) -> None:
    store.put_bytes(bucket, "unit/plain.png", b"plain")
    cache = cache_of(store, tmp_path, 10_000)
    assert cache.read_uri(f"s3://{bucket}/unit/plain.png") == b"plain"
    assert bytes_on_disk(cache) == 0


def test_caches_sharing_a_folder_keep_one_count_under_concurrent_reads(
    store: ArtifactStore, blobs: Blobs, tmp_path: Path
) -> None:
    # Two instances on one folder stand for two processes (DataLoader workers, a GPU per worker process).
    caches = [BlobCache(store, tmp_path, 2000), BlobCache(store, tmp_path, 2000)]
    uris = [blobs.uri(blobs.put(150)[0]) for _ in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: caches[i % 2].read_uri(uris[i % len(uris)]), range(96)))
    assert caches[0].held_bytes() == caches[1].held_bytes() == bytes_on_disk(caches[0]) <= 2000
    assert not any((tmp_path / "partial").iterdir())
