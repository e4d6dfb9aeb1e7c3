"""End-to-end: the workflow on a real Fashion-MNIST subset, and its config validation."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from clusterprop.train import load_model
from conftest import SMALL_CONFIG
from workflow_helpers import build_report, copy_workflow, snakemake

pytestmark = pytest.mark.slow


def test_summary_has_one_row_per_method_budget_and_seed(small_run):
    table = pd.read_csv(small_run / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    assert len(table) == 2 * 15
    for column in [
        "dataset",
        "method",
        "embedding",
        "selection",
        "n_labels",
        "propagation",
        "classifier",
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
            table.classifier,
            table.seed,
            strict=True,
        )
    )
    expected = {
        (embedding, sel, n, prop, classifier, seed)
        for seed in (0, 1)
        for embedding, sel, n, prop, classifier in [
            ("raw", "centroid", 10, "none", "lr"),
            ("raw", "centroid", 20, "none", "lr"),
            ("raw", "centroid", 20, "all", "lr"),
            ("raw", "centroid", 20, "closest:75", "lr"),
            ("raw", "random", 10, "none", "lr"),
            ("raw", "random", 20, "none", "lr"),
            ("raw", "all", 5000, "none", "lr"),
            ("hog_pca", "centroid", 10, "none", "lr"),
            ("hog_pca", "centroid", 20, "none", "lr"),
            ("hog_pca", "centroid", 20, "spread", "lr"),
            ("hog_pca", "centroid", 20, "spread", "svm"),
            ("hog_pca", "typical", 20, "spread", "lr"),
            ("hog_pca", "random", 10, "none", "lr"),
            ("hog_pca", "random", 20, "none", "lr"),
            ("hog_pca", "all", 5000, "none", "lr"),
        ]
    }
    assert rows == expected
    assert set(table.dataset) == {"fashion-mnist"}
    full = table[table.selection == "all"]
    assert (full.accuracy > 0.78).all()  # LR on 5,000 real labels, either embedding
    propagated = table[table.propagation.isin(["all", "spread"])]
    assert (propagated.n_train_labels == 5000).all()
    assert propagated.propagated_label_accuracy.between(0.3, 0.95).all()
    closest = table[table.propagation == "closest:75"]
    assert closest.n_train_labels.between(0.75 * 5000, 0.75 * 5000 + 20).all()
    # the point of the exercise: HOG features and spreading beat raw pixels at 20 labels
    mean = table.groupby(["embedding", "selection", "n_labels", "propagation", "classifier"])
    accuracy = mean.accuracy.mean()
    assert (
        accuracy["hog_pca", "centroid", 20, "spread", "lr"]
        > accuracy["raw", "centroid", 20, "none", "lr"]
    )


def test_every_artifact_is_cached(small_run):
    results = small_run / "results/fashion-mnist"
    assert np.load(results / "embeddings/raw/train.npy").shape == (5000, 784)
    assert np.load(results / "embeddings/raw/test.npy").shape == (1000, 784)
    assert np.load(results / "embeddings/hog/train.npy").shape == (5000, 1296)
    assert np.load(results / "embeddings/hog_pca/train.npy").shape == (5000, 30)
    graph = np.load(results / "neighbours/hog_pca/neighbours.npz")
    assert graph["indices"].shape == (5000, 20)
    for seed in (0, 1):
        for k in (10, 20):
            clusters = np.load(results / f"clusters/raw/k{k}/seed{seed}/clusters.npz")
            assert clusters["centroids"].shape == (k, 784)
            assert set(np.unique(clusters["assignments"])) == set(range(k))
            labels = (
                results / f"labels/raw/centroid-k{k}/oracle/seed{seed}/labels.csv"
            ).read_text()
            assert labels.startswith("image_id,label\n") and labels.count("\n") == k + 1
        record = json.loads(
            (
                results / f"training_sets/raw/centroid-k20/oracle/all/seed{seed}/training_set.json"
            ).read_text()
        )
        assert record["n_labels_given"] == 20 and record["n_train_labels"] == 5000
        model = load_model(
            results / f"models/raw/centroid-k20/oracle/all/lr/seed{seed}/model.skops"
        )
        training_set = np.load(
            results / f"training_sets/raw/centroid-k20/oracle/all/seed{seed}/training_set.npz"
        )
        # a class no representative shows cannot be learnt: the model knows the labelled ones
        assert model.classes_.tolist() == np.unique(training_set["labels"]).tolist()
        assert model.coef_.shape == (len(model.classes_), 784)
        metrics = json.loads(
            (
                results / f"metrics/raw/centroid-k20/oracle/closest75/lr/seed{seed}/metrics.json"
            ).read_text()
        )
        assert metrics["n_labels"] == 20 and metrics["seed"] == seed
        assert np.sum(metrics["confusion_matrix"]) == 1000
        assert metrics["params"]["clustering"]["n_init"] == 1
        assert metrics["params"]["classifier"]["params"]["tol"] == 0.001
        svm = json.loads(
            (
                results / f"metrics/hog_pca/centroid-k20/oracle/spread/svm/seed{seed}/metrics.json"
            ).read_text()
        )
        assert svm["params"]["embedding"]["input"] == {"hog": {"method": "hog"}}
        assert svm["params"]["spreading"] == {
            "n_neighbors": 20,
            "alpha": 0.9,
            "max_iter": 100,
            "balance_classes": False,
            "symmetric_graph": False,
            "anchor_neighbors": 5,
        }
        assert svm["n_fit"] == 2000  # max_train of 5,000 spread labels
        typical = pd.read_csv(results / f"selections/hog_pca/typical-k20/seed{seed}/selection.csv")
        centroid = pd.read_csv(
            results / f"selections/hog_pca/centroid-k20/seed{seed}/selection.csv"
        )
        assert typical.cluster.tolist() == centroid.cluster.tolist() == list(range(20))
        assert (typical.distance >= centroid.distance).all()
    tables = (results / "summary/default/tables.md").read_text()
    assert re.search(
        r"\| representatives \+ whole cluster\s*\| raw\s*\| centroid\s*\| oracle\s*"
        r"\|\s*20 \| all\s*\|",
        tables,
    )
    ablation = (results / "summary/default/ablation.md").read_text()
    assert "| hog: + spreading " in ablation and "propagated labels" in ablation
    for name in [
        "accuracy_vs_labels.png",
        "confusion_best.png",
        "representatives/raw-centroid-k10-oracle-seed0.png",
        "representatives/hog_pca-typical-k20-oracle-seed0.png",
    ]:
        assert Image.open(results / "summary/default" / name).size[0] > 300
    assert list(small_run.glob("benchmarks/fashion-mnist/cluster/raw/k20/seed1.tsv"))
    assert not list(results.rglob("*.partial*"))


def test_second_run_has_nothing_to_do(small_run):
    result = snakemake(small_run, "-n", config=SMALL_CONFIG)
    assert "Nothing to be done" in result.stdout + result.stderr
    assert not list(small_run.glob("results/**/.*.partial*"))


def bad_method(**changes):
    return {"methods": [{**SMALL_CONFIG["methods"][0], **changes}]}


# Every refusal is tested in-process (tests/test_experiments_config.py); these two show
# that Snakemake itself stops before any job, for the schema and for the checks after it.
@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        ({"seeds": []}, r"\[\] should be non-empty|too short"),
        (bad_method(selection="nearest"), r"selection: unknown selection 'nearest'"),
    ],
)
def test_bad_config_is_refused_before_any_job(tmp_path, overlay, message):
    copy_workflow(tmp_path)
    config = {**SMALL_CONFIG, **overlay}
    result = snakemake(tmp_path, "-n", config=config, check=False)
    assert result.returncode != 0
    assert re.search(message, result.stdout + result.stderr), result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def test_lint_is_clean(small_run):
    result = snakemake(small_run, "--lint", config=SMALL_CONFIG)
    assert "Congratulations" in result.stdout + result.stderr, result.stdout + result.stderr


def test_report_builds_from_the_run_requirements_alone(
    small_run, tmp_path, run_environment_snakemake
):
    """The README's run set-up (requirements.txt only) builds the README's report."""
    html = build_report(small_run, SMALL_CONFIG, tmp_path, executable=run_environment_snakemake)
    for name in [
        "metrics.tsv",
        "tables.md",
        "ablation.md",
        "accuracy_vs_labels.png",
        "confusion_best.png",
        "raw-centroid-k20-oracle-seed0.png",
        "hog_pca-typical-k20-oracle-seed0.png",
    ]:
        assert name in html, name
