from __future__ import annotations

import hashlib
from pathlib import Path

from synthetic_bench import BenchmarkConfig, generate_benchmark, list_families, render_image


def tree_digest(root: Path) -> tuple[str, int]:
    """SHA-256 over every relative path and its bytes, in sorted order; and the file count."""
    digest = hashlib.sha256()
    files = sorted(path for path in root.rglob("*") if path.is_file())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest(), len(files)


def test_same_seed_gives_byte_identical_trees(tmp_path: Path) -> None:
    config = BenchmarkConfig(seed=7, per_class=6, size=32)
    generate_benchmark(tmp_path / "a", config)
    generate_benchmark(tmp_path / "b", config)
    first, count = tree_digest(tmp_path / "a")
    assert (first, count) == tree_digest(tmp_path / "b")
    # 4 families x (12 images + manifest) + SYNTHETIC.md + benchmark.json
    assert count == len(list_families()) * 13 + 2


def test_other_seed_gives_other_images(tmp_path: Path) -> None:
    generate_benchmark(tmp_path / "a", BenchmarkConfig(seed=1, per_class=4))
    generate_benchmark(tmp_path / "b", BenchmarkConfig(seed=2, per_class=4))
    assert tree_digest(tmp_path / "a")[0] != tree_digest(tmp_path / "b")[0]
    image = "synthetic-quantizer/fake/synthetic-quantizer-fake-00000.jpg"
    assert (tmp_path / "a" / image).read_bytes() != (tmp_path / "b" / image).read_bytes()


def test_an_image_depends_on_its_index_not_on_how_many_are_made() -> None:
    small, large = BenchmarkConfig(per_class=3), BenchmarkConfig(per_class=50)
    for family in list_families():
        for label in ("real", "fake"):
            assert render_image(small, family, label, 2) == render_image(large, family, label, 2)


def test_families_draw_different_real_images() -> None:
    config = BenchmarkConfig(per_class=1)
    reals = {render_image(config, family, "real", 0) for family in list_families()}
    assert len(reals) == len(list_families())
