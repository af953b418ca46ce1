"""File walking and per-file probing shared by the folder-based layouts."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from mirage_detector.data.image_header import HeaderError, read_image_header
from mirage_detector.data.layouts.debris import (
    OS_FILE_REASON,
    is_os_file,
    is_os_folder,
    name_skip_reason,
    truncation_reason,
)
from mirage_detector.data.layouts.registry import ScanResult, SkippedFile
from mirage_detector.data.loading import DEFAULT_MAX_PIXELS, BadImageError, decode_image
from mirage_detector.data.records import SPLITS, ImageRecord
from mirage_detector.data.uris import relative_uri


@dataclass(frozen=True, kw_only=True)
class ScanOptions:
    """Options every folder layout shares.

    verify: decode every image fully while scanning (catches corrupt pixel data; slower). Without it a
    file is still read whole (for its sha256), its header parsed and its JPEG/PNG end marker checked.
    max_pixels: images above this pixel count are skipped, as loading would refuse them.
    """

    verify: bool = False
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        """No checks here; defined so option classes combined by inheritance can chain theirs via super()."""


def check_split(split: str, option: str) -> None:
    """Raise naming the option when `split` is not a known split name."""
    if split not in SPLITS:
        raise ValueError(f"option {option!r} must be one of {', '.join(SPLITS)}, got {split!r}")


def require_dir(path: Path, what: str) -> None:
    """Raise FileNotFoundError naming `what` when `path` is not a directory."""
    if not path.is_dir():
        raise FileNotFoundError(f"{what}: {path} is not a directory")


# Called once per file a scan finishes, inside `reporting_progress`; a context variable so that layouts keep
# their `scan(root)` signature and never print: the register command passes the callback that does.
_FILE_SCANNED: ContextVar[Callable[[], None] | None] = ContextVar("file_scanned", default=None)


@contextmanager
def reporting_progress(progress: Callable[[int], None] | None) -> Iterator[None]:
    """While inside, scans call `progress(n)` after each file they finish (probed into a record or skipped),
    n counting files from 1; None reports nothing. Files a manifest layout takes as written are not read
    and not counted."""
    if progress is None:
        yield
        return
    scanned = 0

    def file_done() -> None:
        nonlocal scanned
        scanned += 1
        progress(scanned)

    token = _FILE_SCANNED.set(file_done)
    try:
        yield
    finally:
        _FILE_SCANNED.reset(token)


def file_scanned() -> None:
    """Count one finished file towards the progress of `reporting_progress`, if a scan is reporting."""
    file_done = _FILE_SCANNED.get()
    if file_done is not None:
        file_done()


class TreeScan:
    """One scan in progress: walks a root, probes files into records with root-relative uris, notes skips."""

    def __init__(self, root: Path, options: ScanOptions) -> None:
        self.root = Path(os.path.abspath(root))
        self.options = options
        self.records: list[ImageRecord] = []
        self.skipped: list[SkippedFile] = []
        self.ignored: Counter[str] = Counter()

    def files(self, top: Path | None = None) -> Iterator[tuple[Path, tuple[str, ...]]]:
        """Every regular file under `top` (default root) with its parts relative to root, in sorted order.

        Hidden and OS files and folders are counted in `ignored`, never yielded; unreadable folders are
        skipped with their reason.
        """
        start = Path(os.path.abspath(top)) if top is not None else self.root
        for directory, subdirectories, names in os.walk(start, onerror=self._unreadable):
            kept = sorted(name for name in subdirectories if not is_os_folder(name))
            for name in set(subdirectories) - set(kept):
                self.ignored[OS_FILE_REASON] += _count_files(Path(directory, name))
            subdirectories[:] = kept
            for name in sorted(names):
                path = Path(directory, name)
                if is_os_file(name):
                    self.ignored[OS_FILE_REASON] += 1
                elif path.is_file():
                    yield path, path.relative_to(self.root).parts
                else:
                    self.skip(path, "not a regular file (a broken link, socket or device)")

    def skip(self, path: Path, reason: str) -> None:
        """Record a file as left out."""
        self.skipped.append(SkippedFile(self._name(path), reason))
        file_scanned()

    def probe(
        self, path: Path, label: int, generator: str, split: str, object_class: str | None = None
    ) -> ImageRecord | None:
        """Read one file into a record (kept), or skip it with the reason; returns the record or None."""
        outcome = probe_file(path, self._name(path), label, generator, split, self.options, object_class)
        if isinstance(outcome, SkippedFile):
            self.skipped.append(outcome)
            return None
        self.records.append(outcome)
        return outcome

    def result(self) -> ScanResult:
        """The finished scan."""
        return ScanResult(self.root, self.records, self.skipped, self.ignored)

    def _name(self, path: Path) -> str:
        return relative_uri(path, self.root) or str(path)

    def _unreadable(self, error: OSError) -> None:
        where = Path(error.filename) if error.filename else self.root
        # A folder, not a file: not counted as scanned (count_scannable_files does not count it either).
        self.skipped.append(
            SkippedFile(self._name(where), f"unreadable folder: {type(error).__name__}: {error.strerror}")
        )


def count_scannable_files(top: Path) -> int:
    """How many files TreeScan.files(top) yields or skips (hidden and OS files and folders left out), by a
    walk that reads no file: the total a scan's progress counts towards."""
    total = 0
    for _, subdirectories, names in os.walk(top):
        subdirectories[:] = [name for name in subdirectories if not is_os_folder(name)]
        total += sum(1 for name in names if not is_os_file(name))
    return total


def _count_files(folder: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(folder))


def read_file(path: Path, uri: str) -> bytes | SkippedFile:
    """A file's bytes, or why it is skipped (it could not be read)."""
    try:
        return path.read_bytes()
    except OSError as error:
        return SkippedFile(uri, f"unreadable file: {type(error).__name__}: {error.strerror}")


def probe_file(
    path: Path,
    uri: str,
    label: int,
    generator: str,
    split: str,
    options: ScanOptions,
    object_class: str | None = None,
) -> ImageRecord | SkippedFile:
    """Read one file's bytes and header into a record with `uri`, or say why it is skipped."""
    outcome = _probe_file(path, uri, label, generator, split, options, object_class)
    file_scanned()
    return outcome


def _probe_file(
    path: Path,
    uri: str,
    label: int,
    generator: str,
    split: str,
    options: ScanOptions,
    object_class: str | None,
) -> ImageRecord | SkippedFile:
    name_reason = name_skip_reason(path)
    if name_reason is not None:
        return SkippedFile(uri, name_reason)
    data = read_file(path, uri)
    if isinstance(data, SkippedFile):
        return data
    try:
        header = read_image_header(data)
    except HeaderError as error:
        return SkippedFile(uri, error.reason)
    pixels = header.width * header.height
    if pixels > options.max_pixels:
        return SkippedFile(
            uri, f"{header.width}x{header.height} exceeds the limit of {options.max_pixels} pixels"
        )
    truncated = truncation_reason(data, header.format)
    if truncated is not None:
        return SkippedFile(uri, truncated)
    if options.verify:
        try:
            decode_image(data, uri, options.max_pixels)
        except BadImageError as error:
            return SkippedFile(uri, error.reason)
    return ImageRecord(
        uri=uri,
        label=label,
        generator=generator,
        split=split,
        width=header.width,
        height=header.height,
        format=header.format,
        jpeg_quality=header.jpeg_quality,
        sha256=header.sha256,
        object_class=object_class,
    )
