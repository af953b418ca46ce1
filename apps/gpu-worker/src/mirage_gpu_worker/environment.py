"""What this worker computes with (a RunEnvironment): recorded on every train and evaluate output.

`python -m mirage_gpu_worker.environment [--lock FILE]` prints it as JSON (the CLI's plan compares the
numerics part of it, the environment key, with the keys cached cells were computed under).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import socket
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from mirage_detector.generated.contracts_models import RunEnvironment

from mirage_gpu_worker.payloads import to_json_payload

# Where tools/setup.sh's lock lives in a checkout; a worker installed elsewhere names it (MIRAGE_PYTHON_LOCK).
# An installed worker (site-packages, a container) may sit fewer than five folders deep: then no such file.
_ANCESTORS = Path(__file__).resolve().parents
_CHECKOUT = _ANCESTORS[4] if len(_ANCESTORS) > 4 else _ANCESTORS[-1]
CHECKOUT_LOCK = _CHECKOUT / "tools" / "lock" / "requirements.txt"


def describe_environment(lock_file: Path | None) -> RunEnvironment:
    """Library versions, lock sha256, CUDA/cuDNN, GPU and driver (null on CPU), and the host name."""
    import torch  # the worker has it loaded already; imported here so the CLI's plan can skip CUDA queries

    cuda = torch.cuda.is_available()
    return RunEnvironment(
        python=platform.python_version(),
        torch=torch.__version__,
        transformers=_version("transformers"),
        numpy=_version("numpy"),
        pillow=_version("pillow"),
        lock_sha256=_sha256(lock_file) if lock_file is not None and lock_file.is_file() else None,
        cuda=torch.version.cuda if cuda else None,
        cudnn=str(torch.backends.cudnn.version()) if cuda else None,
        gpu=torch.cuda.get_device_name(0) if cuda else None,
        driver=_nvidia_driver() if cuda else None,
        host=socket.gethostname() or "unknown",
    )


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _nvidia_driver() -> str | None:
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run(
            [smi, "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mirage_gpu_worker.environment", description=__doc__)
    parser.add_argument("--lock", type=Path, default=CHECKOUT_LOCK)
    args = parser.parse_args(argv)
    print(json.dumps(to_json_payload(describe_environment(args.lock)), sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
