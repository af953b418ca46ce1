"""A file (CSV or JSONL) listing videos as a layout: each listed video is sampled into frame records."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mirage_detector.data.layouts.registry import ScanResult, SkippedFile, register_layout
from mirage_detector.data.layouts.scanning import TreeScan
from mirage_detector.data.layouts.video_scanning import VideoScanOptions, default_video_ids, scan_video
from mirage_detector.data.loading import uri_scheme
from mirage_detector.data.records import LABEL_INDEX, SPLITS, ManifestError, json_object_lines
from mirage_detector.data.uris import relative_uri
from mirage_detector.json_object import JsonObject

VIDEO_LIST_FIELDS: tuple[str, ...] = ("uri", "label", "generator", "split", "video_id")
"""Columns of a video list; video_id is optional (default: the uri without its suffix)."""

_REQUIRED = ("uri", "label", "generator", "split")


@dataclass(frozen=True)
class ListedVideo:
    """One line of a video list; `where` is "<file> line <n>" for messages."""

    uri: str
    label: int
    generator: str
    split: str
    video_id: str | None
    where: str


@register_layout("video-manifest")
@dataclass(frozen=True, kw_only=True)
class VideoManifestLayout(VideoScanOptions):
    """Videos listed in a .csv (header uri,label,generator,split[,video_id]) or .jsonl file (`root` is the
    file); uris are relative to the file's folder, the dataset root, and must stay inside it.

    Each video is sampled like video-folder's (options sample, max_frames, max_duration_s). A malformed
    line, a uri listed twice or a video_id naming two videos is an error naming the file and line; a
    missing, unreadable or unusable video, or a remote uri (a scan decodes local files), is skipped.
    """

    def scan(self, root: str | Path) -> ScanResult:
        listing = Path(root)
        if not listing.is_file():
            raise FileNotFoundError(f"video-manifest layout root: {listing} is not a file")
        scan = TreeScan(listing.absolute().parent, self)
        videos = read_video_list(listing)
        local: list[tuple[ListedVideo, Path, str]] = []
        for video in videos:
            if uri_scheme(video.uri):
                scan.skipped.append(
                    SkippedFile(video.uri, "remote uri: list local files, the scan decodes them")
                )
                continue
            path = Path(os.path.normpath(scan.root / video.uri))
            uri = relative_uri(path, scan.root)
            if uri is None:
                scan.skip(path, f"outside the dataset root {scan.root} (the list file's folder)")
                continue
            local.append((video, path, uri))
        ids = _video_ids(local)
        for video, path, uri in local:
            outcome = scan_video(path, uri, ids[uri], video.label, video.generator, video.split, self)
            if isinstance(outcome, list):
                scan.records.extend(outcome)
            else:
                scan.skipped.append(outcome)
        return scan.result()


def _video_ids(local: list[tuple[ListedVideo, Path, str]]) -> dict[str, str]:
    """uri -> video_id (given, else default_video_ids'); one uri or id on two lines is a ManifestError."""
    seen: dict[str, str] = {}
    for video, _, uri in local:
        if uri in seen:
            raise ManifestError(f"{video.where}: uri {uri!r} is already listed ({seen[uri]})")
        seen[uri] = video.where
    defaults = default_video_ids([uri for video, _, uri in local if video.video_id is None])
    ids = {uri: video.video_id or defaults[uri] for video, _, uri in local}
    owners: dict[str, ListedVideo] = {}
    for video, _, uri in local:
        other = owners.setdefault(ids[uri], video)
        if other is not video:
            raise ManifestError(
                f"{video.where}: video_id {ids[uri]!r} already names {other.uri} ({other.where})"
            )
    return ids


def read_video_list(path: str | os.PathLike[str]) -> list[ListedVideo]:
    """The videos a .csv or .jsonl list names; a ManifestError names the file and line of a bad entry."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = (
            _csv_rows(handle, str(path)) if path.suffix.lower() == ".csv" else _jsonl_rows(handle, str(path))
        )
        return [_listed(row, where) for row, where in rows]


def _csv_rows(handle: Any, name: str) -> Iterator[tuple[JsonObject, str]]:
    reader = csv.DictReader(handle)
    _check_columns(list(reader.fieldnames or []), f"{name} line 1", "column")
    for row in reader:
        where = f"{name} line {reader.line_num}"
        if None in row or None in row.values():
            raise ManifestError(f"{where}: expected {len(reader.fieldnames or [])} cells")
        yield {key: value for key, value in row.items() if value != "" or key in _REQUIRED}, where


def _jsonl_rows(handle: Any, name: str) -> Iterator[tuple[JsonObject, str]]:
    for data, where in json_object_lines(handle, name):
        _check_columns(list(data), where, "field")
        yield data, where


def _check_columns(names: list[str], where: str, kind: str) -> None:
    unknown = [name for name in names if name not in VIDEO_LIST_FIELDS]
    if unknown:
        raise ManifestError(f"{where}: unknown {kind}(s) {', '.join(map(repr, unknown))}")
    missing = [name for name in _REQUIRED if name not in names]
    if missing:
        raise ManifestError(f"{where}: missing required {kind}(s) {', '.join(map(repr, missing))}")


def _listed(row: Mapping[str, Any], where: str) -> ListedVideo:
    for name in ("uri", "generator", "split", "video_id"):
        value = row.get(name)
        if (name != "video_id" or value is not None) and (not isinstance(value, str) or not value):
            raise ManifestError(f"{where}: field {name!r} must be a non-empty string, got {value!r}")
    if row["label"] not in LABEL_INDEX:
        raise ManifestError(f"{where}: field 'label' must be 'real' or 'fake', got {row['label']!r}")
    if row["split"] not in SPLITS:
        raise ManifestError(
            f"{where}: field 'split' must be one of {', '.join(SPLITS)}, got {row['split']!r}"
        )
    return ListedVideo(
        row["uri"], LABEL_INDEX[row["label"]], row["generator"], row["split"], row.get("video_id"), where
    )
