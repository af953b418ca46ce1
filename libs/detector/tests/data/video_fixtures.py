"""Helpers for the video tests: tiny videos written with PyAV, and what they hold read back without our code.

No binary fixtures in git: every video is encoded by the test that needs it, in well under a second.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# Fast settings: libvpx's defaults spend ~20 ms a frame even on 96x64 noise.
_CODEC_OPTIONS: dict[str, dict[str, str]] = {"libvpx-vp9": {"deadline": "realtime", "cpu-used": "8"}}
_PIXEL_FORMATS: dict[str, str] = {"mjpeg": "yuvj420p"}


@dataclass(frozen=True)
class Clip:
    """A video to write: container format (PyAV's name), codec, size, frame rate and frame count.

    pts (in time_base units) gives frames explicit, possibly irregular, presentation times.
    """

    name: str
    container: str
    codec: str
    width: int
    height: int
    rate: int
    n_frames: int
    pts: tuple[int, ...] | None = None
    time_base: Fraction | None = None


def write_clip(
    path: Path, clip: Clip, seed: int = 0, faststart: bool = False, mean: float | None = None
) -> Path:
    """Encode `clip` to `path` as noise frames: noise compresses badly, so a cut file really loses frames.

    mean: noise around this grey level (sd 25) instead of uniform noise, for a dark or a bright video.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"movflags": "faststart"} if faststart else {}
    rng = np.random.default_rng(seed)
    with av.open(str(path), "w", format=clip.container, options=options) as container:
        stream = container.add_stream(clip.codec, rate=clip.rate, options=_CODEC_OPTIONS.get(clip.codec, {}))
        stream.width, stream.height = clip.width, clip.height
        stream.pix_fmt = _PIXEL_FORMATS.get(clip.codec, "yuv420p")
        if clip.time_base is not None:
            stream.codec_context.time_base = clip.time_base
        if clip.n_frames == 0:
            container.start_encoding()  # header only: a video stream without a frame
        for index in range(clip.n_frames):
            shape = (clip.height, clip.width, 3)
            if mean is None:
                pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
            else:
                pixels = np.clip(rng.normal(mean, 25, shape), 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            if clip.pts is not None:
                frame.pts, frame.time_base = clip.pts[index], clip.time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def audio_only_mp4() -> bytes:
    """An .mp4 holding one AAC stream and no video."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=8000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate = 8000
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    return buffer.getvalue()


def packet_times(path: Path) -> list[Fraction]:
    """Presentation times of the first video stream's packets, sorted, relative to the first, exact.

    Read by demuxing only (no decoding), so it checks the decoder-side code independently.
    """
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        pts = sorted(p.pts for p in container.demux(stream) if p.pts is not None and p.size > 0)
        time_base = Fraction(stream.time_base)
    return [(value - pts[0]) * time_base for value in pts]


def reference_frames(path: Path) -> list[np.ndarray]:
    """Every frame as an RGB array, decoded plainly with PyAV."""
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def expected_frames(times: list[Fraction], sample: str, max_frames: int) -> list[int]:
    """The sampling rule's frames, computed by brute force in exact arithmetic (not with the library)."""
    kind, _, text = sample.partition(":")
    n = len(times)
    if kind == "every":
        picked = list(range(0, n, int(text)))
    elif kind == "frames":
        picked = _even(n, int(text))
    else:
        rate = Fraction(text)
        picked = []
        for k in range(math.floor(times[-1] * rate) + 1):
            first = next(i for i, t in enumerate(times) if t >= k / rate)
            if first not in picked:
                picked.append(first)
    if len(picked) > max_frames:
        picked = [picked[position] for position in _even(len(picked), max_frames)]
    return picked


def _even(n: int, k: int) -> list[int]:
    if k >= n:
        return list(range(n))
    if k == 1:
        return [0]
    return sorted({math.floor(Fraction(i * (n - 1), k - 1) + Fraction(1, 2)) for i in range(k)})
