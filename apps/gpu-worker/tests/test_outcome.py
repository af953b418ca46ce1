"""Skipped images in an activity's output: listed up to a cap, counted in full."""

from mirage_gpu_worker.outcome import SKIPPED_LISTED, skipped_outcome


def test_skipped_list_is_capped_and_the_total_counts_each_image_once() -> None:
    skipped = [(f"s3://b/img-{i}.png", "not an image") for i in range(250)]
    skipped += skipped[:10]  # a training meets the same broken image again next epoch
    outcome = skipped_outcome({"run_id": "r"}, skipped)
    assert outcome.skipped_total == 250
    assert len(outcome.output["skipped"]) == SKIPPED_LISTED == 100
    assert outcome.output["skipped"][0] == {"uri": "s3://b/img-0.png", "reason": "not an image"}
    assert outcome.output["skipped"][-1]["uri"] == "s3://b/img-99.png"
    assert outcome.output["run_id"] == "r"


def test_few_skipped_are_all_listed_with_their_first_reason() -> None:
    outcome = skipped_outcome({}, [("a", "truncated"), ("b", "not an image"), ("a", "other")])
    assert outcome.output["skipped"] == [
        {"uri": "a", "reason": "truncated"},
        {"uri": "b", "reason": "not an image"},
    ]
    assert outcome.skipped_total == 2
    assert skipped_outcome({}, []).output["skipped"] == []
