"""What a file's header says about an image (size, format, JPEG quality) plus the sha256 of its bytes."""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zlib
from dataclasses import dataclass

import pillow_heif
from PIL import Image, UnidentifiedImageError

from mirage_detector.data.jpeg_quality import estimate_jpeg_quality

# HEIC/HEIF (phone photos, some generators' outputs) through Pillow's registry, so every reader here decodes
# them; AVIF is built into Pillow (>= 11.2). Idempotent: registering twice keeps one plugin.
pillow_heif.register_heif_opener()

DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)
"""What Pillow's decoders raise on malformed input (its plugins are not consistent about it)."""


class HeaderError(ValueError):
    """The bytes are not a readable image header; `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageHeader:
    """Header facts of one image file; no pixels were decoded to get them."""

    width: int
    height: int
    format: str
    mode: str
    jpeg_quality: int | None
    sha256: str


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of bytes, the content hash used for manifests, dedupe and S3 metadata."""
    return hashlib.sha256(data).hexdigest()


def open_image(data: bytes) -> Image.Image:
    """Open image bytes lazily (header only); raises HeaderError with a short reason on bad input."""
    if not data:
        raise HeaderError("empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            # The caller enforces its own pixel limit right after opening; Pillow's warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise HeaderError("not an image (unrecognised format)") from None
    except Image.DecompressionBombError as error:
        raise HeaderError(f"decompression bomb: {error}") from None
    except DECODE_ERRORS as error:
        raise HeaderError(f"corrupt header: {type(error).__name__}: {error}") from None


def read_image_header(data: bytes) -> ImageHeader:
    """Header facts of image bytes; raises HeaderError for anything Pillow cannot identify."""
    image = open_image(data)
    width, height = image.size
    if width < 1 or height < 1:
        raise HeaderError(f"corrupt header: size {width}x{height}")
    quality = estimate_jpeg_quality(getattr(image, "quantization", None)) if image.format == "JPEG" else None
    return ImageHeader(
        width=width,
        height=height,
        format=image.format or "unknown",
        mode=image.mode,
        jpeg_quality=quality,
        sha256=sha256_hex(data),
    )
