"""The data path, old against new, in one process: decode, bytes to the device, decode cache, blur.

Run from the repository root::

    .venv/bin/python libs/detector/benchmarks/decode_throughput.py            # full run
    .venv/bin/python libs/detector/benchmarks/decode_throughput.py --quick    # seconds

Every image is made here (photo-like content: shading, edges, texture, noise; no data set is read).
"old" is the path before issue 11: the loader normalises to float32 in the worker, the augmentation blur
filters the whole image in float64, every evaluation decodes every file. "new": uint8 crops normalised on
the device, the blur on the crop window in float32, a DecodeCache of the clean crops.

Printed: (1) decode + preprocess img/s on one core for JPEG (500 x 375, q90, ImageNet-like) and PNG
(512 and 1024 px): decode only, old (float32 crop), new (uint8 crop), and a cache hit; (2) bytes per batch
moved to the device for --batch images at 224 px, float32 against uint8, and the /dev/shm those batches
take with 16 workers x prefetch 2; (3) evaluation img/s from files through the engine (evaluation_dataset
+ score_dataset, --workers loader workers) with a tiny random CLIP (benchmarks/arches.py): old, new
without cache, new first pass (cold cache, writing), new second pass (warm: the "second checkpoint on the
same set"); (4) the blur augmentation in ms per call at 512 and 1024 px, old against new. These are CPU
figures of this machine, not GPU results.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from arches import ARCHES, benchmark_config
from PIL import Image

from mirage_detector.backbone import load_backbone
from mirage_detector.data.dataset import RecordDataset
from mirage_detector.data.decode_cache import DecodeCache, DecodeKey
from mirage_detector.data.image_ops import gaussian_blur, gaussian_blur_box
from mirage_detector.data.loading import decode_image
from mirage_detector.data.records import ImageRecord
from mirage_detector.data.transforms import ImagePipeline, ImageTransform, TilePipeline, build_transform
from mirage_detector.engine import resolve_runtime, score_dataset
from mirage_detector.engine.datasets import evaluation_dataset
from mirage_detector.methods import create_method


@dataclass(frozen=True)
class Settings:
    """Resolved command line."""

    images: int
    repeats: int
    eval_images: int
    batch: int
    workers: int
    device: str


def parse_args(argv: list[str] | None) -> Settings:
    """Parse the command line; --quick shrinks every count."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, help="images per format for the decode figures (default 24)")
    parser.add_argument("--repeats", type=int, help="calls per blur figure (default 5)")
    parser.add_argument("--eval-images", type=int, help="files scored per evaluation pass (default 512)")
    parser.add_argument("--batch", type=int, default=512, help="batch for the bytes figure (default 512)")
    parser.add_argument("--workers", type=int, help="loader workers for evaluation (default min(16, cores))")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu")
    parser.add_argument("--quick", action="store_true", help="a few images and calls: seconds")
    args = parser.parse_args(argv)
    defaults = {"images": 24, "repeats": 5, "eval_images": 512}
    if args.quick:
        defaults = {"images": 4, "repeats": 2, "eval_images": 48}
    settings = Settings(
        images=defaults["images"] if args.images is None else args.images,
        repeats=defaults["repeats"] if args.repeats is None else args.repeats,
        eval_images=defaults["eval_images"] if args.eval_images is None else args.eval_images,
        batch=args.batch,
        workers=args.workers if args.workers is not None else min(16, os.cpu_count() or 1),
        device=args.device,
    )
    if (
        min(settings.images, settings.repeats, settings.eval_images, settings.batch) < 1
        or settings.workers < 0
    ):
        parser.error("counts must be >= 1 and --workers >= 0")
    return settings


