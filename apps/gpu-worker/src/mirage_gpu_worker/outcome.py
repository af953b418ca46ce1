"""What an activity hands back to the worker: its output payload, and the count of skipped images.

An unreadable image is listed in the output's `skipped`, but only the first SKIPPED_LISTED of them: a
dataset with thousands of broken files must not push the payload towards Temporal's size limits. The total
goes to the worker log instead (the contract has no field for it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SKIPPED_LISTED = 100


@dataclass(frozen=True)
class ActivityOutcome:
    """An activity's output payload and the number of distinct images it skipped (listed or not)."""

    output: dict[str, Any]
    skipped_total: int


def skipped_outcome(output: dict[str, Any], skipped: Iterable[tuple[str, str]]) -> ActivityOutcome:
    """`output` with `skipped` set to the first SKIPPED_LISTED distinct (uri, reason) pairs, first reason
    per uri (a training sees an image once per epoch)."""
    reasons: dict[str, str] = {}
    for uri, reason in skipped:
        reasons.setdefault(uri, reason)
    listed = [{"uri": uri, "reason": reason} for uri, reason in list(reasons.items())[:SKIPPED_LISTED]]
    return ActivityOutcome({**output, "skipped": listed}, len(reasons))
