"""Dataset layout registry: a layout scans a root (folder or manifest file) into ImageRecords.

A layout is a dataclass; its fields are its options and their annotations their types (options.py), so
`create_layout` and the register command check and parse options the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from mirage_detector.data.layouts.options import (
    LayoutOptionError,
    OptionSpec,
    check_option_value,
    option_specs,
    parse_option_text,
    type_name,
)
from mirage_detector.data.records import ImageRecord
from mirage_detector.json_object import JsonObject
from mirage_detector.registry import Registry


@dataclass(frozen=True)
class SkippedFile:
    """A file a scan left out, and why; `path` is relative to the scan's root (POSIX) when under it."""

    path: str
    reason: str


@dataclass(frozen=True)
class ScanResult:
    """What a layout found under a root, in path order.

    root: the absolute folder the records' relative uris (and skipped paths) are relative to.
    ignored: hidden and OS files (.DS_Store, AppleDouble ._x, Thumbs.db, desktop.ini) counted by reason,
    not listed: a tree copied from a Mac carries one AppleDouble file per image.
    """

    root: Path
    records: list[ImageRecord] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)


class Layout(Protocol):
    """Scans a root into records; options are the fields of the layout's dataclass."""

    def scan(self, root: str | Path) -> ScanResult: ...


def _check_option_types(cls: type) -> None:
    for spec in option_specs(cls).values():
        type_name(spec.type)  # an unsupported annotation fails at import, not at a user's first call


_LAYOUTS: Registry[type] = Registry("layout", "layout", error=LayoutOptionError, check=_check_option_types)

L = TypeVar("L", bound=type)


def register_layout(name: str) -> Callable[[L], L]:
    """Class decorator: make a layout dataclass creatable by `name` (its option types are checked now)."""

    def decorate(cls: L) -> L:
        _LAYOUTS.register(name)(cls)
        return cls

    return decorate


def list_layouts() -> list[str]:
    """Names of the registered layouts, sorted."""
    return _LAYOUTS.names()


def layout_options(name: str) -> dict[str, OptionSpec]:
    """The typed options of a registered layout, in declaration order."""
    return option_specs(_layout_class(name))


def describe_options(name: str) -> str:
    """One line listing a layout's options with their types and defaults."""
    return "options: " + ", ".join(spec.describe() for spec in layout_options(name).values())


def create_layout(name: str, **options: Any) -> Layout:
    """Instantiate a registered layout; a missing, unknown or ill-typed option is a LayoutOptionError."""
    cls = _layout_class(name)
    specs = option_specs(cls)
    unknown = sorted(set(options) - set(specs))
    if unknown:
        raise _option_error(name, f"unknown option(s) {', '.join(map(repr, unknown))}")
    checked: JsonObject = {}
    for key, value in options.items():
        try:
            checked[key] = check_option_value(value, specs[key].type)
        except ValueError as error:
            expected = type_name(specs[key].type)
            raise _option_error(name, f"option {key!r} must be {expected}, {error}") from None
    for spec in specs.values():
        if spec.required and spec.name not in checked:
            raise _option_error(name, f"missing required option {spec.name!r} ({type_name(spec.type)})")
    try:
        return cls(**checked)
    except (TypeError, ValueError) as error:
        raise LayoutOptionError(f"layout {name!r}: {error}") from None


def parse_layout_options(name: str, texts: Mapping[str, str]) -> JsonObject:
    """Command-line option texts (key -> value text) parsed by each option's type."""
    specs = layout_options(name)
    unknown = sorted(set(texts) - set(specs))
    if unknown:
        raise _option_error(name, f"unknown option(s) {', '.join(map(repr, unknown))}")
    parsed: JsonObject = {}
    for key, text in texts.items():
        try:
            parsed[key] = parse_option_text(text, specs[key].type)
        except ValueError as error:
            expected = type_name(specs[key].type)
            raise _option_error(name, f"option {key!r} expects {expected}: {error}; got {text!r}") from None
    return parsed


def _layout_class(name: str) -> type:
    return _LAYOUTS.get(name)


def _option_error(name: str, problem: str) -> LayoutOptionError:
    return LayoutOptionError(f"layout {name!r}: {problem}; {describe_options(name)}")
