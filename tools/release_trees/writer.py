"""Writes one tree's files and tallies what a layout scan of it must find."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class TreeWriter:
    """Files of one tree under `root`; every image is tallied, every debris file listed with its kind."""

    tree: str
    root: Path
    records: list[dict[str, object]] = field(default_factory=list)
    debris: list[dict[str, str]] = field(default_factory=list)

    def image(
        self,
        relative: str,
        data: bytes,
        *,
        generator: str,
        split: str,
        label: str,
        object_class: str | None = None,
    ) -> None:
        """Write an image the layout must record with these fields."""
        self._write(relative, data)
        self.records.append(
            {
                "uri": relative,
                "generator": generator,
                "split": split,
                "label": label,
                "object_class": object_class,
            }
        )

    def junk(self, relative: str, data: bytes, kind: str) -> None:
        """Write a debris file; `kind` says how a scan must treat it (see debris.DEBRIS_KINDS)."""
        self._write(relative, data)
        self.debris.append({"path": relative, "kind": kind})

    def summary(self) -> dict[str, object]:
        """What was written: the expected records, their counts, and the debris."""
        counts: dict[str, object] = {
            "by_label": _count(r["label"] for r in self.records),
            "by_generator": _count(r["generator"] for r in self.records),
            "by_split": _count(r["split"] for r in self.records),
        }
        classes = [r["object_class"] for r in self.records if r["object_class"] is not None]
        if classes:
            counts["by_class"] = _count(classes)
        cells = Counter(f"{r['generator']}/{r['split']}/{r['label']}" for r in self.records)
        return {
            "root": str(self.root),
            "n_images": len(self.records),
            "counts": counts,
            "by_generator_split_label": dict(sorted(cells.items())),
            "records": sorted(self.records, key=lambda r: str(r["uri"])),
            "debris": sorted(self.debris, key=lambda d: d["path"]),
        }

    def _write(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _count(values: Iterable[object]) -> dict[str, int]:
    return dict(sorted(Counter(str(value) for value in values).items()))
