"""Load one image as RGB from a local path or any registered uri scheme; bad images raise BadImageError.

Bytes come from an opener, a `Callable[[str], bytes]` chosen by the uri's scheme. The library ships
only the local-file opener: it never talks to S3 itself (the GPU worker registers a boto3 opener for
`s3` with `register_opener`, or passes one per call). A video frame record is decoded from its video
(`load_record_image`), through a small per-process cache of open videos.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import numpy as np
from PIL import Image

from mirage_detector.data.image_header import DECODE_ERRORS, HeaderError, open_image
from mirage_detector.data.records import ImageRecord

if TYPE_CHECKING:
    from mirage_detector.data.video import VideoFrameReader

Opener = Callable[[str], bytes]
"""Reads all bytes of the object a uri names."""

DEFAULT_MAX_PIXELS = 64_000_000
"""Images with more pixels than this (64 MP) are refused before their pixels are decoded.

Pillow's own guard (2 x Image.MAX_IMAGE_PIXELS, about 179 MP) still refuses larger ones at open.
"""

VIDEO_READERS_KEPT = 2
"""Open videos each process keeps for frame records: the one being read, and one more for a batch that
straddles two videos (DataLoader workers read consecutive records, so a video is read by one worker)."""

_OPENERS: dict[str, Opener] = {}
_VIDEO_READERS: OrderedDict[tuple[str, str | None, int], VideoFrameReader] = OrderedDict()
# Decoders are not thread-safe and the cache is shared: one lock serialises frame loading in a process.
_VIDEO_LOCK = threading.Lock()


class BadImageError(Exception):
    """An image that cannot be used: unreadable, not an image, truncated, too large."""

    def __init__(self, uri: str, reason: str) -> None:
        super().__init__(f"{uri}: {reason}")
        self.uri = uri
        self.reason = reason


class MissingOpenerError(LookupError):
    """No opener is registered for a uri's scheme: a setup error, so it is raised, never skipped."""


def register_opener(scheme: str, opener: Opener) -> None:
    """Use `opener` for every uri with this scheme (e.g. "s3"); replaces an earlier registration."""
    if not scheme or not scheme.isascii() or not scheme.replace("+", "").replace("-", "").isalnum():
        raise ValueError(f"invalid uri scheme {scheme!r}")
    _OPENERS[scheme.lower()] = opener


def unregister_opener(scheme: str) -> None:
    """Forget the opener registered for a scheme (no error if none was)."""
    _OPENERS.pop(scheme.lower(), None)


def uri_scheme(uri: str) -> str:
    """The scheme of a uri, "" for a local path (also for Windows drive letters)."""
    scheme = urlsplit(uri).scheme.lower()
    return "" if len(scheme) <= 1 or scheme == "file" else scheme


def read_local_file(uri: str) -> bytes:
    """Opener for local paths and file:// uris."""
    path = urlsplit(uri).path if uri.startswith("file://") else uri
    return Path(path).read_bytes()


def read_uri_bytes(uri: str, opener: Opener | None = None) -> bytes:
    """All bytes of `uri`, via `opener` if given, else the opener registered for its scheme.

    A local file that cannot be read becomes a BadImageError; errors of a remote opener propagate,
    since the caller (e.g. the worker's retry policy) knows whether they are transient.
    """
    scheme = uri_scheme(uri)
    if opener is None and scheme:
        opener = _OPENERS.get(scheme)
        if opener is None:
            raise MissingOpenerError(
                f"{uri}: no opener registered for scheme {scheme!r}; the detector library has none for "
                f"remote storage (s3 included): register one with register_opener({scheme!r}, fn) "
                "or pass opener=fn"
            )
    if opener is None:
        try:
            return read_local_file(uri)
        except OSError as error:
            raise BadImageError(uri, f"unreadable file: {type(error).__name__}: {error.strerror}") from None
    return opener(uri)


def load_image(uri: str, opener: Opener | None = None, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Read and decode `uri` as an 8-bit RGB image (first frame of animations); raises BadImageError."""
    return decode_image(read_uri_bytes(uri, opener), uri, max_pixels)


def load_record_image(
    record: ImageRecord, opener: Opener | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """The RGB image of a record: the file itself, or for a video frame that frame decoded from its video.

    A frame comes from the video's bytes (read once per video, not per frame), decoded forward by a
    VideoFrameReader kept per (uri, sha256) for the last VIDEO_READERS_KEPT videos: records in manifest
    order (a video's frames consecutive, increasing) decode each video once; a frame before the last one
    read, or of a video that left the cache, decodes again from the video's start (shuffled training
    pays that). Frames are never written out as images. Raises BadImageError.
    """
    if record.frame is None:
        return load_image(record.uri, opener, max_pixels)
    key = (record.uri, record.sha256, max_pixels)
    with _VIDEO_LOCK:
        reader = _VIDEO_READERS.pop(key, None)
        if reader is None:
            # Imported here: PyAV costs ~150 ms to import, which image-only runs need not pay; and
            # video.py imports BadImageError from this module.
            from mirage_detector.data.video import VideoFrameReader

            reader = VideoFrameReader(read_uri_bytes(record.uri, opener), record.uri, max_pixels)
        try:
            image = reader.frame(record.frame)
        except BadImageError:
            reader.close()  # a broken video is not kept: its bytes may be large
            raise
        _VIDEO_READERS[key] = reader
        while len(_VIDEO_READERS) > VIDEO_READERS_KEPT:
            _VIDEO_READERS.popitem(last=False)[1].close()
        return image


def clear_video_cache() -> None:
    """Close the videos `load_record_image` keeps open (frees their bytes and decoders)."""
    with _VIDEO_LOCK:
        while _VIDEO_READERS:
            _VIDEO_READERS.popitem()[1].close()


def decode_image(data: bytes, uri: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Decode image bytes to RGB; `uri` only names the image in errors.

    The pixel limit is checked on the header, before any pixel is decoded, so a decompression bomb
    costs nothing. Animated images give their first frame.
    """
    try:
        image = open_image(data)
    except HeaderError as error:
        raise BadImageError(uri, error.reason) from None
    width, height = image.size
    if width * height > max_pixels:
        raise BadImageError(
            uri, f"{width}x{height} = {width * height} pixels exceeds the limit of {max_pixels}"
        )
    try:
        image.load()
        return to_rgb(image)
    except DECODE_ERRORS as error:
        raise BadImageError(
            uri, f"truncated or corrupt image data: {type(error).__name__}: {error}"
        ) from None


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB.

    16-bit grey is rescaled (x / 257) instead of clipped, which is what Pillow's own convert does.
    Alpha and palette transparency are dropped (not composited), as torchvision's `pil_loader`,
    which peer detectors use, does; so scores stay comparable with theirs.
    """
    mode = image.mode
    if mode == "RGB":
        return image
    if mode.startswith("I;16") or mode == "I":
        wide = np.asarray(image, dtype=np.float64)
        grey = np.clip(np.rint(wide / 257.0), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    if mode == "F":
        return image.convert("L").convert("RGB")
    if mode == "P" or "transparency" in image.info:
        return image.convert("RGBA").convert("RGB")
    return image.convert("RGB")
