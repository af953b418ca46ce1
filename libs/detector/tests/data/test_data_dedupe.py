from __future__ import annotations

import collections
import dataclasses

import pytest

from mirage_detector.data.dedupe import dedupe_records, find_split_leaks, split_records
from mirage_detector.data.records import ImageRecord


def record(uri: str, content: int, label: int = 1) -> ImageRecord:
    return ImageRecord(uri=uri, label=label, generator="g", split="train", sha256=f"{content:064x}")


def test_dedupe_keeps_smallest_uri_in_input_order() -> None:
    records = [record("d", 1), record("b", 2), record("c", 1), record("a", 1), record("e", 3)]
    result = dedupe_records(records)
    assert [r.uri for r in result.records] == ["b", "a", "e"]
    [group] = result.duplicates
    assert group.kept.uri == "a" and [r.uri for r in group.dropped] == ["c", "d"]
    assert result.n_dropped == 2
    assert dedupe_records(list(reversed(records))).duplicates[0].kept.uri == "a"


def test_same_object_twice_is_a_duplicate() -> None:
    one = record("a", 1)
    assert dedupe_records([one, one]).records == [one]


def test_label_conflict_is_an_error_or_dropped() -> None:
    records = [record("a", 1, label=0), record("b", 1, label=1), record("c", 2)]
    with pytest.raises(ValueError, match="labelled both real and fake: a, b"):
        dedupe_records(records)
    result = dedupe_records(records, on_label_conflict="drop")
    assert [r.uri for r in result.records] == ["c"]
    assert result.n_dropped == 2 and len(result.label_conflicts) == 1


def test_records_without_hash_are_refused() -> None:
    with pytest.raises(ValueError, match=r"x\.png: field 'sha256' is null"):
        dedupe_records([ImageRecord("x.png", 0, "g", "train")])


def test_split_by_hash_keeps_identical_bytes_together() -> None:
    records = [record(f"u{i}", i % 700) for i in range(2000)]
    split = split_records(records, {"train": 0.6, "val": 0.2, "test": 0.2}, seed=3)
    assert [r.uri for r in split] == [r.uri for r in records]
    assert find_split_leaks(split) == {}
    counts = collections.Counter(r.split for r in dedupe_records(split).records)
    assert 0.5 < counts["train"] / 700 < 0.7 and counts["val"] > 100 and counts["test"] > 100
    assert split == split_records(records, {"train": 0.6, "val": 0.2, "test": 0.2}, seed=3)
    assert split != split_records(records, {"train": 0.6, "val": 0.2, "test": 0.2}, seed=4)
    assert {r.split for r in split_records(records, {"test": 1.0})} == {"test"}


def test_find_split_leaks_reports_crossing_hashes() -> None:
    leaked = [record("a", 1), dataclasses.replace(record("b", 1), split="test"), record("c", 2)]
    assert find_split_leaks(leaked) == {f"{1:064x}": {"train", "test"}}


@pytest.mark.parametrize(
    ("fractions", "message"),
    [
        ({"train": 0.5, "val": 0.2}, "sum to 1"),
        ({"train": 1.2, "test": -0.2}, ">= 0"),
        ({"holdout": 1.0}, "unknown"),
    ],
)
def test_bad_fractions(fractions: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_records([record("a", 1)], fractions)
