"""The training loop: exact resumption, cancellation, callbacks, non-finite losses, skipped images."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from tiny_setup import SeparableImages, tiny_config_dict, write_png_records

from mirage_detector import (
    CheckpointError,
    NonFiniteLossError,
    RunConfig,
    load_checkpoint,
    parse_run_config,
    train,
)
from mirage_detector.backbone import ClipBackbone
from mirage_detector.engine import checkpoint_filename
from mirage_detector.engine.batches import step_indices


def augmenting_config(**overrides: object) -> RunConfig:
    """Random crops plus JPEG and blur, so resumption must also reproduce the augmentation draws."""
    return parse_run_config(
        tiny_config_dict(
            augment__jpeg__p=0.5, augment__blur__p=0.5, augment__blur__sigma=[0.0, 1.0], **overrides
        )
    )


def file_tensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    with safe_open(str(path), framework="pt") as handle:
        return {key: handle.get_tensor(key) for key in handle.keys()}, dict(handle.metadata())  # noqa: SIM118


class StopAt:
    """should_stop that answers True once ``step`` steps have run (it is asked before each step)."""

    def __init__(self, step: int) -> None:
        self.step = step
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked > self.step


def test_batch_order_is_a_function_of_seed_and_step() -> None:
    assert step_indices(0, 5, 20, 8) == step_indices(0, 5, 20, 8)
    assert step_indices(0, 0, 20, 8) != step_indices(1, 0, 20, 8)
    epoch = step_indices(0, 0, 20, 8) + step_indices(0, 1, 20, 8)
    assert len(set(epoch)) == 16  # no repeats inside an epoch


@pytest.mark.parametrize("stop_at", [3, 4])
def test_resumed_run_is_bit_identical_to_uninterrupted_run(
    stop_at: int, tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    config = augmenting_config()
    records = write_png_records(tmp_path / "images", 20)  # 2 batches per epoch: resumption crosses epochs
    full = train(config, records, checkpoint_dir=tmp_path / "full", backbone=tiny_backbone)
    assert full.step == 6 and full.checkpoint_path == tmp_path / "full" / checkpoint_filename(6)

    stopper = StopAt(stop_at)
    partial = train(
        config, records, checkpoint_dir=tmp_path / "part", backbone=tiny_backbone, should_stop=stopper
    )
    assert partial.stopped and partial.step == stop_at
    assert partial.checkpoint_path == tmp_path / "part" / checkpoint_filename(stop_at)
    assert load_checkpoint(partial.checkpoint_path).step == stop_at

    resumed = train(
        config,
        records,
        checkpoint_dir=tmp_path / "resumed",
        backbone=tiny_backbone,
        resume_from=partial.checkpoint_path,
    )
    assert resumed.step == 6 and not resumed.stopped
    assert resumed.checkpoint_path is not None and full.checkpoint_path is not None
    final_full, meta_full = file_tensors(full.checkpoint_path)
    final_resumed, meta_resumed = file_tensors(resumed.checkpoint_path)
    assert sorted(final_full) == sorted(final_resumed)
    assert any(key.startswith("optim.") for key in final_full) and "rng.torch" in final_full
    for key, tensor in final_full.items():
        assert torch.equal(tensor, final_resumed[key]), key
    assert meta_full == meta_resumed
    model_keys = [key for key in final_full if key.startswith("model.")]
    assert model_keys and resumed.loss_terms.keys() == full.loss_terms.keys()


def test_different_seeds_give_different_runs(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    first = train(
        augmenting_config(), SeparableImages(16), checkpoint_dir=tmp_path / "a", backbone=tiny_backbone
    )
    second = train(
        augmenting_config(seed=1), SeparableImages(16), checkpoint_dir=tmp_path / "b", backbone=tiny_backbone
    )
    assert first.checkpoint_path and second.checkpoint_path
    a = load_checkpoint(first.checkpoint_path).model
    b = load_checkpoint(second.checkpoint_path).model
    assert not torch.equal(a["prompts.deep_text.0"], b["prompts.deep_text.0"])


def test_callbacks_and_checkpoint_cadence(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    steps: list[tuple[int, int, dict[str, float], float, float]] = []
    saved: list[tuple[Path, int]] = []
    result = train(
        parse_run_config(tiny_config_dict()),
        SeparableImages(32),
        checkpoint_dir=tmp_path,
        backbone=tiny_backbone,
        on_step=lambda *args: steps.append(args),
        on_checkpoint=lambda path, step: saved.append((path, step)),
        report_every=2,
    )
    assert [s[0] for s in steps] == [2, 4, 6] and all(s[1] == 6 for s in steps)
    assert set(steps[0][2]) == {"ce", "intra", "inter", "total"}
    assert steps[0][3] == pytest.approx(0.01)  # step 2 is the last warmup step: full lr
    assert all(s[4] > 0 for s in steps)
    assert [step for _, step in saved] == [3, 6]
    assert [path.name for path, _ in saved] == [checkpoint_filename(3), checkpoint_filename(6)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [checkpoint_filename(3), checkpoint_filename(6)]
    assert result.loss_terms == steps[-1][2]
    assert steps[-1][2]["total"] < steps[0][2]["total"]


def test_stop_before_the_first_step_writes_nothing(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    config = parse_run_config(tiny_config_dict())
    result = train(
        config, SeparableImages(16), checkpoint_dir=tmp_path, backbone=tiny_backbone, should_stop=lambda: True
    )
    assert result.stopped and result.step == 0 and result.checkpoint_path is None
    assert list(tmp_path.iterdir()) == []


def test_non_finite_loss_names_step_and_term_and_saves_nothing(
    tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    config = parse_run_config(tiny_config_dict())
    with pytest.raises(NonFiniteLossError, match=r"loss term 'ce' is NaN or infinite at step 1$") as caught:
        train(config, SeparableImages(16, nan_from=0), checkpoint_dir=tmp_path, backbone=tiny_backbone)
    assert caught.value.step == 1 and caught.value.term == "ce"
    assert list(tmp_path.iterdir()) == []


def test_resume_refuses_a_checkpoint_of_another_config(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    config = parse_run_config(tiny_config_dict())
    first = train(
        config,
        SeparableImages(16),
        checkpoint_dir=tmp_path / "a",
        backbone=tiny_backbone,
        should_stop=StopAt(3),
    )
    other = parse_run_config(tiny_config_dict(seed=7, loss__margin=0.1, num_workers=1))
    with pytest.raises(CheckpointError, match=r"config differs in \['loss', 'seed'\]"):
        train(
            other,
            SeparableImages(16),
            checkpoint_dir=tmp_path / "b",
            backbone=tiny_backbone,
            resume_from=first.checkpoint_path,
        )


def test_unreadable_images_are_skipped_and_reported(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    records = write_png_records(tmp_path / "images", 8)
    (tmp_path / "images" / "img_003.png").write_bytes(b"not an image")
    config = parse_run_config(tiny_config_dict(schedule__steps=2, schedule__checkpoint_every=2))
    result = train(config, records, checkpoint_dir=tmp_path / "ck", backbone=tiny_backbone)
    assert result.step == 2
    assert {uri for uri, _ in result.skipped_images} == {records[3].uri}
    assert len(result.skipped_images) == 2  # one epoch per step here, the broken image is in both


def test_images_missing_on_this_machine_stop_the_training_naming_them(
    tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    from mirage_detector.engine.train import MAX_EMPTY_BATCHES
    from mirage_detector.errors import UnreadableImagesError

    records = write_png_records(tmp_path / "images", 8)
    for record in records:
        Path(record.uri).unlink()  # a worker without the dataset's mount
    config = parse_run_config(tiny_config_dict(schedule__steps=20, schedule__checkpoint_every=10))
    with pytest.raises(
        UnreadableImagesError, match=r"^training \(3 batches\): 24 images in a row could not be read, e.g. "
    ) as caught:
        train(config, records, checkpoint_dir=tmp_path / "ck", backbone=tiny_backbone)
    assert caught.value.images == MAX_EMPTY_BATCHES * 8  # batch_size 8
    assert str(tmp_path / "images" / "img_") in str(caught.value)
    assert "reachable from this worker" in str(caught.value)
    # It stops at the third empty batch, before the first checkpoint (step 10) could look like a trained one.
    assert not (tmp_path / "ck").exists() or list((tmp_path / "ck").iterdir()) == []


def test_preprocess_size_must_match_the_backbone(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    from mirage_detector import ConfigError

    config = parse_run_config(tiny_config_dict(preprocess__train__size=224))
    with pytest.raises(ConfigError, match=r"^preprocess\.train\.size: 224, but the backbone expects 32"):
        train(
            config,
            write_png_records(tmp_path / "i", 2),
            checkpoint_dir=tmp_path / "ck",
            backbone=tiny_backbone,
        )


def test_worker_count_does_not_change_the_run(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    records = write_png_records(tmp_path / "images", 16)
    results = []
    for workers in (0, 2):
        config = augmenting_config(num_workers=workers, schedule__steps=3, schedule__checkpoint_every=3)
        result = train(config, records, checkpoint_dir=tmp_path / f"w{workers}", backbone=tiny_backbone)
        assert result.checkpoint_path is not None
        results.append(load_checkpoint(result.checkpoint_path).model)
    assert all(torch.equal(results[0][name], results[1][name]) for name in results[0])


def test_bf16_autocast_runs_on_cpu(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    config = parse_run_config(tiny_config_dict(precision="bf16", schedule__steps=2))
    result = train(config, SeparableImages(16), checkpoint_dir=tmp_path, backbone=tiny_backbone)
    assert result.step == 2 and all(torch.isfinite(torch.tensor(v)) for v in result.loss_terms.values())
    assert load_checkpoint(result.checkpoint_path or tmp_path).model["prompts.context"].dtype == torch.float32
