"""A mini ForenSynths (CNNDetection): ProGAN train/val by LSUN class, and a test set of several GANs."""

from __future__ import annotations

from .debris import write_broken_files, write_os_files
from .pixels import fake_png, real_png
from .writer import TreeWriter

TRAIN_CLASSES = ("car", "cat", "chair", "horse", "bird")
"""The four classes most follow-up work trains on, plus one more."""

TEST_GENERATORS: dict[str, tuple[str, ...]] = {
    "progan": ("car", "cat"),
    "stylegan": ("car", "cat"),
    "cyclegan": ("horse", "zebra"),
    "biggan": (),
    "gaugan": (),
    "stargan": (),
    "deepfake": (),
    "seeingdark": (),
    "san": (),
    "crn": (),
    "imle": (),
}
"""Test generator -> its class subfolders (none: the label folders sit directly under it), as in the
CNNDetection test set that UniversalFakeDetect's GAN columns use (fewer classes than released)."""

PER_FOLDER = 2
SIDE = 256
"""ForenSynths' images are 256 x 256 PNGs, reals (LSUN) and fakes alike."""


def build_forensynths(writer: TreeWriter) -> None:
    """train/ and val/ as `<class>/{0_real,1_fake}`, test/ as `<generator>/[<class>/]{0_real,1_fake}`."""
    for split in ("train", "val"):
        for object_class in TRAIN_CLASSES:
            _label_folders(writer, f"{split}/{object_class}", "progan", split, object_class)
    for generator, classes in TEST_GENERATORS.items():
        for object_class in classes or (None,):
            folder = f"test/{generator}" + (f"/{object_class}" if object_class else "")
            _label_folders(writer, folder, generator, "test", object_class)
    write_os_files(writer, "train/car/0_real", "00000.png")
    write_os_files(writer, "test", "biggan")
    write_broken_files(writer, "test/biggan/1_fake")


def _label_folders(
    writer: TreeWriter, folder: str, generator: str, split: str, object_class: str | None
) -> None:
    for label, label_folder in (("real", "0_real"), ("fake", "1_fake")):
        for index in range(PER_FOLDER):
            suffix = "PNG" if (folder, label, index) == ("test/deepfake", "fake", 1) else "png"
            path = f"{folder}/{label_folder}/{index:05d}.{suffix}"
            encode = real_png if label == "real" else fake_png
            writer.image(
                path,
                encode(writer.tree, path, SIDE),
                generator=generator,
                split=split,
                label=label,
                object_class=object_class,
            )
