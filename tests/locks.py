"""What the lock files (requirements*.txt, made by tools/lock from requirements*.in) pin,
and what a lock leaves out: every package its source file asks for, with every
dependency of those, their dependencies and so on, must be pinned in it at a version
that satisfies each requirement.

The dependencies are read from the installed packages' own metadata, so this runs in
the environment installed from the lock (or from a lock that pins the same versions):
``python tests/locks.py LOCK`` prints the problems, one a line, and exits 1 if any.
Only the standard library and ``packaging`` (which both environments pin)."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version


def logical_lines(path: Path) -> list[str]:
    """A requirements file's lines, continuations joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def locked(path: Path) -> dict[str, tuple[str, str | None]]:
    """name -> (version, marker or None) of a lock; a name pinned twice is refused."""
    pins: dict[str, tuple[str, str | None]] = {}
    for line in logical_lines(path):
        if line.startswith("-"):
            continue
        requirement = Requirement(re.sub(r"\s--hash=\S+", "", line))
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            raise ValueError(f"{path.name}: {line.split()[0]} is not pinned with ==")
        name = canonicalize_name(requirement.name)
        if name in pins:
            raise ValueError(f"{path.name}: {name} is pinned twice")
        marker = str(requirement.marker) if requirement.marker else None
        pins[name] = (specifiers[0].version, marker)
    return pins


def sources(path: Path) -> list[Requirement]:
    """The requirements of a source file (.in), its ``-r`` includes followed; ``-c``
    constraints are not requirements."""
    found: list[Requirement] = []
    for line in logical_lines(path):
        if line.startswith("-r "):
            found += sources(path.parent / line[3:].strip())
        elif not line.startswith("-"):
            found.append(Requirement(line))
    return found


def unhashed(path: Path) -> list[str]:
    """The packages of a lock that carry no hash (pip's hash-checking mode needs all)."""
    return [
        line.split()[0]
        for line in logical_lines(path)
        if not line.startswith("-") and "--hash=sha256:" not in line
    ]


def closure_problems(source: Path, lock: Path, dists=metadata.distribution) -> list[str]:
    """What the lock leaves out of what its source file needs in this environment: each
    requirement, followed through the installed packages' metadata, must be pinned
    in the lock at a version that satisfies it. ``dists(name)`` gives a package's
    installed metadata (importlib.metadata's distribution)."""
    pins = locked(lock)
    problems: list[str] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(requirement, "its source file") for requirement in sources(source)]
    while todo:
        requirement, wanted_by = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = frozenset(requirement.extras)
        if name not in pins:
            problems.append(f"{lock.name}: {name} ({wanted_by} needs it) is not pinned")
            continue
        version = pins[name][0]
        if not requirement.specifier.contains(Version(version), prereleases=True):
            problems.append(
                f"{lock.name}: {name}=={version} but {wanted_by} needs {requirement.specifier}"
            )
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            dist = dists(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{lock.name}: {name} is pinned but not installed here")
            continue
        if dist.version != version:
            problems.append(f"{lock.name}: {name}=={version} but {dist.version} is installed")
        for line in dist.requires or []:
            dependency = Requirement(line)
            if dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in extras | {""}
            ):
                todo.append((dependency, f"{name} {version}"))
    return sorted(set(problems))


def main(lock: str) -> int:
    lock_path = Path(lock)
    problems = closure_problems(lock_path.with_suffix(".in"), lock_path)
    print("\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
