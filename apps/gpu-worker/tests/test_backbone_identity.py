"""A local backbone folder is checked against the weights_sha256 the run was planned with."""

from __future__ import annotations

from pathlib import Path

import pytest
from mirage_detector.generated.contracts_models import BackboneConfig
from temporalio.exceptions import ApplicationError

from mirage_gpu_worker.backbone_identity import backbone_folder_sha256, check_backbone_identity
from mirage_gpu_worker.failures import check_backbone


def _folder(root: Path, weights: bytes) -> Path:
    (root / "tokenizer").mkdir(parents=True, exist_ok=True)
    (root / "config.json").write_text('{"model_type": "clip"}')
    (root / "model.safetensors").write_bytes(weights)
    (root / "tokenizer" / "vocab.json").write_text('{"a": 0}')
    (root / "notes.md").write_text("not part of the identity")
    (root / ".cache").mkdir(exist_ok=True)
    (root / ".cache" / "x.json").write_text("hidden: not part of the identity")
    return root


def _payload(folder: Path, sha256: str | None) -> BackboneConfig:
    return BackboneConfig.model_validate(
        {"source": "local", "name_or_path": str(folder), "config": None, "weights_sha256": sha256}
    )


def test_identity_follows_the_weight_files_only(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "clip", b"v1")
    first = backbone_folder_sha256(folder)
    (folder / "notes.md").write_text("edited")
    assert backbone_folder_sha256(folder) == first
    (folder / "model.safetensors").write_bytes(b"v2")
    assert backbone_folder_sha256(folder) != first


def test_matching_folder_passes_and_another_fails_non_retryably(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "clip", b"v1")
    planned = backbone_folder_sha256(folder)
    check_backbone(_payload(folder, planned))
    check_backbone(_payload(folder, None))
    (folder / "model.safetensors").write_bytes(b"replaced")
    with pytest.raises(ApplicationError) as failure:
        check_backbone(_payload(folder, planned))
    assert failure.value.type == "ConfigError" and failure.value.non_retryable
    assert f"planned with {planned}" in str(failure.value)


def test_hub_and_config_backbones_are_not_checked(tmp_path: Path) -> None:
    hub = {"source": "hub", "name_or_path": "openai/clip-vit-large-patch14", "config": None}
    check_backbone_identity(BackboneConfig.model_validate({**hub, "weights_sha256": "0" * 64}))
    check_backbone_identity(
        BackboneConfig.model_validate(
            {"source": "config", "name_or_path": None, "config": None, "weights_sha256": None}
        )
    )
