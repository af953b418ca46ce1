"""File walking and per-file probing shared by the folder-based layouts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mirage_detector.data.image_header import HeaderError, read_image_header
from mirage_detector.data.layouts.registry import SkippedFile
from mirage_detector.data.loading import DEFAULT_MAX_PIXELS, BadImageError, decode_image
from mirage_detector.data.records import SPLITS, ImageRecord

IMAGE_SUFFIXES: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
)
"""File name endings (case-insensitive) a scan treats as images; other files are reported as skipped."""


@dataclass(frozen=True, kw_only=True)
class ScanOptions:
    """Options every folder layout shares.

    verify: decode every image fully while scanning (catches truncated data; slower).
    max_pixels: images above this pixel count are skipped, as loading would refuse them.
    """

    verify: bool = False
    max_pixels: int = DEFAULT_MAX_PIXELS


def check_split(split: str, option: str) -> None:
    """Raise naming the option when `split` is not a known split name."""
    if split not in SPLITS:
        raise ValueError(f"option {option!r} must be one of {', '.join(SPLITS)}, got {split!r}")


def require_dir(path: Path, what: str) -> None:
    """Raise FileNotFoundError naming `what` when `path` is not a directory."""
    if not path.is_dir():
        raise FileNotFoundError(f"{what}: {path} is not a directory")


def iter_files(root: Path) -> Iterator[Path]:
    """Every regular file under root, depth-first in sorted name order (stable across file systems)."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory, name)
            if path.is_file():
                yield path


def skip_reason_for_name(path: Path) -> str | None:
    """Why a file is not even probed (hidden, or not an image file name), else None."""
    if path.name.startswith("."):
        return "hidden file"
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return f"not an image file name (suffix {path.suffix or 'none'!r})"
    return None


def probe_file(
    path: Path, label: int, generator: str, split: str, options: ScanOptions
) -> ImageRecord | SkippedFile:
    """Read one file's bytes and header into a record (absolute path as uri), or say why it is skipped."""
    name_reason = skip_reason_for_name(path)
    if name_reason is not None:
        return SkippedFile(str(path), name_reason)
    uri = str(path.absolute())
    try:
        data = path.read_bytes()
    except OSError as error:
        return SkippedFile(uri, f"unreadable file: {type(error).__name__}: {error.strerror}")
    try:
        header = read_image_header(data)
    except HeaderError as error:
        return SkippedFile(uri, error.reason)
    pixels = header.width * header.height
    if pixels > options.max_pixels:
        return SkippedFile(
            uri, f"{header.width}x{header.height} exceeds the limit of {options.max_pixels} pixels"
        )
    if options.verify:
        try:
            decode_image(data, uri, options.max_pixels)
        except BadImageError as error:
            return SkippedFile(uri, error.reason)
    return ImageRecord(
        uri=uri,
        label=label,
        generator=generator,
        split=split,
        width=header.width,
        height=header.height,
        format=header.format,
        jpeg_quality=header.jpeg_quality,
        sha256=header.sha256,
    )
