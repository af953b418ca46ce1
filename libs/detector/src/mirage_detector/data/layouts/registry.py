"""Dataset layout registry: a layout scans a root (folder or manifest file) into ImageRecords."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from mirage_detector.data.records import ImageRecord


@dataclass(frozen=True)
class SkippedFile:
    """A file a scan left out, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class ScanResult:
    """What a layout found under a root: usable records and skipped files, both in path order."""

    records: list[ImageRecord] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


class Layout(Protocol):
    """Scans a root into records; options are the fields of the layout's dataclass."""

    def scan(self, root: str | Path) -> ScanResult: ...


L = TypeVar("L", bound=type)
_REGISTRY: dict[str, type] = {}


def register_layout(name: str) -> Callable[[L], L]:
    """Class decorator: make a layout dataclass creatable by `name`."""

    def decorate(cls: L) -> L:
        if name in _REGISTRY:
            raise ValueError(f"layout {name!r} is already registered")
        _REGISTRY[name] = cls
        return cls

    return decorate


def list_layouts() -> list[str]:
    """Names of the registered layouts, sorted."""
    return sorted(_REGISTRY)


def create_layout(name: str, **options: Any) -> Layout:
    """Instantiate a registered layout with its options; unknown names or options are errors."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown layout {name!r}; registered: {', '.join(list_layouts())}")
    cls = _REGISTRY[name]
    known = {item.name for item in dataclasses.fields(cls)}
    unknown = sorted(set(options) - known)
    if unknown:
        listed = ", ".join(map(repr, unknown))
        raise ValueError(f"layout {name!r}: unknown option(s) {listed}; known: {', '.join(sorted(known))}")
    try:
        return cls(**options)
    except TypeError as error:
        raise ValueError(f"layout {name!r}: {error}") from None
