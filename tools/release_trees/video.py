"""A generic real/fake video tree as Sora evaluations arrange one: real clips against Sora clips."""

from __future__ import annotations

from .clips import ClipSpec, decoded_timestamps, encode_clip, from_gaps
from .debris import write_broken_videos, write_os_files, write_thumbnail
from .writer import TreeWriter

GENERATOR = "sora"
"""The generator of every record, reals included (a folder registration's real_generator defaults to it)."""

REAL_CLIPS: dict[str, ClipSpec] = {
    "real/city_walk.mp4": ClipSpec("mp4", "libx264", 96, 64, 24, tuple(range(36))),
    # A phone recording: upper-case suffix as iPhones name them, and a sound track beside the video.
    "real/IMG_0420.MOV": ClipSpec("mov", "libx264", 128, 72, 30, tuple(range(30)), audio=True),
    "real/timelapse.webm": ClipSpec("webm", "libvpx-vp9", 64, 64, 10, tuple(range(20))),
    # Variable frame rate: gaps of 1/30 s and 1/10 s, as phones record when the light drops.
    "real/phone_vfr.mp4": ClipSpec("mp4", "libx264", 96, 64, 30, from_gaps((1, 1, 3) * 7 + (1, 1))),
}
"""Real clips: three containers, two codecs, 10-30 fps, 1-2 s."""

FAKE_CLIPS: dict[str, ClipSpec] = {
    "fake/sora/sora_001.mp4": ClipSpec("mp4", "libx264", 128, 72, 30, tuple(range(45))),
    "fake/sora/sora_002.mp4": ClipSpec("mp4", "libx264", 64, 64, 24, tuple(range(24))),
    "fake/sora/sora_003.mp4": ClipSpec("mp4", "libx264", 128, 72, 24, tuple(range(48))),
}
"""Sora clips as H.264 MP4, the format its downloads come in (at a fraction of their 480p-1080p)."""


def build_video(writer: TreeWriter) -> None:
    """`real/*.{mp4,MOV,webm}` and `fake/sora/*.mp4`, recorded with their decoded timestamps, plus debris."""
    for clips, label in ((REAL_CLIPS, "real"), (FAKE_CLIPS, "fake")):
        for path, spec in clips.items():
            data = encode_clip(writer.tree, path, spec, fake=label == "fake")
            writer.video(
                path,
                data,
                generator=GENERATOR,
                split="test",
                label=label,
                timestamps=decoded_timestamps(data),
            )
    write_os_files(writer, "real", "city_walk.mp4")
    write_os_files(writer, "fake/sora", "sora_001.mp4")
    write_thumbnail(writer, "fake/sora/sora_001.mp4", 128, 72)
    write_broken_videos(writer, "real")
