"""A mini Chameleon (AIDE, "A Sanity Check for AI-generated Image Detection"): its in-the-wild test set."""

from __future__ import annotations

import uuid

from .debris import write_broken_files, write_macos_archive_folder, write_os_files
from .pixels import fake_image, photo_jpeg, rng_for
from .writer import TreeWriter

GENERATOR = "chameleon"
"""The generator of every record, reals included: the release does not say which model made each fake."""

REAL_SIZES = ((400, 300), (1200, 900), (800, 1200), (1024, 683))
"""Reals are web photos as JPEG at varied sizes and aspect ratios (width, height)."""

FAKE_IMAGES = ((512, 512, "PNG"), (768, 1024, "PNG"), (1024, 576, "JPEG"), (1024, 1024, "JPEG"))
"""Fakes were collected from AI-art sites: PNG and JPEG at the generators' sizes (width, height, format)."""

_SUFFIXES = {"PNG": "png", "JPEG": "jpg"}


def build_chameleon(writer: TreeWriter) -> None:
    """`test/0_real/<uuid>.jpg` and `test/1_fake/<uuid>.{png,jpg}` named like the release, plus debris."""
    reals = []
    for index, (width, height) in enumerate(REAL_SIZES):
        path = f"test/0_real/{_release_name(writer.tree, 'real', index)}.jpg"
        data = photo_jpeg(writer.tree, path, width, height)
        writer.image(path, data, generator=GENERATOR, split="test", label="real")
        reals.append(path)
    for index, (width, height, image_format) in enumerate(FAKE_IMAGES):
        suffix = "PNG" if index == 1 else _SUFFIXES[image_format]
        path = f"test/1_fake/{_release_name(writer.tree, 'fake', index)}.{suffix}"
        data = fake_image(writer.tree, path, width, height, image_format)
        writer.image(path, data, generator=GENERATOR, split="test", label="fake")
    write_os_files(writer, "test/0_real", reals[0].rpartition("/")[2])
    write_macos_archive_folder(writer, reals[1])
    write_broken_files(writer, "test/1_fake")


def _release_name(tree: str, label: str, index: int) -> str:
    # The release names every image by a random UUID (00005a79-1347-4bb6-bb01-4d80c2d856e7.jpg).
    return str(uuid.UUID(bytes=rng_for(tree, f"name/{label}/{index}").bytes(16), version=4))
