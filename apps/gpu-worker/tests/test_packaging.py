"""A non-editable install of the worker carries its contract: the generated JSON Schema and constants ship as
package data of the worker, and the generated models as part of the detector it depends on, so a worker
installed away from the checkout validates payloads, parses them into models and reads its queue names."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
WORKER = REPO / "apps" / "gpu-worker"
DETECTOR = REPO / "libs" / "detector"
FIXTURES = REPO / "libs" / "contracts" / "fixtures"
GENERATED_FILES = ("contracts.schema.json", "constants.json")

# Run in the installed copy only: the fixtures come in on stdin, nothing is read from the checkout.
PROBE = """
import json, sys
import mirage_gpu_worker, mirage_gpu_worker.contracts as contracts, mirage_gpu_worker.settings
from mirage_gpu_worker.contracts import ContractViolation, constants, validate_contract
from mirage_detector.generated import contracts_models
from pydantic import TypeAdapter

cases = json.load(sys.stdin)
validate_contract(cases["valid"]["schema"], cases["valid"]["value"])
try:
    validate_contract(cases["invalid"]["schema"], cases["invalid"]["value"])
    rejected = None
except ContractViolation as error:
    rejected = str(error)
model = TypeAdapter(getattr(contracts_models, cases["valid"]["schema"]))
parsed = model.validate_python(cases["valid"]["value"])
print(json.dumps({
    "models": contracts_models.__file__,
    "parsed": type(parsed).__name__,
    "package": mirage_gpu_worker.__file__,
    "contracts": contracts.__file__,
    "rejected": rejected,
    "constants": constants(),
}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install --target` of copies of the worker's and the detector's projects (copies: no build/ lands
    in the checkout)."""
    root = tmp_path_factory.mktemp("packaging")
    projects = []
    for source in (WORKER, DETECTOR):
        project = root / source.name
        shutil.copytree(
            source,
            project,
            ignore=shutil.ignore_patterns(
                "tests", "benchmarks", "build", "*.egg-info", "__pycache__", ".pytest_cache"
            ),
        )
        projects.append(str(project))
    target = root / "site"
    pip = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index",
            "--no-deps", "--no-build-isolation", "--target", str(target), *projects,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    return target


def _fixture(verdict: str, name: str) -> dict[str, object]:
    return json.loads((FIXTURES / verdict / name).read_text())


def test_installed_worker_loads_its_contract_without_the_checkout(installed: Path, tmp_path: Path) -> None:
    cases = {
        "valid": _fixture("valid", "RunConfig.tiny.json"),
        "invalid": _fixture("invalid", "RunConfig.lr-string.json"),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(installed)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=json.dumps(cases),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    # the installed copy shadows the editable one the venv's .pth points at
    assert Path(result["package"]).is_relative_to(installed), result["package"]
    assert Path(result["contracts"]).is_relative_to(installed), result["contracts"]
    assert result["rejected"] is not None and "optimizer.lr" in result["rejected"]
    assert Path(result["models"]) == installed / "mirage_detector" / "generated" / "contracts_models.py"
    assert result["parsed"] == "RunConfig"
    generated = json.loads((REPO / "libs" / "contracts" / "generated" / "constants.json").read_text())
    assert result["constants"] == generated
    for name in GENERATED_FILES:
        assert (installed / "mirage_gpu_worker" / "generated" / name).is_file(), name


@pytest.mark.parametrize("name", GENERATED_FILES)
def test_package_copy_is_byte_identical_to_the_contracts_output(name: str) -> None:
    # the codegen writes both and its --check covers both; this catches a hand edit when only pytest runs
    package_copy = WORKER / "src" / "mirage_gpu_worker" / "generated" / name
    assert package_copy.read_bytes() == (REPO / "libs" / "contracts" / "generated" / name).read_bytes()
