"""Debris rules: OS files, partial downloads, image names in any case, end markers of cut-short files."""

from __future__ import annotations

from pathlib import PurePath

import pytest
from data_fixtures import encode, noise_image

from mirage_detector.data.layouts.debris import (
    is_os_file,
    is_os_folder,
    name_skip_reason,
    truncation_reason,
)


@pytest.mark.parametrize("name", ["Thumbs.db", "desktop.ini", ".DS_Store", "._a.png", "THUMBS.DB"])
def test_os_files(name: str) -> None:
    assert is_os_file(name)


def test_os_folders_and_ordinary_names() -> None:
    assert is_os_folder("__MACOSX") and is_os_folder(".Trashes") and not is_os_folder("0_real")
    assert not is_os_file("n01440764_10026.JPEG")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a.JPEG", None),
        ("a.PNG", None),
        ("a.webp", None),
        ("a.png.part", "partial download (.part)"),
        ("a.jpg.crdownload", "partial download (.crdownload)"),
        ("notes.txt", "not an image file name (suffix '.txt')"),
        ("README", "not an image file name (suffix 'none')"),
    ],
)
def test_name_rules(name: str, reason: str | None) -> None:
    assert name_skip_reason(PurePath(name)) == reason


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_cut_short_files_lack_their_end_marker(fmt: str) -> None:
    whole = encode(noise_image(64, 64, seed=3), fmt)
    assert truncation_reason(whole, fmt) is None
    assert truncation_reason(whole + b"\x00" * 32, fmt) is None  # zero padding after the end is harmless
    assert "truncated" in str(truncation_reason(whole[: len(whole) * 2 // 3], fmt))
