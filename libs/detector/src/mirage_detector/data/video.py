"""Video probing, deterministic frame sampling and frame decoding, with PyAV (FFmpeg).

A video enters a dataset as frame records (see records.ImageRecord): a scan probes each video once
(`probe_video` decodes every frame, to count them and read their timestamps), picks frames with
`sample_frames`, and loading decodes a picked frame again from the video's bytes (`VideoFrameReader`,
`decode_frames`). Frames are numbered in the decoder's output order of the container's first video
stream, which is presentation order (the decoder reorders B-frames). A frame's pixels are PyAV's
`VideoFrame.to_image()` (rgb24, converted from the frame's own colorspace), which is what any PyAV user
decoding the file gets; rotation metadata is not applied (frames are kept as coded).
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from fractions import Fraction

import av
import av.container
import av.error
from PIL import Image

from mirage_detector.data.loading import DEFAULT_MAX_PIXELS, BadImageError

DEFAULT_MAX_DURATION_S = 600.0
"""Videos longer than this (10 minutes) are refused: generator clips last seconds, a film is a mistake."""

SAMPLING_KINDS: tuple[str, ...] = ("fps", "every", "frames")
"""The frame sampling rules, written `fps:R`, `every:K` or `frames:K` (see `parse_sampling_rule`)."""

TRUNCATION_SLACK_S = 0.5
"""How far decoded frames may end before a declared duration (streams that declare no frame count).

Muxers round durations to the millisecond and end them one frame after the last frame starts; half a
second (or two frame intervals, if longer) is far above that and far below what a cut download loses.
"""

_TIME_EPSILON = 1e-6
# A frame within 1 µs below a sampling time t_k counts as reaching it: pts x time_base is exact (Fraction),
# but t_k = k / R is a float, and 10/30 s against 1/3 s must not flip on the last bit.

_FFMPEG_ERRORS = (av.error.FFmpegError, OSError, ValueError)
# What opening or decoding malformed bytes raises (av's errors also subclass OSError or ValueError).


@dataclass(frozen=True)
class VideoLimits:
    """What a probe refuses: frames of more than max_pixels pixels, videos longer than max_duration_s."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    max_duration_s: float = DEFAULT_MAX_DURATION_S


@dataclass(frozen=True)
class VideoProbe:
    """What decoding a whole video found: frame size, codec and every frame's time in presentation order.

    timestamps are seconds relative to the first frame (the first is 0.0), non-decreasing.
    """

    width: int
    height: int
    codec: str
    timestamps: tuple[float, ...]

    @property
    def n_frames(self) -> int:
        """How many frames decoded."""
        return len(self.timestamps)


@dataclass(frozen=True)
class SamplingRule:
    """Which frames of a video become records: kind "fps" (value: frames per second of video time),
    "every" (every value-th frame) or "frames" (value frames spread evenly); see `sample_frames`."""

    kind: str
    value: float

    def __post_init__(self) -> None:
        if self.kind not in SAMPLING_KINDS:
            raise ValueError(
                f"sampling rule kind must be one of {', '.join(SAMPLING_KINDS)}, got {self.kind!r}"
            )
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"sampling rule {self.kind}: value must be a finite number, got {value!r}")
        if self.kind == "fps" and value <= 0:
            raise ValueError(f"sampling rule fps:R needs a rate R > 0, got {value!r}")
        if self.kind != "fps" and (value != int(value) or value < 1):
            raise ValueError(f"sampling rule {self.kind}:K needs a whole number K >= 1, got {value!r}")

    def __str__(self) -> str:
        return f"{self.kind}:{self.value:g}"


