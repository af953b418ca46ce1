"""The detector code version: a hash of the detector package's Python sources.

The TS orchestrator computes the same value over libs/detector/src, so a run id names the code that trains it
and the worker can refuse to attribute a number to code that did not produce it.
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path

CODE_VERSION_PREFIX = "detector-"


def source_tree_hash(package_dir: Path) -> str:
    """Hex sha256 over every ``*.py`` under `package_dir`, recursive, in sorted POSIX path order.

    Each file contributes ``relpath + NUL + hex sha256(file bytes) + LF``, the path taken relative to the
    package's parent (``mirage_detector/engine/train.py``), so the name of the package counts too.
    """
    parent = package_dir.parent
    files = sorted((path.relative_to(parent).as_posix(), path) for path in package_dir.rglob("*.py"))
    digest = hashlib.sha256()
    for relpath, path in files:
        file_digest = hashlib.sha256(path.read_bytes()).hexdigest()
        digest.update(relpath.encode() + b"\0" + file_digest.encode() + b"\n")
    return digest.hexdigest()


def code_version_of(package_dir: Path) -> str:
    """``detector-`` + the first 16 hex digits of `source_tree_hash`."""
    return CODE_VERSION_PREFIX + source_tree_hash(package_dir)[:16]


def detector_package_dir() -> Path:
    """Directory of the installed ``mirage_detector`` package (without importing it)."""
    spec = importlib.util.find_spec("mirage_detector")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mirage_detector package is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


@cache
def detector_code_version() -> str:
    """Code version of the detector this worker process runs, computed once (at import time of the code)."""
    return code_version_of(detector_package_dir())
