"""SYNTHETIC forensics benchmark: procedural real/fake images in families with distinct fingerprints.

These images are made by numpy and Pillow; they say nothing about real image generators. See README.md.
"""

from synthetic_bench.config import DEMO_TRAIN_FAMILY, BenchmarkConfig, BenchmarkConfigError
from synthetic_bench.families import SYNTHETIC_PREFIX, Family, create_family, list_families, register_family
from synthetic_bench.probe import ProbeScore, probe_matrix
from synthetic_bench.writer import FamilyOutput, OutputExistsError, generate_benchmark, render_image

__all__ = [
    "DEMO_TRAIN_FAMILY",
    "SYNTHETIC_PREFIX",
    "BenchmarkConfig",
    "BenchmarkConfigError",
    "Family",
    "FamilyOutput",
    "OutputExistsError",
    "ProbeScore",
    "create_family",
    "generate_benchmark",
    "list_families",
    "probe_matrix",
    "register_family",
    "render_image",
]
