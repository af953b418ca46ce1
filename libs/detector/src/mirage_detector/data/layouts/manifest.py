"""A manifest file (JSONL or CSV) as a layout: relative uris resolve against the dataset root."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mirage_detector.data.layouts.registry import ScanResult, SkippedFile, register_layout
from mirage_detector.data.layouts.scanning import ScanOptions, TreeScan, probe_file, require_dir
from mirage_detector.data.loading import uri_scheme
from mirage_detector.data.records import ImageRecord, read_manifest
from mirage_detector.data.uris import relative_uri

_HEADER_FIELDS = ("width", "height", "format", "sha256")


@register_layout("manifest")
@dataclass(frozen=True, kw_only=True)
class ManifestLayout(ScanOptions):
    """Records from a .jsonl or .csv manifest (`root` is the file), object_class included.

    base: the dataset root, the folder relative uris are relative to and the written uris will be
    relative to (default: the manifest's folder). A local uri outside it is skipped, since a manifest
    stores root-relative paths only. probe_missing: for local files whose header fields or sha256 are
    null, read the file to fill them; a file that cannot be read, or whose bytes differ from a sha256
    the manifest gives, is skipped. Remote uris (s3://...) are kept as written, and so are video frame
    records (a registered video manifest): their fields come from decoding the video, not a header.
    """

    probe_missing: bool = True
    base: str | None = None

    def scan(self, root: str | Path) -> ScanResult:
        manifest = Path(root)
        if not manifest.is_file():
            raise FileNotFoundError(f"manifest layout root: {manifest} is not a file")
        base = Path(self.base) if self.base is not None else manifest.absolute().parent
        require_dir(base, "manifest layout option base")
        scan = TreeScan(base, self)
        for record in read_manifest(manifest):
            if uri_scheme(record.uri):
                scan.records.append(record)
                continue
            path = _local_path(record.uri, scan.root)
            uri = relative_uri(path, scan.root)
            if uri is None:
                scan.skip(path, f"outside the dataset root {scan.root} (option base sets the root)")
                continue
            outcome = self._checked(dataclasses.replace(record, uri=uri), path)
            if isinstance(outcome, SkippedFile):
                scan.skipped.append(outcome)
            else:
                scan.records.append(outcome)
        return scan.result()

    def _checked(self, record: ImageRecord, path: Path) -> ImageRecord | SkippedFile:
        if record.frame is not None or not (self.verify or (self.probe_missing and _needs_probe(record))):
            return record
        outcome = probe_file(
            path, record.uri, record.label, record.generator, record.split, self, record.object_class
        )
        if isinstance(outcome, ImageRecord) and record.sha256 not in (None, outcome.sha256):
            return SkippedFile(record.uri, "file's sha256 differs from the manifest's")
        return outcome


def _local_path(uri: str, base: Path) -> Path:
    local = urlsplit(uri).path if uri.startswith("file://") else uri
    return Path(os.path.normpath(base / local))


def _needs_probe(record: ImageRecord) -> bool:
    return any(getattr(record, name) is None for name in _HEADER_FIELDS)
