"""The worker's models: restored detectors kept across activities, so a run's evaluation cells reuse them.

Restoring a detector means building (or loading) the frozen CLIP, casting it for the run's precision, moving
it to the device, compiling it when asked, and copying the checkpoint's trainable tensors in. For a ViT-L/14
that is seconds per cell, repeated for every (column x condition) cell of a run; here it happens once per
(backbone, checkpoint, precision, device, compile) and the cells of that checkpoint share the result.

At most ``max_models`` detectors are kept (least recently used first out); detectors of the same backbone key
share one backbone, so a worker alternating between two checkpoints of one run holds one CLIP.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from mirage_detector.backbone import ClipBackbone, load_backbone
from mirage_detector.config import BackboneConfig, RunConfig
from mirage_detector.engine.checkpoint import Checkpoint
from mirage_detector.engine.prepare import restore_prepared_detector
from mirage_detector.engine.runtime import Runtime, resolve_runtime
from mirage_detector.methods import Detector

DEFAULT_MAX_MODELS = 2
"""Two ViT-L/14 CLIPs (428M parameters) in bf16 hold 1.6 GiB of device memory; a run's cells need one."""


def backbone_identity(backbone: BackboneConfig) -> str:
    """Canonical JSON of where the frozen CLIP comes from: source, hub id or folder, shape, weights sha256.

    A local folder's ``weights_sha256`` is checked against the files before any activity runs
    (failures.check_backbone), so equal identities mean equal weights.
    """
    return json.dumps(backbone.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ModelKey:
    """What makes two restored detectors interchangeable."""

    backbone: str  # backbone_identity of the checkpoint's backbone
    checkpoint_sha256: str
    precision: str  # resolved: "fp32" or "bf16"
    device: str  # resolved: "cpu" or "cuda"
    compile: bool

    @property
    def backbone_key(self) -> tuple[str, str, str, bool]:
        """The part a prepared backbone depends on (its dtype, device and compiled encoders)."""
        return (self.backbone, self.precision, self.device, self.compile)


class ModelCache:
    """LRU of restored, prepared detectors; thread-safe (activities run on a thread pool)."""

    def __init__(self, max_models: int = DEFAULT_MAX_MODELS) -> None:
        if max_models < 1:
            raise ValueError(f"max_models: must be >= 1, got {max_models}")
        self.max_models = max_models
        self._entries: OrderedDict[ModelKey, Detector] = OrderedDict()
        self._lock = threading.Lock()
        self.restorations = 0
        """Detectors restored from a checkpoint (a hit restores nothing)."""
        self.backbone_loads = 0
        """Backbones built or loaded (a detector whose backbone key is cached reuses that backbone)."""

    def detector(self, config: RunConfig, checkpoint: Checkpoint, checkpoint_sha256: str) -> Detector:
        """The checkpoint's detector for ``config``'s device, precision and compile, restored once."""
        runtime = resolve_runtime(config.device, config.precision)
        key = ModelKey(
            backbone=backbone_identity(checkpoint.config.backbone),
            checkpoint_sha256=checkpoint_sha256,
            precision=runtime.precision,
            device=runtime.device.type,
            compile=config.compile is True,
        )
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                return cached
            detector = self._restore(key, checkpoint, runtime)
            self._entries[key] = detector
            while len(self._entries) > self.max_models:
                self._entries.popitem(last=False)
            return detector

    def clear(self) -> None:
        """Drop every model (e.g. before a training needs the device memory)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _restore(self, key: ModelKey, checkpoint: Checkpoint, runtime: Runtime) -> Detector:
        backbone = self._shared_backbone(key)
        if backbone is None:
            backbone = load_backbone(checkpoint.config.backbone)
            self.backbone_loads += 1
        self.restorations += 1
        return restore_prepared_detector(checkpoint, runtime, backbone=backbone, compile=key.compile)

    def _shared_backbone(self, key: ModelKey) -> ClipBackbone | None:
        for other, detector in self._entries.items():
            if other.backbone_key == key.backbone_key:
                return detector.backbone
        return None


_PROCESS_MODELS = ModelCache()


def process_models() -> ModelCache:
    """The models of this worker process (one per process: its activities share one device)."""
    return _PROCESS_MODELS
