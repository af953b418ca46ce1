"""Build a canonical dataset manifest from a layout scan: the command `mirage data register` runs.

`python -m mirage_detector.data.register --layout folder --root DIR --option generator=sdv14 --out m.jsonl`
writes the manifest (one record per line, uris relative to the dataset root, sorted by uri, canonical JSON
so equal data gives equal bytes and therefore an equal content hash, wherever the data is mounted) and
prints a JSON summary: n_images, root (the absolute folder the uris are relative to), counts by label,
generator, split and (when any record has one) object class, skipped files with reasons, hidden/OS files
ignored, duplicates dropped. For the video layouts (video-folder, video-manifest) every record is a frame:
n_images and the counts count frames, n_videos the distinct videos, and a skipped video is listed once.
Options are typed by the layout (`--option verify=false`, `generators=a,b`, `generator_names=a:b,c:d`,
`sample=fps:2`); bad input exits with status 2 and one `error:` line on stderr.

A long scan shows its progress on stderr, `scanned N/M files (R files/s, ETA mm:ss)` (M counted first by a
walk that reads no file; for a manifest layout, its lines): on a terminal one line redrawn in place, else
(`--progress lines`, or stderr not a terminal) one line every 5 s (`--progress-every`) and nothing for a scan
that ends sooner. stdout stays the one JSON summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TextIO

from mirage_detector.data.dedupe import dedupe_records, split_records
from mirage_detector.data.layouts import create_layout, describe_options, list_layouts, parse_layout_options
from mirage_detector.data.layouts.scanning import reporting_progress
from mirage_detector.data.records import ImageRecord
from mirage_detector.data.scan_progress import ScanProgress, count_files_to_scan
from mirage_detector.json_object import JsonObject


@dataclass(frozen=True)
class BuiltManifest:
    """The records to register (uris relative to `root`) and what was left out on the way."""

    root: Path
    records: list[ImageRecord]
    skipped: list[dict[str, str]]
    duplicates_dropped: int
    ignored: dict[str, int] = field(default_factory=dict)


def build_manifest(
    layout: str,
    root: str | Path,
    options: JsonObject,
    split_fractions: dict[str, float] | None,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> BuiltManifest:
    """Scan, de-duplicate by content (byte-identical files kept once) and, when fractions are given, assign
    splits from the content hash so identical images can never land on both sides of a split.

    progress, when given, is called with the number of files scanned so far after each one.
    """
    with reporting_progress(progress):
        scan = create_layout(layout, **options).scan(root)
    deduped = dedupe_records(scan.records)
    records = deduped.records
    if split_fractions is not None:
        records = split_records(records, split_fractions, seed)
    # A video's frames share its uri: they stay together, in frame order.
    records = sorted(records, key=lambda r: (r.uri, -1 if r.frame is None else r.frame))
    skipped = [{"uri": s.path, "reason": s.reason} for s in scan.skipped]
    return BuiltManifest(scan.root, records, skipped, deduped.n_dropped, dict(sorted(scan.ignored.items())))


def canonical_line(record: ImageRecord) -> str:
    """One manifest line: sorted keys, no spaces, UTF-8."""
    return json.dumps(record.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def summarize(built: BuiltManifest) -> JsonObject:
    """Counts per label, generator, split and class, plus the skipped files: what the database records.

    n_videos (distinct video_id) is present only when some record is a video frame, so an image
    dataset's summary is unchanged.
    """
    counts: dict[str, dict[str, int]] = {
        "by_label": _count(r.label_name for r in built.records),
        "by_generator": _count(r.generator for r in built.records),
        "by_split": _count(r.split for r in built.records),
    }
    classes = [r.object_class for r in built.records if r.object_class is not None]
    if classes:
        counts["by_class"] = _count(classes)
    summary: JsonObject = {
        "n_images": len(built.records),
        "root": str(built.root),
        "counts": counts,
        "skipped": built.skipped,
        "ignored": built.ignored,
        "duplicates_dropped": built.duplicates_dropped,
    }
    videos = {r.video_id for r in built.records if r.video_id is not None}
    if videos:
        summary["n_videos"] = len(videos)
    return summary


def _count(values: Any) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


class UsageError(ValueError):
    """Bad command-line input; printed as one `error:` line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse's own errors in the same one-line shape as every other input error.
        self.exit(2, f"error: {message} (see --help)\n")


def _option_texts(pairs: list[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--option {pair!r}: expected key=value")
        if key in texts:
            raise UsageError(f"--option {key!r} given twice")
        texts[key] = value
    return texts


def _parse_fractions(text: str | None) -> dict[str, float] | None:
    if text is None:
        return None
    fractions: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        try:
            fractions[name.strip()] = float(value)
        except ValueError:
            raise UsageError(f"--split {text!r}: expected e.g. train=0.8,val=0.1,test=0.1") from None
        if not sep:
            raise UsageError(f"--split {text!r}: expected e.g. train=0.8,val=0.1,test=0.1")
    return fractions


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m mirage_detector.data.register",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="layouts and their options:\n"
        + "\n".join(f"  {name}: {describe_options(name)}" for name in list_layouts()),
    )
    parser.add_argument("--layout", required=True, help=f"one of {', '.join(list_layouts())}")
    parser.add_argument("--root", required=True, help="the dataset folder (for layout manifest: the file)")
    parser.add_argument("--option", action="append", default=[], help="layout option key=value (repeatable)")
    parser.add_argument(
        "--split", default=None, help="re-split by content hash, e.g. train=0.8,val=0.1,test=0.1"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="manifest JSONL to write")
    parser.add_argument(
        "--progress",
        choices=("auto", "redraw", "lines"),
        default="auto",
        help="progress on stderr: one line redrawn in place, or lines every --progress-every seconds "
        "(auto: redraw on a terminal)",
    )
    parser.add_argument(
        "--progress-every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds between progress lines (default 0.1 redrawn, 5 as lines)",
    )
    return parser


def _build(args: argparse.Namespace, stderr: TextIO, clock: Callable[[], float]) -> BuiltManifest:
    if not Path(args.root).exists():
        raise UsageError(f"--root {args.root}: no such file or folder")
    if args.progress_every is not None and not args.progress_every > 0:
        raise UsageError(f"--progress-every {args.progress_every}: expected a number of seconds > 0")
    options = parse_layout_options(args.layout, _option_texts(args.option))
    total = count_files_to_scan(create_layout(args.layout, **options), args.root)
    redraw = {"auto": None, "redraw": True, "lines": False}[args.progress]
    progress = ScanProgress(total, stderr, redraw=redraw, every_s=args.progress_every, clock=clock)
    try:
        built = build_manifest(
            args.layout, args.root, options, _parse_fractions(args.split), args.seed, progress.update
        )
    finally:
        progress.close()
    if not built.records:
        raise UsageError(f"no usable image or video found under {args.root} with layout {args.layout}")
    return built


def main(
    argv: list[str] | None = None,
    *,
    stderr: TextIO | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Entry point; returns the exit status (2 on bad input, with one `error:` line on stderr).

    stderr (default sys.stderr: progress and errors; its isatty() picks redrawing) and clock are for tests.
    """
    args = _parser().parse_args(argv)
    progress_to = sys.stderr if stderr is None else stderr
    try:
        built = _build(args, progress_to, clock)
    except (ValueError, OSError) as error:
        # LayoutOptionError, ManifestError and UsageError are ValueErrors; a missing folder is an OSError.
        print(f"error: {error}", file=progress_to)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(canonical_line(r) + "\n" for r in built.records), encoding="utf-8")
    print(json.dumps(summarize(built), sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
