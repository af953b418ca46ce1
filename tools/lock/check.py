"""Checks the Python locks against the declared ranges: every pin of a lock must satisfy every range
declared for that package, and every declared dependency must be pinned. Run by the tools tests (`npm test`)
and after `npm run lock`; exits 1 with one line per problem, naming the package."""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCAL_PYPROJECTS = ("libs/detector/pyproject.toml", "apps/gpu-worker/pyproject.toml", "libs/trackers/pyproject.toml")
LOCKS = {
    "tools/lock/requirements.txt": ("requirements-dev.txt", *LOCAL_PYPROJECTS),
    "tools/lock/node.txt": ("tools/lock/node.in",),
}
"""Each lock file and the files whose declared requirements it must satisfy (relative to the repository)."""

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


@dataclass(frozen=True)
class Declared:
    """One declared requirement and the file that declares it."""

    requirement: Requirement
    source: str


def read_pins(lock_text: str) -> dict[str, Version]:
    """The `name==version` pins of a pip-compile output by canonical name (hash, comment lines skipped)."""
    pins: dict[str, Version] = {}
    for line in lock_text.splitlines():
        match = _PIN.match(line)
        if match:
            pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def read_requirements_file(text: str) -> list[Requirement]:
    """The requirements of a requirements file; options (`-r`, `-e`, `--hash`) and comments are skipped."""
    requirements = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            requirements.append(Requirement(line))
    return requirements


def read_pyproject(text: str) -> tuple[str, list[Requirement]]:
    """A pyproject's project name and its dependencies, optional ones (every extra) included."""
    project = tomllib.loads(text)["project"]
    declared = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        declared.extend(extra)
    return canonicalize_name(project["name"]), [Requirement(spec) for spec in declared]


def read_declared(root: Path, sources: tuple[str, ...]) -> tuple[list[Declared], set[str]]:
    """The requirements declared in `sources`, and the names of the local projects among them."""
    declared: list[Declared] = []
    local_names: set[str] = set()
    for source in sources:
        text = (root / source).read_text()
        if source.endswith("pyproject.toml"):
            name, requirements = read_pyproject(text)
            local_names.add(name)
        else:
            requirements = read_requirements_file(text)
        declared.extend(Declared(requirement, source) for requirement in requirements)
    return declared, local_names


def check_lock(
    pins: dict[str, Version], declared: list[Declared], local_names: set[str], lock: str
) -> list[str]:
    """One message per declared requirement that the pins miss or fall outside; local projects are skipped."""
    problems = []
    for item in declared:
        requirement = item.requirement
        name = canonicalize_name(requirement.name)
        if name in local_names or (requirement.marker is not None and not requirement.marker.evaluate()):
            continue
        pinned = pins.get(name)
        if pinned is None:
            problems.append(f"{name}: declared in {item.source} as '{requirement}' but missing from {lock}")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(
                f"{name}: {lock} pins {pinned}, outside '{requirement}' declared in {item.source};"
                " run: npm run lock"
            )
    return problems


def check_all(root: Path = ROOT) -> tuple[list[str], int]:
    """Problems over every lock in LOCKS, and how many pins were checked."""
    problems: list[str] = []
    pin_count = 0
    for lock, sources in LOCKS.items():
        lock_path = root / lock
        if not lock_path.is_file():
            problems.append(f"{lock} is missing; run: npm run lock")
            continue
        pins = read_pins(lock_path.read_text())
        pin_count += len(pins)
        declared, local_names = read_declared(root, sources)
        problems.extend(check_lock(pins, declared, local_names, lock))
    return problems, pin_count


def main() -> int:
    problems, pin_count = check_all()
    for problem in problems:
        print(f"lock check: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"lock check: {pin_count} pins in {len(LOCKS)} locks satisfy the declared ranges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
