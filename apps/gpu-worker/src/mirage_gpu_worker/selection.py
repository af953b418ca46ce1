"""Applying a DatasetSelection (split, generators, max_images) to the records of a manifest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mirage_detector.data.records import ImageRecord


class EmptySelectionError(ValueError):
    """A selection matched no record; the message says what was asked and what the manifest holds."""


def select_records(
    records: Iterable[ImageRecord], selection: Mapping[str, Any], where: str
) -> list[ImageRecord]:
    """The records a selection picks, in a deterministic order: sorted by (sha256, uri), first `max_images`.

    Sorting by content hash makes the pick independent of the manifest's line order, so the same
    manifest content always gives the same subset and the same order.
    """
    split = selection.get("split")
    generators = selection.get("generators")
    max_images = selection.get("max_images")
    available = list(records)
    picked = [
        record
        for record in available
        if (split is None or record.split == split) and (generators is None or record.generator in generators)
    ]
    picked.sort(key=lambda record: (record.sha256 or "", record.uri))
    if max_images is not None:
        picked = picked[:max_images]
    if not picked:
        raise EmptySelectionError(
            f"{where}: selection {dict(selection)} matched no record "
            f"(manifest has {len(available)} records; splits {_values(available, 'split')}, "
            f"generators {_values(available, 'generator')})"
        )
    return picked


def _values(records: Sequence[ImageRecord], field: str) -> list[str]:
    return sorted({getattr(record, field) for record in records})
