"""Seeded video clips and pinned encoders: each clip's bytes depend only on its path in the tree.

Frames are a drifting colour wave (motion follows each frame's timestamp, so a variable-rate clip moves
unevenly); reals add sensor-like noise, fakes a faint 8-pixel grid, as the images of pixels.py do.
Encoders are pinned for byte-identical output with the same PyAV wheel (its bundled FFmpeg, libx264 and
libvpx): one thread each, and the muxers' bitexact flag (without it WebM writes a random segment UID and
every muxer its version string). Another build of those libraries may encode differently.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate

import av
import numpy as np

from .pixels import rng_for

_MUXER_OPTIONS = {"fflags": "+bitexact"}
_ENCODER_OPTIONS: dict[str, dict[str, str]] = {
    "libx264": {"threads": "1"},
    # "good" with alt-ref frames, as WebM encoders ship; cpu-used 4 keeps it to milliseconds per clip.
    "libvpx-vp9": {"threads": "1", "deadline": "good", "cpu-used": "4"},
}
_AUDIO_RATE = 16_000
_AUDIO_FRAME = 1024
"""AAC's frame length in samples."""


@dataclass(frozen=True)
class ClipSpec:
    """How one clip is encoded: container, codec, size, and each frame's pts in ticks of 1/rate s."""

    container: str
    codec: str
    width: int
    height: int
    rate: int
    ticks: tuple[int, ...]
    audio: bool = False
    """Add an AAC track (a phone recording's sound) after the video stream."""


def from_gaps(gaps: tuple[int, ...]) -> tuple[int, ...]:
    """Ticks of a variable-rate clip: the first frame at 0, then one frame after each gap (in ticks)."""
    return (0, *accumulate(gaps))


def encode_clip(tree: str, relative_path: str, spec: ClipSpec, *, fake: bool) -> bytes:
    """The clip's bytes: its seeded frames at the spec's timestamps, encoded as pinned above."""
    rng = rng_for(tree, relative_path)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=spec.container, options=_MUXER_OPTIONS) as container:
        stream = _video_stream(container, spec)
        audio = container.add_stream("aac", rate=_AUDIO_RATE, layout="mono") if spec.audio else None
        for tick, pixels in zip(spec.ticks, _frames(rng, spec, fake=fake), strict=True):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = tick
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if audio is not None:
            seconds = (spec.ticks[-1] + 1) / spec.rate
            _write_tone(container, audio, rng, seconds)
    return buffer.getvalue()


def zero_frame_mp4(width: int, height: int) -> bytes:
    """An MP4 with an H.264 video stream and no frames (a recording stopped at once, a failed export).

    A plain MP4 drops a track without samples, so this one is fragmented: its moov, written first,
    declares the track, and no fragment follows.
    """
    buffer = io.BytesIO()
    options = {**_MUXER_OPTIONS, "movflags": "+frag_keyframe+empty_moov"}
    with av.open(buffer, "w", format="mp4", options=options) as container:
        _video_stream(container, ClipSpec("mp4", "libx264", width, height, 24, ()))
        container.start_encoding()
    return buffer.getvalue()


def decoded_timestamps(data: bytes) -> list[float]:
    """Seconds from the first frame of each frame PyAV decodes from the first video stream, in
    presentation order: float((pts - first pts) * stream time base)."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        ticks = [frame.pts for frame in container.decode(stream) if frame.pts is not None]
        time_base = stream.time_base or Fraction(1)
    return [float((tick - ticks[0]) * time_base) for tick in ticks] if ticks else []


def _video_stream(container: av.container.OutputContainer, spec: ClipSpec) -> av.VideoStream:
    stream = container.add_stream(spec.codec, rate=spec.rate)
    stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
    stream.codec_context.time_base = Fraction(1, spec.rate)
    stream.options = _ENCODER_OPTIONS[spec.codec]
    return stream


def _frames(rng: np.random.Generator, spec: ClipSpec, *, fake: bool) -> Iterator[np.ndarray]:
    base = rng.uniform(60, 190, size=3)
    colour = rng.uniform(-1.0, 1.0, size=3)
    spatial = rng.uniform(0.5, 2.0, size=2)
    speed = rng.uniform(0.5, 1.5)
    ys = np.linspace(0.0, 1.0, spec.height)[:, None, None]
    xs = np.linspace(0.0, 1.0, spec.width)[None, :, None]
    grid = 6.0 * np.cos(np.arange(max(spec.width, spec.height)) * (np.pi / 4.0))
    for tick in spec.ticks:
        seconds = tick / spec.rate
        wave = 50.0 * np.sin(2.0 * np.pi * (xs * spatial[0] + ys * spatial[1] - speed * seconds))
        field = base + wave * colour
        if fake:
            field = field + grid[: spec.height, None, None] + grid[None, : spec.width, None]
        else:
            field = field + rng.normal(0.0, 3.0, size=(spec.height, spec.width, 3))
        yield np.clip(np.rint(field), 0, 255).astype(np.uint8)


def _write_tone(
    container: av.container.OutputContainer,
    stream: av.AudioStream,
    rng: np.random.Generator,
    seconds: float,
) -> None:
    pitch = rng.uniform(200.0, 600.0)
    n_samples = int(seconds * _AUDIO_RATE)
    tone = 0.2 * np.sin(2.0 * np.pi * pitch * np.arange(n_samples) / _AUDIO_RATE).astype(np.float32)
    for start in range(0, n_samples, _AUDIO_FRAME):
        chunk = tone[start : start + _AUDIO_FRAME]
        frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
        frame.sample_rate, frame.pts = _AUDIO_RATE, start
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
