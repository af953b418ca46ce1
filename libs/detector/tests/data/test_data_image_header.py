from __future__ import annotations

import hashlib
import io

import pytest
from data_fixtures import encode, noise_image
from PIL import Image

from mirage_detector.data.image_header import HeaderError, read_image_header
from mirage_detector.data.jpeg_quality import LUMINANCE_BASE, estimate_jpeg_quality, ijg_scaled_table


@pytest.mark.parametrize("quality", [1, 5, 10, 25, 49, 50, 51, 75, 90, 95, 99, 100])
def test_jpeg_quality_recovered_exactly(quality: int) -> None:
    data = encode(noise_image(24, 16), "JPEG", quality=quality)
    header = read_image_header(data)
    assert header.jpeg_quality == quality
    assert (header.width, header.height, header.format) == (24, 16, "JPEG")
    assert header.sha256 == hashlib.sha256(data).hexdigest()


def test_greyscale_jpeg_has_only_a_luminance_table() -> None:
    data = encode(noise_image(16, 16).convert("L"), "JPEG", quality=60)
    with Image.open(io.BytesIO(data)) as image:
        assert list(image.quantization) == [0]
    assert read_image_header(data).jpeg_quality == 60


def test_custom_tables_give_nearest_ijg_quality() -> None:
    luminance = ijg_scaled_table(LUMINANCE_BASE, 80).tolist()
    luminance[5] += 1
    assert estimate_jpeg_quality({0: luminance}) == 80
    assert estimate_jpeg_quality({}) is None
    assert estimate_jpeg_quality({0: [1, 2, 3]}) is None


def test_png_has_no_quality_and_header_is_not_decoded() -> None:
    data = encode(noise_image(40, 30), "PNG")
    header = read_image_header(data[: len(data) // 2])
    assert (header.width, header.height, header.format, header.jpeg_quality) == (40, 30, "PNG", None)


@pytest.mark.parametrize(("data", "reason"), [(b"", "empty"), (b"hello", "not an image")])
def test_header_errors(data: bytes, reason: str) -> None:
    with pytest.raises(HeaderError, match=reason):
        read_image_header(data)
