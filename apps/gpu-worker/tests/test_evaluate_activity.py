"""The evaluate activity's function called directly: an in-memory object store behind the real ArtifactCache,
no Temporal, no S3.

What the real-stack tests (test_worker_process.py) cannot cheaply cover: evaluation conditions beyond image
perturbations, video columns, and the scores file a reader recomputes video metrics from.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
import torch
from conftest import tiny_run_config
from mirage_detector import load_checkpoint, parse_run_config, replace_config, train
from mirage_detector.data.records import ImageRecord
from mirage_detector.engine.checkpoint import Checkpoint, write_calibrated_threshold
from mirage_detector.generated.contracts_models import RunEnvironment
from mirage_detector.video_metrics import VideoAggregate, video_metrics
from PIL import Image
from temporalio.exceptions import ApplicationError

from mirage_gpu_worker import evaluate_activity
from mirage_gpu_worker.cache import ArtifactCache
from mirage_gpu_worker.contracts import validate_contract
from mirage_gpu_worker.model_cache import ModelCache
from mirage_gpu_worker.payloads import JsonObject, to_json_payload
from mirage_gpu_worker.s3 import StoredObject, sha256_hex
from mirage_gpu_worker.worker_context import WorkerContext

FIXTURES = Path(__file__).resolve().parents[3] / "libs" / "contracts" / "fixtures" / "valid"
CODE_VERSION = "detector-unit-test"
BUCKET = "bucket"


class MemoryStore:
    """The ArtifactStore calls of the evaluate activity and of the real ArtifactCache, over a dict."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_bytes(
        self, bucket: str, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> StoredObject:
        self.objects[(bucket, key)] = data
        return StoredObject(bucket, key, sha256_hex(data), len(data))

    def stored_sha256(self, bucket: str, key: str) -> str | None:
        return sha256_hex(self.objects[(bucket, key)])

    def download_file(
        self, bucket: str, key: str, destination: Path, expected_sha256: str | None = None
    ) -> None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(self.objects[(bucket, key)])


@dataclass
class Cell:
    """A context with a trained tiny checkpoint, and what is needed to write EvaluateInputs against it."""

    context: WorkerContext
    store: MemoryStore
    checkpoint: JsonObject
    root: Path

    def manifest(self, name: str, records: list[ImageRecord]) -> JsonObject:
        """Register `records` (uris relative to root) as a selection manifest; its ManifestRef."""
        data = "".join(json.dumps(record.to_json()) + "\n" for record in records).encode()
        key = f"datasets/{name}/selection.jsonl"
        self.store.put_bytes(BUCKET, key, data)
        selection = {
            "split": None,
            "generators": None,
            "classes": None,
            "max_images": None,
            "sample_seed": None,
        }
        return {
            "dataset": name,
            "version": "1",
            "content_hash": sha256_hex(data),
            "selection": selection,
            "key": key,
            "selection_hash": sha256_hex(data),
            "root": str(self.root),
            "n_real": sum(record.label == 0 for record in records),
            "n_fake": sum(record.label == 1 for record in records),
        }

    def payload(self, manifest: JsonObject, **overrides: Any) -> JsonObject:
        payload = {
            "run_id": "run-unit",
            "config": tiny_run_config(),
            "checkpoint": self.checkpoint,
            "eval_id": "unit",
            "manifest": manifest,
            "perturbation": {"name": "none"},
            "calibrated_threshold": None,
            "bucket": BUCKET,
            "scores_key": "runs/run-unit/scores/unit.jsonl",
            "code_version": CODE_VERSION,
        }
        payload.update(overrides)
        return payload

    def scores(self, payload: JsonObject) -> list[JsonObject]:
        data = self.store.objects[(payload["bucket"], payload["scores_key"])]
        return [json.loads(line) for line in data.decode().splitlines()]


