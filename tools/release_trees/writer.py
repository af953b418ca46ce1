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
    media: str = field(default="image", init=False)
    """What the records are: "image", or "video" once a video is written (a tree holds one or the other)."""

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
        if self.media != "image":
            raise ValueError(f"tree {self.tree} holds videos; an image cannot be a record of it")
        self._record(relative, data, generator, split, label, object_class)

    def video(
        self,
        relative: str,
        data: bytes,
        *,
        generator: str,
        split: str,
        label: str,
        timestamps: list[float],
    ) -> None:
        """Write a video the layout must record, with its decoded frames' timestamps (seconds from the
        first frame, presentation order); its record adds `n_frames` and `timestamps`."""
        if self.media == "image" and self.records:
            raise ValueError(f"tree {self.tree} holds images; a video cannot be a record of it")
        self.media = "video"
        extra = {"n_frames": len(timestamps), "timestamps": timestamps}
        self._record(relative, data, generator, split, label, None, **extra)

    def sidecar(self, relative: str, data: bytes) -> None:
        """Write a file the release carries beside its media (captions.json): neither record nor debris."""
        self._write(relative, data)

    def junk(self, relative: str, data: bytes, kind: str) -> None:
        """Write a debris file; `kind` says how a scan must treat it (see debris.DEBRIS_KINDS)."""
        self._write(relative, data)
        self.debris.append({"path": relative, "kind": kind})

    def summary(self) -> dict[str, object]:
        """What was written: the expected records (`n_images` or `n_videos` of them), their counts, and
        the debris."""
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
            f"n_{self.media}s": len(self.records),
            "counts": counts,
            "by_generator_split_label": dict(sorted(cells.items())),
            "records": sorted(self.records, key=lambda r: str(r["uri"])),
            "debris": sorted(self.debris, key=lambda d: d["path"]),
        }

    def _record(
        self,
        relative: str,
        data: bytes,
        generator: str,
        split: str,
        label: str,
        object_class: str | None,
        **extra: object,
    ) -> None:
        """Write a media file and its expected record: the fields every record has, then `extra`."""
        self._write(relative, data)
        self.records.append(
            {
                "uri": relative,
                "generator": generator,
                "split": split,
                "label": label,
                "object_class": object_class,
                **extra,
            }
        )

    def _write(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _count(values: Iterable[object]) -> dict[str, int]:
    return dict(sorted(Counter(str(value) for value in values).items()))
