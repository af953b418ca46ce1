"""Name-based registries (the timm pattern): ``register`` by decorator, ``create`` and ``list`` by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from mirage_detector.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to factories of one kind of component (methods, losses, prompt learners)."""

    def __init__(self, kind: str, field: str) -> None:
        self.kind = kind
        # dotted RunConfig field that selects an entry, used in error messages
        self.field = field
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering ``entry`` under ``name``; a duplicate name is a programming error."""

        def decorate(entry: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} '{name}' is already registered")
            self._entries[name] = entry
            return entry

        return decorate

    def get(self, name: str) -> T:
        """The entry registered as ``name``; ConfigError listing the known names otherwise."""
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries))
            raise ConfigError(f"{self.field}: unknown {self.kind} '{name}' (known: {known})") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._entries)
