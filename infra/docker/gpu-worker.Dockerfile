# syntax=docker/dockerfile:1
# The GPU worker: `python -m mirage_gpu_worker --gpus all` supervises one Temporal activity worker per GPU the
# container sees. Build from the repository root; BuildKit reads gpu-worker.Dockerfile.dockerignore beside this
# file, which lets in only the worker, the detector, the generated contracts and the lock:
#   docker build -f infra/docker/gpu-worker.Dockerfile -t mirage-gpu-worker .
# Run it with the NVIDIA container runtime (compose `deploy.resources.reservations.devices`, k8s `nvidia.com/gpu`).
#
# The CUDA of the base image and of the torch wheel are kept equal: the cu128 wheel brings its own CUDA 12.8
# libraries (nvidia-* wheels), and the base image's NVIDIA_REQUIRE_CUDA makes the container toolkit refuse a
# host driver too old for them, at start, instead of a CUDA error in the middle of a run.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04
FROM ${CUDA_IMAGE}
ARG TORCH_CUDA=cu128
ARG DEBIAN_FRONTEND=noninteractive

# Python 3.11, the version the lock is compiled for (Ubuntu 22.04's own python3 is 3.10): the deadsnakes build.
RUN apt-get update \
 && apt-get install -y --no-install-recommends software-properties-common gpg-agent \
 && add-apt-repository -y ppa:deadsnakes/ppa \
 && apt-get update \
 && apt-get install -y --no-install-recommends python3.11 python3.11-venv \
 && apt-get purge -y software-properties-common gpg-agent && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The CUDA torch instead of the lock's CPU one. The lock is compiled on CPU-only machines, so it pins
# torch==X+cpu; here that entry (its `torch==` line and the indented hash and comment lines under it) is cut
# out, the rest installs with its hashes (--require-hashes), and then torch==X+cu128 of the same version X comes
# from PyTorch's CUDA index, pinned by version only (the lock has no hash for it). Nothing else in the lock
# depends on torch, so the lock's pins of torch's own dependencies (filelock, sympy, jinja2, ...) stand; the CUDA
# wheel only adds the nvidia-* libraries and triton. The environment each result records says torch X+cu128.
COPY tools/lock/requirements.txt tools/lock/requirements.txt
RUN python3.11 -m venv /opt/venv \
 && torch_version="$(sed -n 's/^torch==\([0-9][0-9.]*\)+cpu .*/\1/p' tools/lock/requirements.txt)" \
 && test -n "$torch_version" \
 && awk '/^torch==/ {skip = 1; next} skip && /^ / {next} {skip = 0; print}' \
      tools/lock/requirements.txt > /tmp/lock-without-torch.txt \
 && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r /tmp/lock-without-torch.txt \
 && /opt/venv/bin/pip install --no-cache-dir --index-url "https://download.pytorch.org/whl/${TORCH_CUDA}" \
      "torch==${torch_version}+${TORCH_CUDA}" \
 && rm /tmp/lock-without-torch.txt

# The worker finds the generated contracts (task queue and activity names, JSON Schemas) and the lock whose sha256
# it records by its place in a checkout (<repo>/libs/contracts/generated, <repo>/tools/lock), so the sources keep
# the repository's layout under /app and run from there on PYTHONPATH, as setup.sh's editable install does. The
# code version is the hash of libs/detector/src/mirage_detector/*.py: build from a clean checkout.
COPY libs/contracts/generated libs/contracts/generated
COPY libs/detector/src libs/detector/src
COPY apps/gpu-worker/src apps/gpu-worker/src
RUN useradd --uid 10001 --create-home mirage && mkdir /cache && chown mirage /cache
# HF_HUB_OFFLINE: hub ids resolve through the local Hugging Face cache only (the detector loads with
# local_files_only; this also stops huggingface_hub from trying the network for metadata).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/apps/gpu-worker/src:/app/libs/detector/src \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MIRAGE_WORKER_CACHE=/cache \
    HF_HUB_OFFLINE=1
USER mirage
CMD ["python", "-m", "mirage_gpu_worker", "--gpus", "all"]
