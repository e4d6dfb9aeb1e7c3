"""The workflow's layout rules (DEVELOPERS.md, STYLE.md), checked on the source."""

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


def test_no_results_path_is_written_out_in_the_rules():
    """Every results path comes from clusterprop.workflow.paths: none is spelled in rules/."""
    offenders = [
        f"{rule.name}: {line.strip()}"
        for rule in RULES
        for line in rule.read_text().splitlines()
        if re.search(r"[\"']results/", line)
    ]
    assert offenders == []


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


def package_imports() -> dict[str, set[str]]:
    """Each module of src/clusterprop and the package's modules it imports, at the top
    or inside a function (a lazy import still ties the two modules together)."""
    imports = {}
    for module in sorted((REPO / "src/clusterprop").glob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "clusterprop":
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "clusterprop."
            ):
                names.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                names |= {
                    alias.name.split(".")[1]
                    for alias in node.names
                    if alias.name.startswith("clusterprop.")
                }
        imports[module.stem] = names - {module.stem}
    return imports


def test_no_import_circle_in_the_package():
    imports = package_imports()
    assert imports["folders"] and imports["data"]  # the parse found the imports
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


def pins(path) -> dict[str, str]:
    """name -> version of a pip requirements file (its -r includes followed)."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif "==" in line:
            name, version = line.split("==")
            found[name.lower()] = version
    return found


def test_the_conda_environments_pin_what_pip_installs():
    """envs/*.yaml (for conda users) and requirements*.txt (pip) pin the same versions."""
    import yaml

    conda_names = {"matplotlib-base": "matplotlib", "pytorch": "torch"}
    for env, requirements in [("ml", "requirements.txt"), ("cnn", "requirements-cnn.txt")]:
        spec = yaml.safe_load((REPO / f"envs/{env}.yaml").read_text())
        pinned = pins(REPO / requirements)
        conda = {}
        for dependency in spec["dependencies"]:
            name, version = (part.strip() for part in dependency.split("="))
            if name != "python":
                conda[conda_names.get(name, name)] = version
        assert conda, env
        assert {name: pinned.get(name) for name in conda} == conda, env
        missing = set(pinned) - set(conda) - {"snakemake", "snakemake-executor-plugin-slurm",
                                              "pygments"}  # fmt: skip
        assert missing == set(), (env, missing)


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
