"""Generic two-folder layout: `<root>/<real_dir>/**` and `<root>/<fake_dir>/**` of one generator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mirage_detector.data.layouts.registry import ScanResult, register_layout
from mirage_detector.data.layouts.scanning import ScanOptions, TreeScan, check_split, require_dir


@register_layout("folder")
@dataclass(frozen=True, kw_only=True)
class FolderLayout(ScanOptions):
    """Real images under `real_dir`, fakes under `fake_dir` (searched recursively; names are as on disk,
    e.g. CIFAKE's "REAL"/"FAKE"). Either folder may be None to scan one class only.

    generator names the fakes' generator; real_generator names the reals' source (defaults to
    generator, so both classes of one set evaluate together). Every record gets `split`; uris are
    relative to root.
    """

    generator: str
    real_generator: str | None = None
    real_dir: str | None = "real"
    fake_dir: str | None = "fake"
    split: str = "test"

    def __post_init__(self) -> None:
        check_split(self.split, "split")
        if not self.generator:
            raise ValueError("option 'generator' must be a non-empty string")
        if self.real_dir is None and self.fake_dir is None:
            raise ValueError("options 'real_dir' and 'fake_dir' cannot both be none")

    def scan(self, root: str | Path) -> ScanResult:
        root = Path(root)
        require_dir(root, "folder layout root")
        scan = TreeScan(root, self)
        classes = [
            (self.real_dir, 0, self.real_generator or self.generator),
            (self.fake_dir, 1, self.generator),
        ]
        for folder, label, generator in classes:
            if folder is None:
                continue
            directory = root / folder
            option = "real_dir" if label == 0 else "fake_dir"
            require_dir(directory, f"folder layout option {option}={folder!r}")
            for path, _ in scan.files(directory):
                scan.probe(path, label=label, generator=generator, split=self.split)
        return scan.result()
