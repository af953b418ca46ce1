"""The SYNTHETIC.md text written into every generated benchmark root."""

from __future__ import annotations

from synthetic_bench.config import DEMO_TRAIN_FAMILY, BenchmarkConfig
from synthetic_bench.families import create_family


def synthetic_notice(config: BenchmarkConfig) -> str:
    """Markdown saying what these images are (and are not), how they are laid out, how to remake them."""
    family_lines = "\n".join(f"- `{name}`: {create_family(name).summary}" for name in config.families)
    families_flag = ",".join(config.families)
    splits_flag = ",".join(repr(value) for value in config.split_fractions)
    return f"""# SYNTHETIC benchmark - not real generator data

Every image under this folder was drawn procedurally by `tools/synthetic_bench` (numpy + Pillow):
1/f colour textures under soft-edged random shapes. The "real" images are NOT photographs and the
"fake" images are NOT the output of any real image generator. Each family only carries one kind of
synthesis trace, so that training on one family and testing on the others shows a cross-generator
gap in miniature. Numbers measured here say nothing about detecting real generators.

## Families (generator name in the manifests)

{family_lines}

Real images of every family come from the same process (a toy camera: slight lens blur,
signal-dependent sensor noise) with seeds of their own. Every file, real or fake, ends with the
same save: baseline JPEG quality {config.jpeg_quality}, 4:4:4 chroma (the reals' only compression), so
file format and final quality never separate the classes.

## Layout

    <family>/real/<family>-real-NNNNN.jpg
    <family>/fake/<family>-fake-NNNNN.jpg
    <family>/manifest.jsonl   uri relative to <family>/, label, generator = <family>, split, size, sha256

Splits are assigned per class by index (train, then val, then test) in the proportions
{splits_flag}. The demo trains on `{DEMO_TRAIN_FAMILY}` (train split) and evaluates the test
split of every family.

## Regenerate (byte-identical with the same Pillow/libjpeg)

    cd tools && ../.venv/bin/python -m synthetic_bench generate --out DIR --seed {config.seed} \\
        --per-class {config.per_class} --size {config.size} --jpeg-quality {config.jpeg_quality} \\
        --splits {splits_flag} --families {families_flag}
"""
