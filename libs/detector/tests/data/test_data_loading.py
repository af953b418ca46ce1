from __future__ import annotations

from pathlib import Path

import pytest
from data_fixtures import PIXEL_LIMIT, CorpusImage, encode, noise_image, png_header_only
from PIL import Image

from mirage_detector.data.loading import (
    BadImageError,
    MissingOpenerError,
    decode_image,
    load_image,
    register_opener,
    unregister_opener,
)


def test_bad_image_corpus(bad_corpus: dict[str, CorpusImage]) -> None:
    for name, item in bad_corpus.items():
        uri = str(item.path)
        if item.expect_rgb is None:
            with pytest.raises(BadImageError) as caught:
                load_image(uri, max_pixels=PIXEL_LIMIT)
            assert caught.value.uri == uri, name
            assert item.reason_words in caught.value.reason, (name, caught.value.reason)
        else:
            image = load_image(uri, max_pixels=PIXEL_LIMIT)
            assert image.mode == "RGB", name
            assert image.getpixel((0, 0)) == item.expect_rgb, name


def test_pixel_limit_is_a_parameter(bad_corpus: dict[str, CorpusImage], tmp_path: Path) -> None:
    image = load_image(str(bad_corpus["too_big.png"].path), max_pixels=120 * 120)
    assert image.size == (120, 120)
    # 81 MP: over the default 64 MP limit, under Pillow's own guard, so only our check can refuse it.
    bomb = tmp_path / "bomb81.png"
    bomb.write_bytes(png_header_only(9_000, 9_000))
    with pytest.raises(BadImageError, match="exceeds the limit of 64000000"):
        load_image(str(bomb))


def test_sixteen_bit_is_rescaled_not_clipped(bad_corpus: dict[str, CorpusImage]) -> None:
    with Image.open(bad_corpus["grey16.png"].path) as raw:
        assert raw.mode.startswith("I")
    assert load_image(str(bad_corpus["grey16.png"].path)).getpixel((3, 3)) == (128, 128, 128)


def test_missing_local_file_is_a_bad_image(tmp_path: Path) -> None:
    with pytest.raises(BadImageError, match="unreadable"):
        load_image(str(tmp_path / "absent.png"))


def test_s3_without_opener_says_so() -> None:
    with pytest.raises(MissingOpenerError, match="none for remote storage"):
        load_image("s3://bucket/key.png")


def test_registered_and_explicit_openers() -> None:
    data = encode(noise_image(10, 6), "PNG")
    calls: list[str] = []

    def opener(uri: str) -> bytes:
        calls.append(uri)
        return data

    assert load_image("s3://bucket/a.png", opener=opener).size == (10, 6)
    register_opener("testscheme", opener)
    try:
        assert load_image("testscheme://x/b.png").size == (10, 6)
    finally:
        unregister_opener("testscheme")
    assert calls == ["s3://bucket/a.png", "testscheme://x/b.png"]
    with pytest.raises(MissingOpenerError):
        load_image("testscheme://x/b.png")


def test_decode_image_names_the_uri() -> None:
    with pytest.raises(BadImageError) as caught:
        decode_image(b"\x89PNG\r\n\x1a\n garbage", "s3://b/k.png")
    assert caught.value.uri == "s3://b/k.png"
    assert str(caught.value).startswith("s3://b/k.png: ")
