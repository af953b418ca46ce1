"""Write a benchmark tree: DIR/<family>/{real,fake}/*.jpg + manifest.jsonl, SYNTHETIC.md, benchmark.json.

The tree is built in a hidden sibling folder and renamed into place, so DIR is either absent, or a
complete generation; an existing non-empty DIR is refused rather than overwritten or wiped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import PIL
from PIL import features

from synthetic_bench.camera import make_real
from synthetic_bench.config import DEMO_TRAIN_FAMILY, BenchmarkConfig
from synthetic_bench.encoding import encode_jpeg, to_uint8
from synthetic_bench.families import create_family
from synthetic_bench.notice import synthetic_notice

LABELS: tuple[str, str] = ("real", "fake")
MANIFEST_NAME = "manifest.jsonl"
NOTICE_NAME = "SYNTHETIC.md"
SUMMARY_NAME = "benchmark.json"
FORMAT_VERSION = 1


class OutputExistsError(FileExistsError):
    """The output folder already holds files; generation never overwrites or wipes a folder."""


@dataclass(frozen=True)
class FamilyOutput:
    """Where one family landed and how many images of each label it holds."""

    name: str
    manifest: Path
    counts: dict[str, int]


def image_rng(seed: int, family: str, label: str, index: int) -> np.random.Generator:
    """The generator of one image: depends only on (seed, family, label, index), not on per_class or order."""
    family_key = zlib.crc32(family.encode("utf-8"))
    return np.random.default_rng([seed, family_key, LABELS.index(label), index])


def render_image(config: BenchmarkConfig, family: str, label: str, index: int) -> bytes:
    """The JPEG bytes of one image; both labels get the same final save (quality, 4:4:4, baseline)."""
    rng = image_rng(config.seed, family, label, index)
    if label == "real":
        pixels = make_real(rng, config.size)
    else:
        pixels = create_family(family).make_fake(rng, config.size)
    return encode_jpeg(to_uint8(pixels), config.jpeg_quality)


def image_name(family: str, label: str, index: int) -> str:
    """File name of one image; it carries the synthetic- family name so a stray file still says what it is."""
    return f"{family}-{label}-{index:05d}.jpg"


def _write_family(root: Path, config: BenchmarkConfig, family: str) -> FamilyOutput:
    family_dir = root / family
    lines: list[str] = []
    for label in LABELS:
        (family_dir / label).mkdir(parents=True)
        for index in range(config.per_class):
            data = render_image(config, family, label, index)
            relative = f"{label}/{image_name(family, label, index)}"
            (family_dir / relative).write_bytes(data)
            record = {
                "uri": relative,
                "label": label,
                "generator": family,
                "object_class": None,
                "split": config.split_of(index),
                "width": config.size,
                "height": config.size,
                "format": "JPEG",
                "jpeg_quality": config.jpeg_quality,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    manifest = family_dir / MANIFEST_NAME
    manifest.write_text("".join(lines), encoding="utf-8")
    return FamilyOutput(family, manifest, {label: config.per_class for label in LABELS})


def _summary(config: BenchmarkConfig) -> dict[str, object]:
    return {
        "synthetic": True,
        "format_version": FORMAT_VERSION,
        "note": "SYNTHETIC procedural images; they say nothing about real image generators.",
        "seed": config.seed,
        "per_class": config.per_class,
        "size": config.size,
        "jpeg_quality": config.jpeg_quality,
        "split_fractions": list(config.split_fractions),
        "families": [
            {"name": name, "summary": create_family(name).summary, "manifest": f"{name}/{MANIFEST_NAME}"}
            for name in config.families
        ],
        "demo_protocol": {"train": DEMO_TRAIN_FAMILY, "test": list(config.families)},
        "encoder": {"pillow": PIL.__version__, "libjpeg": features.version("jpg")},
    }


def generate_benchmark(out: str | os.PathLike[str], config: BenchmarkConfig) -> list[FamilyOutput]:
    """Generate every family of `config` under `out` (absent or empty); returns the final family paths."""
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputExistsError(f"--out {target}: exists and is not an empty folder; choose a new path")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    try:
        outputs = [_write_family(staging, config, family) for family in config.families]
        (staging / NOTICE_NAME).write_text(synthetic_notice(config), encoding="utf-8")
        summary = json.dumps(_summary(config), indent=2, sort_keys=True) + "\n"
        (staging / SUMMARY_NAME).write_text(summary, encoding="utf-8")
        staging.chmod(0o755)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [FamilyOutput(o.name, target / o.name / MANIFEST_NAME, o.counts) for o in outputs]
