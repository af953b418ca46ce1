"""Plugs S3 into the detector's image loading: ``s3://bucket/key`` uris are read through the ArtifactStore."""

from __future__ import annotations

from mirage_detector.data.loading import BadImageError, Opener, register_opener

from mirage_gpu_worker.s3 import ArtifactStore, IntegrityError, ObjectNotFoundError


def s3_image_opener(store: ArtifactStore) -> Opener:
    """An opener that turns a missing or corrupted image object into BadImageError (skipped and listed).

    Connection errors still raise: they are transient, and the activity's retry policy should see them.
    """

    def open_s3(uri: str) -> bytes:
        try:
            return store.read_uri(uri)
        except ObjectNotFoundError:
            raise BadImageError(uri, "object not found in S3") from None
        except IntegrityError as error:
            raise BadImageError(
                uri, f"sha256 mismatch: tagged {error.expected}, read {error.actual}"
            ) from None

    return open_s3


def register_s3_image_opener(store: ArtifactStore) -> None:
    """Make every ``s3://`` uri in a manifest loadable by the detector's RecordDataset."""
    register_opener("s3", s3_image_opener(store))
