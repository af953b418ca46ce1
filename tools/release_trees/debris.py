"""The debris real downloads carry, written into a tree next to its images."""

from __future__ import annotations

from .clips import ClipSpec, encode_clip, zero_frame_mp4
from .pixels import photo_jpeg, real_jpeg
from .writer import TreeWriter

DEBRIS_KINDS: dict[str, str] = {
    "os-file": "hidden or OS file a scan counts but does not list",
    "partial-download": "an unfinished download (.part, .crdownload): skipped, listed",
    "truncated": "an image or video cut short: skipped, listed",
    "empty": "a zero-byte file: skipped, listed",
    "not-an-image": "bytes that are no image under an image name: skipped, listed",
    "not-a-video": "bytes that are no video under a video name: skipped, listed",
    "zero-frames": "a video container with a video stream and no frames: skipped, listed",
    "other-file": "a file a video tree carries that is no video by its name (thumbnail.jpg): skipped, listed",
}
"""Debris kind -> how a layout scan must treat it."""

# The AppleDouble header: magic 0x00051607, version 2; macOS writes one "._name" per file on foreign disks.
_APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00" + b"Mac OS X        " + b"\x00" * 58


def write_os_files(writer: TreeWriter, folder: str, image_name: str) -> None:
    """Thumbs.db, desktop.ini, .DS_Store and an AppleDouble twin of `image_name` in `folder`."""
    writer.junk(f"{folder}/Thumbs.db", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56, "os-file")
    writer.junk(f"{folder}/desktop.ini", b"[.ShellClassInfo]\r\nIconResource=x\r\n", "os-file")
    writer.junk(f"{folder}/.DS_Store", b"\x00\x00\x00\x01Bud1" + b"\x00" * 24, "os-file")
    writer.junk(f"{folder}/._{image_name}", _APPLEDOUBLE, "os-file")


def write_macos_archive_folder(writer: TreeWriter, image_path: str) -> None:
    """The __MACOSX/ folder a zip made on macOS extracts to, with the AppleDouble twin of `image_path`."""
    folder, _, name = image_path.rpartition("/")
    writer.junk(f"__MACOSX/{folder}/._{name}", _APPLEDOUBLE, "os-file")


def write_broken_files(writer: TreeWriter, folder: str) -> None:
    """Partial downloads, a truncated JPEG, a zero-byte PNG and a text file named .png in `folder`."""
    whole = real_jpeg(writer.tree, f"{folder}/whole-of-truncated")
    writer.junk(f"{folder}/download.png.part", whole[: len(whole) // 3], "partial-download")
    writer.junk(f"{folder}/download.jpg.crdownload", whole[: len(whole) // 2], "partial-download")
    writer.junk(f"{folder}/truncated.JPEG", whole[: len(whole) * 3 // 5], "truncated")
    writer.junk(f"{folder}/empty.png", b"", "empty")
    writer.junk(
        f"{folder}/error-page.png", b"<html><body>429 Too Many Requests</body></html>\n", "not-an-image"
    )


def write_broken_videos(writer: TreeWriter, folder: str) -> None:
    """A partial and a truncated MP4 (moov at the end, so neither opens), a zero-byte WebM, an MP4 with
    no frames and a text file named .mp4 in `folder`."""
    spec = ClipSpec("mp4", "libx264", 64, 64, 24, tuple(range(12)))
    whole = encode_clip(writer.tree, f"{folder}/whole-of-truncated", spec, fake=False)
    writer.junk(f"{folder}/download.mp4.part", whole[: len(whole) // 3], "partial-download")
    writer.junk(f"{folder}/truncated.mp4", whole[: len(whole) // 2], "truncated")
    writer.junk(f"{folder}/empty.webm", b"", "empty")
    writer.junk(f"{folder}/zero-frames.mp4", zero_frame_mp4(64, 64), "zero-frames")
    writer.junk(f"{folder}/error-page.mp4", b"<html><body>403 Forbidden</body></html>\n", "not-a-video")


def write_thumbnail(writer: TreeWriter, video_path: str, width: int, height: int) -> None:
    """The poster frame download pages save beside a clip, as `thumbnail.jpg` in the clip's folder."""
    folder = video_path.rpartition("/")[0]
    path = f"{folder}/thumbnail.jpg"
    writer.junk(path, photo_jpeg(writer.tree, path, width, height), "other-file")
