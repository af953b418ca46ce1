"""What an activity hands back to the worker: its output payload, and the count of skipped images.

An unreadable image is listed in the output's `skipped`, but only the first SKIPPED_LISTED of them: a
dataset with thousands of broken files must not push the payload towards Temporal's size limits. The
output says how many there were (`skipped_total`); when that is more than the list, every one of them is
written to S3 as JSON lines of {uri, reason} at `skipped_key`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from mirage_detector.generated.contracts_models import SkippedImage
from pydantic import BaseModel

SKIPPED_LISTED = 100
OutputT = TypeVar("OutputT", bound=BaseModel)


class _Store(Protocol):
    def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str = ...) -> object: ...


@dataclass(frozen=True)
class SkippedList:
    """Where the full list of skipped images goes when the payload cannot hold it."""

    store: _Store
    bucket: str
    key: str


@dataclass(frozen=True)
class ActivityOutcome(Generic[OutputT]):
    """An activity's output (a TrainOutput or EvaluateOutput) and the number of distinct images it skipped."""

    output: OutputT
    skipped_total: int


@dataclass(frozen=True)
class SkippedListing:
    """The `skipped`, `skipped_total` and `skipped_key` fields of an output."""

    skipped: list[SkippedImage]
    total: int
    key: str | None


def list_skipped(skipped: Iterable[tuple[str, str]], full_list: SkippedList) -> SkippedListing:
    """The first SKIPPED_LISTED distinct (uri, reason) pairs (first reason per uri: a training sees an image
    once per epoch), their count, and the key of the full list, written to S3 when it is longer."""
    reasons: dict[str, str] = {}
    for uri, reason in skipped:
        reasons.setdefault(uri, reason)
    every = [SkippedImage(uri=uri, reason=reason) for uri, reason in reasons.items()]
    key = None
    if len(every) > SKIPPED_LISTED:
        lines = "".join(
            json.dumps({"uri": entry.uri, "reason": entry.reason}, ensure_ascii=False) + "\n"
            for entry in every
        ).encode()
        full_list.store.put_bytes(full_list.bucket, full_list.key, lines, content_type="application/x-ndjson")
        key = full_list.key
    return SkippedListing(every[:SKIPPED_LISTED], len(every), key)


def skipped_list_key(sibling_key: str, name: str) -> str:
    """The key of a skipped list beside `sibling_key` (`runs/r/scores/a.jsonl` -> `runs/r/scores/<name>`)."""
    folder, _, _ = sibling_key.rpartition("/")
    return f"{folder}/{name}" if folder else name
