"""Checkpoint files: the shared one-file format, read back strictly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from tiny_setup import SeparableImages, tiny_config_dict

from mirage_detector import CheckpointError, load_checkpoint, parse_run_config, train
from mirage_detector.backbone import ClipBackbone
from mirage_detector.engine import write_calibrated_threshold


@pytest.fixture(scope="module")
def trained(tiny_backbone: ClipBackbone, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ckpt")
    config = parse_run_config(tiny_config_dict(schedule__steps=2, schedule__checkpoint_every=2))
    result = train(config, SeparableImages(16), checkpoint_dir=folder, backbone=tiny_backbone)
    assert result.checkpoint_path is not None
    return result.checkpoint_path


def raw(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, object]]:
    with safe_open(str(path), framework="pt") as handle:
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
        return tensors, json.loads(handle.metadata()["mirage"])


def test_file_layout_follows_the_shared_format(trained: Path) -> None:
    tensors, meta = raw(trained)
    assert set(meta) == {
        "format",
        "step",
        "config",
        "scheduler",
        "optimizer",
        "code_version",
        "calibrated_threshold",
    }
    assert meta["format"] == 1 and meta["step"] == 2 and meta["calibrated_threshold"] is None
    assert meta["config"] == tiny_config_dict(schedule__steps=2, schedule__checkpoint_every=2)
    assert {key.split(".")[0] for key in tensors} == {"model", "optim", "rng"}
    assert tensors["rng.torch"].dtype == torch.uint8
    assert "model.prompts.context" in tensors and "optim.prompts.context.exp_avg" in tensors
    assert not any(key.startswith("model.backbone") for key in tensors)
    checkpoint = load_checkpoint(trained)
    assert checkpoint.step == 2 and checkpoint.config == parse_run_config(meta["config"])
    assert torch.equal(checkpoint.model["prompts.context"], tensors["model.prompts.context"])


def rewrite(
    source: Path, target: Path, tensors_change: dict[str, torch.Tensor | None], meta_change: dict[str, object]
) -> Path:
    tensors, meta = raw(source)
    for key, value in tensors_change.items():
        if value is None:
            tensors.pop(key)
        else:
            tensors[key] = value
    for key, value in meta_change.items():
        if value is None:
            meta.pop(key)
        else:
            meta[key] = value
    save_file(tensors, str(target), metadata={"mirage": json.dumps(meta)})
    return target


def test_unknown_tensor_groups_and_metadata_keys_are_refused(trained: Path, tmp_path: Path) -> None:
    bad = rewrite(trained, tmp_path / "a.safetensors", {"ema.prompts.context": torch.zeros(1)}, {})
    with pytest.raises(CheckpointError, match=r"unexpected tensor 'ema\.prompts\.context'"):
        load_checkpoint(bad)
    bad = rewrite(trained, tmp_path / "b.safetensors", {"rng.numpy": torch.zeros(1, dtype=torch.uint8)}, {})
    with pytest.raises(CheckpointError, match=r"unexpected tensor 'rng\.numpy'"):
        load_checkpoint(bad)
    bad = rewrite(trained, tmp_path / "c.safetensors", {}, {"scheduler": None, "notes": "x"})
    with pytest.raises(CheckpointError, match=r"missing \['scheduler'\], unexpected \['notes'\]"):
        load_checkpoint(bad)
    bad = rewrite(trained, tmp_path / "d.safetensors", {}, {"format": 2})
    with pytest.raises(CheckpointError, match=r"format 2 is not supported"):
        load_checkpoint(bad)
    config = tiny_config_dict()
    config["loss"]["w_intra"] = "x"
    bad = rewrite(trained, tmp_path / "e.safetensors", {}, {"config": config})
    with pytest.raises(CheckpointError, match=r"stored config is invalid: loss\.w_intra: Input should be"):
        load_checkpoint(bad)


def test_missing_or_garbage_files(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="checkpoint file not found"):
        load_checkpoint(tmp_path / "none.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 16)
    with pytest.raises(CheckpointError, match="not a safetensors file"):
        load_checkpoint(tmp_path / "junk.safetensors")


def test_resume_with_a_missing_model_tensor_names_it(
    trained: Path, tmp_path: Path, tiny_backbone: ClipBackbone
) -> None:
    bad = rewrite(trained, tmp_path / "m.safetensors", {"model.prompts.deep_text.0": None}, {})
    config = parse_run_config(tiny_config_dict(schedule__steps=2, schedule__checkpoint_every=2))
    with pytest.raises(CheckpointError, match=r"missing \['prompts\.deep_text\.0'\]"):
        train(
            config,
            SeparableImages(16),
            checkpoint_dir=tmp_path / "x",
            backbone=tiny_backbone,
            resume_from=bad,
        )


def test_calibrated_threshold_is_written_in_place(trained: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.safetensors"
    copy.write_bytes(trained.read_bytes())
    write_calibrated_threshold(copy, 0.37)
    checkpoint = load_checkpoint(copy)
    assert checkpoint.calibrated_threshold == pytest.approx(0.37)
    assert torch.equal(checkpoint.model["prompts.context"], load_checkpoint(trained).model["prompts.context"])
    assert [p.name for p in tmp_path.iterdir()] == ["copy.safetensors"]  # no temporary file left behind
