"""The code version: a hash over the detector's *.py files that the TS orchestrator reproduces exactly."""

import hashlib
from pathlib import Path

from mirage_gpu_worker.code_version import code_version_of, detector_code_version, source_tree_hash


def _fixed_package(root: Path) -> Path:
    package = root / "mirage_detector"
    (package / "engine").mkdir(parents=True)
    (package / "__init__.py").write_bytes(b'"""pkg"""\n')
    (package / "engine" / "train.py").write_bytes(b"def train():\n    return 1\n")
    (package / "config.py").write_bytes(b"X = 1\n")
    (package / "notes.txt").write_bytes(b"not python, not hashed\n")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "config.cpython-311.pyc").write_bytes(b"\x00compiled")
    return package


def test_pinned_value_of_a_fixed_tree(tmp_path: Path) -> None:
    # Pinned with coreutils (printf + sha256sum), independently of this code; the TS side must agree.
    package = _fixed_package(tmp_path)
    assert code_version_of(package) == "detector-ba4c11aeaa49eb75"


def test_definition_written_out(tmp_path: Path) -> None:
    package = _fixed_package(tmp_path)
    expected = hashlib.sha256()
    for relpath in (
        "mirage_detector/__init__.py",
        "mirage_detector/config.py",
        "mirage_detector/engine/train.py",
    ):
        file_hash = hashlib.sha256((tmp_path / relpath).read_bytes()).hexdigest()
        expected.update(relpath.encode() + b"\0" + file_hash.encode() + b"\n")
    assert source_tree_hash(package) == expected.hexdigest()


def test_any_source_change_changes_the_version(tmp_path: Path) -> None:
    package = _fixed_package(tmp_path)
    before = code_version_of(package)
    (package / "notes.txt").write_bytes(b"changed, but not a source file\n")
    assert code_version_of(package) == before
    (package / "config.py").write_bytes(b"X = 2\n")
    assert code_version_of(package) != before


def test_installed_detector_has_a_version() -> None:
    version = detector_code_version()
    assert version.startswith("detector-") and len(version) == len("detector-") + 16
