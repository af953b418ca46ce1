"""Fetching the records of a ManifestRef: its selection manifest from S3 (verified, cached), read as is.

The CLI applies a DatasetSelection once, before anything starts, and stores the picked records in
selection order as their own manifest; the worker never selects again, so every run and eval cell of
one selection_hash sees the same records in the same order.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping

from mirage_detector.data.records import ImageRecord, ManifestError, read_manifest
from mirage_detector.data.uris import resolve_uri
from mirage_detector.generated.contracts_models import ManifestRef

from mirage_gpu_worker.cache import ArtifactCache
from mirage_gpu_worker.payloads import to_json_payload


class EmptySelectionError(ValueError):
    """A selection manifest holds no record; the message names the dataset and the selection."""


def load_selected_records(
    cache: ArtifactCache,
    bucket: str,
    manifest_ref: ManifestRef,
    where: str,
    data_roots: Mapping[str, str] | None = None,
) -> list[ImageRecord]:
    """The records at a ManifestRef's key, in their order, with relative uris resolved against its root.

    The root is this machine's folder for the dataset when `data_roots` names one (MIRAGE_DATA_ROOTS), else
    the one the dataset was registered under.

    The object must hash to selection_hash (IntegrityError otherwise) and hold n_real reals and n_fake
    fakes; errors name `where` ("train_manifest") and the key. s3:// uris are kept as written.
    """
    key = manifest_ref.key
    label = f"{where} s3://{bucket}/{key}"
    path = cache.fetch(bucket, key, expected_sha256=manifest_ref.selection_hash)
    try:
        with path.open(encoding="utf-8") as handle:
            records = read_manifest(line for line in handle)
    except ManifestError as error:
        raise ManifestError(f"{label}: {error}") from None
    except UnicodeDecodeError as error:
        raise ManifestError(f"{label}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    if not records:
        raise EmptySelectionError(
            f"{label}: dataset {manifest_ref.dataset}@{manifest_ref.version} selection "
            f"{to_json_payload(manifest_ref.selection)} holds no record"
        )
    _check_counts(records, manifest_ref, label)
    root: str = (data_roots or {}).get(manifest_ref.dataset) or manifest_ref.root
    return [dataclasses.replace(record, uri=resolve_uri(record.uri, root)) for record in records]


def _check_counts(records: list[ImageRecord], manifest_ref: ManifestRef, label: str) -> None:
    # The ref's counts were computed from these very records; a mismatch means a stale or foreign object.
    counts = Counter(record.label_name for record in records)
    if (counts["real"], counts["fake"]) != (manifest_ref.n_real, manifest_ref.n_fake):
        raise ManifestError(
            f"{label}: holds {counts['real']} real and {counts['fake']} fake records, "
            f"the ref says n_real={manifest_ref.n_real}, n_fake={manifest_ref.n_fake}"
        )
