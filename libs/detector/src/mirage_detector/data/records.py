"""Image records and dataset manifests (JSONL, CSV) in the shared manifest shape."""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from mirage_detector.json_object import JsonObject

LABEL_NAMES: tuple[str, str] = ("real", "fake")
"""Label index -> manifest string: real is 0, fake is 1 (p_fake is the probability of label 1)."""

LABEL_INDEX: dict[str, int] = {name: index for index, name in enumerate(LABEL_NAMES)}
"""Manifest label string -> label index."""

SPLITS: tuple[str, str, str] = ("train", "val", "test")
"""The split names a record may carry."""

MANIFEST_FIELDS: tuple[str, ...] = (
    "uri",
    "label",
    "generator",
    "object_class",
    "split",
    "width",
    "height",
    "format",
    "jpeg_quality",
    "sha256",
    "video_id",
    "frame",
    "timestamp",
)
"""Manifest keys in the order they are written."""

_REQUIRED_FIELDS = ("uri", "label", "generator", "split")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """A manifest record is malformed; the message names the field and where it was read."""


@dataclass(frozen=True)
class ImageRecord:
    """One image of a dataset: where it is, its label (0 real, 1 fake) and what its header says.

    A registered manifest's uri is a POSIX path relative to the dataset root (or an s3:// uri); records
    handed to loading carry a resolved one (see `resolve_uri`). object_class is the release's scene or
    object class (ForenSynths' LSUN classes), None where the release records none; it is the last field
    so positional construction of older code keeps working.
    """

    uri: str
    label: int
    generator: str
    split: str
    width: int | None = None
    height: int | None = None
    format: str | None = None
    jpeg_quality: int | None = None
    sha256: str | None = None
    object_class: str | None = None
    video_id: str | None = None
    frame: int | None = None
    timestamp: float | None = None

    def __post_init__(self) -> None:
        _check_record(self)

    @property
    def label_name(self) -> str:
        """The label as the manifest spells it: "real" or "fake"."""
        return LABEL_NAMES[self.label]

    def to_json(self) -> JsonObject:
        """The manifest JSON object of this record (label as "real"/"fake").

        The frame fields are written only for a frame, so a still image's line (and so every image
        dataset's content hash) is what it was before videos existed.
        """
        data = {
            "uri": self.uri,
            "label": self.label_name,
            "generator": self.generator,
            "object_class": self.object_class,
            "split": self.split,
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "jpeg_quality": self.jpeg_quality,
            "sha256": self.sha256,
        }
        if self.video_id is not None:
            data.update(video_id=self.video_id, frame=self.frame, timestamp=self.timestamp)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "record") -> ImageRecord:
        """Parse one manifest JSON object; `where` (e.g. "train.jsonl line 3") prefixes every error."""
        if not isinstance(data, Mapping):
            raise ManifestError(f"{where}: expected a JSON object, got {type(data).__name__}")
        unknown = sorted(set(data) - set(MANIFEST_FIELDS))
        if unknown:
            raise ManifestError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
        for name in _REQUIRED_FIELDS:
            if name not in data:
                raise ManifestError(f"{where}: missing required field {name!r}")
        label = data["label"]
        if label not in LABEL_INDEX:
            raise ManifestError(f"{where}: field 'label' must be 'real' or 'fake', got {label!r}")
        try:
            return cls(
                uri=data["uri"],
                label=LABEL_INDEX[label],
                generator=data["generator"],
                split=data["split"],
                width=data.get("width"),
                height=data.get("height"),
                format=data.get("format"),
                jpeg_quality=data.get("jpeg_quality"),
                sha256=data.get("sha256"),
                object_class=data.get("object_class"),
                video_id=data.get("video_id"),
                frame=data.get("frame"),
                timestamp=data.get("timestamp"),
            )
        except ManifestError as error:
            raise ManifestError(f"{where}: {error}") from None


def _check_record(record: ImageRecord) -> None:
    """Validate every field; errors name the field so a bad manifest line is easy to find."""
    for name in ("uri", "generator"):
        value = getattr(record, name)
        if not isinstance(value, str) or not value:
            raise ManifestError(f"field {name!r} must be a non-empty string, got {value!r}")
    if isinstance(record.label, bool) or record.label not in (0, 1):
        raise ManifestError(f"field 'label' must be 0 (real) or 1 (fake), got {record.label!r}")
    if record.split not in SPLITS:
        raise ManifestError(f"field 'split' must be one of {', '.join(SPLITS)}, got {record.split!r}")
    for name in ("width", "height"):
        value = getattr(record, name)
        if value is not None and (not _is_int(value) or value < 1):
            raise ManifestError(f"field {name!r} must be a positive integer or null, got {value!r}")
    for name in ("format", "object_class"):
        value = getattr(record, name)
        if value is not None and (not isinstance(value, str) or not value):
            raise ManifestError(f"field {name!r} must be a non-empty string or null, got {value!r}")
    quality = record.jpeg_quality
    if quality is not None and (not _is_int(quality) or not 1 <= quality <= 100):
        raise ManifestError(f"field 'jpeg_quality' must be an integer in [1, 100] or null, got {quality!r}")
    _check_frame_fields(record)
    digest = record.sha256
    if digest is not None and (not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest)):
        raise ManifestError(f"field 'sha256' must be 64 lowercase hex characters or null, got {digest!r}")


