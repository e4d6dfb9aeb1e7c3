"""Same config, same numbers: across runs, core counts, and a run killed mid-way."""

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import TINY_CONFIG
from workflow_helpers import copy_workflow, snakemake, snakemake_command

pytestmark = pytest.mark.slow

SUMMARY = "results/summary/metrics.tsv"


def test_two_tiny_runs_on_one_and_two_cores_give_identical_tables(tiny_run, tmp_path):
    other = copy_workflow(tmp_path / "one_core")
    snakemake(other, "--cores", "1", config=TINY_CONFIG)
    assert (other / SUMMARY).read_bytes() == (tiny_run / SUMMARY).read_bytes()
    assert (other / "results/summary/tables.md").read_bytes() == (
        tiny_run / "results/summary/tables.md"
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


def test_run_killed_mid_job_resumes_to_the_same_summary(tiny_run, tmp_path):
    workdir = copy_workflow(tmp_path / "killed")
    process = subprocess.Popen(
        snakemake_command(workdir, "--cores", "2", config=TINY_CONFIG),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=os.environ,
    )
    try:
        deadline = time.monotonic() + 300
        running = None
        while running is None and time.monotonic() < deadline and process.poll() is None:
            for log in workdir.glob("logs/train/**/*.log"):
                model = workdir / "results/models" / log.relative_to(workdir / "logs/train")
                if not model.with_suffix("").joinpath("model.skops").exists():
                    running = log
                    break
            time.sleep(0.02)
        assert running is not None, "no training job was caught running"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert not (workdir / SUMMARY).exists()
    assert_every_artifact_is_complete(workdir / "results")

    snakemake(workdir, "--cores", "2", config=TINY_CONFIG)  # the same command, again
    assert (workdir / SUMMARY).read_bytes() == (tiny_run / SUMMARY).read_bytes()
    assert not list((workdir / "results").rglob(".*.partial*"))
