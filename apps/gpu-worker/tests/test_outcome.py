"""Skipped images in an activity's output: listed up to a cap, counted in full, the full list in S3."""

from __future__ import annotations

import json

from mirage_detector.generated.contracts_models import SkippedImage

from mirage_gpu_worker.outcome import SKIPPED_LISTED, SkippedList, list_skipped, skipped_list_key


class Puts:
    """The one ArtifactStore call a skipped list makes, recorded."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str = "") -> None:
        self.objects[(bucket, key)] = data


def test_skipped_list_is_capped_counted_and_stored_whole() -> None:
    store = Puts()
    skipped = [(f"s3://b/img-{i}.png", "not an image") for i in range(250)]
    skipped += skipped[:10]  # a training meets the same broken image again next epoch
    listing = list_skipped(skipped, SkippedList(store, "b", "runs/r/train-skipped.jsonl"))
    assert listing.total == 250
    assert len(listing.skipped) == SKIPPED_LISTED == 100
    assert listing.skipped[0] == SkippedImage(uri="s3://b/img-0.png", reason="not an image")
    assert listing.skipped[-1].uri == "s3://b/img-99.png"
    assert listing.key == "runs/r/train-skipped.jsonl"
    lines = store.objects[("b", "runs/r/train-skipped.jsonl")].decode().splitlines()
    assert [json.loads(line)["uri"] for line in lines] == [f"s3://b/img-{i}.png" for i in range(250)]


def test_few_skipped_are_all_listed_with_their_first_reason_and_nothing_is_stored() -> None:
    store = Puts()
    full = SkippedList(store, "b", "k")
    listing = list_skipped([("a", "truncated"), ("b", "not an image"), ("a", "other")], full)
    assert listing.skipped == [
        SkippedImage(uri="a", reason="truncated"),
        SkippedImage(uri="b", reason="not an image"),
    ]
    assert (listing.total, listing.key) == (2, None)
    assert list_skipped([], full).skipped == []
    assert store.objects == {}


def test_the_full_list_lies_beside_the_payloads_own_files() -> None:
    beside = skipped_list_key("runs/r/scores/a-none.jsonl", "a-none.skipped.jsonl")
    assert beside == "runs/r/scores/a-none.skipped.jsonl"
    assert skipped_list_key("metrics.jsonl", "train-skipped.jsonl") == "train-skipped.jsonl"
