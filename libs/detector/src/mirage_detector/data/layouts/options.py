"""Typed layout options: a layout dataclass's field annotations are the option types, read with
`typing.get_type_hints`, so there is no second table to drift from the code.

Supported types: bool, int, float, str, tuple[str, ...] (a list of strings), Mapping[str, str], and
any of them `| None`. Command-line text is parsed by type: bool accepts true/false/1/0/yes/no, a float
any finite number (an int is accepted where a float is expected), a list is comma-separated (or a JSON
array), a mapping is `a:b,c:d` (or a JSON object), `none` means None for an optional option.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import json
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_MISSING = object()


class LayoutOptionError(ValueError):
    """A layout option is missing, unknown or ill-typed; the message lists the layout's typed options."""


@dataclass(frozen=True)
class OptionSpec:
    """One option of a layout: its name, annotated type and default (`required` when it has none)."""

    name: str
    type: Any
    default: Any = _MISSING

    @property
    def required(self) -> bool:
        """True when the option has no default and must be given."""
        return self.default is _MISSING

    def describe(self) -> str:
        """E.g. "split (string, default 'test')" or "generator (string, required)"."""
        if self.required:
            return f"{self.name} ({type_name(self.type)}, required)"
        return f"{self.name} ({type_name(self.type)}, default {_show(self.default)})"


def option_specs(cls: type) -> dict[str, OptionSpec]:
    """The options of a layout dataclass: its own fields first, then inherited ones (verify, max_pixels)."""
    hints = typing.get_type_hints(cls)
    # Walk the MRO from object down so a field gets the depth of the most derived class declaring it.
    depth = {name: index for index, base in reversed(list(enumerate(cls.__mro__))) for name in _own(base)}
    specs: dict[str, OptionSpec] = {}
    for item in sorted(dataclasses.fields(cls), key=lambda f: depth.get(f.name, 0)):
        if not item.init:
            continue
        default: Any = _MISSING
        if item.default is not dataclasses.MISSING:
            default = item.default
        elif item.default_factory is not dataclasses.MISSING:
            default = item.default_factory()
        specs[item.name] = OptionSpec(item.name, hints[item.name], default)
    return specs


def _own(cls: type) -> tuple[str, ...]:
    return tuple(inspect.get_annotations(cls))


def type_name(annotation: Any) -> str:
    """How an option type reads in messages: "bool", "int", "string", "list of strings", ..."""
    inner = _optional_inner(annotation)
    if inner is not None:
        return f"optional {type_name(inner)}"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "number"
    if annotation is str:
        return "string"
    if _is_string_list(annotation):
        return "list of strings"
    if _is_string_mapping(annotation):
        return "mapping string->string"
    raise TypeError(f"unsupported layout option type {annotation!r}")


def parse_option_text(text: str, annotation: Any) -> Any:
    """The value of command-line `text` for an option of type `annotation`; ValueError says what fits."""
    inner = _optional_inner(annotation)
    if inner is not None:
        return None if text.strip().lower() == "none" else parse_option_text(text, inner)
    if annotation is bool:
        word = text.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ValueError("true/false, 1/0 or yes/no")
    if annotation is int:
        try:
            return int(text.strip())
        except ValueError:
            raise ValueError("a whole number") from None
    if annotation is float:
        return _parse_float(text)
    if annotation is str:
        return text
    if _is_string_list(annotation):
        return _parse_list(text)
    if _is_string_mapping(annotation):
        return _parse_mapping(text)
    raise TypeError(f"unsupported layout option type {annotation!r}")


def check_option_value(value: Any, annotation: Any) -> Any:
    """`value` (given in code) checked against the type, lists made tuples; ValueError when it does not fit.

    Checked because a frozen dataclass accepts anything: verify="false" would silently be truthy.
    """
    inner = _optional_inner(annotation)
    if inner is not None:
        return None if value is None else check_option_value(value, inner)
    if annotation is bool and isinstance(value, bool):
        return value
    if annotation is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if annotation is float and isinstance(value, int | float) and not isinstance(value, bool):
        # nan and inf would pass every comparison a limit makes (or none); `none` is how to say "no limit".
        if not math.isfinite(value):
            raise ValueError(f"got {value!r} (not finite)")
        return float(value)
    if annotation is str and isinstance(value, str):
        return value
    if _is_string_list(annotation) and isinstance(value, list | tuple) and all(map(_is_str, value)):
        return tuple(value)
    if _is_string_mapping(annotation) and isinstance(value, Mapping) and all(map(_is_str, _items(value))):
        return dict(value)
    raise ValueError(f"got {type(value).__name__} {value!r}")


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _items(mapping: Mapping[Any, Any]) -> list[Any]:
    return [*mapping.keys(), *mapping.values()]


def _optional_inner(annotation: Any) -> Any | None:
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    others = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if len(others) != 1:
        raise TypeError(f"unsupported layout option type {annotation!r}")
    return others[0]


def _is_string_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is tuple and typing.get_args(annotation) == (str, ...)


def _is_string_mapping(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (dict, collections.abc.Mapping) and typing.get_args(annotation) == (str, str)


def _parse_float(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError("a number") from None
    if not math.isfinite(value):
        raise ValueError("a finite number")
    return value


def _parse_list(text: str) -> tuple[str, ...]:
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"a JSON array; this one is invalid: {error.msg}") from None
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise ValueError("a JSON array of strings")
        return tuple(items)
    items = [item.strip() for item in text.split(",")]
    if items == [""]:
        return ()
    if not all(items):
        raise ValueError("comma-separated non-empty names, e.g. a,b")
    return tuple(items)


def _parse_mapping(text: str) -> dict[str, str]:
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"a JSON object; this one is invalid: {error.msg}") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError("a JSON object of strings")
        return data
    mapping: dict[str, str] = {}
    if not text.strip():
        return mapping
    for pair in text.split(","):
        key, sep, value = pair.partition(":")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"comma-separated key:value pairs, e.g. a:b,c:d; bad pair {pair!r}")
        mapping[key.strip()] = value.strip()
    return mapping


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(value) if value else "(empty)"
    if isinstance(value, Mapping):
        return ",".join(f"{k}:{v}" for k, v in value.items()) if value else "(empty)"
    return repr(value)