def photo_like(width: int, height: int, seed: int) -> Image.Image:
    """Shading, hard-edged discs, texture and sensor noise: content with a photograph's statistics."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    shading = np.stack(
        [
            128 + 90 * np.sin(x / (width / 3.1) + seed) * np.cos(y / (height / 2.3)),
            120 + 80 * np.cos((x + y) / (width / 2.7)),
            110 + 70 * np.sin(y / (height / 4.2) + seed),
        ],
        axis=-1,
    )
    for _ in range(6):
        cx, cy, radius = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0.05, 0.2) * width
        shading[(x - cx) ** 2 + (y - cy) ** 2 < radius**2] = rng.uniform(20, 235, size=3)
    pixels = shading + 12 * np.sin(x * 0.9 + y * 0.4)[..., None] + rng.normal(0, 6, shading.shape)
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), mode="RGB")


def encoded(fmt: str, width: int, height: int, count: int) -> list[bytes]:
    """``count`` distinct images in ``fmt`` (JPEG at quality 90, PNG at Pillow's default level)."""
    files = []
    for seed in range(count):
        buffer = io.BytesIO()
        options = {"quality": 90} if fmt == "JPEG" else {}
        photo_like(width, height, seed).save(buffer, format=fmt, **options)
        files.append(buffer.getvalue())
    return files


def per_second(action: Callable[[bytes], object], files: list[bytes]) -> float:
    """Images per second of ``action`` over ``files`` on this core (one warm-up call first)."""
    action(files[0])
    started = time.perf_counter()
    for data in files:
        action(data)
    return len(files) / max(time.perf_counter() - started, 1e-9)


def decode_figures(settings: Settings, cache_dir: Path) -> None:
    """Decode + preprocess on one core, old against new, per format."""
    torch.set_num_threads(1)  # a loader worker's setting: the figure is per core
    old = build_transform({"policy": "clip_resize", "size": 224}, None, train=False)
    new = build_transform({"policy": "clip_resize", "size": 224}, None, train=False, as_uint8=True)
    cache = DecodeCache(cache_dir / "decode-figures", 2**34)
    print("decode + preprocess (clip_resize 224) on one core, img/s")
    print(f"  {'format':<22}{'decode':>10}{'old f32':>10}{'new u8':>10}{'cache hit':>11}")
    for label, fmt, width, height in (
        ("JPEG 500x375 q90", "JPEG", 500, 375),
        ("PNG 512x512", "PNG", 512, 512),
        ("PNG 1024x1024", "PNG", 1024, 1024),
    ):
        figures = format_rates(label, encoded(fmt, width, height, settings.images), old, new, cache)
        print(f"  {label:<22}" + "".join(f"{value:>10.1f}" for value in figures[:3]) + f"{figures[3]:>11.1f}")


def format_rates(
    label: str, files: list[bytes], old: ImageTransform, new: ImagePipeline | TilePipeline, cache: DecodeCache
) -> tuple[float, float, float, float]:
    """img/s of decode only, decode + old float32 crop, decode + new uint8 crop, and a cache hit."""
    rng = random.Random(0)
    keys = {data: DecodeKey(hashlib.sha256(data).hexdigest(), None, new.cache_id, "none") for data in files}
    for data in files:
        cache.put(keys[data], new(decode_image(data, label), rng).numpy())

    def cached(data: bytes) -> torch.Tensor:
        array = cache.get(keys[data])
        assert array is not None, "the entry was just written"
        return torch.from_numpy(array)

    return (
        per_second(lambda data: decode_image(data, label).load(), files),
        per_second(lambda data: old(decode_image(data, label), rng), files),
        per_second(lambda data: new(decode_image(data, label), rng), files),
        per_second(cached, files),
    )


def bytes_figures(settings: Settings) -> None:
    """Bytes of one batch at 224 px through shared memory, pinned memory and PCIe."""
    old_bytes = settings.batch * 3 * 224 * 224 * 4
    new_bytes = settings.batch * 3 * 224 * 224
    print(f"bytes per batch to the device ({settings.batch} images at 224 px)")
    for label, size in (("old float32", old_bytes), ("new uint8", new_bytes)):
        in_flight = 16 * 2 * size / 1e9  # 16 workers x prefetch 2, in /dev/shm at once
        print(f"  {label:<12}{size / 1e6:8.1f} MB   in /dev/shm, 16 workers x prefetch 2: {in_flight:.1f} GB")


def write_files(folder: Path, count: int) -> list[ImageRecord]:
    """JPEG files (500 x 375, q90) under ``folder`` and their records with content sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for index, data in enumerate(encoded("JPEG", 500, 375, count)):
        path = folder / f"{index:04d}.jpg"
        path.write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        records.append(ImageRecord(str(path), index % 2, "benchmark", "test", sha256=sha))
    return records


def eval_figures(settings: Settings, folder: Path) -> None:
    """Evaluation from files through the engine with a tiny random CLIP: old, new, cold and warm cache."""
    torch.set_num_threads(max(1, (os.cpu_count() or 1) - settings.workers))
    arch = ARCHES["tiny"]
    config = benchmark_config(
        arch,
        "mirage",
        device=settings.device,
        precision="fp32",
        eval_batch=64,
        train_batch=8,
        workers=settings.workers,
    )
    runtime = resolve_runtime(config.device, config.precision)
    backbone = load_backbone(config.backbone)
    detector = create_method(config, backbone).to(runtime.device).eval()
    records = write_files(folder / "files", settings.eval_images)  # distinct files: the cold pass is cold
    float_transform = build_transform(config.preprocess, None, False, backbone.image_mean, backbone.image_std)
    cache = DecodeCache(folder / "decode-cache", 2**34)
    passes = {
        "old (float32, no cache)": RecordDataset(records, float_transform, config.seed),
        "new (uint8, no cache)": evaluation_dataset(records, config, backbone),
        "new, cache cold (writes)": evaluation_dataset(records, config, backbone, decode_cache=cache),
        "new, cache warm (2nd ckpt)": evaluation_dataset(records, config, backbone, decode_cache=cache),
    }
    batch = config.schedule.eval_batch_size
    print(
        f"evaluation from {len(records)} JPEG files (500x375), tiny random CLIP ({arch.image_size} px), "
        f"{settings.workers} workers, batch {batch}, {runtime.device.type}: img/s"
    )
    # warm-up: the files into the page cache, the model's first calls; each pass then starts its own workers
    score_dataset(detector, passes["new (uint8, no cache)"], runtime, batch, settings.workers)
    for label, dataset in passes.items():
        started = time.perf_counter()
        scored = score_dataset(detector, dataset, runtime, batch, settings.workers)
        rate = len(scored.p_fake) / max(time.perf_counter() - started, 1e-9)
        print(f"  {label:<28}{rate:>10.1f}")


def blur_figures(settings: Settings) -> None:
    """The blur augmentation (sigma 1.5, a 224 crop) per call: whole image float64 vs window float32."""
    print("blur augmentation (sigma 1.5, 224 crop), ms per call (median)")
    print(f"  {'image':<22}{'old f64 full':>14}{'new f32 window':>16}{'speed-up':>10}")
    for side in (512, 1024):
        image = photo_like(side, side, seed=side)
        box = (side // 3, side // 4, side // 3 + 224, side // 4 + 224)
        old_ms = _median_ms(
            lambda image=image, box=box: gaussian_blur(image, 1.5).crop(box), settings.repeats
        )
        new_ms = _median_ms(lambda image=image, box=box: gaussian_blur_box(image, 1.5, box), settings.repeats)
        print(f"  {f'{side}x{side}':<22}{old_ms:>14.1f}{new_ms:>16.1f}{old_ms / new_ms:>9.1f}x")


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    action()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(1000.0 * (time.perf_counter() - started))
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Run every figure and print it."""
    settings = parse_args(argv)
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="decode-throughput-") as scratch:
        decode_figures(settings, Path(scratch))
        bytes_figures(settings)
        eval_figures(settings, Path(scratch))
        blur_figures(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
