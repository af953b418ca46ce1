"""Fixtures of the data tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from data_fixtures import CorpusImage, make_bad_corpus

REPO_ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture
def bad_corpus(tmp_path: Path) -> dict[str, CorpusImage]:
    """Files with the defects real datasets have."""
    return make_bad_corpus(tmp_path)


@pytest.fixture(scope="session")
def aigi_mini_root() -> Path:
    """The shared aigi-mini data set: env AIGI_MINI_ROOT, default <repo>/../shared/data/aigi-mini."""
    root = Path(os.environ.get("AIGI_MINI_ROOT", REPO_ROOT.parent / "shared" / "data" / "aigi-mini"))
    if not (root / "INVENTORY.md").is_file():
        pytest.fail(
            f"aigi-mini data set not found at {root} (no INVENTORY.md): set AIGI_MINI_ROOT to the folder "
            "holding 2spi_ai-v-real_CIFAKE/ and FrankCCCCC_edit_detect/"
        )
    return root


@pytest.fixture(scope="session")
def release_trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Mini GenImage, ForenSynths and UFD-diffusion trees, built once by the tools' builder command (as the
    CLI tests run it); per tree its root, expected records, counts and debris. Tests must not modify them."""
    out = tmp_path_factory.mktemp("release-trees")
    command = [sys.executable, "-m", "release_trees", "--out", str(out)]
    done = subprocess.run(command, cwd=REPO_ROOT / "tools", capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} (in tools/) failed with {done.returncode}:\n{done.stderr}")
    return json.loads(done.stdout)["trees"]
