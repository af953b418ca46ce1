"""A local content-addressed cache of verified S3 objects (manifests, checkpoints) in MIRAGE_WORKER_CACHE."""

from __future__ import annotations

from pathlib import Path

from mirage_gpu_worker.s3 import ArtifactStore, IntegrityError


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
