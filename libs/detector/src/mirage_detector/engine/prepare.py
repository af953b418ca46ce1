"""Put a detector where and how a run computes: device, frozen weights in the run's dtype, optional compile.

Every path that builds a detector for work (training, evaluation, benchmarks, the GPU worker's model cache)
goes through ``prepare_detector``, so a bf16 run always holds its frozen CLIP in bf16 (cast once, before the
move, so the device never holds an fp32 copy) and ``compile`` means the same thing everywhere.
"""

from __future__ import annotations

from pathlib import Path

from mirage_detector.backbone import ClipBackbone, load_backbone
from mirage_detector.engine.checkpoint import Checkpoint
from mirage_detector.engine.runtime import Runtime
from mirage_detector.errors import ConfigError
from mirage_detector.methods import Detector, create_method

CUDA_GRAPHS_MODE = "reduce-overhead"
"""torch.compile mode that captures CUDA graphs (evaluation on CUDA only: it replays fixed-shape batches)."""


def prepare_detector(
    detector: Detector, runtime: Runtime, *, compile: bool = False, cuda_graphs: bool = False
) -> Detector:
    """``detector`` on ``runtime.device``, its frozen backbone in ``runtime.weight_dtype``, compiled if asked.

    The trainable tensors (prompts, couplings, heads) keep fp32 master weights, so an optimizer built over
    ``trainable_tensors()`` sees only fp32 parameters. ``cuda_graphs`` (``mode="reduce-overhead"``) needs
    ``compile`` and a CUDA device. Returns the same module object, moved; the backbone it held is not
    changed (a compiled or cast one replaces it).
    """
    if cuda_graphs and not (compile and runtime.device.type == "cuda"):
        raise ConfigError("cuda_graphs: needs compile and a CUDA device")
    # both return new adapters (the cast over copied weights, the compiled one over the same weights), so a
    # backbone the caller shares with other detectors is never changed under them
    backbone = detector.backbone.in_dtype(runtime.weight_dtype)
    if compile:
        backbone = backbone.with_compiled_encoders(CUDA_GRAPHS_MODE if cuda_graphs else None)
    if backbone is not detector.backbone:
        detector.backbone = backbone
        detector.invalidate_cache()  # anchors computed by the other towers
    return detector.to(runtime.device)


def restore_prepared_detector(
    checkpoint: Checkpoint,
    runtime: Runtime,
    *,
    backbone: ClipBackbone | None = None,
    backbone_path: str | Path | None = None,
    compile: bool = False,
    cuda_graphs: bool = False,
) -> Detector:
    """The checkpoint's detector in eval mode, prepared for ``runtime`` (cast before moving to the device)."""
    if backbone is None:
        backbone = load_backbone(checkpoint.config.backbone, backbone_path)
    detector = create_method(checkpoint.config, backbone)
    detector.load_trainable(checkpoint.model)
    return prepare_detector(detector, runtime, compile=compile, cuda_graphs=cuda_graphs).eval()
