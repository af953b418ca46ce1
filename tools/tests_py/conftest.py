"""Shared fixtures: one SYNTHETIC benchmark generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthetic_bench import BenchmarkConfig, generate_benchmark

PROBE_CONFIG = BenchmarkConfig(seed=0, per_class=100, size=32)
"""Large enough for a probe (20 test images per class per family), small enough to build in ~3 s."""


@pytest.fixture(scope="session")
def probe_config() -> BenchmarkConfig:
    return PROBE_CONFIG


@pytest.fixture(scope="session")
def bench_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "synthetic"
    generate_benchmark(root, PROBE_CONFIG)
    return root
