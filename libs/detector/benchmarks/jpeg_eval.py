"""End-to-end evaluation from image files on local disk through the library's own data path.

Files under the folder become ImageRecords (label 1 when a path component names "fake", else 0; labels do
not affect speed), cycled to ``steps * batch`` images, wrapped by the engine's ``evaluation_dataset``
(RecordDataset + the run's eval preprocessing) and scored by the engine's ``score_dataset`` (DataLoader with
workers and pinned memory, autocast, anchors cached, one transfer at the end). The timed pass includes
worker start-up; a short warmup pass before it warms kernels and the file cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import cycle, islice
from pathlib import Path

from timed_loop import synchronize
from torch.utils.data import Subset

from mirage_detector.config import RunConfig
from mirage_detector.data import ImageRecord
from mirage_detector.engine import Runtime, score_dataset
from mirage_detector.engine.datasets import evaluation_dataset
from mirage_detector.methods import Detector

IMAGE_SUFFIXES = (".jpg", ".jpeg")


@dataclass(frozen=True)
class FileEvalTiming:
    """Throughput of one end-to-end pass over files."""

    images_per_second: float
    ms_per_step: float
    batch_size: int
    images: int
    files: int
    workers: int
    skipped: int

    def to_json(self) -> dict[str, float | int]:
        """The JSON object the benchmark prints."""
        return {
            "images_per_second": round(self.images_per_second, 2),
            "ms_per_step": round(self.ms_per_step, 3),
            "batch_size": self.batch_size,
            "images": self.images,
            "files": self.files,
            "workers": self.workers,
            "skipped": self.skipped,
        }


def jpeg_records(folder: Path) -> list[ImageRecord]:
    """JPEG files under ``folder`` (recursive, sorted) as test records."""
    if not folder.is_dir():
        raise FileNotFoundError(f"--from-files: {folder} is not a directory")
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise FileNotFoundError(f"--from-files: no .jpg/.jpeg files under {folder}")
    return [
        ImageRecord(
            uri=str(path),
            label=int(any("fake" in part.lower() for part in path.relative_to(folder).parts)),
            generator="benchmark",
            split="test",
        )
        for path in paths
    ]


def time_file_evaluation(
    detector: Detector, config: RunConfig, runtime: Runtime, folder: Path, *, warmup: int, steps: int
) -> FileEvalTiming:
    """Score ``steps * eval_batch_size`` images read from ``folder`` (files reused when there are fewer)."""
    batch = config.schedule.eval_batch_size
    files = jpeg_records(folder)
    records = list(islice(cycle(files), batch * steps))
    dataset = evaluation_dataset(records, config, detector.backbone)
    detector.eval()
    # a compiled detector is specialised to one batch shape: pad the last batch as evaluate() does
    fixed = detector.backbone.compiled
    if warmup:
        warm = Subset(dataset, range(min(len(records), batch * warmup)))
        score_dataset(detector, warm, runtime, batch, config.num_workers, fixed_batch=fixed)
    synchronize(runtime.device)
    started = time.perf_counter()
    scored = score_dataset(detector, dataset, runtime, batch, config.num_workers, fixed_batch=fixed)
    synchronize(runtime.device)
    elapsed = max(time.perf_counter() - started, 1e-9)
    images = len(scored.p_fake)
    return FileEvalTiming(
        images_per_second=images / elapsed,
        ms_per_step=1000.0 * elapsed / steps,
        batch_size=batch,
        images=images,
        files=len(files),
        workers=config.num_workers,
        skipped=len(scored.skipped),
    )
