"""Code versions that cannot be forgotten: each stage's code, hashed, beside its version.

A stage's code is every script its rules run (a rule names its stages in its
``code_version`` param, ``versions.STAGE_VERSIONS``) and every module of this package
those scripts import, directly or through other modules, with the files of a
``templates/`` folder beside a module that names it. Its hash ignores comments,
docstrings and layout (the modules' syntax trees are hashed), so that rewording a
docstring changes nothing.

``versions.STAGE_CODE`` records each stage's hash as of its version. When a stage's
code changes, ``tests/test_code_versions.py`` fails until the record is updated: bump
the stage's version if what it writes changes (its jobs and everything downstream then
rerun), or leave the version where it is for a change that writes the same (a
refactor), and record the new hash either way. ``python -m
clusterprop.workflow.code_versions`` prints the stages whose code changed and the
record to paste.
"""

from __future__ import annotations

import ast
import hashlib
import re
import sys
from pathlib import Path

#: the repository this package lies in (src/clusterprop/workflow/)
REPO = Path(__file__).resolve().parents[3]

_RULE = re.compile(r"^(\s*)(?:rule|checkpoint) (\w+):", re.M)
_STAGE = re.compile(r'STAGE_VERSIONS\["(\w+)"\]')
_SCRIPT = re.compile(r'script:\s*\n\s*"\.\./(scripts/[\w.]+\.py)"')


def rule_stages(repo: Path = REPO) -> dict[str, tuple[list[str], str]]:
    """Each rule that has a code version: its stages and its script (repo-relative)."""
    out = {}
    for smk in sorted((repo / "rules").glob("*.smk")):
        text = smk.read_text()
        starts = list(_RULE.finditer(text))
        for n, start in enumerate(starts):
            end = starts[n + 1].start() if n + 1 < len(starts) else len(text)
            block = text[start.start() : end]
            version = re.search(r"code_version=([^\n]*)", block)
            script = _SCRIPT.search(block)
            if version and script:
                out[start.group(2)] = (_STAGE.findall(version.group(1)), script.group(1))
    return out


def _module_file(repo: Path, dotted: str) -> Path | None:
    base = repo / "src" / Path(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(repo: Path, path: Path) -> set[Path]:
    """The package's modules ``path`` imports (at the top or inside a function), with
    the packages they lie in (their ``__init__``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("clusterprop"):
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.startswith("clusterprop")]
        for name in names:
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # the packages on the way, then the module
                module = _module_file(repo, ".".join(parts[:i]))
                if module is not None:
                    found.add(module)
    return found


def code_files(repo: Path, script: str) -> list[Path]:
    """A script and every module of the package it imports, transitively, with their
    ``templates/`` files."""
    todo, seen = [repo / script], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo += _imported(repo, path) - seen
    templates = {
        template
        for path in seen
        if '"templates"' in path.read_text()
        for template in (path.parent / "templates").glob("*")
        if template.is_file()
    }
    return sorted(seen | templates)


def stage_files(repo: Path = REPO) -> dict[str, list[Path]]:
    """Each stage's code: the files of every rule that names it."""
    files: dict[str, set[Path]] = {}
    for stages, script in rule_stages(repo).values():
        for stage in stages:
            files.setdefault(stage, set()).update(code_files(repo, script))
    return {stage: sorted(paths) for stage, paths in sorted(files.items())}


def _normalised(path: Path) -> bytes:
    """A module's syntax tree without its docstrings (comments and layout are not in
    it); another file's bytes."""
    if path.suffix != ".py":
        return path.read_bytes()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree).encode()


def stage_hashes(repo: Path = REPO) -> dict[str, str]:
    """Each stage's code hash (12 hexadecimal digits)."""
    out = {}
    for stage, paths in stage_files(repo).items():
        digest = hashlib.sha256()
        for path in paths:
            digest.update(str(path.relative_to(repo)).encode() + b"\0")
            digest.update(_normalised(path) + b"\0")
        out[stage] = digest.hexdigest()[:12]
    return out


def changed_stages(recorded: dict[str, str], repo: Path = REPO) -> list[str]:
    """The stages whose code hash is not the recorded one (or has none recorded)."""
    current = stage_hashes(repo)
    stages = sorted(set(current) | set(recorded))
    return [stage for stage in stages if current.get(stage) != recorded.get(stage)]


def record_text(repo: Path = REPO) -> str:
    """``versions.STAGE_CODE`` as it should read for the code as it is."""
    lines = [f'    "{stage}": "{digest}",' for stage, digest in stage_hashes(repo).items()]
    return "STAGE_CODE = {\n" + "\n".join(lines) + "\n}"


def main() -> int:
    from clusterprop.workflow.versions import STAGE_CODE, STAGE_VERSIONS

    changed = changed_stages(STAGE_CODE)
    for stage in changed:
        print(f"{stage}: code changed (version {STAGE_VERSIONS.get(stage)})", file=sys.stderr)
    print(record_text())
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
