"""Progress of `mirage data register` on stderr: counted total, rate and ETA, driven by a fake clock."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from data_fixtures import encode, noise_image
from video_fixtures import Clip, write_clip

from mirage_detector.data.layouts import create_layout
from mirage_detector.data.layouts.scanning import reporting_progress
from mirage_detector.data.records import ImageRecord, write_manifest
from mirage_detector.data.register import main
from mirage_detector.data.scan_progress import ScanProgress, clock_time, count_files_to_scan, progress_line


class FakeClock:
    """0, then `step` more on every call: ScanProgress reads it once at the start and once per file."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        now = self.now
        self.now += self.step
        return now


class FakeStream(io.StringIO):
    """stderr as a terminal or as a pipe."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def _images(root: Path, n_per_class: int = 25) -> Path:
    for label in ("real", "fake"):
        (root / label).mkdir(parents=True)
        for i in range(n_per_class):
            seed = i + (1000 if label == "fake" else 0)
            (root / label / f"{i}.png").write_bytes(encode(noise_image(8, 8, seed=seed), "PNG"))
    return root


def _register(root: Path, tmp_path: Path, stream: FakeStream, step: float, *extra: str) -> int:
    argv = ["--layout", "folder", "--root", str(root), "--option", "generator=g"]
    return main([*argv, "--out", str(tmp_path / "m.jsonl"), *extra], stderr=stream, clock=FakeClock(step))


def _expected(n: int, total: int = 50, seconds_per_file: float = 2.0) -> str:
    eta = clock_time((total - n) * seconds_per_file)
    return f"scanned {n}/{total} files ({1 / seconds_per_file:.1f} files/s, ETA {eta})"


def test_a_long_scan_prints_a_line_every_5_s_with_count_rate_and_eta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = FakeStream(tty=False)
    assert _register(_images(tmp_path / "data"), tmp_path, stream, step=2.0) == 0
    # File n ends at 2n s; lines are due at 5, 10, 15, ... s.
    shown = [3, 5, 8, 10, 13, 15, 18, 20, 23, 25, 28, 30, 33, 35, 38, 40, 43, 45, 48, 50]
    assert stream.getvalue().splitlines() == [_expected(n) for n in shown]
    assert stream.getvalue().splitlines()[0] == "scanned 3/50 files (0.5 files/s, ETA 01:34)"
    assert "\r" not in stream.getvalue()
    assert json.loads(capsys.readouterr().out)["n_images"] == 50  # stdout is still the one summary


def test_a_terminal_gets_one_line_redrawn_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = FakeStream(tty=True)
    assert _register(_images(tmp_path / "data"), tmp_path, stream, step=2.0) == 0
    text = stream.getvalue()
    assert "\n" not in text and text.endswith("\r\x1b[K")  # the line is cleared at the end
    draws = text.split("\r")[1:-1]
    assert draws == [f"{_expected(n)}\x1b[K" for n in range(1, 51)]
    assert draws[0] == "scanned 1/50 files (0.5 files/s, ETA 01:38)\x1b[K"
    json.loads(capsys.readouterr().out)


def test_the_progress_option_overrides_the_terminal_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _images(tmp_path / "data")
    on_terminal = FakeStream(tty=True)
    assert _register(root, tmp_path, on_terminal, 2.0, "--progress", "lines", "--progress-every", "20") == 0
    assert on_terminal.getvalue().splitlines() == [_expected(n) for n in (10, 20, 30, 40, 50)]
    piped = FakeStream(tty=False)
    assert _register(root, tmp_path, piped, 2.0, "--progress", "redraw") == 0
    assert piped.getvalue().count("\r") == 51 and "\n" not in piped.getvalue()
    capsys.readouterr()


def test_redraws_are_at_most_ten_a_second() -> None:
    stream = FakeStream(tty=True)
    progress = ScanProgress(1000, stream, clock=FakeClock(0.01))
    for n in range(1, 201):  # two seconds
        progress.update(n)
    progress.close()
    assert 19 <= stream.getvalue().count("\r") - 1 <= 21


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
def test_a_scan_within_the_first_interval_prints_nothing_when_piped(
    tty: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = FakeStream(tty=tty)
    assert _register(_images(tmp_path / "data"), tmp_path, stream, step=0.09) == 0  # 4.5 s in all
    if tty:
        assert stream.getvalue().endswith("\r\x1b[K")
    else:
        assert stream.getvalue() == ""
    assert capsys.readouterr().err == ""


def test_an_error_after_progress_starts_on_a_clean_line(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "real").mkdir(parents=True)
    for i in range(5):
        (root / "real" / f"{i}.txt").write_text("not an image")
    stream = FakeStream(tty=True)
    assert _register(root, tmp_path, stream, 2.0, "--option", "fake_dir=none") == 2
    drawn, error = stream.getvalue().rsplit("\r\x1b[K", 1)
    assert drawn.count("\r") == 5 and error.startswith("error: no usable image") and error.count("\n") == 1


def _ticks(layout: str, root: Path, **options: Any) -> list[int]:
    seen: list[int] = []
    with reporting_progress(seen.append):
        create_layout(layout, **options).scan(root)
    return seen


def test_the_count_is_what_the_scan_goes_through(release_trees: dict[str, Any], tmp_path: Path) -> None:
    for name in ("genimage", "forensynths", "ufd-diffusion"):
        root = Path(release_trees[name]["root"])
        total = count_files_to_scan(create_layout(name), root)
        assert _ticks(name, root) == list(range(1, total + 1)), name
    # Two-folder layouts walk their two folders only, not the rest of the root.
    root = _images(tmp_path / "t2i" / "coco", n_per_class=3).parent
    _images(root / "other", n_per_class=4)
    (root / "coco" / "real" / ".DS_Store").write_bytes(b"\0")
    (root / "coco" / "real" / "notes.txt").write_text("a sidecar, skipped")
    options = {"generator": "g", "real_dir": "coco/real", "fake_dir": "coco/fake"}
    assert count_files_to_scan(create_layout("folder", **options), root) == 7
    assert _ticks("folder", root, **options) == list(range(1, 8))
    real_only = {**options, "fake_dir": None}
    assert count_files_to_scan(create_layout("folder", **real_only), root) == 4
    assert _ticks("folder", root, **real_only) == list(range(1, 5))


def test_videos_count_once_each_as_they_are_decoded(tmp_path: Path) -> None:
    root = tmp_path / "videos"
    write_clip(root / "real" / "a.mp4", Clip("", "mp4", "libx264", 32, 32, 10, 4))
    write_clip(root / "fake" / "b.mp4", Clip("", "mp4", "libx264", 32, 32, 10, 4), seed=1)
    (root / "fake" / "b.json").write_text("{}")
    layout = create_layout("video-folder", generator="sora")
    assert count_files_to_scan(layout, root) == 3
    assert _ticks("video-folder", root, generator="sora") == [1, 2, 3]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_manifest_counts_its_lines_and_the_files_it_reads(tmp_path: Path, suffix: str) -> None:
    root = _images(tmp_path / "data", n_per_class=3)
    records = [
        ImageRecord(uri=f"{label}/{i}.png", label=int(label == "fake"), generator="g", split="test")
        for label in ("real", "fake")
        for i in range(3)
    ]
    write_manifest(records, root / f"m{suffix}")
    layout = create_layout("manifest")
    assert count_files_to_scan(layout, root / f"m{suffix}") == 6
    assert _ticks("manifest", root / f"m{suffix}") == list(range(1, 7))  # no header fields: all read


def test_progress_line_formats() -> None:
    assert progress_line(120, 5000, 3.0) == "scanned 120/5000 files (40.0 files/s, ETA 02:02)"
    assert progress_line(1, 10_000, 1.0) == "scanned 1/10000 files (1.0 files/s, ETA 2:46:39)"
    assert progress_line(7, 5, 1.0) == "scanned 7/5 files (7.0 files/s, ETA 00:00)"
    assert progress_line(0, 5, 0.0) == "scanned 0/5 files (-- files/s, ETA --:--)"
    assert clock_time(0.2) == "00:01" and clock_time(59.0) == "00:59" and clock_time(3600) == "1:00:00"
