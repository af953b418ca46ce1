"""A mini GenImage: the 8 subsets with the release's folder names, train and val, ai and nature."""

from __future__ import annotations

from .debris import write_broken_files, write_macos_archive_folder, write_os_files
from .pixels import fake_png, real_jpeg
from .writer import TreeWriter

SUBSETS: dict[str, tuple[str, str, int]] = {
    "sdv14": ("stable_diffusion_v_1_4", "imagenet_ai_0419_sdv4", 512),
    "sdv15": ("stable_diffusion_v_1_5", "imagenet_ai_0424_sdv5", 512),
    "midjourney": ("Midjourney", "imagenet_midjourney", 1024),
    "adm": ("ADM", "imagenet_ai_0508_adm", 256),
    "glide": ("glide", "imagenet_glide", 256),
    "wukong": ("wukong", "imagenet_ai_0424_wukong", 512),
    "vqdm": ("VQDM", "imagenet_ai_0419_vqdm", 256),
    "biggan": ("BigGAN", "imagenet_ai_0419_biggan", 128),
}
"""Canonical generator -> (subset folder, archive dir, fake side in pixels) as released."""

PER_FOLDER = 2
"""Images per {train,val} x {ai,nature} folder: enough to count, few enough for 1024 px Midjourney PNGs."""

# ImageNet synsets the reals are named after, as GenImage's nature/ files are (n01440764_10026.JPEG).
_SYNSETS = ("n01440764", "n01443537", "n01484850", "n01491361")


def build_genimage(writer: TreeWriter) -> None:
    """Every subset's train/ and val/ with JPEG reals (.JPEG, as ImageNet) and PNG fakes, plus debris."""
    for generator, (subset, archive, side) in SUBSETS.items():
        for split in ("train", "val"):
            folder = f"{subset}/{archive}/{split}"
            for index in range(PER_FOLDER):
                real = f"{folder}/nature/{_SYNSETS[index % len(_SYNSETS)]}_{1000 + index}.JPEG"
                writer.image(
                    real, real_jpeg(writer.tree, real), generator=generator, split=split, label="real"
                )
                suffix = "PNG" if (generator, split, index) == ("adm", "val", 0) else "png"
                fake = f"{folder}/ai/{index:03d}_{archive.rsplit('_', 1)[-1]}_{index:05d}.{suffix}"
                writer.image(
                    fake, fake_png(writer.tree, fake, side), generator=generator, split=split, label="fake"
                )
    sdv14 = "stable_diffusion_v_1_4/imagenet_ai_0419_sdv4"
    write_os_files(writer, f"{sdv14}/train/ai", "000_sdv4_00000.png")
    write_os_files(writer, "BigGAN", "imagenet_ai_0419_biggan")
    write_macos_archive_folder(writer, f"{sdv14}/val/ai/000_sdv4_00000.png")
    write_broken_files(writer, "VQDM/imagenet_ai_0419_vqdm/val/nature")
