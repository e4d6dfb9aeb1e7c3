import os
import re

import pytest

from clusterprop import folders
from clusterprop.benchmarks import collect, describe_machine_speed, machine_speed, main, per_rule
from conftest import REPO
from workflow_helpers import copy_workflow

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def write(path, seconds, rss="100.5"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{seconds}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{seconds}\n")


def test_per_rule_times(tmp_path, capsys):
    write(tmp_path / "cluster/raw/k10/seed0.tsv", 10.0)
    write(tmp_path / "cluster/raw/k20/seed0.tsv", 30.0, rss="200")
    write(tmp_path / "prepare_dataset.tsv", 2.5, rss="-")
    table = per_rule(collect(tmp_path))
    assert table.loc["cluster", "jobs"] == 2
    assert table.loc["cluster", "total_s"] == 40.0
    assert table.loc["cluster", "max_rss_mb"] == 200
    assert table.index.tolist() == ["cluster", "prepare_dataset"]
    assert main([str(tmp_path)]) == 0
    assert "3 jobs, 42 s of job time" in capsys.readouterr().out


def test_no_benchmarks_is_an_error(tmp_path):
    assert main([str(tmp_path)]) == 1


def test_stage_span_and_jobs_since(tmp_path):
    write(tmp_path / "train/a.tsv", 10.0)
    write(tmp_path / "train/b.tsv", 5.0)
    write(tmp_path / "cluster/old.tsv", 3.0)
    os.utime(tmp_path / "train/a.tsv", (1000, 1000))  # ran 990-1000
    os.utime(tmp_path / "train/b.tsv", (1020, 1020))  # ran 1015-1020
    os.utime(tmp_path / "cluster/old.tsv", (500, 500))
    jobs = collect(tmp_path, since=900)
    assert sorted(jobs.job) == ["train/a", "train/b"]
    assert per_rule(jobs).loc["train", "span_s"] == 30.0


@pytest.mark.parametrize("name, table", [("sweep", "ablation.md"), ("mistakes", "mistakes.md")])
def test_timed_runs_run_snakemake_on_their_overlay(name, table, tmp_path, capsys, monkeypatch):
    workdir = copy_workflow(tmp_path)
    (workdir / "config").mkdir()
    overlay = f"config/{name}.yaml"
    (workdir / overlay).write_text((REPO / overlay).read_text())
    monkeypatch.chdir(workdir)
    assert main([name, "--cores", "1", "--dry-run", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"--configfile {overlay} --cores 1 --dry-run" in out
    assert "every job was up to date" in out or f"no results/summary/{table}" in out
    assert f"{name} wall time:" in out
    assert "machine speed" not in out  # a dry run times nothing


def test_machine_speed_times_the_cnn_and_kmeans_workloads():
    times = machine_speed(n_images=64, n_points=2000)
    assert set(times) == {"cnn", "kmeans"}  # the tests install PyTorch
    assert all(seconds > 0 for seconds in times.values())  # figures, not a speed test
    text = describe_machine_speed(times, n_images=64)
    assert re.search(r"CNN, one epoch on 64 images \(bf16\): +\d+\.\d\d s", text)
    assert re.search(r"K-Means, 20 iterations \(k = 100\): +\d+\.\d\d s", text)
    assert "not timed (no PyTorch)" in describe_machine_speed({"kmeans": 1.0})


def test_folders_command_times_reading_an_image_folder(tmp_path, capsys, fashion):
    folders.write(
        tmp_path, "train", fashion["X_train"][:30], fashion["y_train"], list("0123456789")
    )
    assert main(["folders", str(tmp_path), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "30 image files in" in out
    for step in ("scan (directory tree):", "fingerprint (size, mtime):", "decode (1 processes):"):
        assert re.search(re.escape(step) + r" +\d+\.\d\d s", out), step
