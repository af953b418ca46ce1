"""What real dataset downloads carry besides images, and how a scan tells it apart without decoding pixels."""

from __future__ import annotations

from pathlib import PurePath

IMAGE_SUFFIXES: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
    | {".heic", ".heif", ".avif"}
)
"""File name endings (case-insensitive: ImageNet's reals end in .JPEG) a scan treats as images."""

VIDEO_SUFFIXES: frozenset[str] = frozenset({".mp4", ".webm", ".mov", ".mkv", ".avi"})
"""File name endings (case-insensitive) the video layouts treat as videos."""

PARTIAL_DOWNLOAD_SUFFIXES: frozenset[str] = frozenset(
    {".part", ".partial", ".crdownload", ".download", ".aria2", ".tmp"}
)
"""Endings browsers and download tools give files they have not finished writing."""

OS_FILE_NAMES: frozenset[str] = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r"})
"""Files Windows and macOS drop into folders they display (compared lower-case)."""

OS_FOLDER_NAMES: frozenset[str] = frozenset({"__macosx", "$recycle.bin", "system volume information"})
"""Folders archive tools and operating systems add (compared lower-case); hidden ones start with '.'."""

OS_FILE_REASON = "hidden or OS file"
"""The reason hidden and OS files are counted under (ScanResult.ignored), rather than listed one by one."""


def is_os_file(name: str) -> bool:
    """True for hidden files (.DS_Store, AppleDouble ._x.png) and the files Windows drops (Thumbs.db)."""
    return name.startswith(".") or name.lower() in OS_FILE_NAMES


def is_os_folder(name: str) -> bool:
    """True for folders a scan never enters: hidden ones (.Trashes, .git) and __MACOSX and the like."""
    return name.startswith(".") or name.lower() in OS_FOLDER_NAMES


def name_skip_reason(path: PurePath) -> str | None:
    """Why a file is not even read (a partial download, not an image file name), else None."""
    return _suffix_skip_reason(path, IMAGE_SUFFIXES, "an image")


def video_name_skip_reason(path: PurePath) -> str | None:
    """Why a file is not read as a video (a partial download, a thumbnail or sidecar file), else None."""
    return _suffix_skip_reason(path, VIDEO_SUFFIXES, "a video")


def _suffix_skip_reason(path: PurePath, suffixes: frozenset[str], kind: str) -> str | None:
    # Checked first: "partial download" tells more about x.png.part than "not an image file name" does.
    suffix = path.suffix.lower()
    if suffix in PARTIAL_DOWNLOAD_SUFFIXES:
        return f"partial download ({path.suffix})"
    if suffix not in suffixes:
        return f"not {kind} file name (suffix {path.suffix or 'none'!r})"
    return None


def truncation_reason(data: bytes, image_format: str) -> str | None:
    """Why bytes that open as an image are cut short, from their end markers alone (no decoding).

    JPEG: the end-of-image marker must follow the last start-of-scan marker (markers cannot occur in
    entropy-coded data, so an EOI there is the real one; a truncated file has none). PNG: the IEND
    chunk must be present. A trailer after EOI holding the bytes FF DA but no later EOI would be
    misread as truncation; the public releases have no such trailers. Other formats are not checked
    here; the layouts' `verify` option decodes every file for a full check.
    """
    if image_format == "JPEG":
        start_of_scan = data.rfind(b"\xff\xda")
        if start_of_scan < 0 or data.find(b"\xff\xd9", start_of_scan + 2) < 0:
            return "truncated file (JPEG has no end-of-image marker after its last scan)"
    elif image_format == "PNG" and data.rfind(b"IEND") < 0:
        return "truncated file (PNG has no IEND chunk)"
    return None
