"""S3 helpers against the real S3 server: sha256 metadata on write, verification on every read."""

import hashlib
import io
from pathlib import Path

import pytest
from mirage_detector.data.loading import BadImageError, load_image
from PIL import Image

from mirage_gpu_worker.cache import ArtifactCache
from mirage_gpu_worker.image_opener import register_s3_image_opener, s3_image_opener
from mirage_gpu_worker.metrics_log import TrainMetricsLog
from mirage_gpu_worker.s3 import ArtifactStore, IntegrityError, ObjectNotFoundError, parse_s3_uri


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_put_bytes_tags_the_sha256(store: ArtifactStore, bucket: str) -> None:
    data = b"hello mirage"
    stored = store.put_bytes(bucket, "unit/hello.txt", data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    head = store.client.head_object(Bucket=bucket, Key="unit/hello.txt")
    assert head["Metadata"]["sha256"] == stored.sha256
    assert store.get_bytes(bucket, "unit/hello.txt", expected_sha256=stored.sha256) == data


def test_put_file_and_download_file(store: ArtifactStore, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "blob.bin"
    source.write_bytes(bytes(range(256)) * 100)
    stored = store.put_file(bucket, "unit/blob.bin", source)
    assert (stored.sha256, stored.bytes) == (hashlib.sha256(source.read_bytes()).hexdigest(), 25600)
    assert store.describe(bucket, "unit/blob.bin") == stored
    copy = store.download_file(bucket, "unit/blob.bin", tmp_path / "out" / "blob.bin", stored.sha256)
    assert (tmp_path / "out" / "blob.bin").read_bytes() == source.read_bytes()
    assert copy.sha256 == stored.sha256


def test_tag_mismatch_names_key_and_both_hashes(store: ArtifactStore, bucket: str, tmp_path: Path) -> None:
    lie = "0" * 64
    store.client.put_object(Bucket=bucket, Key="unit/tampered", Body=b"payload", Metadata={"sha256": lie})
    actual = hashlib.sha256(b"payload").hexdigest()
    with pytest.raises(IntegrityError, match=rf"s3://{bucket}/unit/tampered: .*expected {lie}.*got {actual}"):
        store.get_bytes(bucket, "unit/tampered")
    with pytest.raises(IntegrityError, match="unit/tampered"):
        store.download_file(bucket, "unit/tampered", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_promised_hash_mismatch(store: ArtifactStore, bucket: str) -> None:
    store.put_bytes(bucket, "unit/promised", b"abc")
    with pytest.raises(IntegrityError, match=r"expected 1{64} \(caller\)"):
        store.get_bytes(bucket, "unit/promised", expected_sha256="1" * 64)


def test_untagged_object_is_refused_unless_allowed(store: ArtifactStore, bucket: str) -> None:
    store.client.put_object(Bucket=bucket, Key="unit/untagged", Body=b"raw")
    with pytest.raises(IntegrityError, match="sha256 metadata tag"):
        store.get_bytes(bucket, "unit/untagged")
    assert store.get_bytes(bucket, "unit/untagged", require_checksum=False) == b"raw"


def test_missing_object(store: ArtifactStore, bucket: str) -> None:
    with pytest.raises(ObjectNotFoundError, match="unit/nothing-here"):
        store.get_bytes(bucket, "unit/nothing-here")
    assert not store.exists(bucket, "unit/nothing-here")


def test_cache_downloads_once_and_checks_the_promise(
    store: ArtifactStore, bucket: str, tmp_path: Path
) -> None:
    stored = store.put_bytes(bucket, "unit/cached", b"cache me")
    cache = ArtifactCache(store, tmp_path)
    path = cache.fetch(bucket, "unit/cached", expected_sha256=stored.sha256)
    assert path.read_bytes() == b"cache me"
    assert cache.fetch(bucket, "unit/cached") == path
    with pytest.raises(IntegrityError, match="unit/cached"):
        cache.fetch(bucket, "unit/cached", expected_sha256="f" * 64)


def test_s3_image_opener(store: ArtifactStore, bucket: str) -> None:
    store.put_bytes(bucket, "unit/red.png", _png())
    store.client.put_object(Bucket=bucket, Key="unit/bad-tag.png", Body=_png(), Metadata={"sha256": "0" * 64})
    register_s3_image_opener(store)
    assert load_image(f"s3://{bucket}/unit/red.png").getpixel((0, 0)) == (200, 10, 10)
    opener = s3_image_opener(store)
    with pytest.raises(BadImageError, match="object not found"):
        load_image(f"s3://{bucket}/unit/absent.png", opener)
    with pytest.raises(BadImageError, match="sha256 mismatch"):
        load_image(f"s3://{bucket}/unit/bad-tag.png", opener)


def test_parse_s3_uri() -> None:
    assert parse_s3_uri("s3://b/k/e/y.png") == ("b", "k/e/y.png")
    for bad in ("s3://bucket", "/local/file.png", "http://b/k"):
        with pytest.raises(ValueError, match="not an s3://bucket/key uri"):
            parse_s3_uri(bad)


def test_metrics_log_resume_keeps_lines_up_to_the_resumed_step(store: ArtifactStore, bucket: str) -> None:
    log = TrainMetricsLog()
    for step in (10, 20, 30, 40):
        log.append(step, {"total": 1.0 / step}, 0.001, 100.0)
    log.upload(store, bucket, "unit/metrics.jsonl")
    resumed = TrainMetricsLog.resume(store, bucket, "unit/metrics.jsonl", 20)
    assert [r.step for r in resumed.records] == [10, 20]
    assert TrainMetricsLog.resume(store, bucket, "unit/none.jsonl", 20).records == []
