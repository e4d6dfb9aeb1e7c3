"""Running the workflow from tests: in a copy of the repository, on real data."""

import copy
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
WORKFLOW_FILES = [
    "Snakefile",
    "config.yaml",
    "rules",
    "scripts",
    "src",
    "schemas",
    "profiles",
    "report",
    "envs",
]


def copy_workflow(dest: Path) -> Path:
    """A private copy of the workflow's code, so that a test may edit it."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / name)
    return dest


def merged_config(overlay: dict, *, schema: bool = True) -> dict:
    """What the Snakefile does with ``--configfile overlay``: the defaults of
    ``config.yaml`` with the overlay merged in (dictionaries merged, lists replaced), then
    validated against the schema, which sets the defaults of keys left out (``schema``
    False: not validated, for a config with a section the schema does not know)."""
    from snakemake.utils import update_config, validate

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    update_config(config, copy.deepcopy(overlay))
    if schema:
        validate(config, str(REPO / "schemas/config.schema.yaml"))
    return config


def run_environment(directory: Path) -> Path:
    """A virtual environment made from ``requirements.txt`` alone (the README's run
    set-up, without the test requirements); returns its ``snakemake``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
    python = directory / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
        + ["--no-compile", "--disable-pip-version-check", "-r", str(REPO / "requirements.txt")],
        check=True,
        timeout=600,
    )
    return directory / "bin" / "snakemake"


def snakemake_command(
    workdir: Path, *args: str, config: dict | None = None, executable: str = SNAKEMAKE
) -> list[str]:
    command = [executable, "--snakefile", str(workdir / "Snakefile"), "--directory", str(workdir)]
    if config is not None:
        path = workdir / f"overlay-{abs(hash(repr(config)))}.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))  # keys in the dict's order
        command += ["--configfile", str(path)]
    return [*command, *args]


def snakemake(
    workdir: Path,
    *args: str,
    config: dict | None = None,
    check: bool = True,
    env: dict | None = None,
    executable: str = SNAKEMAKE,
):
    result = subprocess.run(
        snakemake_command(workdir, *args, config=config, executable=executable),
        capture_output=True,
        text=True,
        timeout=900,
        env=os.environ if env is None else env,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{result.stdout}\n{result.stderr}")
    return result


_RULE = re.compile(r"^(?:local)?rule (\w+):$")
_OUTPUT = re.compile(r"^\s+output: (.*)$")


def planned_jobs(workdir: Path, config: dict) -> list[tuple[str, str]]:
    """(rule, first output) of every job a dry run of ``config`` plans."""
    result = snakemake(workdir, "--dry-run", config=config)
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return []
    jobs: list[tuple[str, str]] = []
    for line in text.splitlines():
        if match := _RULE.match(line):
            jobs.append((match[1], ""))
        elif (match := _OUTPUT.match(line)) and jobs and not jobs[-1][1]:
            jobs[-1] = (jobs[-1][0], match[1].split(", ")[0])
    assert jobs, text
    return jobs


def artifact_mtimes(workdir: Path) -> dict[str, int]:
    return {
        str(p.relative_to(workdir)): p.stat().st_mtime_ns
        for p in (workdir / "results").rglob("*")
        if p.is_file()
    }


def rules_of(jobs: list[tuple[str, str]]) -> Counter:
    """How many jobs of each rule a planned job list has."""
    return Counter(rule for rule, _ in jobs)


def build_report(workdir: Path, config: dict, directory: Path, executable: str = SNAKEMAKE) -> str:
    """Build ``snakemake --report`` into ``directory``; return its HTML."""
    report = directory / "report.html"
    snakemake(workdir, "--report", str(report), config=config, executable=executable)
    return report.read_text(errors="replace")
