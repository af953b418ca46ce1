"""One-file checkpoints: a safetensors file that describes itself.

Tensors: trainable parameters under ``model.<name>``, optimizer state under ``optim.<param name>.<key>``,
RNG states as uint8 under ``rng.<name>``. Metadata key ``mirage`` holds JSON ``{"format": 1, "step",
"config", "scheduler", "optimizer", "code_version", "calibrated_threshold"}``. Loading is strict: any
unknown or missing key is an error that names it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from mirage_detector.config import RunConfig, parse_run_config, run_config_json
from mirage_detector.errors import CheckpointError, ConfigError
from mirage_detector.json_object import JsonObject

CHECKPOINT_FORMAT = 1
METADATA_KEY = "mirage"
METADATA_FIELDS = (
    "format",
    "step",
    "config",
    "scheduler",
    "optimizer",
    "code_version",
    "calibrated_threshold",
)
TENSOR_GROUPS = ("model", "optim", "rng")
RNG_NAMES = ("torch", "cuda")


@dataclass(frozen=True)
class Checkpoint:
    """Contents of a checkpoint file; ``optimizer_tensors`` keys are ``<param name>.<state key>``."""

    step: int
    config: RunConfig
    model: dict[str, torch.Tensor]
    optimizer_tensors: dict[str, torch.Tensor] = field(default_factory=dict)
    optimizer_meta: JsonObject = field(default_factory=dict)
    rng: dict[str, torch.Tensor] = field(default_factory=dict)
    scheduler: JsonObject = field(default_factory=dict)
    code_version: str = "unknown"
    calibrated_threshold: float | None = None


def optimizer_to_checkpoint(
    optimizer: torch.optim.Optimizer, names: list[str]
) -> tuple[dict[str, torch.Tensor], JsonObject]:
    """Split an optimizer state into named tensors and JSON metadata (param indices become names)."""
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, JsonObject] = {}
    for index, values in state["state"].items():
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{names[index]}.{key}"] = value
            else:
                scalars.setdefault(names[index], {})[key] = value
    groups = [{**group, "params": [names[i] for i in group["params"]]} for group in state["param_groups"]]
    return tensors, {"type": type(optimizer).__name__, "param_groups": groups, "state": scalars}


def restore_optimizer(optimizer: torch.optim.Optimizer, names: list[str], checkpoint: Checkpoint) -> None:
    """Load a checkpoint's optimizer state into ``optimizer`` built over ``names`` (strict)."""
    meta = checkpoint.optimizer_meta
    if meta.get("type") != type(optimizer).__name__:
        raise CheckpointError(
            f"optimizer: checkpoint has {meta.get('type')}, run uses {type(optimizer).__name__}"
        )
    index = {name: i for i, name in enumerate(names)}
    state: dict[int, JsonObject] = {}
    for key, tensor in checkpoint.optimizer_tensors.items():
        name, _, state_key = key.rpartition(".")
        if name not in index:
            raise CheckpointError(f"unexpected tensor 'optim.{key}': no trainable tensor '{name}'")
        state.setdefault(index[name], {})[state_key] = tensor
    for name, values in meta.get("state", {}).items():
        if name not in index:
            raise CheckpointError(f"optimizer state names unknown tensor '{name}'")
        state.setdefault(index[name], {}).update(values)
    groups = []
    for group in meta["param_groups"]:
        unknown = [n for n in group["params"] if n not in index]
        if unknown:
            raise CheckpointError(f"optimizer param_groups name unknown tensors {unknown}")
        groups.append({**group, "params": [index[n] for n in group["params"]]})
    try:
        optimizer.load_state_dict({"state": state, "param_groups": groups})
    except (ValueError, KeyError) as error:
        raise CheckpointError(f"optimizer state does not fit this run: {error}") from error


def capture_rng() -> dict[str, torch.Tensor]:
    """RNG states of torch (CPU, and CUDA when present) as uint8 tensors."""
    states = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states["cuda"] = torch.cuda.get_rng_state()
    return states