class _RefusedError(Exception):
    """A video a probe or decoder will not use; `reason` is the skip reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_sampling_rule(text: str) -> SamplingRule:
    """`fps:R`, `every:K` or `frames:K` (e.g. "fps:2", "every:10", "frames:8") as a SamplingRule."""
    kind, sep, value = text.strip().partition(":")
    expected = "expected fps:R (R > 0 frames per second), every:K or frames:K (K a whole number >= 1)"
    if not sep or kind.strip() not in SAMPLING_KINDS:
        raise ValueError(f"sampling rule {text!r}: {expected}")
    try:
        number = float(value) if kind.strip() == "fps" else int(value)
        return SamplingRule(kind.strip(), number)
    except ValueError:
        raise ValueError(f"sampling rule {text!r}: {expected}") from None


def sample_frames(timestamps: Sequence[float], rule: SamplingRule, max_frames: int) -> list[int]:
    """Indices of the frames to keep, increasing; the same timestamps and rule always give the same frames.

    Given n frames with non-decreasing timestamps (seconds, first 0.0):
    - every:K keeps frames 0, K, 2K, ... < n;
    - fps:R keeps, for t_k = k / R (k = 0, 1, ...), the first frame whose timestamp is >= t_k, each frame
      once: it samples by time, so a variable-frame-rate video gets R frames per second of its duration;
    - frames:K keeps round(i * (n - 1) / (K - 1)) for i = 0..K-1 (halves round up; first and last frame
      included; K = 1 keeps frame 0; K >= n keeps every frame).
    Then, if more than max_frames were kept, the evenly spread subset chosen as frames:max_frames chooses
    among the kept ones (positions round(j * (m - 1) / (max_frames - 1))): a long clip yields frames spread
    over its whole length, not its first max_frames / R seconds.
    """
    if max_frames < 1:
        raise ValueError(f"max_frames must be >= 1, got {max_frames}")
    n = len(timestamps)
    if rule.kind == "every":
        kept = list(range(0, n, int(rule.value)))
    elif rule.kind == "frames":
        kept = _spread(n, int(rule.value))
    else:
        kept = _at_rate(timestamps, float(rule.value))
    if len(kept) > max_frames:
        kept = [kept[position] for position in _spread(len(kept), max_frames)]
    return kept


def _spread(n: int, k: int) -> list[int]:
    """round(i * (n - 1) / (k - 1)) for i < k, in integers (half up); every index when k >= n."""
    if k >= n:
        return list(range(n))
    if k == 1:
        return [0]
    return [(2 * i * (n - 1) + (k - 1)) // (2 * (k - 1)) for i in range(k)]


def _at_rate(timestamps: Sequence[float], rate: float) -> list[int]:
    kept: list[int] = []
    k = 0
    for index, time in enumerate(timestamps):
        if time >= k / rate - _TIME_EPSILON:
            kept.append(index)
            # The next sampling time is the first one this frame does not reach (several may fall in a gap).
            k = math.floor((time + _TIME_EPSILON) * rate) + 1
    return kept


def probe_video(data: bytes, limits: VideoLimits | None = None) -> VideoProbe | str:
    """Decode every frame of a video's bytes: its VideoProbe, or the reason it is refused (a skip reason).

    Refused: bytes no demuxer opens, a still image, no video stream, no decoder for its codec, frames above
    max_pixels (from the stream header, before decoding), longer than max_duration_s (declared or
    decoded), no frames, frames without or with backward timestamps, a decode error, or fewer frames than
    the container declares (or, where it declares no count, frames ending well before its duration).
    """
    limits = limits or VideoLimits()
    try:
        container, stream = _open(data, limits.max_pixels)
        with container:
            declared = _declared_duration(container, stream)
            if declared is not None and declared > limits.max_duration_s:
                raise _RefusedError(_too_long(declared, limits.max_duration_s))
            timestamps, end = _decode_timestamps(container, stream, limits)
            _check_complete(stream, timestamps, end, declared)
            context = stream.codec_context
            return VideoProbe(context.width, context.height, context.codec.canonical_name, tuple(timestamps))
    except _RefusedError as refused:
        return refused.reason


def _decode_timestamps(
    container: av.container.InputContainer, stream: av.VideoStream, limits: VideoLimits
) -> tuple[list[float], float]:
    """Every frame's time relative to the first, and the last frame's absolute time (seconds)."""
    times: list[float] = []
    first: int | None = None
    last = 0.0
    time_base = Fraction(stream.time_base or 1)
    try:
        for frame in container.decode(stream):
            _check_frame_size(frame, limits.max_pixels)
            if frame.pts is None:
                raise _RefusedError(f"frame {len(times)} has no timestamp")
            first = frame.pts if first is None else first
            time = float((frame.pts - first) * time_base)
            if times and time < times[-1]:
                raise _RefusedError(f"frame timestamps go backwards at frame {len(times)}")
            if time > limits.max_duration_s:
                raise _RefusedError(_too_long(time, limits.max_duration_s))
            times.append(time)
            last = float(frame.pts * time_base)
    except _FFMPEG_ERRORS as error:
        raise _RefusedError(
            f"truncated or corrupt video: decode error after {len(times)} frames: {_describe(error)}"
        ) from None
    return times, last


def _check_complete(stream: av.VideoStream, times: list[float], end: float, declared: float | None) -> None:
    if not times:
        raise _RefusedError("no frames (the video stream is empty)")
    if stream.frames > len(times):
        raise _RefusedError(f"truncated video: decoded {len(times)} of {stream.frames} frames")
    if stream.frames == 0 and declared is not None:
        interval = times[-1] / (len(times) - 1) if len(times) > 1 else 0.0
        if declared - end > max(TRUNCATION_SLACK_S, 2 * interval):
            raise _RefusedError(
                f"truncated video: decoded frames end at {end:.2f} s of the declared {declared:.2f} s"
            )


def _too_long(seconds: float, limit: float) -> str:
    return f"duration {seconds:.1f} s exceeds the limit of {limit:g} s"


def iter_frames(
    data: bytes, uri: str, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Generator[tuple[int, av.VideoFrame], None, None]:
    """(index, frame) for every frame of the first video stream, in presentation order; raises BadImageError.

    `uri` only names the video in errors. Close the iterator (or exhaust it) to release the decoder.
    """
    try:
        container, stream = _open(data, max_pixels)
    except _RefusedError as refused:
        raise BadImageError(uri, refused.reason) from None
    with container:
        index = 0
        try:
            for frame in container.decode(stream):
                _check_frame_size(frame, max_pixels)
                yield index, frame
                index += 1
        except _RefusedError as refused:
            raise BadImageError(uri, refused.reason) from None
        except _FFMPEG_ERRORS as error:
            reason = f"truncated or corrupt video: decode error after {index} frames: {_describe(error)}"
            raise BadImageError(uri, reason) from None


def decode_frames(
    data: bytes, uri: str, wanted: Collection[int], max_pixels: int = DEFAULT_MAX_PIXELS
) -> dict[int, Image.Image]:
    """The wanted frames (index -> RGB image), decoding from the start and stopping after the last wanted.

    Raises BadImageError when the video cannot be decoded or ends before a wanted frame.
    """
    wanted = set(wanted)
    if not wanted:
        return {}
    last = max(wanted)
    images: dict[int, Image.Image] = {}
    decoded = 0
    with closing(iter_frames(data, uri, max_pixels)) as frames:
        for index, frame in frames:
            decoded = index + 1
            if index in wanted:
                images[index] = frame.to_image()
            if index >= last:
                break
    missing = sorted(wanted - set(images))
    if missing:
        shown = ", ".join(map(str, missing[:5])) + (", ..." if len(missing) > 5 else "")
        raise BadImageError(uri, f"video has {decoded} frames; frame(s) {shown} not found")
    return images


class VideoFrameReader:
    """Frames of one video by index, decoding forward from the last frame asked for.

    Asking in increasing order (evaluation walks a manifest whose frames of one video are consecutive
    records) decodes the video once; asking for an earlier frame decodes again from the start, since a
    seek lands on a keyframe and finding the exact frame after it is not reliable for every codec. Only
    the last frame asked for is held (as decoded, YUV), so memory is one frame whatever the video's length.
    """

    def __init__(self, data: bytes, uri: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.data = data
        self.uri = uri
        self.max_pixels = max_pixels
        self._frames: Generator[tuple[int, av.VideoFrame], None, None] | None = None
        self._current: tuple[int, av.VideoFrame] | None = None

    def frame(self, index: int) -> Image.Image:
        """Frame `index` as a new RGB image; raises BadImageError when the video has no such frame."""
        if index < 0:
            raise BadImageError(self.uri, f"frame {index} is negative")
        if self._current is not None and index == self._current[0]:
            return self._current[1].to_image()
        if self._frames is None or self._current is None or index < self._current[0]:
            self.close()
            self._frames = iter_frames(self.data, self.uri, self.max_pixels)
        try:
            for position, frame in self._frames:
                if position == index:
                    self._current = (position, frame)
                    return frame.to_image()
        except BadImageError:
            self.close()
            raise
        self.close()
        raise BadImageError(self.uri, f"frame {index} not found: the video ends before it")

    def close(self) -> None:
        """Release the decoder (a later `frame` call opens it again)."""
        if self._frames is not None:
            self._frames.close()  # type: ignore[attr-defined]
        self._frames = None
        self._current = None


def _open(data: bytes, max_pixels: int) -> tuple[av.container.InputContainer, av.VideoStream]:
    """The container and its first video stream, checked before any frame is decoded."""
    if not data:
        raise _RefusedError("empty file (0 bytes)")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except _FFMPEG_ERRORS as error:
        raise _RefusedError(f"not a decodable video: {_describe(error)}") from None
    try:
        return container, _video_stream(container, max_pixels)
    except _RefusedError:
        container.close()
        raise


def _video_stream(container: av.container.InputContainer, max_pixels: int) -> av.VideoStream:
    name = container.format.name
    # FFmpeg opens a single JPEG or PNG as a one-frame video; a still image is not a video record.
    if name == "image2" or name.endswith("_pipe"):
        raise _RefusedError(f"a still image ({name}), not a video")
    if not container.streams.video:
        raise _RefusedError("no video stream")
    stream = container.streams.video[0]
    context = stream.codec_context
    if context is None:
        raise _RefusedError("no decoder for the video stream's codec")
    width, height = context.width, context.height
    if width < 1 or height < 1:
        raise _RefusedError(f"corrupt header: frame size {width}x{height}")
    if width * height > max_pixels:
        raise _RefusedError(f"{width}x{height} exceeds the limit of {max_pixels} pixels")
    return stream


def _check_frame_size(frame: av.VideoFrame, max_pixels: int) -> None:
    # The header's size was checked; a stream may still change size mid-way.
    if frame.width * frame.height > max_pixels:
        raise _RefusedError(f"a {frame.width}x{frame.height} frame exceeds the limit of {max_pixels} pixels")


def _declared_duration(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    """The video stream's length in seconds as the container states it, or None where it states none."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    tag = stream.metadata.get("DURATION")  # Matroska/WebM write each track's length as a tag
    if tag:
        hours, _, rest = tag.partition(":")
        minutes, _, seconds = rest.partition(":")
        try:
            return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
        except ValueError:
            pass
    if container.duration is not None and len(container.streams) == 1:
        return container.duration / av.time_base
    return None


def _describe(error: BaseException) -> str:
    # FFmpeg errors print "[Errno n] text: '<none>'"; the text alone is what a reader needs.
    text = getattr(error, "strerror", None) or str(error)
    return f"{type(error).__name__}: {text}"
