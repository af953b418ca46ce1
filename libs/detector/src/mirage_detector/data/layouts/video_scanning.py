"""What the video layouts share: their sampling options, video ids, and one video file into frame records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mirage_detector.data.image_header import sha256_hex
from mirage_detector.data.layouts.registry import SkippedFile
from mirage_detector.data.layouts.scanning import ScanOptions, file_scanned, read_file
from mirage_detector.data.records import ImageRecord
from mirage_detector.data.video import (
    DEFAULT_MAX_DURATION_S,
    SamplingRule,
    VideoLimits,
    parse_sampling_rule,
    probe_video,
    sample_frames,
)


@dataclass(frozen=True, kw_only=True)
class VideoScanOptions(ScanOptions):
    """Options of the video layouts: which frames of each video become records, and which videos are skipped.

    sample: one rule, `fps:R` (R frames per second of video time: for t = 0, 1/R, 2/R, ... the first frame
    at or after t, each frame once, so variable frame rates sample by time), `every:K` (frames 0, K, 2K,
    ...) or `frames:K` (K frames spread evenly, first and last included). max_frames: at most this many
    frames per video, an evenly spread subset of the sampled ones (a long clip gives frames over its whole
    length). See video.sample_frames for the exact rule. max_duration_s: longer videos are skipped.
    max_pixels applies per frame; verify adds nothing, since probing a video decodes all its frames.
    """

    sample: str = "fps:2"
    max_frames: int = 16
    max_duration_s: float = DEFAULT_MAX_DURATION_S

    def __post_init__(self) -> None:
        super().__post_init__()
        try:
            parse_sampling_rule(self.sample)
        except ValueError as error:
            raise ValueError(f"option 'sample': {error}") from None
        if self.max_frames < 1:
            raise ValueError(f"option 'max_frames' must be >= 1, got {self.max_frames}")
        if self.max_duration_s <= 0:
            raise ValueError(f"option 'max_duration_s' must be > 0, got {self.max_duration_s}")

    @property
    def sampling_rule(self) -> SamplingRule:
        """The parsed `sample` option."""
        return parse_sampling_rule(self.sample)


def default_video_ids(uris: Sequence[str]) -> dict[str, str]:
    """uri -> video id: the uri without its suffix ("fake/clip.mp4" -> "fake/clip"), unique per file.

    Videos that would share an id (clip.mp4 beside clip.webm) keep their whole uri as id instead.
    """
    stems = {uri: str(PurePosixPath(uri).with_suffix("")) for uri in uris}
    counts = Counter(stems.values())
    ids = {uri: stem if counts[stem] == 1 else uri for uri, stem in stems.items()}
    if len(set(ids.values())) < len(ids):  # a stem equal to another file's uri (x.mp4 and x.mp4.mkv)
        ids = {uri: uri for uri in uris}
    return ids


def scan_video(
    path: Path, uri: str, video_id: str, label: int, generator: str, split: str, options: VideoScanOptions
) -> list[ImageRecord] | SkippedFile:
    """One video file into its sampled frame records (uri and sha256 the video's), or why it is skipped."""
    outcome = _video_records(path, uri, video_id, label, generator, split, options)
    file_scanned()
    return outcome


def _video_records(
    path: Path, uri: str, video_id: str, label: int, generator: str, split: str, options: VideoScanOptions
) -> list[ImageRecord] | SkippedFile:
    data = read_file(path, uri)
    if isinstance(data, SkippedFile):
        return data
    probe = probe_video(data, VideoLimits(options.max_pixels, options.max_duration_s))
    if isinstance(probe, str):
        return SkippedFile(uri, probe)
    digest = sha256_hex(data)
    return [
        ImageRecord(
            uri=uri,
            label=label,
            generator=generator,
            split=split,
            width=probe.width,
            height=probe.height,
            format=probe.codec,
            sha256=digest,
            video_id=video_id,
            frame=index,
            timestamp=probe.timestamps[index],
        )
        for index in sample_frames(probe.timestamps, options.sampling_rule, options.max_frames)
    ]