def restore_rng(states: dict[str, torch.Tensor]) -> None:
    """Restore what ``capture_rng`` saved (CUDA only where CUDA is present)."""
    torch.set_rng_state(states["torch"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state(states["cuda"])


def save_checkpoint(path: str | Path, checkpoint: Checkpoint) -> Path:
    """Write atomically (temporary file + rename) so a crash never leaves a half-written checkpoint."""
    path = Path(path)
    tensors: dict[str, torch.Tensor] = {}
    for group, entries in (
        ("model", checkpoint.model),
        ("optim", checkpoint.optimizer_tensors),
        ("rng", checkpoint.rng),
    ):
        for name, tensor in entries.items():
            tensors[f"{group}.{name}"] = tensor.detach().to("cpu").contiguous().clone()
    metadata = {
        "format": CHECKPOINT_FORMAT,
        "step": checkpoint.step,
        "config": run_config_json(checkpoint.config),
        "scheduler": checkpoint.scheduler,
        "optimizer": checkpoint.optimizer_meta,
        "code_version": checkpoint.code_version,
        "calibrated_threshold": checkpoint.calibrated_threshold,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    save_file(tensors, str(partial), metadata={METADATA_KEY: json.dumps(metadata, sort_keys=True)})
    os.replace(partial, path)
    return path


def _read_metadata(path: Path) -> JsonObject:
    with safe_open(str(path), framework="pt") as handle:
        raw = (handle.metadata() or {}).get(METADATA_KEY)
    if raw is None:
        raise CheckpointError(f"{path}: missing safetensors metadata key '{METADATA_KEY}'")
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{path}: metadata '{METADATA_KEY}' is not JSON: {error}") from error
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path}: metadata '{METADATA_KEY}' must be a JSON object")
    missing = [k for k in METADATA_FIELDS if k not in meta]
    unexpected = sorted(set(meta) - set(METADATA_FIELDS))
    if missing or unexpected:
        raise CheckpointError(f"{path}: metadata keys differ: missing {missing}, unexpected {unexpected}")
    if meta["format"] != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path}: format {meta['format']!r} is not supported (expected {CHECKPOINT_FORMAT})"
        )
    return meta


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read and validate a checkpoint file; raises CheckpointError naming the bad key."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint file not found")
    try:
        meta = _read_metadata(path)
        tensors = load_file(str(path))
    except SafetensorError as error:
        raise CheckpointError(f"{path}: not a safetensors file: {error}") from error
    groups: dict[str, dict[str, torch.Tensor]] = {group: {} for group in TENSOR_GROUPS}
    for key, tensor in tensors.items():
        group, _, name = key.partition(".")
        if group not in groups or not name:
            raise CheckpointError(f"{path}: unexpected tensor '{key}' (expected model.*, optim.* or rng.*)")
        groups[group][name] = tensor
    unknown_rng = sorted(set(groups["rng"]) - set(RNG_NAMES))
    if unknown_rng:
        raise CheckpointError(f"{path}: unexpected tensor 'rng.{unknown_rng[0]}'")
    if not groups["model"]:
        raise CheckpointError(f"{path}: no model.* tensors")
    try:
        config = parse_run_config(meta["config"])
    except ConfigError as error:
        raise CheckpointError(f"{path}: stored config is invalid: {error}") from error
    threshold = meta["calibrated_threshold"]
    return Checkpoint(
        step=int(meta["step"]),
        config=config,
        model=groups["model"],
        optimizer_tensors=groups["optim"],
        optimizer_meta=meta["optimizer"],
        rng=groups["rng"],
        scheduler=meta["scheduler"],
        code_version=str(meta["code_version"]),
        calibrated_threshold=None if threshold is None else float(threshold),
    )


def write_calibrated_threshold(path: str | Path, threshold: float) -> Path:
    """Record a threshold calibrated on validation data in an existing checkpoint (rewritten atomically)."""
    return save_checkpoint(path, replace(load_checkpoint(path), calibrated_threshold=float(threshold)))
