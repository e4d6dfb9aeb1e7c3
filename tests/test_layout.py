"""The workflow's layout rules (DEVELOPERS.md, STYLE.md), checked on the source."""

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
