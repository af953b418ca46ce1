"""Plugs S3 into the detector's image loading: ``s3://bucket/key`` uris are read through the ArtifactStore,
or through a BlobCache when the worker keeps one (content-addressed image blobs on local disk)."""

from __future__ import annotations

from mirage_detector.data.loading import BadImageError, Opener, register_opener

from mirage_gpu_worker.cache import BlobCache
from mirage_gpu_worker.s3 import ArtifactStore, IntegrityError, ObjectNotFoundError


def s3_image_opener(store: ArtifactStore, blobs: BlobCache | None = None) -> Opener:
    """An opener that turns a missing or corrupted image object into BadImageError (skipped and listed).

    Connection errors still raise: they are transient, and the activity's retry policy should see them.
    """
    read = store.read_uri if blobs is None else blobs.read_uri

    def open_s3(uri: str) -> bytes:
        try:
            return read(uri)
        except ObjectNotFoundError:
            raise BadImageError(uri, "object not found in S3") from None
        except IntegrityError as error:
            raise BadImageError(
                uri, f"sha256 mismatch: expected {error.expected} ({error.source}), read {error.actual}"
            ) from None

    return open_s3


def register_s3_image_opener(store: ArtifactStore, blobs: BlobCache | None = None) -> None:
    """Make every ``s3://`` uri in a manifest loadable by the detector's RecordDataset (cached in `blobs`)."""
    register_opener("s3", s3_image_opener(store, blobs))
