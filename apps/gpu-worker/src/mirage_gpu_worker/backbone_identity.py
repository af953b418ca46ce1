"""The content identity of a local backbone folder, checked against the sha256 the CLI planned the run with.

Same rule as the CLI (apps/cli/src/experiments/backbone-identity.ts): sha256 of the canonical JSON of
{relative POSIX path: sha256 of the file} over the files whose names end in one of the generated
`backbone_file_suffixes`; hidden files and folders are left out. A worker whose folder under the same path
holds other weights must not produce numbers under the planned identity.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mirage_detector.generated.contracts_models import BackboneConfig, Source

from mirage_gpu_worker.contracts import constants

_CHUNK = 1 << 20


class BackboneMismatchError(ValueError):
    """The worker's backbone folder is not the one the run was planned with."""


def backbone_folder_sha256(folder: Path) -> str:
    """The identity of `folder` (see the module doc)."""
    suffixes = tuple(constants()["backbone_file_suffixes"])
    digests: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.name.endswith(suffixes):
            digests[relative.as_posix()] = _file_sha256(path)
    canonical = json.dumps(digests, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_backbone_identity(backbone: BackboneConfig) -> None:
    """Raise BackboneMismatchError when a local backbone's files differ from its `weights_sha256`, if set."""
    expected = backbone.weights_sha256
    if backbone.source != Source.local or not expected:
        return
    folder = Path(str(backbone.name_or_path))
    if not folder.is_dir():
        raise BackboneMismatchError(f"backbone.name_or_path: folder {folder} does not exist on this worker")
    actual = backbone_folder_sha256(folder)
    if actual != expected:
        raise BackboneMismatchError(
            f"backbone.weights_sha256: the run was planned with {expected}, but the files in {folder} "
            f"on this worker hash to {actual}"
        )


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
