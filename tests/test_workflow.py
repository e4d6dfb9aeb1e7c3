"""End-to-end: the workflow on a real Fashion-MNIST subset, and its config validation."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from clusterprop.train import load_model
from conftest import REPO, SMALL_CONFIG
from workflow_helpers import copy_workflow, snakemake


def test_summary_has_one_row_per_model_and_seed(small_run):
    table = pd.read_csv(small_run / "results/summary/metrics.tsv", sep="\t")
    assert len(table) == 2 * 2 * 7
    for column in [
        "dataset",
        "embedding",
        "selection",
        "n_labels",
        "propagation",
        "seed",
        "accuracy",
        "macro_f1",
        "n_train_labels",
        "propagated_label_accuracy",
    ]:
        assert column in table.columns
    rows = set(
        zip(
            table.embedding,
            table.selection,
            table.n_labels,
            table.propagation,
            table.seed,
            strict=True,
        )
    )
    expected = {
        (embedding, sel, n, prop, seed)
        for embedding in ("raw", "pca")
        for seed in (0, 1)
        for sel, n, prop in [
            ("representative", 10, "none"),
            ("representative", 20, "none"),
            ("representative", 20, "all"),
            ("representative", 20, "closest:75"),
            ("random", 10, "none"),
            ("random", 20, "none"),
            ("all", 5000, "none"),
        ]
    }
    assert rows == expected
    assert set(table.dataset) == {"fashion-mnist"}
    full = table[table.selection == "all"]
    assert (full.accuracy > 0.78).all()  # LR on 5,000 real labels, either embedding
    propagated = table[table.propagation == "all"]
    assert (propagated.n_train_labels == 5000).all()
    assert propagated.propagated_label_accuracy.between(0.3, 0.9).all()
    closest = table[table.propagation == "closest:75"]
    assert closest.n_train_labels.between(0.75 * 5000, 0.75 * 5000 + 20).all()


def test_every_artifact_is_cached(small_run):
    results = small_run / "results"
    assert np.load(results / "embeddings/raw/train.npy").shape == (5000, 784)
    assert np.load(results / "embeddings/raw/test.npy").shape == (1000, 784)
    assert np.load(results / "embeddings/pca/train.npy").shape == (5000, 30)
    for seed in (0, 1):
        for k in (10, 20):
            clusters = np.load(results / f"clusters/raw/k{k}/seed{seed}/clusters.npz")
            assert clusters["centroids"].shape == (k, 784)
            assert set(np.unique(clusters["assignments"])) == set(range(k))
            labels = (results / f"labels/raw/representative-k{k}/seed{seed}/labels.csv").read_text()
            assert labels.startswith("image_id,label\n") and labels.count("\n") == k + 1
        record = json.loads(
            (
                results / f"training_sets/raw/representative-k20/all/seed{seed}/training_set.json"
            ).read_text()
        )
        assert record["n_labels_given"] == 20 and record["n_train_labels"] == 5000
        model = load_model(results / f"models/raw/representative-k20/all/seed{seed}/model.skops")
        training_set = np.load(
            results / f"training_sets/raw/representative-k20/all/seed{seed}/training_set.npz"
        )
        # a class no representative shows cannot be learnt: the model knows the labelled ones
        assert model.classes_.tolist() == np.unique(training_set["labels"]).tolist()
        assert model.coef_.shape == (len(model.classes_), 784)
        metrics = json.loads(
            (
                results / f"metrics/raw/representative-k20/closest75/seed{seed}/metrics.json"
            ).read_text()
        )
        assert metrics["n_labels"] == 20 and metrics["seed"] == seed
        assert np.sum(metrics["confusion_matrix"]) == 1000
        assert metrics["params"]["clustering"]["n_init"] == 1
        assert metrics["params"]["classifier"]["params"]["tol"] == 0.001
    tables = (results / "summary/tables.md").read_text()
    assert re.search(r"\| fashion-mnist\s*\| raw\s*\| representative\s*\|\s*20 \| all\s*\|", tables)
    for name in [
        "accuracy_vs_labels.png",
        "confusion_best.png",
        "representatives/raw-k10-seed0.png",
        "representatives/raw-k20-seed0.png",
    ]:
        assert Image.open(results / "summary" / name).size[0] > 300
    assert list(small_run.glob("benchmarks/cluster/raw/k20/seed1.tsv"))
    assert not list(results.rglob("*.partial*"))


def test_second_run_has_nothing_to_do(small_run):
    result = snakemake(small_run, "-n", config=SMALL_CONFIG)
    assert "Nothing to be done" in result.stdout + result.stderr
    assert not list(small_run.glob("results/**/.*.partial*"))


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        (
            {"clustering": {"k": [10, 6000]}},
            r"clustering.k: k=\[6000\] larger than the training set",
        ),
        ({"propagation": {"strategies": ["nearest"]}}, "strategies"),
        ({"propagation": {"strategies": ["closest:0"]}}, r"P must be in \(0, 100\]"),
        ({"propagation": {"strategies": ["closest:120"]}}, r"P must be in \(0, 100\]"),
        ({"clustering": {"k": []}}, r"\[\] should be non-empty|too short"),
        ({"seeds": []}, r"\[\] should be non-empty|too short"),
        ({"classifier": {"C": -1}}, "less than or equal to the minimum|exclusiveMinimum"),
        ({"embeddings": {"pca": {"method": "pca"}}}, "'n_components' is a required property"),
        ({"embeddings": {"x": {"method": "hog"}}}, "'hog' is not one of"),
    ],
)
def test_bad_config_is_refused_before_any_job(tmp_path, overlay, message):
    copy_workflow(tmp_path)
    config = {**SMALL_CONFIG, **overlay}
    if "clustering" in overlay or "propagation" in overlay:
        for key in ("clustering", "propagation"):
            config[key] = {**SMALL_CONFIG[key], **overlay.get(key, {})}
    result = snakemake(tmp_path, "-n", config=config, check=False)
    assert result.returncode != 0
    assert re.search(message, result.stdout + result.stderr), result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def test_lint_is_clean(small_run):
    result = snakemake(small_run, "--lint", config=SMALL_CONFIG)
    assert "Congratulations" in result.stdout + result.stderr, result.stdout + result.stderr


def test_no_script_reads_snakemake_config():
    offenders = [
        p.name for p in (REPO / "scripts").glob("*.py") if "snakemake.config" in p.read_text()
    ]
    assert offenders == []


def test_report_builds_with_every_summary_output(small_run, tmp_path):
    report = tmp_path / "report.html"
    snakemake(small_run, "--report", str(report), config=SMALL_CONFIG)
    html = report.read_text(errors="replace")
    for name in [
        "metrics.tsv",
        "tables.md",
        "accuracy_vs_labels.png",
        "confusion_best.png",
        "raw-k20-seed0.png",
        "pca-k10-seed0.png",
    ]:
        assert name in html, name
