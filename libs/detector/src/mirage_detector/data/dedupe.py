"""Content-hash de-duplication and hash-based splits, so identical bytes never cross a split.

A video frame's sha256 is its video file's: content is (sha256, frame), so the frames of one video are
distinct records, a byte-identical copy of a video is dropped frame by frame (all of its frames), and a
split drawn from the sha256 puts every frame of a video (and of its copies) in the same split.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from mirage_detector.data.records import SPLITS, ImageRecord


@dataclass(frozen=True)
class DuplicateGroup:
    """Records with byte-identical content: the one kept and the ones dropped (frame: the video frame)."""

    sha256: str
    kept: ImageRecord
    dropped: tuple[ImageRecord, ...]
    frame: int | None = None


@dataclass(frozen=True)
class DedupeResult:
    """Unique records (input order kept) plus what was dropped and why."""

    records: list[ImageRecord]
    duplicates: list[DuplicateGroup]
    label_conflicts: list[DuplicateGroup]

    @property
    def n_dropped(self) -> int:
        """How many input records are not in `records`."""
        return sum(len(group.dropped) for group in self.duplicates) + sum(
            1 + len(group.dropped) for group in self.label_conflicts
        )


def _require_hash(record: ImageRecord) -> str:
    if record.sha256 is None:
        raise ValueError(f"{record.uri}: field 'sha256' is null; scan the data with a layout to hash it")
    return record.sha256


def content_key(record: ImageRecord) -> tuple[str, int | None]:
    """What makes two records the same content: the file's sha256 and, for a video frame, the frame index."""
    return _require_hash(record), record.frame


def dedupe_records(
    records: Iterable[ImageRecord], on_label_conflict: Literal["error", "drop"] = "error"
) -> DedupeResult:
    """Keep one record per content (`content_key`): the one with the smallest uri, so the choice ignores
    scan order (and, for the copies of a video, keeps every frame of the same copy).

    The same bytes labelled both real and fake is a data error: "error" raises naming the files,
    "drop" removes every copy and reports the group in `label_conflicts`.
    """
    records = list(records)
    groups: dict[tuple[str, int | None], list[int]] = {}
    for position, record in enumerate(records):
        groups.setdefault(content_key(record), []).append(position)
    keep: set[int] = set()
    duplicates: list[DuplicateGroup] = []
    conflicts: list[DuplicateGroup] = []
    for (digest, frame), positions in groups.items():
        ordered = sorted(positions, key=lambda position: (records[position].uri, position))
        members = [records[position] for position in ordered]
        group = DuplicateGroup(sha256=digest, kept=members[0], dropped=tuple(members[1:]), frame=frame)
        if len({record.label for record in members}) > 1:
            if on_label_conflict == "error":
                uris = ", ".join(record.uri for record in members)
                raise ValueError(f"identical bytes (sha256 {digest}) labelled both real and fake: {uris}")
            conflicts.append(group)
            continue
        keep.add(ordered[0])
        if group.dropped:
            duplicates.append(group)
    unique = [record for position, record in enumerate(records) if position in keep]
    return DedupeResult(records=unique, duplicates=duplicates, label_conflicts=conflicts)


def hash_fraction(sha256: str, seed: int) -> float:
    """A uniform number in [0, 1) determined by (seed, content hash) alone."""
    digest = hashlib.blake2b(f"{seed}:{sha256}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def split_records(
    records: Iterable[ImageRecord],
    fractions: Mapping[str, float] | None = None,
    seed: int = 0,
) -> list[ImageRecord]:
    """Reassign each record's split from the hash of its content, so byte-identical files share a split
    (and all frames of a video: they carry the video's sha256).

    fractions (default train 0.8, val 0.1, test 0.1) must be >= 0 and sum to 1; the realised
    proportions are approximate (a hash draw per distinct content). Input order is kept.
    """
    fractions = dict(fractions if fractions is not None else {"train": 0.8, "val": 0.1, "test": 0.1})
    unknown = sorted(set(fractions) - set(SPLITS))
    if unknown:
        raise ValueError(
            f"fractions: unknown split(s) {', '.join(map(repr, unknown))}; use {', '.join(SPLITS)}"
        )
    if any(not math.isfinite(value) or value < 0 for value in fractions.values()):
        raise ValueError(f"fractions must be finite and >= 0, got {fractions}")
    if not math.isclose(sum(fractions.values()), 1.0, abs_tol=1e-9):
        raise ValueError(f"fractions must sum to 1, got {sum(fractions.values())}")
    bounds: list[tuple[float, str]] = []
    total = 0.0
    for split in SPLITS:
        if fractions.get(split, 0.0) > 0:
            total += fractions[split]
            bounds.append((total, split))
    result: list[ImageRecord] = []
    for record in records:
        draw = hash_fraction(_require_hash(record), seed)
        split = next((name for bound, name in bounds if draw < bound), bounds[-1][1])
        result.append(dataclasses.replace(record, split=split))
    return result


def find_split_leaks(records: Sequence[ImageRecord]) -> dict[str, set[str]]:
    """Content hashes present in more than one split, with those splits (empty dict = no leak)."""
    splits: dict[str, set[str]] = {}
    for record in records:
        splits.setdefault(_require_hash(record), set()).add(record.split)
    return {digest: names for digest, names in splits.items() if len(names) > 1}
