"""Fetching a dataset manifest from S3 (verified, cached) and applying its selection."""

from __future__ import annotations

from typing import Any

from mirage_detector.data.records import ImageRecord, ManifestError, read_manifest

from mirage_gpu_worker.cache import ArtifactCache
from mirage_gpu_worker.selection import select_records


def load_selected_records(
    cache: ArtifactCache, bucket: str, manifest_ref: dict[str, Any], where: str
) -> list[ImageRecord]:
    """Records of a ManifestRef after its selection; errors name `where` ("train_manifest") and the key."""
    path = cache.fetch(bucket, manifest_ref["key"])
    label = f"{where} s3://{bucket}/{manifest_ref['key']}"
    try:
        with path.open(encoding="utf-8") as handle:
            records = read_manifest(line for line in handle)
    except ManifestError as error:
        raise ManifestError(f"{label}: {error}") from None
    except UnicodeDecodeError as error:
        raise ManifestError(f"{label}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    return select_records(records, manifest_ref["selection"], label)
