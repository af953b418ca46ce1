"""A mini UniversalFakeDetect diffusion set: 8 fake folders, ImageNet and LAION reals."""

from __future__ import annotations

from .debris import write_broken_files, write_os_files
from .pixels import fake_png, real_jpeg, real_png
from .writer import TreeWriter

FAKE_FOLDERS = (
    "guided",
    "ldm_200",
    "ldm_200_cfg",
    "ldm_100",
    "glide_100_27",
    "glide_50_27",
    "glide_100_10",
    "dalle",
)
REAL_SOURCES = ("imagenet", "laion")
FAKES_PER_FOLDER = 3
REALS_PER_SOURCE = 4
SIDE = 256


def build_ufd_diffusion(writer: TreeWriter) -> None:
    """`<generator>/1_fake/*.png` (256 px) and `{imagenet,laion}/0_real/*` (JPEG, LAION half PNG)."""
    for generator in FAKE_FOLDERS:
        for index in range(FAKES_PER_FOLDER):
            path = f"{generator}/1_fake/{index:05d}.png"
            writer.image(
                path, fake_png(writer.tree, path, SIDE), generator=generator, split="test", label="fake"
            )
    for source in REAL_SOURCES:
        for index in range(REALS_PER_SOURCE):
            as_png = source == "laion" and index % 2 == 1
            path = f"{source}/0_real/{index:05d}.{'png' if as_png else 'jpg'}"
            data = real_png(writer.tree, path, SIDE) if as_png else real_jpeg(writer.tree, path)
            writer.image(path, data, generator=source, split="test", label="real")
    write_os_files(writer, "laion/0_real", "00000.jpg")
    write_broken_files(writer, "dalle/1_fake")
