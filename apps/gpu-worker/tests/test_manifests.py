"""A ManifestRef's records are read as stored (no re-selection), verified, and resolved against its root.

Pure: an in-memory object store stands in for S3 behind the real ArtifactCache.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from mirage_detector.data.records import ManifestError
from mirage_detector.generated.contracts_models import ManifestRef

from mirage_gpu_worker.cache import ArtifactCache
from mirage_gpu_worker.failures import data_failure
from mirage_gpu_worker.manifests import EmptySelectionError, load_selected_records
from mirage_gpu_worker.s3 import IntegrityError


class MemoryStore:
    """The two ArtifactStore calls the cache makes, over a dict of key -> bytes tagged with their sha256."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> str:
        self.objects[key] = data
        return hashlib.sha256(data).hexdigest()

    def stored_sha256(self, bucket: str, key: str) -> str | None:
        return hashlib.sha256(self.objects[key]).hexdigest()

    def download_file(
        self, bucket: str, key: str, destination: Path, expected_sha256: str | None = None
    ) -> None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(self.objects[key])


def _line(uri: str, label: str, digit: str) -> str:
    record = {"uri": uri, "label": label, "generator": "g", "object_class": None, "split": "val"}
    return json.dumps({**record, "sha256": digit * 64}) + "\n"


# Deliberately not sorted by sha256: the worker must keep the CLI's selection order.
LINES = [
    _line("b/2.png", "fake", "f"),
    _line("s3://bucket/x.png", "real", "0"),
    _line("a/1.png", "real", "a"),
]


def _ref(store: MemoryStore, lines: list[str], **change: object) -> ManifestRef:
    data = "".join(lines).encode()
    digest = store.put("selections/s.jsonl", data)
    ref = {
        "dataset": "tiny",
        "version": "1",
        "content_hash": "c" * 64,
        "selection": {
            "split": "val",
            "generators": None,
            "classes": None,
            "max_images": None,
            "sample_seed": 3,
        },
        "key": "selections/s.jsonl",
        "selection_hash": digest,
        "root": "/data/tiny",
        "n_real": sum('"real"' in line for line in lines),
        "n_fake": sum('"fake"' in line for line in lines),
    }
    return ManifestRef.model_validate({**ref, **change})


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def cache(store: MemoryStore, tmp_path: Path) -> ArtifactCache:
    return ArtifactCache(store, tmp_path / "cache")  # type: ignore[arg-type]


def test_records_in_stored_order_with_uris_resolved(store: MemoryStore, cache: ArtifactCache) -> None:
    records = load_selected_records(cache, "bucket", _ref(store, LINES), "manifest")
    assert [r.uri for r in records] == ["/data/tiny/b/2.png", "s3://bucket/x.png", "/data/tiny/a/1.png"]
    assert [r.label for r in records] == [1, 0, 0]


def test_a_stale_hash_or_count_is_refused(store: MemoryStore, cache: ArtifactCache) -> None:
    with pytest.raises(IntegrityError):
        load_selected_records(cache, "bucket", _ref(store, LINES, selection_hash="e" * 64), "manifest")
    with pytest.raises(ManifestError, match="holds 2 real and 1 fake records, the ref says n_real=1"):
        load_selected_records(cache, "bucket", _ref(store, LINES, n_real=1), "train_manifest")


def test_an_empty_selection_is_a_dataset_error(store: MemoryStore, cache: ArtifactCache) -> None:
    with pytest.raises(EmptySelectionError, match="tiny@1 selection") as caught:
        load_selected_records(cache, "bucket", _ref(store, []), "val_manifest")
    failure = data_failure(caught.value, "val_manifest")
    assert failure is not None and failure.type == "DatasetError" and failure.non_retryable
