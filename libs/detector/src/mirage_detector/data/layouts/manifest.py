"""A manifest file (JSONL or CSV) as a layout: relative uris resolve against the manifest's folder."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mirage_detector.data.layouts.registry import ScanResult, SkippedFile, register_layout
from mirage_detector.data.layouts.scanning import ScanOptions, probe_file
from mirage_detector.data.loading import uri_scheme
from mirage_detector.data.records import ImageRecord, read_manifest

_HEADER_FIELDS = ("width", "height", "format", "sha256")


@register_layout("manifest")
@dataclass(frozen=True, kw_only=True)
class ManifestLayout(ScanOptions):
    """Records from a .jsonl or .csv manifest (`root` is the file).

    probe_missing: for local files whose header fields or sha256 are null, read the file to fill
    them; a file that cannot be read, or whose bytes differ from a sha256 the manifest gives, is
    skipped. Remote uris (s3://...) are kept as written.
    """

    probe_missing: bool = True

    def scan(self, root: str | Path) -> ScanResult:
        manifest = Path(root)
        if not manifest.is_file():
            raise FileNotFoundError(f"manifest layout root: {manifest} is not a file")
        base = manifest.absolute().parent
        result = ScanResult()
        for record in read_manifest(manifest):
            path = _local_path(record.uri, base)
            if path is None:
                result.records.append(record)
                continue
            record = dataclasses.replace(record, uri=str(path))
            if not (self.verify or (self.probe_missing and _needs_probe(record))):
                result.records.append(record)
                continue
            outcome = probe_file(path, record.label, record.generator, record.split, self)
            if isinstance(outcome, SkippedFile):
                result.skipped.append(outcome)
            elif record.sha256 is not None and record.sha256 != outcome.sha256:
                result.skipped.append(SkippedFile(str(path), "file's sha256 differs from the manifest's"))
            else:
                result.records.append(outcome)
        return result


def _local_path(uri: str, base: Path) -> Path | None:
    if uri_scheme(uri):
        return None
    local = urlsplit(uri).path if uri.startswith("file://") else uri
    return Path(os.path.normpath(base / local))


def _needs_probe(record: ImageRecord) -> bool:
    return any(getattr(record, name) is None for name in _HEADER_FIELDS)
