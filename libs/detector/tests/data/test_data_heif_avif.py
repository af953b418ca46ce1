"""HEIC/HEIF and AVIF images (phone photos, some generators' outputs) decode like any other format.

The files are made here from a PNG source: HEIC losslessly (identity colour matrix, 4:4:4), so its pixels must
equal the source's; AVIF at quality 100, 4:4:4, whose pixels must stay within MAX_AVIF_ERROR of it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from data_fixtures import encode, noise_image
from PIL import Image

from mirage_detector.data.image_header import read_image_header
from mirage_detector.data.layouts import create_layout
from mirage_detector.data.loading import decode_image

MAX_AVIF_ERROR = 4
"""Largest per-channel difference from the source allowed after an AVIF round trip (measured: 3)."""


def photo_like(width: int, height: int) -> Image.Image:
    """Smooth gradients plus mild noise: closer to a photo than pure noise, which no lossy codec keeps."""
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 200 // width, y * 200 // height, (x + y) * 100 // (width + height)], axis=-1)
    noise = np.asarray(noise_image(width, height, seed=3), dtype=np.int64) // 16
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), mode="RGB")


def lossless_heic(image: Image.Image) -> bytes:
    return encode(image, "HEIF", quality=-1, chroma=444, matrix_coefficients=0)


def test_lossless_heic_decodes_to_the_pixels_of_its_png_source() -> None:
    source = noise_image(64, 48, seed=1)
    png = np.asarray(decode_image(encode(source, "PNG"), "a.png"))
    heic = decode_image(lossless_heic(source), "a.heic")
    assert heic.mode == "RGB" and heic.size == (64, 48)
    assert np.array_equal(np.asarray(heic), png)
    header = read_image_header(lossless_heic(source))
    assert (header.format, header.width, header.height, header.jpeg_quality) == ("HEIF", 64, 48, None)


def test_avif_decodes_within_the_stated_tolerance_of_its_png_source() -> None:
    source = photo_like(96, 64)
    avif = decode_image(encode(source, "AVIF", quality=100, subsampling="4:4:4"), "a.avif")
    assert avif.size == (96, 64)
    error = np.abs(np.asarray(avif, dtype=np.int64) - np.asarray(source, dtype=np.int64))
    assert error.max() <= MAX_AVIF_ERROR, error.max()
    assert read_image_header(encode(source, "AVIF", quality=100)).format == "AVIF"


def test_a_folder_of_heic_and_avif_registers_them_and_skips_a_truncated_one(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "fake").mkdir()
    (tmp_path / "real" / "IMG_0001.HEIC").write_bytes(lossless_heic(noise_image(40, 30, seed=4)))
    (tmp_path / "real" / "IMG_0002.heif").write_bytes(lossless_heic(noise_image(40, 30, seed=5)))
    (tmp_path / "fake" / "gen_0001.avif").write_bytes(encode(photo_like(40, 30), "AVIF", quality=90))
    broken = lossless_heic(noise_image(40, 30, seed=6))
    (tmp_path / "fake" / "gen_0002.heic").write_bytes(broken[: len(broken) // 3])
    result = create_layout("folder", generator="g", verify=True).scan(tmp_path)
    assert sorted((Path(r.uri).name, r.label, r.format) for r in result.records) == [
        ("IMG_0001.HEIC", 0, "HEIF"),
        ("IMG_0002.heif", 0, "HEIF"),
        ("gen_0001.avif", 1, "AVIF"),
    ]
    assert [(s.path, "truncated" in s.reason or "corrupt" in s.reason) for s in result.skipped] == [
        ("fake/gen_0002.heic", True)
    ], result.skipped
