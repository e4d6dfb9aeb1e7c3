"""The lock files hold: each pins every package its environment needs (dependencies of
dependencies too), with hashes, as tools/lock makes it from its source file, and the
environments installed from them have no conflict (docs/reproducibility.md#locked-installs).

The test environment (.venv) is installed from requirements-dev.txt, which pins the
same versions as the run's and the network's locks, so their closures are read from
its metadata; Label Studio's lock is read in its own environment (.venv-label-studio)."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.utils import canonicalize_name

from conftest import REPO
from locks import closure_problems, locked, sources, unhashed

#: each lock, with its source file beside it: the run's, the network's, the tests'
#: (installed in .venv), Label Studio's (in .venv-label-studio)
LOCKS = ["requirements", "requirements-cnn", "requirements-dev", "requirements-label-studio"]
IN_TEST_ENVIRONMENT = LOCKS[:3]
LABEL_STUDIO_PYTHON = REPO / ".venv-label-studio/bin/python"
#: pip and setuptools come with a virtual environment, not from a lock
BUNDLED = {"pip", "setuptools"}


def lock(name: str):
    return REPO / f"{name}.txt"


def label_studio_python() -> str:
    if not LABEL_STUDIO_PYTHON.exists():
        pytest.fail(
            f"{LABEL_STUDIO_PYTHON} not found: python3.11 -m venv .venv-label-studio && "
            ".venv-label-studio/bin/pip install -r requirements-label-studio.txt (README)"
        )
    return str(LABEL_STUDIO_PYTHON)


def installed(python: str) -> dict[str, str]:
    """name -> version of what an environment has installed (pip's own list)."""
    listing = subprocess.run(
        [python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return {canonicalize_name(entry["name"]): entry["version"] for entry in json.loads(listing)}


@pytest.mark.parametrize("name", LOCKS)
def test_each_lock_pins_every_package_with_hashes(name):
    pins = locked(lock(name))
    assert len(pins) > 20, name
    assert unhashed(lock(name)) == [], name
    assert all(marker is None for _, marker in pins.values()), name


@pytest.mark.parametrize("name", IN_TEST_ENVIRONMENT)
def test_each_lock_pins_all_that_its_source_file_needs(name):
    assert closure_problems(REPO / f"{name}.in", lock(name)) == []


def test_label_studios_lock_pins_all_that_it_needs():
    check = subprocess.run(
        [label_studio_python(), str(REPO / "tests/locks.py"), str(lock(LOCKS[3]))],
        capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_lock_without_one_of_its_packages_is_found_out(tmp_path):
    """The check can fail: the run's lock with pyyaml taken out (snakemake needs it)."""
    text = lock("requirements").read_text()
    cut = re.sub(r"(?ms)^pyyaml==.*?(?=^[a-z])", "", text)
    assert cut != text
    (tmp_path / "requirements.txt").write_text(cut)
    shutil.copy(REPO / "requirements.in", tmp_path)
    problems = closure_problems(tmp_path / "requirements.in", tmp_path / "requirements.txt")
    assert "requirements.txt: pyyaml (snakemake 9.27.1 needs it) is not pinned" in problems


def test_a_source_file_asking_for_another_version_is_found_out(tmp_path):
    (tmp_path / "requirements.in").write_text("numpy==2.4.5\n")
    shutil.copy(lock("requirements"), tmp_path)
    problems = closure_problems(tmp_path / "requirements.in", tmp_path / "requirements.txt")
    assert problems == ["requirements.txt: numpy==2.4.6 but its source file needs ==2.4.5"]


def test_the_locks_pin_shared_packages_alike():
    """The network's lock is the run's plus its own, the tests' the network's plus theirs
    (each .in file constrains it by the lock below it)."""
    run, cnn, dev = (locked(lock(name)) for name in IN_TEST_ENVIRONMENT)
    assert {name: cnn.get(name) for name in run} == run
    assert {name: dev.get(name) for name in cnn} == cnn


@pytest.mark.slow
def test_each_lock_is_what_tools_lock_makes_of_its_source_file(tmp_path):
    """tools/lock run again (it keeps the pins of the locks it finds) changes no pin: a
    source file edited without a new lock, or a lock edited by hand, fails here. Only the
    pins are compared: a registry may add files (and so hashes) to a released version."""
    uv = REPO / ".venv/bin/uv"
    if not uv.exists():
        uv = shutil.which("uv")
    assert uv, "uv not found: it is in requirements-dev.txt"
    (tmp_path / "tools").mkdir()
    shutil.copy(REPO / "tools/lock", tmp_path / "tools")
    for name in LOCKS:
        shutil.copy(REPO / f"{name}.in", tmp_path)
        shutil.copy(lock(name), tmp_path)
    made = subprocess.run(
        ["bash", str(tmp_path / "tools/lock")], env={**os.environ, "UV": str(uv)},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    for name in LOCKS:
        assert locked(tmp_path / f"{name}.txt") == locked(lock(name)), name


def test_the_environments_hold_what_their_locks_pin_and_no_conflict():
    """.venv is installed from requirements-dev.txt, .venv-label-studio from Label Studio's
    lock: each holds exactly the locked versions, and pip check finds no conflict."""
    for python, name in [(sys.executable, "requirements-dev"), (label_studio_python(), LOCKS[3])]:
        pins = {package: version for package, (version, _) in locked(lock(name)).items()}
        have = installed(python)
        assert {package: have.get(package) for package in pins} == pins, name
        assert set(have) - set(pins) - BUNDLED == set(), name
        check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
        assert check.returncode == 0, (name, check.stdout + check.stderr)


def test_the_conda_environments_pin_what_pip_installs():
    """envs/*.yaml (for conda users) pin each of the source file's packages at its
    locked version (conda resolves their dependencies from conda-forge)."""
    conda_names = {"matplotlib-base": "matplotlib", "pytorch": "torch"}
    for env, name in [("ml", "requirements"), ("cnn", "requirements-cnn")]:
        spec = yaml.safe_load((REPO / f"envs/{env}.yaml").read_text())
        pinned = {
            package: version.split("+")[0] for package, (version, _) in locked(lock(name)).items()
        }
        conda = {}
        for dependency in spec["dependencies"]:
            package, version = (part.strip() for part in dependency.split("="))
            if package != "python":
                conda[conda_names.get(package, package)] = version
        assert conda, env
        assert {package: pinned.get(package) for package in conda} == conda, env
        direct = {requirement.name.lower() for requirement in sources(REPO / f"{name}.in")}
        missing = direct - set(conda) - {"snakemake", "snakemake-executor-plugin-slurm",
                                         "pygments"}  # fmt: skip
        assert missing == set(), (env, missing)
