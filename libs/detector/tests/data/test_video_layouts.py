"""The video layouts end to end: a tree of real video files scanned into frame records, loaded, de-duplicated,
registered by the command line and listed in a video manifest."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from data_fixtures import encode, noise_image
from video_fixtures import Clip, expected_frames, packet_times, reference_frames, write_clip

from mirage_detector.data import loading
from mirage_detector.data.dedupe import dedupe_records, find_split_leaks, split_records
from mirage_detector.data.layouts import LayoutOptionError, ScanResult, create_layout, parse_layout_options
from mirage_detector.data.loading import BadImageError, clear_video_cache, load_record_image
from mirage_detector.data.records import ImageRecord, ManifestError, read_manifest, write_manifest

VIDEOS: dict[str, tuple[Clip, int]] = {  # uri -> (clip, label)
    "real/a.mp4": (Clip("", "mp4", "libx264", 64, 48, 10, 12), 0),
    "real/sub/b.webm": (Clip("", "webm", "libvpx-vp9", 96, 64, 24, 10), 0),
    "real/c.avi": (Clip("", "avi", "mpeg4", 64, 48, 24, 9), 0),
    "fake/c.mkv": (Clip("", "matroska", "ffv1", 160, 90, 30, 8), 1),
    "fake/e.MOV": (Clip("", "mov", "mjpeg", 96, 64, 30, 7), 1),
    "fake/vfr.mp4": (
        Clip("", "mp4", "libx264", 64, 48, 24, 6, (0, 40, 90, 600, 610, 1530), Fraction(1, 1000)),
        1,
    ),
}
CODECS = {"libx264": "h264", "libvpx-vp9": "vp9", "ffv1": "ffv1", "mpeg4": "mpeg4", "mjpeg": "mjpeg"}
SKIPPED = {  # path -> reason; the cut file's frame count depends on where the half falls
    "real/a.jpg": "not a video file name (suffix '.jpg')",
    "real/a.json": "not a video file name (suffix '.json')",
    "fake/notes.mp4": "not a decodable video: InvalidDataError: Invalid data found when processing input",
    "fake/zero.avi": "no frames (the video stream is empty)",
    "fake/cut.avi": "truncated video: decoded N of 24 frames",
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Videos of every container, a thumbnail and a sidecar beside one, bad videos, and OS debris."""
    root = tmp_path_factory.mktemp("videos")
    for seed, (uri, (clip, _)) in enumerate(VIDEOS.items()):
        write_clip(root / uri, clip, seed=seed)
    (root / "real/a.jpg").write_bytes(encode(noise_image(64, 48), "JPEG"))
    (root / "real/a.json").write_text('{"prompt": "a cat"}')
    (root / "real/.DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "fake/notes.mp4").write_text("not a video, whatever its name says\n")
    write_clip(root / "fake/zero.avi", Clip("", "avi", "mpeg4", 64, 48, 24, 0))
    full = write_clip(root / "cut-source.avi", Clip("", "avi", "mpeg4", 64, 48, 24, 24), seed=9).read_bytes()
    (root / "fake/cut.avi").write_bytes(full[: len(full) // 2])
    (root / "cut-source.avi").unlink()
    return root


def _scan(root: Path, **options: object) -> ScanResult:
    return create_layout("video-folder", generator="sora", real_generator="youtube", **options).scan(root)


def _by_video(records: list[ImageRecord]) -> dict[str, list[ImageRecord]]:
    videos: dict[str, list[ImageRecord]] = {}
    for record in records:
        videos.setdefault(record.uri, []).append(record)
    return videos


@pytest.mark.parametrize(
    ("sample", "max_frames"),
    [("fps:2", 16), ("fps:12", 4), ("every:4", 16), ("frames:3", 16), ("fps:100", 5)],
)
def test_each_video_gives_the_frames_its_rule_picks(tree: Path, sample: str, max_frames: int) -> None:
    scan = _scan(tree, sample=sample, max_frames=max_frames)
    videos = _by_video(scan.records)
    assert sorted(videos) == sorted(VIDEOS)
    for uri, (clip, label) in VIDEOS.items():
        times = packet_times(tree / uri)
        assert len(times) == clip.n_frames
        frames = expected_frames(times, sample, max_frames)
        records = videos[uri]
        assert [r.frame for r in records] == frames, uri
        assert [r.timestamp for r in records] == [float(times[i]) for i in frames]
        assert {(r.width, r.height, r.format) for r in records} == {
            (clip.width, clip.height, CODECS[clip.codec])
        }
        assert {(r.label, r.generator, r.split) for r in records} == {
            (label, ["youtube", "sora"][label], "test")
        }
        assert {r.video_id for r in records} == {uri.rsplit(".", 1)[0]}
        assert {r.jpeg_quality for r in records} == {None} and len({r.sha256 for r in records}) == 1


def test_variable_frame_rate_samples_by_time(tree: Path) -> None:
    frames = [(r.frame, r.timestamp) for r in _scan(tree).records if r.uri == "fake/vfr.mp4"]
    assert frames == [(0, 0.0), (3, 0.6), (5, 1.53)]  # t = 0, 0.5; then 1.0 and 1.5 both reach frame 5


def test_bad_videos_and_other_files_are_skipped_once_with_their_reason(tree: Path) -> None:
    scan = _scan(tree)
    reasons = {skipped.path: skipped.reason for skipped in scan.skipped}
    assert sorted(reasons) == sorted(SKIPPED)
    assert {
        path: re.sub(r"decoded \d+ of", "decoded N of", reason) for path, reason in reasons.items()
    } == SKIPPED
    assert dict(scan.ignored) == {"hidden or OS file": 1}


def test_limits_skip_videos(tree: Path) -> None:
    scan = _scan(tree, max_pixels=64 * 48, max_duration_s=1.0)
    reasons = {skipped.path: skipped.reason for skipped in scan.skipped}
    assert reasons["fake/c.mkv"] == "160x90 exceeds the limit of 3072 pixels"
    assert reasons["real/a.mp4"] == "duration 1.2 s exceeds the limit of 1 s"
    assert sorted(_by_video(scan.records)) == ["real/c.avi"]


def test_frames_load_pixel_exact_and_each_video_is_read_once(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _scan(tree, sample="every:2").records
    reads: Counter[str] = Counter()
    real_read = loading.read_local_file

    def counting_read(uri: str) -> bytes:
        reads[uri] += 1
        return real_read(uri)

    monkeypatch.setattr(loading, "read_local_file", counting_read)
    clear_video_cache()
    references = {uri: reference_frames(tree / uri) for uri in VIDEOS}
    for record in records:
        located = dataclasses.replace(record, uri=str(tree / record.uri))
        image = load_record_image(located)
        assert image.mode == "RGB" and image.size == (record.width, record.height)
        assert np.array_equal(np.asarray(image), references[record.uri][record.frame]), record
    assert sorted(reads.values()) == [1] * len(VIDEOS)
    clear_video_cache()


def test_a_frame_past_the_end_or_of_a_missing_video_is_a_bad_image(tree: Path) -> None:
    record = next(r for r in _scan(tree).records if r.uri == "real/a.mp4")
    past = dataclasses.replace(record, uri=str(tree / record.uri), frame=12)
    with pytest.raises(BadImageError, match="frame 12 not found"):
        load_record_image(past)
    gone = dataclasses.replace(record, uri=str(tree / "real/gone.mp4"))
    with pytest.raises(BadImageError, match="unreadable file: FileNotFoundError"):
        load_record_image(gone)
    clear_video_cache()


def test_dedupe_keeps_every_frame_and_drops_a_copied_video_whole(tree: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(tree, copy)
    shutil.copy(copy / "fake/vfr.mp4", copy / "fake/z-copy.mp4")
    records = _scan(copy, sample="every:1").records
    result = dedupe_records(records)
    assert [r for r in records if r.uri != "fake/z-copy.mp4"] == result.records
    assert result.n_dropped == 6 and [g.frame for g in result.duplicates] == list(range(6))
    resplit = split_records(records, {"train": 0.5, "val": 0.25, "test": 0.25}, seed=3)
    assert find_split_leaks(resplit) == {}
    assert all(len({r.split for r in frames}) == 1 for frames in _by_video(resplit).values())


def test_same_stem_videos_get_distinct_ids(tmp_path: Path) -> None:
    clip = Clip("", "matroska", "ffv1", 64, 48, 10, 3)
    for name in ("fake/x.mkv", "fake/x.webm", "fake/y.mkv"):
        write_clip(
            tmp_path / name, clip if name.endswith("mkv") else Clip("", "webm", "libvpx-vp9", 64, 48, 10, 3)
        )
    records = create_layout("video-folder", generator="g", real_dir=None).scan(tmp_path).records
    assert sorted({r.video_id for r in records}) == ["fake/x.mkv", "fake/x.webm", "fake/y"]


def test_register_command_summarises_videos_and_the_manifest_round_trips(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.jsonl"
    command = [sys.executable, "-m", "mirage_detector.data.register", "--layout", "video-folder"]
    command += [
        "--root",
        str(tree),
        "--option",
        "generator=sora",
        "--option",
        "sample=fps:4",
        "--out",
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    records = read_manifest(out)
    expected = sum(len(expected_frames(packet_times(tree / uri), "fps:4", 16)) for uri in VIDEOS)
    assert summary["n_videos"] == len(VIDEOS) and summary["n_images"] == len(records) == expected
    assert summary["counts"]["by_generator"] == {"sora": expected}
    assert sum(summary["counts"]["by_label"].values()) == expected and summary["duplicates_dropped"] == 0
    assert sorted(s["uri"] for s in summary["skipped"]) == sorted(SKIPPED)
    assert [(r.uri, r.frame) for r in records] == sorted((r.uri, r.frame) for r in records)
    for name in ("again.jsonl", "again.csv"):
        write_manifest(records, tmp_path / name)
        assert read_manifest(tmp_path / name) == records
    # A registered video manifest read back through the image manifest layout keeps its frames as they are.
    again = create_layout("manifest", base=str(tree)).scan(out).records
    assert again == records


def _write_list(path: Path, rows: list[dict[str, str]]) -> Path:
    if path.suffix == ".csv":
        columns = list(dict.fromkeys(key for row in rows for key in row))
        lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
        path.write_text("\n".join(lines) + "\n")
    else:
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_video_manifest_lists_videos_relative_to_its_folder(tree: Path, suffix: str) -> None:
    rows = [
        {"uri": "real/a.mp4", "label": "real", "generator": "youtube", "split": "train"},
        {"uri": "fake/vfr.mp4", "label": "fake", "generator": "sora", "split": "test", "video_id": "sora-17"},
        {"uri": "fake/notes.mp4", "label": "fake", "generator": "sora", "split": "test"},
        {"uri": "fake/missing.mp4", "label": "fake", "generator": "sora", "split": "test"},
        {"uri": "../elsewhere.mp4", "label": "fake", "generator": "sora", "split": "test"},
        {"uri": "s3://bucket/v.mp4", "label": "fake", "generator": "sora", "split": "test"},
    ]
    listing = _write_list(tree / f"list{suffix}", rows)
    try:
        scan = create_layout("video-manifest", sample="fps:2").scan(listing)
    finally:
        listing.unlink()
    folder = {(r.uri, r.frame): r for r in _scan(tree).records}
    assert [r.video_id for r in scan.records] == ["real/a"] * 3 + ["sora-17"] * 3
    for record in scan.records:
        same = folder[record.uri, record.frame]
        assert record == dataclasses.replace(same, split=record.split, video_id=record.video_id)
    reasons = {s.path: s.reason for s in scan.skipped}
    assert reasons["fake/notes.mp4"] == SKIPPED["fake/notes.mp4"]
    assert reasons["fake/missing.mp4"].startswith("unreadable file: FileNotFoundError")
    assert reasons["s3://bucket/v.mp4"] == "remote uri: list local files, the scan decodes them"
    assert any("outside the dataset root" in reason for reason in reasons.values())


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"uri": "a.mp4", "label": "maybe", "generator": "g", "split": "test"}], "line 2: field 'label'"),
        ([{"uri": "a.mp4", "label": "real", "generator": "g", "split": "dev"}], "line 2: field 'split'"),
        (
            [{"uri": "a.mp4", "label": "real", "generator": "g", "split": "test", "fps": "2"}],
            "unknown column",
        ),
        (
            [{"uri": "a.mp4", "label": "real", "split": "test"}],
            "line 1: missing required column(s) 'generator'",
        ),
        (
            [{"uri": "a.mp4", "label": "real", "generator": "g", "split": "test"}] * 2,
            "line 3: uri 'a.mp4' is already listed (",
        ),
        (
            [
                {"uri": "a.mp4", "label": "real", "generator": "g", "split": "test", "video_id": "v"},
                {"uri": "b.mp4", "label": "real", "generator": "g", "split": "test", "video_id": "v"},
            ],
            "line 3: video_id 'v' already names a.mp4",
        ),
    ],
)
def test_video_manifest_errors_name_the_file_and_line(
    tmp_path: Path, rows: list[dict[str, str]], message: str
) -> None:
    listing = _write_list(tmp_path / "list.csv", rows)
    with pytest.raises(ManifestError, match=re.escape(f"{listing} ") + ".*" + re.escape(message)):
        create_layout("video-manifest").scan(listing)


def test_video_manifest_jsonl_errors(tmp_path: Path) -> None:
    listing = tmp_path / "list.jsonl"
    listing.write_text('{"uri": "a.mp4", "label": "real", "generator": "g", "split": "test"}\n{oops\n')
    with pytest.raises(ManifestError, match=re.escape(f"{listing} line 2: invalid JSON")):
        create_layout("video-manifest").scan(listing)


def test_video_layout_options_are_checked() -> None:
    assert parse_layout_options("video-folder", {"sample": "every:3", "max_duration_s": "12.5"}) == {
        "sample": "every:3",
        "max_duration_s": 12.5,
    }
    with pytest.raises(LayoutOptionError, match="option 'sample': sampling rule 'fps:0'"):
        create_layout("video-folder", generator="g", sample="fps:0")
    with pytest.raises(LayoutOptionError, match="option 'max_frames' must be >= 1"):
        create_layout("video-manifest", max_frames=0)
    with pytest.raises(LayoutOptionError, match="option 'max_duration_s' must be > 0"):
        create_layout("video-manifest", max_duration_s=0)