def write_images(root: Path, name: str, count: int) -> list[ImageRecord]:
    """PNG files (fake bright, real dark), 40 px, in root/name; records with uris relative to root."""
    (root / name).mkdir()
    rng = np.random.default_rng(0)
    records = []
    for index in range(count):
        label = index % 2
        pixels = np.clip(rng.normal(190 if label else 60, 25, (40, 40, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(root / name / f"img_{index:02d}.png")
        records.append(ImageRecord(f"{name}/img_{index:02d}.png", label, "g", "test"))
    return records


def write_videos(root: Path, name: str, count: int, frames: int) -> list[ImageRecord]:
    """Lossless tiny videos (FFV1), fake bright and real dark, in root/name; their frame records in manifest
    order, uris relative to root."""
    (root / name).mkdir()
    rng = np.random.default_rng(1)
    records = []
    for video in range(count):
        label = video % 2
        uri = f"{name}/v{video}.mkv"
        with av.open(str(root / uri), "w", format="matroska") as container:
            stream = container.add_stream("ffv1", rate=10)
            stream.width = stream.height = 40
            stream.pix_fmt = "yuv420p"
            for _ in range(frames):
                pixels = np.clip(rng.normal(190 if label else 60, 25, (40, 40, 3)), 0, 255).astype(np.uint8)
                for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        digest = sha256_hex((root / uri).read_bytes())
        records.extend(
            ImageRecord(
                uri, label, "g", "test", sha256=digest, video_id=f"v{video}", frame=f, timestamp=f / 10
            )
            for f in range(frames)
        )
    return records


@pytest.fixture(scope="module")
def cell(tmp_path_factory: pytest.TempPathFactory) -> Cell:
    root = tmp_path_factory.mktemp("cell")
    training = write_images(root, "train", 8)
    config = parse_run_config(tiny_run_config(steps=4, checkpoint_every=4))
    trained = train(
        config,
        [ImageRecord(str(root / r.uri), r.label, r.generator, "train") for r in training],
        checkpoint_dir=root / "ck",
    )
    assert trained.checkpoint_path is not None
    store = MemoryStore()
    stored = store.put_bytes(BUCKET, "runs/run-unit/final.safetensors", trained.checkpoint_path.read_bytes())
    checkpoint = {"key": stored.key, "sha256": stored.sha256, "bytes": stored.bytes, "step": 4}
    cache = ArtifactCache(store, root / "cache")  # type: ignore[arg-type]
    environment = RunEnvironment.model_validate(
        json.loads((FIXTURES / "RunEnvironment.cuda.json").read_text())["value"]
    )
    context = WorkerContext(store, cache, root, CODE_VERSION, 600.0, environment)  # type: ignore[arg-type]
    return Cell(context, store, checkpoint, root)


@pytest.fixture(scope="module")
def images(cell: Cell) -> JsonObject:
    """The ManifestRef of four test images, for tests about the condition rather than the column."""
    return cell.manifest("images-4", write_images(cell.root, "images-4", 4))


@pytest.fixture(autouse=True)
def no_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    # heartbeats need a running Temporal activity; the pulse is not what these tests are about
    monkeypatch.setattr(evaluate_activity, "HeartbeatPulse", contextlib.nullcontext)


def test_an_image_column_has_no_video_metrics_and_its_lines_no_frame_keys(cell: Cell) -> None:
    payload = cell.payload(cell.manifest("images", write_images(cell.root, "images", 6)))
    output = to_json_payload(evaluate_activity.run_evaluate(cell.context, payload).output)
    validate_contract("EvaluateOutput", output)
    assert output["video"] is None and output["n"] == 6 and output["perturbation_id"] == "none"
    assert all(set(line) == {"uri", "label", "p_fake", "margin"} for line in cell.scores(payload))


def test_a_video_column_reports_video_metrics_a_reader_can_recompute(cell: Cell) -> None:
    frames = write_videos(cell.root, "videos", 4, 3)
    aggregate = {"method": "trimmed_mean", "trim": 0.34}
    payload = cell.payload(
        cell.manifest("videos", frames), video_aggregate=aggregate, calibrated_threshold=0.4, eval_id="videos"
    )
    output = to_json_payload(evaluate_activity.run_evaluate(cell.context, payload).output)
    validate_contract("EvaluateOutput", output)
    lines = cell.scores(payload)
    assert [(line["video_id"], line["frame"], line["timestamp"]) for line in lines] == [
        (r.video_id, r.frame, r.timestamp) for r in frames
    ]
    recomputed = video_metrics(
        [line["video_id"] for line in lines],
        [int(line["label"] == "fake") for line in lines],
        [line["p_fake"] for line in lines],
        VideoAggregate.from_dict(aggregate),
        threshold=output["threshold"],
        calibrated_threshold=output["calibrated_threshold"],
    )
    assert output["video"] == recomputed.to_dict()
    assert output["video"]["aggregate"] == aggregate and output["video"]["n_videos"] == 4
    assert output["n"] == 12  # the top-level fields stay per frame


def test_an_input_without_video_aggregate_takes_the_mean(cell: Cell) -> None:
    payload = cell.payload(cell.manifest("videos-default", write_videos(cell.root, "videos-default", 2, 2)))
    assert "video_aggregate" not in payload
    output = to_json_payload(evaluate_activity.run_evaluate(cell.context, payload).output)
    assert output["video"]["aggregate"] == {"method": "mean", "trim": 0.1}
    assert output["video"]["acc_calibrated"] is None  # no calibrated threshold in the input


def test_a_chain_ending_in_tiles_is_one_condition(cell: Cell, images: JsonObject) -> None:
    chain = {
        "name": "chain",
        "steps": [{"name": "jpeg", "quality": 75}, {"name": "preprocess", "policy": "tile", "size": 32}],
    }
    payload = cell.payload(images, perturbation=chain)
    output = to_json_payload(evaluate_activity.run_evaluate(cell.context, payload).output)
    assert output["perturbation_id"] == "jpeg(quality=75)+preprocess(policy=tile,size=32)"
    assert output["n"] == 4 and len(cell.scores(payload)) == 4


@pytest.mark.parametrize(
    ("perturbation", "message"),
    [
        ({"name": "preprocess", "policy": "center_crop", "size": 224}, "perturbation.size: 224"),
        (
            {
                "name": "chain",
                "steps": [
                    {"name": "preprocess", "policy": "tile", "size": 32},
                    {"name": "jpeg", "quality": 75},
                ],
            },
            "a preprocess step may only be the chain's last",
        ),
    ],
)
def test_a_condition_the_detector_refuses_fails_without_retry(
    cell: Cell, images: JsonObject, perturbation: JsonObject, message: str
) -> None:
    payload = cell.payload(images, perturbation=perturbation)
    with pytest.raises(ApplicationError) as raised:
        evaluate_activity.run_evaluate(cell.context, payload)
    assert (
        raised.value.type == "ConfigError" and raised.value.non_retryable and message in raised.value.message
    )


def test_the_cells_of_a_run_restore_its_detector_once_and_score_as_a_fresh_restore(
    cell: Cell, images: JsonObject
) -> None:
    models = ModelCache()
    columns = [images, cell.manifest("images-6", write_images(cell.root, "images-6", 6))]
    cells = [
        cell.payload(column, eval_id=f"cell-{i}", scores_key=f"runs/run-unit/scores/cell-{i}.jsonl")
        for i, column in enumerate([*columns, columns[0]])
    ]
    cells[2]["perturbation"] = {"name": "jpeg", "quality": 60}
    outputs = [
        to_json_payload(evaluate_activity.run_evaluate(cell.context, p, models=models).output) for p in cells
    ]
    assert models.restorations == 1 and models.backbone_loads == 1 and len(models) == 1
    for payload, output in zip(cells, outputs, strict=True):
        fresh = ModelCache()
        again = evaluate_activity.run_evaluate(
            cell.context, {**payload, "scores_key": "fresh.jsonl"}, models=fresh
        )
        assert fresh.restorations == 1
        assert cell.scores({**payload, "scores_key": "fresh.jsonl"}) == cell.scores(payload)
        assert {**to_json_payload(again.output), "scores_key": payload["scores_key"]} == output


def _checkpoint_variant(cell: Cell, threshold: float) -> tuple[Checkpoint, str]:
    """Another checkpoint file of the same model (another sha256): its calibrated threshold differs."""
    source = cell.context.cache.fetch(
        BUCKET, cell.checkpoint["key"], expected_sha256=cell.checkpoint["sha256"]
    )
    copy = cell.root / f"variant-{threshold}.safetensors"
    copy.write_bytes(Path(source).read_bytes())
    write_calibrated_threshold(copy, threshold)
    return load_checkpoint(copy), sha256_hex(copy.read_bytes())


def test_the_model_cache_is_least_recently_used_and_shares_one_backbone(cell: Cell) -> None:
    config = parse_run_config(tiny_run_config())
    (a, sha_a), (b, sha_b), (c, sha_c) = (_checkpoint_variant(cell, t) for t in (0.3, 0.4, 0.6))
    models = ModelCache(max_models=2)
    first = models.detector(config, a, sha_a)
    second = models.detector(config, b, sha_b)
    # two checkpoints of one backbone: one CLIP in memory
    assert second is not first and second.backbone is first.backbone and models.backbone_loads == 1
    assert models.detector(config, a, sha_a) is first  # a is now the most recently used
    models.detector(config, c, sha_c)  # evicts b
    assert models.restorations == 3 and len(models) == 2
    assert models.detector(config, a, sha_a) is first
    models.detector(config, b, sha_b)
    assert models.restorations == 4
    # another precision is another model (and another backbone, held in bf16)
    bf16 = models.detector(replace_config(config, precision="bf16"), a, sha_a)
    assert bf16 is not first and bf16.backbone.weight_dtype == torch.bfloat16 and models.backbone_loads == 2
