"""Build a canonical dataset manifest from a layout scan: the command `mirage data register` runs.

`python -m mirage_detector.data.register --layout folder --root DIR --option generator=sdv14 --out m.jsonl`
writes the manifest (one record per line, sorted by uri, canonical JSON so equal data gives equal bytes and
therefore an equal content hash) and prints a JSON summary (counts, skipped files, duplicates dropped).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mirage_detector.data.dedupe import dedupe_records, split_records
from mirage_detector.data.layouts import create_layout
from mirage_detector.data.records import ImageRecord


@dataclass(frozen=True)
class BuiltManifest:
    """The records to register and what was left out on the way."""

    records: list[ImageRecord]
    skipped: list[dict[str, str]]
    duplicates_dropped: int


def build_manifest(
    layout: str,
    root: str,
    options: dict[str, Any],
    split_fractions: dict[str, float] | None,
    seed: int,
) -> BuiltManifest:
    """Scan, de-duplicate by content (byte-identical files kept once) and, when fractions are given, assign
    splits from the content hash so identical images can never land on both sides of a split."""
    scan = create_layout(layout, **options).scan(root)
    deduped = dedupe_records(scan.records)
    records = deduped.records
    if split_fractions is not None:
        records = split_records(records, split_fractions, seed)
    records = sorted(records, key=lambda r: r.uri)
    skipped = [{"uri": s.path, "reason": s.reason} for s in scan.skipped]
    return BuiltManifest(records, skipped, deduped.n_dropped)


def canonical_line(record: ImageRecord) -> str:
    """One manifest line: sorted keys, no spaces, UTF-8."""
    return json.dumps(record.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def summarize(built: BuiltManifest) -> dict[str, Any]:
    """Counts per label, generator and split, plus the skipped files: what the database records."""
    return {
        "n_images": len(built.records),
        "counts": {
            "by_label": dict(sorted(Counter(r.label_name for r in built.records).items())),
            "by_generator": dict(sorted(Counter(r.generator for r in built.records).items())),
            "by_split": dict(sorted(Counter(r.split for r in built.records).items())),
        },
        "skipped": built.skipped,
        "duplicates_dropped": built.duplicates_dropped,
    }


def _parse_options(pairs: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--option {pair!r}: expected key=value")
        options[key] = None if value == "none" else value
    return options


def _parse_fractions(text: str | None) -> dict[str, float] | None:
    if text is None:
        return None
    fractions: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        try:
            fractions[name.strip()] = float(value)
        except ValueError:
            raise SystemExit(f"--split {text!r}: expected e.g. train=0.8,val=0.1,test=0.1") from None
        if not sep:
            raise SystemExit(f"--split {text!r}: expected e.g. train=0.8,val=0.1,test=0.1")
    return fractions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mirage_detector.data.register", description=__doc__)
    parser.add_argument("--layout", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--option", action="append", default=[], help="layout option key=value (repeatable)")
    parser.add_argument(
        "--split", default=None, help="re-split by content hash, e.g. train=0.8,val=0.1,test=0.1"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="manifest JSONL to write")
    args = parser.parse_args(argv)
    try:
        built = build_manifest(
            args.layout, args.root, _parse_options(args.option), _parse_fractions(args.split), args.seed
        )
    except (ValueError, FileNotFoundError, NotADirectoryError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not built.records:
        print(f"error: no usable image found under {args.root} with layout {args.layout}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(canonical_line(r) + "\n" for r in built.records), encoding="utf-8")
    print(json.dumps(summarize(built), sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
