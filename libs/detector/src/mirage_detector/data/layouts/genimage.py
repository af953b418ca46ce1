"""GenImage: `<subset>/{train,val}/{ai,nature}/*`, generator = subset folder name (or an alias)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mirage_detector.data.layouts.registry import ScanResult, SkippedFile, register_layout
from mirage_detector.data.layouts.scanning import (
    ScanOptions,
    check_split,
    iter_files,
    probe_file,
    require_dir,
)

GENIMAGE_CLASS_LABELS: dict[str, int] = {"nature": 0, "ai": 1}
"""GenImage class folder -> label."""


@register_layout("genimage")
@dataclass(frozen=True, kw_only=True)
class GenImageLayout(ScanOptions):
    """GenImage tree. `root` holds subset folders, or is one subset folder (it has train/ or val/).

    split_names maps GenImage's folders to record splits. GenImage has no test split and every paper
    reports on its `val` folder, so by default val -> "test": a validation split for threshold
    calibration must be carved out of train (split_records), never taken from the evaluation images.
    generator_names optionally renames subsets (e.g. {"imagenet_ai_0419_sdv4": "sdv14"}); subsets
    restricts the scan to those subset folder names.
    """

    split_names: Mapping[str, str] = field(default_factory=lambda: {"train": "train", "val": "test"})
    generator_names: Mapping[str, str] = field(default_factory=dict)
    subsets: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for folder, split in self.split_names.items():
            check_split(split, f"split_names[{folder!r}]")

    def scan(self, root: str | Path) -> ScanResult:
        root = Path(root)
        require_dir(root, "genimage layout root")
        single_subset = any((root / folder).is_dir() for folder in self.split_names)
        if self.subsets is not None and not single_subset:
            for subset in self.subsets:
                require_dir(root / subset, f"genimage subset {subset!r}")
        result = ScanResult()
        for path in iter_files(root):
            parts = path.relative_to(root).parts
            subset = root.name if single_subset else parts[0]
            tail = parts if single_subset else parts[1:]
            if self.subsets is not None and subset not in self.subsets:
                continue
            if len(tail) != 3 or tail[0] not in self.split_names or tail[1] not in GENIMAGE_CLASS_LABELS:
                folders = "{" + ",".join(self.split_names) + "}/{ai,nature}/"
                result.skipped.append(SkippedFile(str(path), f"not under <subset>/{folders}"))
                continue
            outcome = probe_file(
                path,
                label=GENIMAGE_CLASS_LABELS[tail[1]],
                generator=self.generator_names.get(subset, subset),
                split=self.split_names[tail[0]],
                options=self,
            )
            (result.skipped if isinstance(outcome, SkippedFile) else result.records).append(outcome)
        return result