def _check_frame_fields(record: ImageRecord) -> None:
    """A frame has all of video_id, frame and timestamp; a still image none of them."""
    fields = (record.video_id, record.frame, record.timestamp)
    if all(value is None for value in fields):
        return
    if any(value is None for value in fields):
        raise ManifestError(
            "fields 'video_id', 'frame' and 'timestamp' must be all set (a video frame) or all null"
        )
    if not isinstance(record.video_id, str) or not record.video_id:
        raise ManifestError(f"field 'video_id' must be a non-empty string or null, got {record.video_id!r}")
    if not _is_int(record.frame) or record.frame < 0:
        raise ManifestError(f"field 'frame' must be a non-negative integer or null, got {record.frame!r}")
    timestamp = record.timestamp
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float) or timestamp < 0:
        raise ManifestError(f"field 'timestamp' must be a non-negative number or null, got {timestamp!r}")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def read_manifest(source: str | os.PathLike[str] | Iterable[str]) -> list[ImageRecord]:
    """Read records from a manifest file (.jsonl, or .csv by suffix) or from an iterable of JSONL lines.

    Blank lines are ignored. Relative uris are returned as written (`resolve_uri` makes them loadable);
    `object_class` may be absent (manifests written before it existed) and then reads as None.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.suffix.lower() == ".csv":
            return read_manifest_csv(path)
        with path.open(encoding="utf-8") as handle:
            return list(_parse_jsonl(handle, str(path)))
    return list(_parse_jsonl(source, "manifest"))


def _parse_jsonl(lines: Iterable[str], name: str) -> Iterator[ImageRecord]:
    for data, where in json_object_lines(lines, name):
        yield ImageRecord.from_json(data, where)


def json_object_lines(lines: Iterable[str], name: str) -> Iterator[tuple[JsonObject, str]]:
    """Each non-blank JSON-lines line as an object with where it was read ("<name> line <n>"); a line that
    is not a JSON object is a ManifestError naming it."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise ManifestError(f"{where}: invalid JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(data, dict):
            raise ManifestError(f"{where}: expected a JSON object, got {type(data).__name__}")
        yield data, where


def read_manifest_csv(source: str | os.PathLike[str] | Iterable[str]) -> list[ImageRecord]:
    """Read a CSV manifest: a header with uri,label,generator,split and optionally the other manifest fields.

    Empty cells of optional fields read as null; width/height/jpeg_quality are parsed as integers.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        with path.open(encoding="utf-8", newline="") as handle:
            return _parse_csv(handle, str(path))
    return _parse_csv(source, "manifest")


def _parse_csv(lines: Iterable[str], name: str) -> list[ImageRecord]:
    reader = csv.DictReader(lines)
    columns = reader.fieldnames or []
    missing = [column for column in _REQUIRED_FIELDS if column not in columns]
    if missing:
        raise ManifestError(f"{name} line 1: missing required column(s) {', '.join(map(repr, missing))}")
    records: list[ImageRecord] = []
    for row in reader:
        where = f"{name} line {reader.line_num}"
        if None in row:
            raise ManifestError(f"{where}: more cells than header columns")
        data: JsonObject = {}
        for column, cell in row.items():
            if cell is None:
                raise ManifestError(f"{where}: missing cell for column {column!r}")
            if column in _REQUIRED_FIELDS:
                data[column] = cell
            elif cell == "":
                data[column] = None
            elif column == "timestamp":
                try:
                    data[column] = float(cell)
                except ValueError:
                    raise ManifestError(
                        f"{where}: field 'timestamp' must be a number, got {cell!r}"
                    ) from None
            elif column in ("width", "height", "jpeg_quality", "frame"):
                try:
                    data[column] = int(cell)
                except ValueError:
                    raise ManifestError(
                        f"{where}: field {column!r} must be an integer, got {cell!r}"
                    ) from None
            else:
                data[column] = cell
        records.append(ImageRecord.from_json(data, where))
    return records


def write_manifest(records: Iterable[ImageRecord], path: str | os.PathLike[str]) -> None:
    """Write records as JSONL (or CSV when the path ends in .csv), atomically via a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            if target.suffix.lower() == ".csv":
                writer = csv.DictWriter(handle, fieldnames=MANIFEST_FIELDS)
                writer.writeheader()
                for record in records:
                    row = record.to_json()
                    writer.writerow({key: "" if value is None else value for key, value in row.items()})
            else:
                for record in records:
                    handle.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
