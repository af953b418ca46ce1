"""ForenSynths / UniversalFakeDetect: `<generator>/[<class>/]{0_real,1_fake}/*`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mirage_detector.data.layouts.registry import ScanResult, SkippedFile, register_layout
from mirage_detector.data.layouts.scanning import (
    ScanOptions,
    check_split,
    iter_files,
    probe_file,
    require_dir,
)

_LABEL_FOLDER = re.compile(r"(?:\d+_)?(real|fake)", re.IGNORECASE)


def label_from_folder_name(name: str) -> int | None:
    """0 for "0_real"/"real", 1 for "1_fake"/"fake" (any case), None otherwise.

    The word decides, never the numeric prefix or the folder's sort position (NPR's ImageFolder
    pitfall): "1_real" is real.
    """
    match = _LABEL_FOLDER.fullmatch(name)
    if match is None:
        return None
    return 0 if match.group(1).lower() == "real" else 1


@register_layout("forensynths")
@dataclass(frozen=True, kw_only=True)
class ForenSynthsLayout(ScanOptions):
    """ForenSynths tree under `root` (e.g. `CNN_synth_testset/` or `progan_train/`).

    generator = first folder under root (or root's own name when root holds the label folders);
    the optional object-class level (ProGAN's airplane/, bird/, ...) is not recorded.
    `generator`, when given, names every record and makes the first level the class level: use it
    for the ProGAN training tree `train/<class>/{0_real,1_fake}`, which has no generator level.
    The tree carries no split, so every record gets `split`.
    """

    split: str = "test"
    generator: str | None = None

    def __post_init__(self) -> None:
        check_split(self.split, "split")

    def scan(self, root: str | Path) -> ScanResult:
        root = Path(root)
        require_dir(root, "forensynths layout root")
        result = ScanResult()
        for path in iter_files(root):
            parts = path.relative_to(root).parts
            label = label_from_folder_name(parts[-2]) if len(parts) >= 2 else None
            if label is None or len(parts) > (3 if self.generator else 4):
                reason = "not under <generator>/[<class>/]{0_real,1_fake}/"
                result.skipped.append(SkippedFile(str(path), reason))
                continue
            generator = self.generator or (parts[0] if len(parts) >= 3 else root.absolute().name)
            outcome = probe_file(path, label=label, generator=generator, split=self.split, options=self)
            (result.skipped if isinstance(outcome, SkippedFile) else result.records).append(outcome)
        return result
