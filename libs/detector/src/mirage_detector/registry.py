"""Name-based registries (the timm pattern): ``register`` by decorator, ``get`` and ``names`` by name.

One class serves every named extension point of the library: methods, losses, prompt learners, dataset
layouts and perturbations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from mirage_detector.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to factories of one kind of component.

    ``field`` names what selects an entry in error messages (a dotted RunConfig field, "layout", ...);
    ``error`` is the exception an unknown name raises (ConfigError unless the kind has its own user
    error); ``check`` runs on each entry at registration, so a malformed entry fails at import.
    """

    def __init__(
        self,
        kind: str,
        field: str,
        *,
        error: Callable[[str], Exception] = ConfigError,
        check: Callable[[T], None] | None = None,
    ) -> None:
        self.kind = kind
        self.field = field
        self._error = error
        self._check = check
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering ``entry`` under ``name``; a duplicate name is a programming error."""

        def decorate(entry: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} '{name}' is already registered")
            if self._check is not None:
                self._check(entry)
            self._entries[name] = entry
            return entry

        return decorate

    def get(self, name: str) -> T:
        """The entry registered as ``name``; the registry's error listing the known names otherwise."""
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries))
            raise self._error(f"{self.field}: unknown {self.kind} '{name}' (known: {known})") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._entries)
