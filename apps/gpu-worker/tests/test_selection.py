"""A DatasetSelection picks the same records in the same order whatever the manifest's line order."""

import pytest
from mirage_detector.data.records import ImageRecord

from mirage_gpu_worker.selection import EmptySelectionError, select_records


def _record(index: int, split: str, generator: str) -> ImageRecord:
    return ImageRecord(
        uri=f"/data/{index}.png",
        label=index % 2,
        generator=generator,
        split=split,
        sha256=f"{(index * 7919) % 997:064x}",
    )


RECORDS = [_record(i, ("train", "val", "test")[i % 3], ("sdv14", "midjourney")[i % 2]) for i in range(60)]
ALL = {"split": None, "generators": None, "max_images": None}


def test_filters_by_split_and_generator() -> None:
    picked = select_records(RECORDS, {**ALL, "split": "train", "generators": ["sdv14"]}, "m")
    assert picked and all(r.split == "train" and r.generator == "sdv14" for r in picked)
    assert len(picked) == sum(1 for r in RECORDS if r.split == "train" and r.generator == "sdv14")


def test_max_images_takes_the_lowest_hashes_independent_of_line_order() -> None:
    forward = select_records(RECORDS, {**ALL, "split": "train", "max_images": 5}, "m")
    backward = select_records(list(reversed(RECORDS)), {**ALL, "split": "train", "max_images": 5}, "m")
    assert forward == backward
    hashes = sorted(r.sha256 for r in RECORDS if r.split == "train")
    assert [r.sha256 for r in forward] == hashes[:5]


def test_empty_selection_names_what_exists() -> None:
    with pytest.raises(EmptySelectionError, match=r"train\.jsonl.*generators \['midjourney', 'sdv14'\]"):
        select_records(RECORDS, {**ALL, "generators": ["sora"]}, "train.jsonl")
