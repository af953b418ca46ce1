"""Video probing, frame sampling and frame decoding (data/video.py) on real files encoded with PyAV."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from data_fixtures import encode, noise_image
from video_fixtures import (
    Clip,
    audio_only_mp4,
    expected_frames,
    packet_times,
    reference_frames,
    write_clip,
)

from mirage_detector.data.loading import BadImageError
from mirage_detector.data.video import (
    SamplingRule,
    VideoFrameReader,
    VideoLimits,
    VideoProbe,
    decode_frames,
    parse_sampling_rule,
    probe_video,
    sample_frames,
)

CLIPS = [
    Clip("a.mp4", "mp4", "libx264", 64, 48, 10, 12),
    Clip("b.webm", "webm", "libvpx-vp9", 96, 64, 24, 10),
    Clip("c.mkv", "matroska", "ffv1", 160, 90, 30, 8),
    Clip("d.avi", "avi", "mpeg4", 64, 48, 24, 9),
    Clip("e.mov", "mov", "mjpeg", 96, 64, 30, 7),
]
CODECS = {"libx264": "h264", "libvpx-vp9": "vp9", "ffv1": "ffv1", "mpeg4": "mpeg4", "mjpeg": "mjpeg"}
VFR_PTS = (0, 40, 90, 100, 250, 600, 610, 1000, 1500, 1530)  # milliseconds, deliberately irregular
VFR = Clip("vfr.mp4", "mp4", "libx264", 64, 48, 24, len(VFR_PTS), VFR_PTS, Fraction(1, 1000))


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    written = {
        clip.name: write_clip(folder / clip.name, clip, seed=i) for i, clip in enumerate([*CLIPS, VFR])
    }
    long = Clip("long.mkv", "matroska", "libx264", 64, 48, 10, 20)
    written["long.mkv"] = write_clip(folder / "long.mkv", long)
    written["faststart.mp4"] = write_clip(
        folder / "faststart.mp4", Clip("", "mp4", "libx264", 64, 48, 24, 24), 3, True
    )
    written["zero.avi"] = write_clip(folder / "zero.avi", Clip("", "avi", "mpeg4", 64, 48, 24, 0))
    return written


def _probe(data: bytes, **limits: float) -> VideoProbe:
    probe = probe_video(data, VideoLimits(**limits))  # type: ignore[arg-type]
    assert isinstance(probe, VideoProbe), probe
    return probe


@pytest.mark.parametrize("clip", CLIPS, ids=lambda clip: clip.name)
def test_probe_reads_size_codec_and_every_frame_time(clip: Clip, clips: dict[str, Path]) -> None:
    path = clips[clip.name]
    probe = _probe(path.read_bytes())
    assert (probe.width, probe.height, probe.codec) == (clip.width, clip.height, CODECS[clip.codec])
    assert probe.n_frames == clip.n_frames == len(reference_frames(path))
    assert list(probe.timestamps) == [float(t) for t in packet_times(path)]
    assert probe.timestamps[0] == 0.0


def test_variable_frame_rate_keeps_the_encoded_times(clips: dict[str, Path]) -> None:
    probe = _probe(clips["vfr.mp4"].read_bytes())
    assert list(probe.timestamps) == [p / 1000 for p in VFR_PTS]


def _reason(data: bytes, **limits: float) -> str:
    outcome = probe_video(data, VideoLimits(**limits))  # type: ignore[arg-type]
    assert isinstance(outcome, str), outcome
    return outcome


def test_bad_files_are_refused_with_a_reason(clips: dict[str, Path]) -> None:
    mp4 = clips["a.mp4"].read_bytes()
    avi = clips["d.avi"].read_bytes()
    assert _reason(b"this is a caption file, not a video\n") == (
        "not a decodable video: InvalidDataError: Invalid data found when processing input"
    )
    assert _reason(b"") == "empty file (0 bytes)"
    assert _reason(encode(noise_image(16, 16), "JPEG")) == "a still image (jpeg_pipe), not a video"
    assert _reason(audio_only_mp4()) == "no video stream"
    # An unknown FourCC: the container parses, no decoder exists for the codec it names.
    assert _reason(avi.replace(b"FMP4", b"QQQQ")) == "no decoder for the video stream's codec"
    assert _reason(clips["zero.avi"].read_bytes()) == "no frames (the video stream is empty)"
    assert _reason(mp4, max_pixels=64 * 48 - 1) == f"64x48 exceeds the limit of {64 * 48 - 1} pixels"
    assert _reason(mp4, max_duration_s=0.5) == "duration 1.2 s exceeds the limit of 0.5 s"


def test_truncated_files_are_refused_whatever_the_container(clips: dict[str, Path]) -> None:
    def first_half(name: str) -> bytes:
        data = clips[name].read_bytes()
        return data[: len(data) // 2]

    # mp4 writes its index (moov) last: half a file has none and does not open.
    assert _reason(first_half("a.mp4")).startswith("not a decodable video: InvalidDataError")
    # With the index first the cut shows while decoding.
    assert _reason(first_half("faststart.mp4")).startswith("truncated or corrupt video: decode error after ")
    # AVI declares its frame count; Matroska declares only a duration.
    assert re.fullmatch(r"truncated video: decoded \d of 9 frames", _reason(first_half("d.avi")))
    assert re.fullmatch(
        r"truncated video: decoded frames end at 0\.\d\d s of the declared 2\.00 s",
        _reason(first_half("long.mkv")),
    )


@pytest.mark.parametrize(
    ("rule", "max_frames"),
    [
        *[("fps:2", 16), ("fps:10", 16), ("fps:10", 3), ("fps:100", 16)],
        *[("every:3", 16), ("every:1", 4), ("frames:4", 16), ("frames:1", 16), ("frames:50", 16)],
    ],
)
def test_sampling_matches_the_rule_on_variable_frame_rate(rule: str, max_frames: int) -> None:
    times = [Fraction(p, 1000) for p in VFR_PTS]
    picked = sample_frames([float(t) for t in times], parse_sampling_rule(rule), max_frames)
    assert picked == expected_frames(times, rule, max_frames)


def test_sampling_examples() -> None:
    vfr = [p / 1000 for p in VFR_PTS]
    assert sample_frames(vfr, parse_sampling_rule("fps:2"), 16) == [0, 5, 7, 8]  # t >= 0, 0.5, 1.0, 1.5
    assert sample_frames(vfr, parse_sampling_rule("fps:2"), 2) == [0, 8]
    thirty = [i / 30 for i in range(90)]
    # 10/30 s and 1/3 s differ in the last bit; frame 10 still reaches t = 1/3.
    assert sample_frames(thirty, parse_sampling_rule("fps:3"), 100) == list(range(0, 90, 10))
    assert sample_frames(thirty, parse_sampling_rule("frames:3"), 16) == [0, 45, 89]
    assert sample_frames(thirty, parse_sampling_rule("every:40"), 16) == [0, 40, 80]
    assert sample_frames([], parse_sampling_rule("fps:2"), 16) == []


@pytest.mark.parametrize(
    "text", ["fps", "fps:0", "fps:-1", "fps:nan", "every:0", "every:1.5", "frames:x", "rate:2"]
)
def test_bad_sampling_rules_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="sampling rule"):
        parse_sampling_rule(text)


def test_sampling_rule_reads_back() -> None:
    assert parse_sampling_rule(" fps:2.5 ") == SamplingRule("fps", 2.5)
    assert str(parse_sampling_rule("every:4")) == "every:4"
    with pytest.raises(ValueError, match="max_frames"):
        sample_frames([0.0], parse_sampling_rule("fps:1"), 0)


@pytest.mark.parametrize("name", ["a.mp4", "b.webm", "vfr.mp4"])
def test_decoded_frames_equal_plain_pyav_decoding(name: str, clips: dict[str, Path]) -> None:
    path = clips[name]
    reference = reference_frames(path)
    frames = decode_frames(path.read_bytes(), name, {0, 3, 5})
    assert sorted(frames) == [0, 3, 5]
    for index, image in frames.items():
        assert image.mode == "RGB" and image.size == (reference[0].shape[1], reference[0].shape[0])
        assert np.array_equal(np.asarray(image), reference[index])


def test_missing_frames_and_bad_bytes_raise_bad_image_error(clips: dict[str, Path]) -> None:
    data = clips["a.mp4"].read_bytes()
    with pytest.raises(BadImageError, match="video has 12 frames; frame\\(s\\) 12, 40 not found"):
        decode_frames(data, "a.mp4", {1, 12, 40})
    with pytest.raises(BadImageError, match=r"^x\.mp4: not a decodable video"):
        decode_frames(b"not a video", "x.mp4", {0})
    with pytest.raises(BadImageError, match="exceeds the limit of 100 pixels"):
        decode_frames(data, "a.mp4", {0}, max_pixels=100)
    assert decode_frames(data, "a.mp4", set()) == {}


def test_reader_serves_frames_forward_and_backward(clips: dict[str, Path]) -> None:
    path = clips["d.avi"]
    reference = reference_frames(path)
    reader = VideoFrameReader(path.read_bytes(), "d.avi")
    for index in (0, 2, 2, 8, 1, 4):
        assert np.array_equal(np.asarray(reader.frame(index)), reference[index])
    with pytest.raises(BadImageError, match="frame 9 not found"):
        reader.frame(9)
    assert np.array_equal(np.asarray(reader.frame(3)), reference[3])  # usable again after the miss
    reader.close()
