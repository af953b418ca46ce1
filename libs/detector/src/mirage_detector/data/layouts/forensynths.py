"""ForenSynths (CNNDetection) and the GAN test sets laid out like it: `{0_real,1_fake}` label folders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mirage_detector.data.layouts.registry import ScanResult, register_layout
from mirage_detector.data.layouts.scanning import ScanOptions, TreeScan, check_split, require_dir

_LABEL_FOLDER = re.compile(r"(?:\d+_)?(real|fake)", re.IGNORECASE)
_SPLIT_FOLDERS = ("train", "val", "test")

FORENSYNTHS_CLASSES: tuple[str, ...] = (
    "airplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
    "tvmonitor",
)  # fmt: skip
"""The 20 LSUN object classes of ForenSynths' ProGAN train and val sets."""


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
    """ForenSynths tree; the root's shape is told from its folder names:

    1. root holds a `train`, `val` or `test` folder (any case): the release root. `train/` and `val/`
       are `<class>/{0_real,1_fake}/*`; `test/` is as in 3. Other top-level entries are skipped.
    2. else root is named `train` or `val` (any case), or option `split` is train/val: one ProGAN split
       folder, `<class>/{0_real,1_fake}/*`.
    3. else (or `split=test`): a test folder such as CNN_synth_testset, UFD's GAN test set or
       AIGCDetectBenchmark's test/: `<generator>/[<class>/]{0_real,1_fake}/*`, or root is one generator
       folder holding the label folders.

    Train/val records: generator `train_generator` (ProGAN), their split, object_class = the class
    folder. Test records: split "test", generator = its folder name lower-cased, object_class = the
    class folder lower-cased or None. Labels come from the label folder's word (label_from_folder_name).
    """

    split: str | None = None
    train_generator: str = "progan"

    def __post_init__(self) -> None:
        if self.split is not None:
            check_split(self.split, "split")
        if not self.train_generator:
            raise ValueError("option 'train_generator' must be a non-empty string")

    def scan(self, root: str | Path) -> ScanResult:
        root = Path(root)
        require_dir(root, "forensynths layout root")
        scan = TreeScan(root, self)
        release = {p.name.lower() for p in root.iterdir() if p.is_dir() and p.name.lower() in _SPLIT_FOLDERS}
        if release:
            if self.split is not None:
                listed = ", ".join(sorted(release))
                raise ValueError(f"option 'split' applies to one split folder, but {root} holds {listed}/")
            self._scan_release(scan, release)
        else:
            split = self.split or (root.name.lower() if root.name.lower() in ("train", "val") else "test")
            for path, parts in scan.files():
                self._place(scan, path, parts, split, scan.root.name)
        return scan.result()

    def _scan_release(self, scan: TreeScan, release: set[str]) -> None:
        for path, parts in scan.files():
            split = parts[0].lower()
            if len(parts) < 2 or split not in release:
                scan.skip(path, "not under train/, val/ or test/")
                continue
            self._place(scan, path, parts[1:], split, None)

    def _place(
        self, scan: TreeScan, path: Path, parts: tuple[str, ...], split: str, folder_generator: str | None
    ) -> None:
        """Record one file from its parts below the split level; folder_generator names the generator of
        label folders sitting right there (root is one generator's folder), None where that is misplaced."""
        label = label_from_folder_name(parts[-2]) if len(parts) >= 2 else None
        if split != "test":
            if label is None or len(parts) != 3:
                scan.skip(path, "not under <class>/{0_real,1_fake}/")
                return
            scan.probe(path, label, self.train_generator, split, object_class=parts[0].lower())
            return
        if label is None or len(parts) > 4 or (len(parts) == 2 and folder_generator is None):
            scan.skip(path, "not under <generator>/[<class>/]{0_real,1_fake}/")
            return
        generator = (parts[0] if len(parts) >= 3 else str(folder_generator)).lower()
        object_class = parts[1].lower() if len(parts) == 4 else None
        scan.probe(path, label, generator, split, object_class=object_class)
