"""The workflow's layout rules (DEVELOPERS.md, STYLE.md), checked on the source."""

import ast
import re

from clusterprop import paths
from conftest import REPO

RULES = sorted((REPO / "rules").glob("*.smk"))


def test_no_script_reads_snakemake_config():
    offenders = [
        p.name for p in (REPO / "scripts").glob("*.py") if "snakemake.config" in p.read_text()
    ]
    assert offenders == []


def test_no_results_path_is_written_out_in_the_rules():
    """Every results path comes from clusterprop.paths: none is spelled in rules/."""
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
        if name.isupper() and isinstance(value, str) and value.startswith("results/")
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
