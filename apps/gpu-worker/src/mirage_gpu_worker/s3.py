"""S3 artifacts with a sha256 in user metadata, verified on every read (the TS storage lib's convention).

Every object the platform writes carries user metadata ``sha256`` = lowercase hex SHA-256 of its bytes, so a
reader can tell a truncated or swapped object from the one it was promised.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from mirage_gpu_worker.contracts import constants
from mirage_gpu_worker.settings import S3Settings

SHA256_METADATA_KEY = "sha256"
BLOB_KEY_PREFIX: str = constants()["blob_key_prefix"]
"""Where `mirage data register --upload` / `mirage data push` put image and video files: by their content
(the layout is the contracts' `blobKey`, exported to the generated constants)."""
_BLOB_KEY = re.compile(re.escape(BLOB_KEY_PREFIX) + r"([0-9a-f]{2})/([0-9a-f]{64})")
_CHUNK = 1 << 20
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket"})


class IntegrityError(Exception):
    """Bytes read from S3 do not hash to what was promised; names the key and both hashes."""

    def __init__(self, bucket: str, key: str, expected: str, actual: str, source: str) -> None:
        super().__init__(
            f"s3://{bucket}/{key}: sha256 mismatch: expected {expected} ({source}), got {actual}"
        )
        self.bucket = bucket
        self.key = key
        self.expected = expected
        self.actual = actual
        self.source = source


class ObjectNotFoundError(LookupError):
    """The object (or its bucket) does not exist."""

    def __init__(self, bucket: str, key: str) -> None:
        super().__init__(f"s3://{bucket}/{key} does not exist")
        self.bucket = bucket
        self.key = key


@dataclass(frozen=True)
class StoredObject:
    """What was written to (or verified in) S3."""

    bucket: str
    key: str
    sha256: str
    bytes: int


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Lowercase hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of an ``s3://bucket/key`` uri; ValueError naming the uri otherwise."""
    parts = urlsplit(uri)
    key = parts.path.lstrip("/")
    if parts.scheme.lower() != "s3" or not parts.netloc or not key:
        raise ValueError(f"{uri!r} is not an s3://bucket/key uri")
    return parts.netloc, key


def blob_key(sha256: str) -> str:
    """``blobs/sha256/<first 2 hex>/<sha256>``: the content address of a file's bytes."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"{sha256!r} is not a lowercase hex sha256")
    return f"{BLOB_KEY_PREFIX}{sha256[:2]}/{sha256}"


def blob_sha256(key: str) -> str | None:
    """The sha256 a content-addressed key promises (see blob_key), or None for any other key."""
    match = _BLOB_KEY.fullmatch(key)
    if match is None or not match.group(2).startswith(match.group(1)):
        return None
    return match.group(2)


def create_s3_client(settings: S3Settings) -> Any:
    """A boto3 S3 client with path-style addressing (works against SeaweedFS, MinIO and AWS alike)."""
    return boto3.client(
        "s3",
        endpoint_url=settings.endpoint,
        region_name=settings.region,
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=settings.secret_access_key,
        config=Config(
            s3={"addressing_style": "path"}, signature_version="s3v4", retries={"mode": "standard"}
        ),
    )


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING_CODES


class ArtifactStore:
    """Reads and writes sha256-tagged objects; every read is checked against the tag and any promised hash."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def put_bytes(
        self, bucket: str, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> StoredObject:
        """Write `data` at `key` with its sha256 in user metadata."""
        digest = sha256_hex(data)
        self.client.put_object(
            Bucket=bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            Metadata={SHA256_METADATA_KEY: digest},
        )
        return StoredObject(bucket, key, digest, len(data))

    def put_file(
        self,
        bucket: str,
        key: str,
        path: str | os.PathLike[str],
        content_type: str = "application/octet-stream",
    ) -> StoredObject:
        """Upload a file (multipart when large) with its sha256 in user metadata."""
        digest = file_sha256(path)
        self.client.upload_file(
            str(path),
            bucket,
            key,
            ExtraArgs={"ContentType": content_type, "Metadata": {SHA256_METADATA_KEY: digest}},
        )
        return StoredObject(bucket, key, digest, Path(path).stat().st_size)

    def _head(self, bucket: str, key: str) -> dict[str, Any]:
        try:
            head: dict[str, Any] = self.client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                raise ObjectNotFoundError(bucket, key) from None
            raise
        return head

    def stored_sha256(self, bucket: str, key: str) -> str | None:
        """The sha256 user metadata of an object (None when it has none); ObjectNotFoundError if absent."""
        tagged: str | None = self._head(bucket, key).get("Metadata", {}).get(SHA256_METADATA_KEY)
        return tagged

    def describe(self, bucket: str, key: str) -> StoredObject:
        """Size and tagged sha256 of an object; IntegrityError when it carries no sha256 tag."""
        head = self._head(bucket, key)
        tagged = head.get("Metadata", {}).get(SHA256_METADATA_KEY)
        if tagged is None:
            raise IntegrityError(bucket, key, "a sha256 metadata tag", "none", "object metadata")
        return StoredObject(bucket, key, tagged, int(head["ContentLength"]))

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        """Every key under `prefix`, sorted."""
        keys: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def exists(self, bucket: str, key: str) -> bool:
        """Whether the object exists."""
        try:
            self.stored_sha256(bucket, key)
        except ObjectNotFoundError:
            return False
        return True

    def get_bytes(
        self, bucket: str, key: str, expected_sha256: str | None = None, require_checksum: bool = True
    ) -> bytes:
        """Read an object and verify it against its sha256 metadata and `expected_sha256` (when given).

        An object without sha256 metadata is refused unless `require_checksum` is False (images written by
        other tools) or a hash is promised by the caller.
        """
        try:
            response = self.client.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                raise ObjectNotFoundError(bucket, key) from None
            raise
        data: bytes = response["Body"].read()
        tagged = response.get("Metadata", {}).get(SHA256_METADATA_KEY)
        _verify(bucket, key, sha256_hex(data), tagged, expected_sha256, require_checksum)
        return data

    def download_file(
        self, bucket: str, key: str, destination: str | os.PathLike[str], expected_sha256: str | None = None
    ) -> StoredObject:
        """Download to `destination` (atomically: temp file then rename) after verifying the bytes."""
        target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        tagged = self.stored_sha256(bucket, key)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            self.client.download_file(bucket, key, str(temporary))
            actual = file_sha256(temporary)
            _verify(bucket, key, actual, tagged, expected_sha256, require_checksum=True)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return StoredObject(bucket, key, actual, target.stat().st_size)

    def read_uri(self, uri: str) -> bytes:
        """Image opener for ``s3://bucket/key``: verified against the sha256 tag when the object has one, and
        against the key itself when it is a content address (blob_key)."""
        bucket, key = parse_s3_uri(uri)
        return self.get_bytes(bucket, key, expected_sha256=blob_sha256(key), require_checksum=False)


def _verify(
    bucket: str, key: str, actual: str, tagged: str | None, expected: str | None, require_checksum: bool
) -> None:
    if tagged is not None and tagged != actual:
        raise IntegrityError(bucket, key, tagged, actual, "object metadata")
    if expected is not None and expected != actual:
        raise IntegrityError(bucket, key, expected, actual, "caller")
    if require_checksum and tagged is None and expected is None:
        raise IntegrityError(bucket, key, "a sha256 metadata tag", actual, "object metadata")
