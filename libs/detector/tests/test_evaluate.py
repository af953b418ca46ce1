"""Evaluation of checkpoints: scores, metrics, thresholds, perturbations, cached anchors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tiny_setup import tiny_config_dict, write_png_records

from mirage_detector import (
    ConfigError,
    calibrate_checkpoint,
    evaluate,
    load_checkpoint,
    parse_run_config,
    train,
)
from mirage_detector.backbone import ClipBackbone
from mirage_detector.data.records import ImageRecord


@pytest.fixture(scope="module")
def setup(
    tiny_backbone: ClipBackbone, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[ImageRecord]]:
    folder = tmp_path_factory.mktemp("eval")
    records = write_png_records(folder / "images", 12)
    config = parse_run_config(tiny_config_dict(schedule__steps=12, schedule__checkpoint_every=12))
    result = train(config, records, checkpoint_dir=folder / "ck", backbone=tiny_backbone)
    assert result.checkpoint_path is not None
    return result.checkpoint_path, records


def test_scores_and_metrics(setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone) -> None:
    checkpoint, records = setup
    result = evaluate(None, checkpoint, records, backbone=tiny_backbone)
    assert [s.index for s in result.scores] == list(range(12))
    assert [s.uri for s in result.scores] == [r.uri for r in records]
    assert [s.label for s in result.scores] == [r.label for r in records]
    assert all(0.0 <= s.p_fake <= 1.0 for s in result.scores)
    # the margin logit_fake - logit_real is kept beside p_fake, its sigmoid
    assert all(s.p_fake == pytest.approx(1 / (1 + math.exp(-s.margin)), abs=1e-6) for s in result.scores)
    assert result.threshold == 0.5 and result.metrics["threshold"] == 0.5
    assert result.metrics["n"] == 12 and result.metrics["auc"] == pytest.approx(1.0)
    assert result.skipped == [] and result.images_per_second > 0


def test_backbone_is_rebuilt_from_the_checkpoint_config(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone
) -> None:
    checkpoint, records = setup
    rebuilt = evaluate(None, checkpoint, records)
    shared = evaluate(None, checkpoint, records, backbone=tiny_backbone)
    assert [s.p_fake for s in rebuilt.scores] == [s.p_fake for s in shared.scores]


def test_anchors_are_computed_once_per_evaluation(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone
) -> None:
    checkpoint, records = setup
    calls = []
    encode_text = tiny_backbone.encode_text

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return encode_text(*args, **kwargs)

    config = parse_run_config(
        tiny_config_dict(schedule__steps=12, schedule__checkpoint_every=12, schedule__eval_batch_size=4)
    )
    tiny_backbone.encode_text = counting  # type: ignore[method-assign]
    try:
        evaluate(config, checkpoint, records, backbone=tiny_backbone)
    finally:
        del tiny_backbone.encode_text
    assert len(calls) == 1  # three batches, one text pass


def test_perturbation_changes_scores(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone
) -> None:
    checkpoint, records = setup
    clean = evaluate(None, checkpoint, records, backbone=tiny_backbone)
    blurred = evaluate(
        None, checkpoint, records, backbone=tiny_backbone, perturbation={"name": "blur", "sigma": 2.0}
    )
    assert [s.p_fake for s in clean.scores] != [s.p_fake for s in blurred.scores]


def test_calibrated_threshold_is_used_and_explicit_threshold_wins(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    source, records = setup
    checkpoint = tmp_path / "c.safetensors"
    checkpoint.write_bytes(source.read_bytes())
    threshold = calibrate_checkpoint(None, checkpoint, records[:8], backbone=tiny_backbone)
    assert load_checkpoint(checkpoint).calibrated_threshold == pytest.approx(threshold)
    assert evaluate(None, checkpoint, records, backbone=tiny_backbone).threshold == pytest.approx(threshold)
    assert (
        evaluate(None, checkpoint, records, backbone=tiny_backbone, threshold=0.9).metrics["threshold"] == 0.9
    )


def test_evaluation_config_must_describe_the_same_model(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone
) -> None:
    checkpoint, records = setup
    other = parse_run_config(tiny_config_dict(prompt__n_ctx=2, prompt__ctx_init=None))
    with pytest.raises(ConfigError, match=r"^prompt: differs from the checkpoint's config"):
        evaluate(other, checkpoint, records, backbone=tiny_backbone)
