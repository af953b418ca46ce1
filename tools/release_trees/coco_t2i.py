"""A mini text-to-image set on MS-COCO: val2017 reals, and per generator one image from each one's caption."""

from __future__ import annotations

import json

from .debris import write_broken_files, write_os_files
from .pixels import fake_png, photo_jpeg
from .writer import TreeWriter

REAL_GENERATOR = "coco"
"""The reals' source, a folder registration's real_generator."""

COCO_IMAGES: dict[int, tuple[int, int, str]] = {
    139: (640, 427, "A living room with a sofa, a lamp and a window onto a garden."),
    285: (480, 640, "A large brown bear sitting in tall green grass."),
    632: (640, 480, "A bedroom with a bed under a window and a bookshelf beside it."),
}
"""COCO val2017 image id -> (width, height, caption). Ids are val2017's; the captions are invented."""

GENERATORS = ("flux.1-dev", "sd3.5-large")
"""Folder names (= generator names) of the fakes: 1024 x 1024 PNGs, one per COCO id."""

SIDE = 1024


def build_coco_t2i(writer: TreeWriter) -> None:
    """`coco/val2017/<12-digit id>.jpg`, `<generator>/<12-digit id>.png` and `captions.json`, plus debris."""
    captions: dict[str, str] = {}
    for coco_id, (width, height, caption) in COCO_IMAGES.items():
        stem = f"{coco_id:012d}"
        captions[stem] = caption
        real = f"coco/val2017/{stem}.jpg"
        data = photo_jpeg(writer.tree, real, width, height)
        writer.image(real, data, generator=REAL_GENERATOR, split="test", label="real")
        for generator in GENERATORS:
            suffix = "PNG" if (generator, coco_id) == ("sd3.5-large", 632) else "png"
            fake = f"{generator}/{stem}.{suffix}"
            writer.image(
                fake, fake_png(writer.tree, fake, SIDE), generator=generator, split="test", label="fake"
            )
    writer.sidecar("captions.json", (json.dumps(captions, indent=2, sort_keys=True) + "\n").encode())
    write_os_files(writer, "flux.1-dev", "000000000139.png")
    write_os_files(writer, "sd3.5-large", "000000000139.png")
    write_broken_files(writer, "coco/val2017")
