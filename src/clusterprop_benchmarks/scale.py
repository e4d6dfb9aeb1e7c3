"""The scale benchmark: bigger piles derived from Fashion-MNIST, one run each, every
stage's time and peak memory per size with its growth.

``PYTHONPATH=src python -m clusterprop_benchmarks scale [--sizes N ...] [--cores N]
[--directory DIR]`` writes, for each size, a training set of that many images (the
60,000 originals, then shifted, mirrored and contrast-scaled copies that keep their
labels; the 10,000 test images as published) under ``DIR/SIZE/``, runs the method of
``SCALE_CONFIG`` there (HOG-PCA50, centroids, balanced spreading, LR at 300 and 1,000
labels, one seed), then prints one table: each stage's summed job time and peak memory per
size, the growth from one size to the next beside the growth of the data, the whole
run's wall time and the test accuracy.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from clusterprop.io import read_json, save_npz, write_json
from clusterprop_benchmarks import REPO
from clusterprop_benchmarks.derived import derived_training_set
from clusterprop_benchmarks.timing import collect

DEFAULT_SIZES = (60_000, 250_000, 1_000_000)
#: what each run does: the issue's method on HOG-PCA50 (the sweep's best without a network)
SCALE_CONFIG = {
    "embeddings": {
        "hog": {"method": "hog", "orientations": 9, "pixels_per_cell": 4, "cells_per_block": 2},
        "hog_pca50": {"method": "pca", "input": "hog", "n_components": 50},
    },
    "spreading": {"balance_classes": True},
    "seeds": [0],
    "methods": [
        {
            "name": "hog-pca50: centroids + spreading",
            "embedding": "hog_pca50",
            "selection": "centroid",
            "propagation": "spread",
            "classifier": "lr",
            "budgets": [300, 1000],
        }
    ],
    "summary": {"ablation_budgets": [300, 1000]},
}


def write_derived_dataset(path: Path, size: int, seed: int = 0) -> None:
    """The derived set of ``size`` training images as an npz data set file."""
    from clusterprop.data import (
        FASHION_MNIST_CLASSES,
        SYSTEM_FASHION_MNIST_DIR,
        find_idx_files,
        load_idx_dataset,
    )

    fashion = load_idx_dataset(find_idx_files(SYSTEM_FASHION_MNIST_DIR))
    X_train, y_train = derived_training_set(fashion["X_train"], fashion["y_train"], size, seed)
    save_npz(
        path,
        X_train=X_train,
        y_train=y_train,
        X_test=fashion["X_test"],
        y_test=fashion["y_test"],
        class_names=np.array(FASHION_MNIST_CLASSES),
    )


def scale_config(dataset: Path, size: int) -> dict:
    return {
        **SCALE_CONFIG,
        "dataset": {"name": f"fashion-mnist-{size}", "format": "npz", "path": str(dataset)},
    }


def run_size(directory: Path, size: int, cores: str, snakemake_args: list[str]) -> dict:
    """Derive the set (if missing), run the workflow on it in ``directory``; the run's
    wall time, per-stage job times and peak memory, and its accuracies."""
    directory.mkdir(parents=True, exist_ok=True)
    dataset = directory / f"fashion-mnist-{size}.npz"
    if not dataset.exists():
        start = time.perf_counter()
        write_derived_dataset(dataset, size)
        print(f"{size}: derived set written in {time.perf_counter() - start:.0f} s", flush=True)
    overlay = directory / "scale.yaml"
    overlay.write_text(yaml.safe_dump(scale_config(dataset, size), sort_keys=False))
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(directory),
        "--configfile",
        str(overlay),
        "--cores",
        cores,
        *snakemake_args,
    ]
    print("running:", " ".join(command), flush=True)
    start = time.time()
    subprocess.run(command, check=True)
    wall = time.time() - start
    if {"-n", "--dry-run"} & set(snakemake_args):
        return {"size": size, "wall_s": wall, "jobs": None}
    # a run with nothing left to do keeps the wall time of the run that did the work
    record = directory / "scale_run.json"
    name = scale_config(dataset, size)["dataset"]["name"]
    jobs = collect(directory / "benchmarks" / name)
    if not (jobs.ended >= start).any() and record.exists():
        wall = read_json(record)["wall_s"]
    else:
        write_json(record, {"wall_s": wall, "cores": cores})
    metrics = pd.read_csv(directory / f"results/{name}/summary/default/metrics.tsv", sep="\t")
    by_budget = metrics.groupby("n_labels")
    return {
        "size": size,
        "wall_s": wall,
        "jobs": jobs,
        "accuracy": by_budget.accuracy.mean().to_dict(),
        "labels_correct": by_budget.propagated_label_accuracy.mean().to_dict(),
    }


def stage_table(runs: list[dict]) -> pd.DataFrame:
    """One row per stage: its summed job seconds and peak memory (MB) at each size, and
    the time's growth from each size to the next."""
    columns = {}
    for run in runs:
        by_rule = (
            run["jobs"]
            .groupby("rule")
            .agg(seconds=("seconds", "sum"), peak_mb=("max_rss_mb", "max"))
        )
        columns[f"{run['size']} s"] = by_rule.seconds
        columns[f"{run['size']} MB"] = by_rule.peak_mb
    table = pd.DataFrame(columns)
    for before, after in zip(runs, runs[1:], strict=False):
        growth = table[f"{after['size']} s"] / table[f"{before['size']} s"]
        table[f"x {before['size']}->{after['size']}"] = growth
    return table.sort_values(f"{runs[-1]['size']} s", ascending=False).round(2)


def run_lines(runs: list[dict]) -> list[str]:
    """Per size: the whole run's wall time, its growth against the size before beside
    the data's, and the test accuracy and spread labels' correctness per budget."""
    lines = []
    for before, run in zip([None, *runs[:-1]], runs, strict=True):
        growth = ""
        if before is not None:
            data_growth = run["size"] / before["size"]
            growth = f" (x{run['wall_s'] / before['wall_s']:.2f} for data x{data_growth:.2f})"
        lines.append(
            f"{run['size']} images: whole run {run['wall_s']:.0f} s{growth}; test accuracy"
        )
        lines.append(
            "  "
            + ", ".join(
                f"{100 * accuracy:.2f}% at {n} labels (spread labels "
                f"{100 * run['labels_correct'][n]:.1f}% correct)"
                for n, accuracy in sorted(run["accuracy"].items())
            )
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clusterprop_benchmarks scale")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--cores", default="all", help="cores for Snakemake (default: all)")
    parser.add_argument(
        "--directory", default="runs/scale", help="where each size's run goes (one per size)"
    )
    args, snakemake_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    runs = []
    for size in sorted(args.sizes):
        runs.append(run_size(Path(args.directory) / str(size), size, args.cores, snakemake_args))
    if runs[0]["jobs"] is None:
        return 0  # a dry run: planned only
    print()
    print(stage_table(runs).to_string())
    print()
    for line in run_lines(runs):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
