"""The workflow's layout rules (the developers' guide and its style examples: one file
per stage, paths and logs from one place, a package without import cycles and of
modules of one idea each), checked on the source."""

import ast
import re

from clusterprop.workflow import paths
from conftest import REPO

RULES = sorted((REPO / "rules").glob("*.smk"))


def test_no_script_reads_snakemake_config():
    offenders = [
        p.name for p in (REPO / "scripts").glob("*.py") if "snakemake.config" in p.read_text()
    ]
    assert offenders == []


def rule_lines_spelling(folder: str) -> list[str]:
    """The lines of rules/ that spell out a path into ``folder`` (file: line)."""
    return [
        f"{rule.name}: {line.strip()}"
        for rule in RULES
        for line in rule.read_text().splitlines()
        if re.search(rf"[\"']{folder}/", line)
    ]


def test_no_results_path_is_written_out_in_the_rules():
    """Every results path comes from clusterprop.workflow.paths: none is spelled in rules/."""
    assert rule_lines_spelling("results") == []


def test_every_results_template_is_written_once():
    templates = [
        value
        for name, value in vars(paths).items()
        if name.isupper() and isinstance(value, str) and value.startswith("results/{dataset}/")
    ] + list(paths.SUMMARY.values())
    assert len(templates) > 10
    assert len(templates) == len(set(templates))


def test_common_rules_file_holds_only_what_is_shared():
    assert len((REPO / "rules/common.smk").read_text().splitlines()) < 150


PACKAGE = REPO / "src/clusterprop"


def module_name(path) -> str:
    """``src/clusterprop/workflow/grid.py`` -> ``workflow.grid``; a package's
    ``__init__.py`` -> the package (``workflow``; the top one ``clusterprop``)."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "clusterprop"


def package_imports() -> dict[str, set[str]]:
    """Each module of src/clusterprop (subpackages included) and the package's modules
    it imports, at the top or inside a function (a lazy import still ties the two
    modules together)."""
    modules = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}

    def resolved(dotted: str) -> str:
        """The module a dotted name below ``clusterprop`` is, or the package it is in."""
        name = dotted.removeprefix("clusterprop").removeprefix(".") or "clusterprop"
        while name not in modules and "." in name:
            name = name.rpartition(".")[0]
        return name

    imports = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("clusterprop"):
                found |= {resolved(f"{node.module}.{alias.name}") for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {
                    resolved(alias.name)
                    for alias in node.names
                    if alias.name.startswith("clusterprop.")
                }
        imports[name] = found - {name}
    return imports


def test_no_import_circle_in_the_package():
    imports = package_imports()
    assert imports["folders"] and imports["data"]  # the parse found the imports
    assert "labelling.store" in imports["workflow.store_status"]  # and in subpackages
    circles = []
    for start in imports:
        paths_from_start = [[start]]
        while paths_from_start:
            path = paths_from_start.pop()
            for name in imports.get(path[-1], ()):
                if name == start:
                    circles.append(" -> ".join([*path, name]))
                elif name not in path:
                    paths_from_start.append([*path, name])
    assert circles == []


def test_the_stages_and_labelling_do_not_import_the_workflow_glue():
    """The workflow package (paths, grid, the rules' functions) sits on top: no stage
    module and no labelling module imports it, so a job's script never loads it."""
    imports = package_imports()
    below = {name: found for name, found in imports.items() if not name.startswith("workflow")}
    assert {
        name for name, found in below.items() if any(f.startswith("workflow") for f in found)
    } == set()


#: modules longer than about 350 lines, each of one idea (why it stays whole)
LONG_MODULES = {
    "network": "the CNN: its settings, its training loop, saving and loading",
    "summarize": "the summary's tables, each a view of the one metrics table",
    "workflow.config": "the checks on the config before any job, one per section",
    "data": "reading and verifying published image files (IDX, npz, Fashion-MNIST)",
}


def test_no_module_holds_several_ideas_at_length():
    lengths = {
        module_name(path): len(path.read_text().splitlines()) for path in PACKAGE.rglob("*.py")
    }
    long = {name for name, lines in lengths.items() if lines > 360}
    assert long <= set(LONG_MODULES), {name: lengths[name] for name in long - set(LONG_MODULES)}
    assert all(lengths[name] <= 520 for name in LONG_MODULES)


def test_every_log_and_benchmark_path_comes_from_the_helpers():
    """paths.logs and paths.benchmarks give every rule's log: and benchmark: paths."""
    assert rule_lines_spelling("(logs|benchmarks)") == []
    text = "".join(rule.read_text() for rule in RULES)
    assert text.count("paths.logs(") == text.count("paths.benchmarks(") == text.count("log:")


def test_every_file_that_uses_a_shared_run_goes_to_its_worker():
    """A test file that takes a session-scoped run (``small_run``, ``tiny_run``) is in
    ``conftest.SHARED_RUNS`` under that run, so that the two pytest workers do not each
    make it; the scheduler puts the files of one run on one worker."""
    from conftest import SHARED_RUNS, pytest_xdist_make_scheduler

    uses = {"small_run": r"\b(clone_of_)?small_run\b", "tiny_run": r"\btiny_run\b"}
    for run, pattern in uses.items():
        users = {
            test.stem
            for test in (REPO / "tests").glob("test_*.py")
            if re.search(rf"def test_\w+\([^)]*{pattern}", test.read_text())
        }
        assert users, run
        assert {module for module in users if SHARED_RUNS.get(module) != run} == set(), run

    class Config:  # what the scheduler reads of pytest's config: the workers
        def getvalue(self, name):
            return {"tx": ["2*popen"]}[name]

    scope = pytest_xdist_make_scheduler(Config(), log=None)._split_scope
    assert scope("tests/test_reruns.py::test_a") == scope("tests/test_workflow.py::test_b[x]")
    assert scope("tests/test_slurm.py::test_a") == scope("tests/test_reproducibility.py::test_b")
    assert scope("tests/test_data.py::test_a") == scope("tests/test_data.py::test_b")
    assert scope("tests/test_data.py::test_a") != scope("tests/test_folders.py::test_b")


def test_the_longest_work_units_are_collected_first_in_file_order():
    from pathlib import Path

    from conftest import pytest_collection_modifyitems

    class Item:
        def __init__(self, file, name):
            self.path, self.name = Path(f"tests/{file}.py"), name

    items = [Item("test_data", "a"), Item("test_workflow", "b"), Item("test_network", "c")]
    items += [Item("test_data", "d"), Item("test_reruns", "e"), Item("test_slurm", "f")]
    pytest_collection_modifyitems(items)
    assert [item.name for item in items] == ["b", "e", "f", "c", "a", "d"]
