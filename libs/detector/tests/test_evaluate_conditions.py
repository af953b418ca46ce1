"""Evaluation conditions beyond image perturbations (preprocess steps, chains, tiles) and video frames."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
from data.video_fixtures import Clip, write_clip
from PIL import Image
from tiny_setup import tiny_config_dict, write_png_records

from mirage_detector import ConfigError, RunConfig, evaluate, parse_run_config, train
from mirage_detector.backbone import ClipBackbone
from mirage_detector.data.records import ImageRecord
from mirage_detector.engine.datasets import evaluation_dataset
from mirage_detector.video_metrics import VideoAggregate, VideoGroupingError, video_metrics

TILE = {"name": "preprocess", "policy": "tile", "size": 32}


@pytest.fixture(scope="module")
def setup(
    tiny_backbone: ClipBackbone, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[ImageRecord]]:
    folder = tmp_path_factory.mktemp("conditions")
    records = write_png_records(folder / "images", 12, size=72)  # 72 px: a 3 x 3 grid of 32 px tiles
    config = parse_run_config(tiny_config_dict(schedule__steps=12, schedule__checkpoint_every=12))
    result = train(config, records, checkpoint_dir=folder / "ck", backbone=tiny_backbone)
    assert result.checkpoint_path is not None
    return result.checkpoint_path, records


def small_records(folder: Path) -> list[ImageRecord]:
    """Images smaller than the 32 px input and larger ones, so small_images matters."""
    folder.mkdir()
    rng = np.random.default_rng(3)
    records = []
    for index, size in enumerate([(20, 18), (50, 40), (31, 64)]):
        path = folder / f"{index}.png"
        Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(path)
        records.append(ImageRecord(str(path), index % 2, "g", "test"))
    return records


@pytest.mark.parametrize("policy", ["clip_resize", "center_crop"])
@pytest.mark.parametrize("small_images", ["pad", "resize_up"])
def test_a_preprocess_step_gives_the_pixels_of_the_same_config_policy(
    policy: str, small_images: str, tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    records = small_records(tmp_path / "images")
    other = "center_crop" if policy == "clip_resize" else "clip_resize"
    as_config = parse_run_config(
        tiny_config_dict(
            preprocess__eval={"policy": policy, "size": 32}, preprocess__small_images=small_images
        )
    )
    as_step = parse_run_config(
        tiny_config_dict(
            preprocess__eval={"policy": other, "size": 32}, preprocess__small_images=small_images
        )
    )
    step = {"name": "preprocess", "policy": policy, "size": 32}
    reference = evaluation_dataset(records, as_config, tiny_backbone)
    stepped = evaluation_dataset(records, as_step, tiny_backbone, step)
    replaced = evaluation_dataset(records, as_step, tiny_backbone)
    for index in range(len(records)):
        assert torch.equal(stepped[index]["pixel_values"], reference[index]["pixel_values"])
    assert any(
        not torch.equal(replaced[index]["pixel_values"], reference[index]["pixel_values"])
        for index in range(len(records))
    )


@pytest.mark.parametrize(
    "condition",
    [
        {"name": "preprocess", "policy": "center_crop", "size": 224},
        {**TILE, "size": 16},
        {"name": "chain", "steps": [{"name": "jpeg", "quality": 75}, {**TILE, "size": 64}]},
    ],
)
def test_a_preprocess_size_other_than_the_input_size_names_the_field(
    condition: dict, tiny_backbone: ClipBackbone, tiny_config: RunConfig, tmp_path: Path
) -> None:
    records = small_records(tmp_path / "images")
    with pytest.raises(ConfigError, match=r"^perturbation\.size: .* but the backbone expects 32"):
        evaluation_dataset(records, tiny_config, tiny_backbone, condition)


def test_tiled_evaluation_scores_each_image_once(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone
) -> None:
    checkpoint, records = setup
    tiled = evaluate(None, checkpoint, records, backbone=tiny_backbone, perturbation=TILE)
    whole = evaluate(None, checkpoint, records, backbone=tiny_backbone)
    assert [s.index for s in tiled.scores] == list(range(12)) and tiled.metrics["n"] == 12
    assert [s.p_fake for s in tiled.scores] != [s.p_fake for s in whole.scores]
    assert all(abs(s.p_fake - 1 / (1 + np.exp(-s.margin))) < 1e-6 for s in tiled.scores)


def test_a_chain_applies_its_image_steps_before_its_preprocessing(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone
) -> None:
    # the run's preprocess.eval is clip_resize 32: a chain ending in that step scores as the chain without it
    checkpoint, records = setup
    steps = [{"name": "downscale", "factor": 0.5}, {"name": "jpeg", "quality": 60}]
    ended = {"name": "chain", "steps": [*steps, {"name": "preprocess", "policy": "clip_resize", "size": 32}]}
    plain = evaluate(
        None, checkpoint, records, backbone=tiny_backbone, perturbation={"name": "chain", "steps": steps}
    )
    with_step = evaluate(None, checkpoint, records, backbone=tiny_backbone, perturbation=ended)
    clean = evaluate(None, checkpoint, records, backbone=tiny_backbone)
    assert [s.p_fake for s in with_step.scores] == [s.p_fake for s in plain.scores]
    assert [s.p_fake for s in plain.scores] != [s.p_fake for s in clean.scores]


def write_videos(folder: Path, per_label: int, frames: int) -> list[ImageRecord]:
    """Lossless tiny videos (FFV1), fake bright and real dark, and their frame records in manifest order."""
    records = []
    for video in range(2 * per_label):
        label = video % 2
        path = folder / f"v{video}.mkv"
        clip = Clip(path.name, "matroska", "ffv1", 40, 40, 10, frames)
        write_clip(path, clip, seed=video, mean=190 if label else 60)
        records.extend(
            ImageRecord(
                str(path), label, "g", "test", video_id=f"v{video}", frame=frame, timestamp=frame / 10
            )
            for frame in range(frames)
        )
    return records


def test_frames_get_video_metrics_from_their_scores(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    checkpoint, records = setup
    frames = write_videos(tmp_path / "videos", 2, 3)  # 2 real and 2 fake videos of 3 frames
    aggregate = VideoAggregate("max")
    result = evaluate(
        None, checkpoint, frames, backbone=tiny_backbone, video_aggregate=aggregate, calibrated_threshold=0.3
    )
    assert [(s.uri, s.video_id, s.frame, s.timestamp) for s in result.scores] == [
        (r.uri, r.video_id, r.frame, r.timestamp) for r in frames
    ]
    assert len({s.p_fake for s in result.scores}) == 12  # each frame decoded, not the video's first one
    expected = video_metrics(
        [r.video_id for r in frames],  # type: ignore[misc]
        [s.label for s in result.scores],
        [s.p_fake for s in result.scores],
        aggregate,
        result.threshold,
        0.3,
    )
    assert result.video == expected
    assert result.video is not None and (result.video.n_videos, result.video.n_real) == (4, 2)
    assert result.metrics["n"] == 12  # the frame metrics stay per frame
    still = evaluate(None, checkpoint, records, backbone=tiny_backbone)
    assert still.video is None and all(s.video_id is None for s in still.scores)


def test_undecodable_frames_are_skipped_and_a_video_without_frames_is_absent(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    checkpoint, _ = setup
    frames = write_videos(tmp_path / "videos", 2, 3)
    broken = tmp_path / "broken.mkv"
    broken.write_bytes(b"not a video")
    lost = [dataclasses.replace(frames[0], uri=str(broken), video_id="lost", frame=i) for i in range(2)]
    beyond = dataclasses.replace(frames[2], frame=99)  # past the end of its video
    result = evaluate(None, checkpoint, [*frames, beyond, *lost], backbone=tiny_backbone)
    assert len(result.skipped) == 3 and result.metrics["n"] == 12
    assert result.video is not None and result.video.n_videos == 4  # "lost" had no decodable frame


def test_calibrated_threshold_of_video_metrics(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    checkpoint, _ = setup  # this checkpoint stores no calibrated threshold
    frames = write_videos(tmp_path / "videos", 2, 2)
    stored = evaluate(None, checkpoint, frames, backbone=tiny_backbone).video
    assert stored is not None and stored.acc_calibrated is None
    at = evaluate(None, checkpoint, frames, backbone=tiny_backbone, calibrated_threshold=0.5)
    assert at.video is not None and at.video.acc_calibrated == at.video.acc


def test_still_images_among_frames_are_an_error(
    setup: tuple[Path, list[ImageRecord]], tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    checkpoint, records = setup
    mixed = [*write_videos(tmp_path / "videos", 1, 3), *records[6:]]
    with pytest.raises(
        VideoGroupingError, match=r"6 still images \(e\.g\. .*img_006\.png\) among 6 video frames"
    ):
        evaluate(None, checkpoint, mixed, backbone=tiny_backbone)
