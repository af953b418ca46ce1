"""What one benchmark generation is made of: seed, sizes, families, splits, final JPEG quality."""

from __future__ import annotations

from dataclasses import dataclass, field

from synthetic_bench.families import list_families

DEMO_TRAIN_FAMILY = "synthetic-upsampler"
"""The family the demo trains on; every family's test split (this one included) is evaluated."""

SPLIT_NAMES: tuple[str, str, str] = ("train", "val", "test")


class BenchmarkConfigError(ValueError):
    """A generation setting is out of range; the message names the field."""


@dataclass(frozen=True)
class BenchmarkConfig:
    """Settings of one generation; equal configs give byte-identical trees on the same Pillow/libjpeg."""

    seed: int = 0
    per_class: int = 200
    size: int = 32
    families: tuple[str, ...] = field(default_factory=lambda: tuple(list_families()))
    jpeg_quality: int = 90
    split_fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)

    def __post_init__(self) -> None:
        _check_int("seed", self.seed, 0, 2**63 - 1)
        _check_int("per_class", self.per_class, 1, 1_000_000)
        _check_int("size", self.size, 8, 4096)
        if self.size % 2:
            raise BenchmarkConfigError(f"size must be even (the upsampler family halves it), got {self.size}")
        _check_int("jpeg_quality", self.jpeg_quality, 1, 100)
        if not self.families:
            raise BenchmarkConfigError("families must name at least one family")
        if len(set(self.families)) != len(self.families):
            raise BenchmarkConfigError(f"families lists a family twice: {list(self.families)}")
        known = list_families()
        for name in self.families:
            if name not in known:
                raise BenchmarkConfigError(f"families: unknown family {name!r}; known: {', '.join(known)}")
        fractions = self.split_fractions
        if len(fractions) != 3 or any(not 0.0 <= value <= 1.0 for value in fractions):
            raise BenchmarkConfigError(f"split_fractions must be three numbers in [0, 1], got {fractions}")
        if abs(sum(fractions) - 1.0) > 1e-9:
            raise BenchmarkConfigError(f"split_fractions must sum to 1, got {fractions}")

    def split_of(self, index: int) -> str:
        """The split of the index-th image of a class: the first ones train, then val, then test."""
        train_count = round(self.per_class * self.split_fractions[0])
        val_count = round(self.per_class * self.split_fractions[1])
        if index < train_count:
            return "train"
        return "val" if index < train_count + val_count else "test"


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BenchmarkConfigError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
