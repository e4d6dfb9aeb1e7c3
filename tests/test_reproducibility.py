"""Same config, same numbers: across runs, core counts, and a run killed mid-way."""

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import TINY_CONFIG
from workflow_helpers import artifact_mtimes, copy_workflow, snakemake, snakemake_command

pytestmark = pytest.mark.slow

SUMMARY = "results/fashion-mnist/summary/default/metrics.tsv"


def test_two_tiny_runs_on_one_and_two_cores_give_identical_tables(tiny_run, tmp_path):
    other = copy_workflow(tmp_path / "one_core")
    snakemake(other, "--cores", "1", config=TINY_CONFIG)
    assert (other / SUMMARY).read_bytes() == (tiny_run / SUMMARY).read_bytes()
    assert (other / "results/fashion-mnist/summary/default/tables.md").read_bytes() == (
        tiny_run / "results/fashion-mnist/summary/default/tables.md"
    ).read_bytes()


def assert_every_artifact_is_complete(results):
    for path in results.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix == ".npz":
            with np.load(path) as data:
                [data[key] for key in data.files]
        elif path.suffix == ".npy":
            np.load(path)
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".csv":
            assert path.read_text().startswith("image_id,"), path


def start_run(workdir):
    """The tiny run in the background, in a process group of its own (Snakemake and
    its jobs), its output kept in a file."""
    output = (workdir / "run.out").open("w")
    return subprocess.Popen(
        snakemake_command(workdir, "--cores", "2", config=TINY_CONFIG),
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=os.environ,
    )


def training_job_running(workdir):
    """A training job's log whose model is not written yet: the job is running."""
    for log in workdir.glob("logs/fashion-mnist/train/**/*.log"):
        model = (
            workdir
            / "results/fashion-mnist/models"
            / log.relative_to(workdir / "logs/fashion-mnist/train")
        )
        if not model.with_suffix("").joinpath("model.skops").exists():
            return log
    return None


def wait_for_a_training_job(workdir, process):
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if training_job_running(workdir):
            return
        time.sleep(0.02)
    raise AssertionError("no training job was caught running")


def refused_for_the_lock(result):
    """Snakemake's own refusal: it names the directory lock and how to lift a stale one."""
    text = result.stdout + result.stderr
    return result.returncode != 0 and "cannot be locked" in text and "--unlock" in text


def test_a_second_run_is_refused_and_a_killed_run_resumes_to_the_same_summary(tiny_run, tmp_path):
    """The directory lock (on in the default profile): a second run started while the
    first one works is refused with a message, and touches nothing of the first's (the
    first is paused with SIGSTOP meanwhile, so that it is still running whatever the
    machine's speed). Then the first is killed with SIGKILL, mid-job: every artifact it
    left is complete, the lock it left refuses the next run with a message that names
    --unlock, and after it the same command completes the run to the same summary."""
    workdir = copy_workflow(tmp_path / "busy")
    first = start_run(workdir)
    try:
        wait_for_a_training_job(workdir, first)
        os.killpg(first.pid, signal.SIGSTOP)
        before = artifact_mtimes(workdir)
        second = snakemake(workdir, "--cores", "2", config=TINY_CONFIG, check=False)
        assert refused_for_the_lock(second), second.stdout + second.stderr
        assert artifact_mtimes(workdir) == before  # nothing written, nothing removed
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert not (workdir / SUMMARY).exists()
    assert_every_artifact_is_complete(workdir / "results")

    again = snakemake(workdir, "--cores", "2", config=TINY_CONFIG, check=False)
    assert refused_for_the_lock(again), again.stdout + again.stderr
    snakemake(workdir, "--unlock", config=TINY_CONFIG)
    snakemake(workdir, "--cores", "2", config=TINY_CONFIG)  # the same command, again
    assert (workdir / SUMMARY).read_bytes() == (tiny_run / SUMMARY).read_bytes()
    assert not list((workdir / "results").rglob(".*.partial*"))
