"""Generic two-folder layout: `<root>/<real_dir>/**` and `<root>/<fake_dir>/**` of one generator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mirage_detector.data.layouts.registry import ScanResult, register_layout
from mirage_detector.data.layouts.scanning import ScanOptions, TreeScan, check_split, require_dir


@dataclass(frozen=True, kw_only=True)
class TwoFolderOptions(ScanOptions):
    """Options of the two-folder layouts (folder, video-folder): a real and a fake folder of one generator.

    Either folder may be None to scan one class only. generator names the fakes' generator;
    real_generator the reals' source (default generator, so both classes of one set evaluate together).
    """

    generator: str
    real_generator: str | None = None
    real_dir: str | None = "real"
    fake_dir: str | None = "fake"
    split: str = "test"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_split(self.split, "split")
        if not self.generator:
            raise ValueError("option 'generator' must be a non-empty string")
        if self.real_dir is None and self.fake_dir is None:
            raise ValueError("options 'real_dir' and 'fake_dir' cannot both be none")

    def class_folders(self, root: Path, layout: str) -> Iterator[tuple[Path, int, str]]:
        """(folder, label, generator) of each class given, real first; a missing folder raises naming
        `layout` and its option (checked as it is reached, so the reals are walked first)."""
        classes = [
            ("real_dir", self.real_dir, 0, self.real_generator or self.generator),
            ("fake_dir", self.fake_dir, 1, self.generator),
        ]
        for option, folder, label, generator in classes:
            if folder is None:
                continue
            directory = root / folder
            require_dir(directory, f"{layout} layout option {option}={folder!r}")
            yield directory, label, generator


@register_layout("folder")
@dataclass(frozen=True, kw_only=True)
class FolderLayout(TwoFolderOptions):
    """Real images under `real_dir`, fakes under `fake_dir` (searched recursively; names are as on disk,
    e.g. CIFAKE's "REAL"/"FAKE"). Either folder may be None to scan one class only.

    generator names the fakes' generator; real_generator names the reals' source (defaults to
    generator, so both classes of one set evaluate together). Every record gets `split`; uris are
    relative to root.
    """

    def scan(self, root: str | Path) -> ScanResult:
        root = Path(root)
        require_dir(root, "folder layout root")
        scan = TreeScan(root, self)
        for directory, label, generator in self.class_folders(root, "folder"):
            for path, _ in scan.files(directory):
                scan.probe(path, label=label, generator=generator, split=self.split)
        return scan.result()
