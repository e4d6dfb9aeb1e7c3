import os
import re

import numpy as np
import pandas as pd
import pytest

from clusterprop import folders
from clusterprop_benchmarks.__main__ import main
from clusterprop_benchmarks.timing import collect, describe_machine_speed, machine_speed, per_rule
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
    assert (
        "every job was up to date" in out
        or f"no results/fashion-mnist/summary/{name}/{table}" in out
    )
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


def test_cnn_epoch_command_times_an_epoch_of_a_derived_pile(capsys):
    assert main(["cnn-epoch", "--size", "600", "--precision", "fp32", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"one epoch of 600 images \(cpu, fp32, 1 thread\(s\)\): [\d.]+ s", out)
    assert re.search(r"the pile: 0 MiB; peak memory \d+ MiB before training, \d+ MiB after", out)


@pytest.mark.slow
def test_folders_command_times_a_dry_run_with_nothing_to_do(tmp_path, capsys, fashion):
    names = list("0123456789")
    folders.write(tmp_path / "pile", "train", fashion["X_train"][:30], fashion["y_train"], names)
    folders.write(tmp_path / "pile", "test", fashion["X_test"][:10], fashion["y_test"], names)
    assert main(["folders", str(tmp_path / "pile"), "--workdir", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "40 image files in" in out
    for step in ("data stage (the workflow's job):", "dry run with nothing to do:"):
        assert re.search(re.escape(step) + r" +\d+\.\d\d s", out), step
    assert "found something to do" not in out
    assert (tmp_path / "run/results/fashion-mnist/data/dataset.npz").exists()


def test_a_derived_pile_keeps_the_originals_and_labels_and_adds_distinct_copies(fashion):
    from clusterprop_benchmarks.derived import SHIFTS, derived_training_set

    images, labels = fashion["X_train"][:500], fashion["y_train"][:500]
    pile, pile_labels = derived_training_set(images, labels, 1800)
    assert pile.shape == (1800, 28, 28) and pile.dtype == np.uint8
    np.testing.assert_array_equal(pile[:500], images)
    np.testing.assert_array_equal(pile_labels, np.tile(labels, 4)[:1800])
    copies = pile[500:1500].reshape(2, 500, 28, 28)  # the two whole copies
    for copy in copies:
        assert not (copy == images).all(axis=(1, 2)).any()  # no image left as it was
    assert not (copies[0] == copies[1]).all(axis=(1, 2)).any()
    # a copy is still its image: the first copy, shifted back (SHIFTS[0]), is the original
    # up to its contrast factor
    dy, dx = SHIFTS[0]
    back = copies[0][:, : 28 + dy, : 28 + dx].reshape(500, -1).astype(np.float64)
    seen = images[:, -dy:, -dx:].reshape(500, -1).astype(np.float64)
    correlation = [np.corrcoef(a, b)[0, 1] for a, b in zip(back, seen, strict=True)]
    assert np.mean(correlation) > 0.99
    ratio = back.sum(axis=1) / seen.sum(axis=1)
    assert ratio.min() > 0.55 and ratio.max() < 1.01 and ratio.std() > 0.05
    again, _ = derived_training_set(images, labels, 1800)
    np.testing.assert_array_equal(pile, again)
    with pytest.raises(ValueError, match="at most 24 copies"):
        derived_training_set(images[:10], labels[:10], 260)


def test_the_scale_table_gives_each_stage_its_growth():
    from clusterprop_benchmarks.scale import stage_table

    def jobs(rows):
        return pd.DataFrame(rows, columns=["rule", "seconds", "max_rss_mb"])

    runs = [
        {
            "size": 100,
            "jobs": jobs([("embed", 2.0, 100), ("embed", 1.0, 300), ("cluster", 4.0, 50)]),
        },
        {"size": 400, "jobs": jobs([("embed", 12, 900), ("cluster", 8, 60)])},
    ]
    table = stage_table(runs)
    assert table.loc["embed", "100 s"] == 3.0 and table.loc["embed", "100 MB"] == 300
    assert table.loc["embed", "x 100->400"] == 4.0 and table.loc["cluster", "x 100->400"] == 2.0
    assert table.index[0] == "embed"  # the costliest stage at the biggest size first


def test_the_scale_command_derives_its_piles_and_plans_each_run(tmp_path, capfd):
    """``benchmarks scale`` (dry run): each size's derived set is written and its run
    planned, in a directory of its own, from the method's config (valid: no error)."""
    code = main(["scale", "--sizes", "700", "1500", "--directory", str(tmp_path), "-n"])
    out = capfd.readouterr().out
    assert code == 0, out
    for size in (700, 1500):
        dataset = np.load(tmp_path / str(size) / f"fashion-mnist-{size}.npz")
        assert dataset["X_train"].shape == (size, 28, 28) and len(dataset["y_test"]) == 10000
        assert f"--directory {tmp_path / str(size)}" in out
    assert out.count("propagate_labels") >= 4  # 2 sizes x 2 budgets, spread


def test_the_scale_summary_gives_each_size_its_growth_and_accuracy():
    from clusterprop_benchmarks.scale import run_lines

    runs = [
        {"size": 100, "wall_s": 10.0, "accuracy": {300: 0.8}, "labels_correct": {300: 0.81}},
        {"size": 400, "wall_s": 30.0, "accuracy": {300: 0.75}, "labels_correct": {300: 0.7}},
    ]
    lines = run_lines(runs)
    assert lines[0] == "100 images: whole run 10 s; test accuracy"
    assert lines[1] == "  80.00% at 300 labels (spread labels 81.0% correct)"
    assert lines[2] == "400 images: whole run 30 s (x3.00 for data x4.00); test accuracy"
    assert len(lines) == 4
