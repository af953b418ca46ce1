"""What the activities need from the worker process: storage, the local cache, and the detector's version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mirage_detector.data.decode_cache import DecodeCache
from mirage_detector.generated.contracts_models import RunEnvironment

from mirage_gpu_worker.cache import ArtifactCache
from mirage_gpu_worker.s3 import ArtifactStore


@dataclass(frozen=True)
class WorkerContext:
    """Dependencies injected into the activities (built once in main)."""

    store: ArtifactStore
    cache: ArtifactCache
    work_root: Path
    code_version: str
    stall_timeout_seconds: float
    # the RunEnvironment every output records (computed once at start)
    environment: RunEnvironment
    # dataset name -> where this machine mounts it (MIRAGE_DATA_ROOTS); others resolve against the ref's root
    data_roots: Mapping[str, str] = field(default_factory=dict)
    # decoded clean evaluation crops kept across cells (MIRAGE_DECODE_CACHE_*); None: each cell decodes
    decode_cache: DecodeCache | None = None
