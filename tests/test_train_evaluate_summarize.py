import errno
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from clusterprop.embed import shard_rows
from clusterprop.evaluate import (
    PREDICTION_BLOCK,
    PREDICTION_FIELDS,
    classification_metrics,
    confidence,
    joined_prediction_parts,
    metrics_record,
    prediction_part,
)
from clusterprop.io import atomic_path, load_npz, save_npy, save_npz, write_json
from clusterprop.plots import plot_accuracy_vs_labels
from clusterprop.summarize import (
    ablation_table,
    aggregate,
    best_label_efficient_model,
    metrics_table,
    reference_rows,
    tables_markdown,
)
from clusterprop.train import fit, load_model, make_classifier, save_model, training_rows
from conftest import REPO


def test_train_save_load_predicts_the_same(tmp_path, fashion_subset):
    X, y = fashion_subset["X_train"][:1000], fashion_subset["y_train"][:1000]
    model = make_classifier("logistic_regression", 0, {"C": 1.0, "max_iter": 500, "tol": 1e-3})
    record = fit(model, X, y)
    assert record["converged"] and record["n_iter"] > 0 and record["fit_seconds"] >= 0
    path = tmp_path / "model.skops"
    save_model(model, path)
    loaded = load_model(path)
    X_test = fashion_subset["X_test"]
    np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))
    accuracy = (model.predict(X_test) == fashion_subset["y_test"]).mean()
    assert 0.7 < accuracy < 0.9  # LR on 1,000 real images


def test_saving_a_model_does_not_load_pytorch(tmp_path):
    # skops lists scikit-learn's estimators at import, a package walk that would import
    # PyTorch (installed for the CNN) in every train job; a fresh Python shows it does not
    script = f"""
import sys
import numpy as np
from clusterprop.train import fit, load_model, make_classifier, save_model
model = make_classifier("logistic_regression", 0, {{"C": 1.0, "max_iter": 100, "tol": 1e-3}})
fit(model, np.arange(40.0).reshape(20, 2), np.arange(20) % 2)
save_model(model, {str(tmp_path / "m.skops")!r})
loaded = load_model({str(tmp_path / "m.skops")!r})
assert (loaded.predict([[0, 1]]) == model.predict([[0, 1]])).all()
assert "torch" not in sys.modules, "PyTorch was imported"
import torch  # installed, and importable again afterwards
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert result.returncode == 0, result.stderr


def test_unknown_classifier_is_refused():
    with pytest.raises(ValueError, match="unknown classifier 'svm'"):
        make_classifier("svm", 0, {})


def test_standardized_svm_scales_on_every_image_and_saves(tmp_path, fashion_subset):
    X, y = fashion_subset["X_train"], fashion_subset["y_train"]
    rows = training_rows(len(X), 500, seed=0)
    assert len(rows) == 500 and (np.diff(rows) > 0).all()
    assert training_rows(100, 500, seed=0).tolist() == list(range(100))
    model = make_classifier("svm_rbf", 0, {"C": 10.0}, scale_on=X)
    fit(model, X[rows], y[rows])
    # the scaler keeps the statistics of all 3,000 images, not of the 500 it was fit on
    np.testing.assert_allclose(model[0].mean_, X.mean(axis=0), rtol=1e-4, atol=1e-6)
    save_model(model, tmp_path / "svm.skops")
    loaded = load_model(tmp_path / "svm.skops")
    X_test = fashion_subset["X_test"]
    np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))
    assert (model.predict(X_test) == fashion_subset["y_test"]).mean() > 0.7


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("logistic_regression", {"C": 1.0, "max_iter": 300, "tol": 1e-3}, "probability"),
        ("svm_rbf", {"C": 10.0}, "score"),
    ],
)
def test_predictions_in_parts_are_the_predictions_in_one(fashion_subset, name, params, field):
    X, y, X_test = fashion_subset["X_train"], fashion_subset["y_train"], fashion_subset["X_test"]
    model = make_classifier(name, 0, params, scale_on=X if name == "svm_rbf" else None)
    fit(model, X[:500], y[:500])
    whole = joined_prediction_parts([prediction_part(model, X, X_test)])
    other = "score" if field == "probability" else "probability"
    assert whole["train"][other] is None and len(whole["train"][field]) == 3000
    np.testing.assert_array_equal(whole["test"]["predicted"], model.predict(X_test))
    # the blocks give what one call over all rows gives, but for float32 rounding
    one_call = dict(zip(PREDICTION_FIELDS, confidence(model, X), strict=True))
    np.testing.assert_allclose(whole["train"][field], one_call[field], rtol=1e-4)
    # 3,000 rows are 3 blocks: in 2 parts (1 and 2 blocks), 3 and 5 (two of them empty)
    assert PREDICTION_BLOCK == 1024
    for shards in (2, 3, 5):
        rows = [shard_rows(3000, i, shards, PREDICTION_BLOCK) for i in range(shards)]
        test_rows = [shard_rows(1000, i, shards, PREDICTION_BLOCK) for i in range(shards)]
        parts = [
            prediction_part(model, X[r], X_test[t]) for r, t in zip(rows, test_rows, strict=True)
        ]
        joined = joined_prediction_parts(parts)
        for split in ("train", "test"):
            for key, values in whole[split].items():
                if values is None:
                    assert joined[split][key] is None
                else:  # the same bits, whatever the number of parts
                    np.testing.assert_array_equal(joined[split][key], values)
    with pytest.raises(ValueError, match="different fields"):
        joined_prediction_parts([parts[0], {"train_predicted": parts[0]["train_predicted"]}])


def test_classification_metrics_known_answer():
    m = classification_metrics(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), 4)
    assert m["accuracy"] == 0.75
    assert m["confusion_matrix"][0] == [1, 1, 0, 0]
    # per-class F1: 2/3, 2/3, 1, 0 (class 3 absent) -> mean
    assert m["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1 + 0) / 4)


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.npz"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
    save_npz(target, a=np.arange(3))
    assert load_npz(target, "a")["a"].tolist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["out.npz"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # like any new file, not private


def test_disk_full_names_the_artifact_and_keeps_the_earlier_one(tmp_path, monkeypatch):
    target = tmp_path / "features.npy"
    save_npy(target, np.arange(4))

    def full_disk(handle, array):
        handle.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full_disk)
    with pytest.raises(OSError, match=r"could not write .*features.npy: No space left on device"):
        save_npy(target, np.arange(10))
    monkeypatch.undo()
    assert np.load(target).tolist() == [0, 1, 2, 3]  # the earlier artifact is intact
    assert [p.name for p in tmp_path.iterdir()] == ["features.npy"]


def test_unwritable_directory_is_a_clear_error(tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(OSError, match="could not write .*results/metrics.json"):
        write_json(blocker / "metrics.json", {"a": 1})


def record(selection, n, propagation, seed, accuracy, embedding="raw", labelling=None):
    return {
        "dataset": "fashion-mnist",
        "embedding": embedding,
        "selection": selection,
        "labelling": labelling or ("truth" if selection == "all" else "oracle"),
        "n_labels": n,
        "propagation": propagation,
        "classifier": "lr",
        "seed": seed,
        "accuracy": accuracy,
        "macro_f1": accuracy - 0.01,
        "n_train_labels": n if propagation == "none" else 60000,
        "propagated_label_accuracy": None if propagation == "none" else 0.8,
        "training_label_accuracy": 1.0,
        "fit_seconds": 1.0,
        "confusion_matrix": [[1, 0], [0, 1]],
        "class_names": ["a", "b"],
        "params": {"classifier": {"name": "logistic_regression", "standardize": False}},
    }


def runs_of(*points):
    """(method, record) pairs -> the runs and records metrics_table takes."""
    runs, records = [], {}
    for index, (method, rec) in enumerate(points):
        path = f"m{index}.json"
        records[path] = rec
        runs.append(
            {"method": method, "budget": rec["n_labels"], "seed": rec["seed"], "metrics": path}
        )
    return runs, records


POINTS = [
    ("all labels", record("all", 60000, "none", 0, 0.84)),
    ("all labels", record("all", 60000, "none", 1, 0.84)),
    ("whole cluster", record("centroid", 300, "all", 0, 0.77)),
    ("whole cluster", record("centroid", 300, "all", 1, 0.79)),
    ("representatives", record("centroid", 300, "none", 0, 0.76)),
    ("representatives", record("centroid", 50, "none", 0, 0.66)),
    ("random", record("random", 300, "none", 1, 0.74)),
    ("random", record("random", 300, "none", 0, 0.78)),
]
RECORDS = [rec for _, rec in POINTS]
METHODS = [
    {
        "name": "representatives",
        "embedding": "raw",
        "selection": "centroid",
        "propagation": "none",
        "classifier": "lr",
        "compare_with": None,
    },
    {
        "name": "whole cluster",
        "embedding": "raw",
        "selection": "centroid",
        "propagation": "all",
        "classifier": "lr",
        "compare_with": None,
    },
    {
        "name": "random",
        "embedding": "raw",
        "selection": "random",
        "propagation": "none",
        "classifier": "lr",
        "compare_with": "representatives",
    },
    {
        "name": "all labels",
        "embedding": "raw",
        "selection": "all",
        "propagation": "none",
        "classifier": "lr",
        "compare_with": None,
    },
]


def summary_of(points=POINTS):
    return aggregate(metrics_table(*runs_of(*points)))


def test_metrics_table_and_aggregate():
    table = metrics_table(*runs_of(*POINTS))
    assert len(table) == 8
    # methods in order of first appearance, then budget, then seed
    assert table.method.tolist()[:2] == ["all labels", "all labels"]
    assert table.loc[4:5, "n_labels"].tolist() == [50, 300]
    assert table.loc[6:7, "seed"].tolist() == [0, 1]
    assert "param.classifier.name" in table.columns
    summary = aggregate(table)
    row = summary[summary.method == "whole cluster"].iloc[0]
    assert row.accuracy_mean == pytest.approx(0.78)
    assert row.accuracy_std == pytest.approx(np.std([0.77, 0.79], ddof=1))
    assert row.n_seeds == 2


def test_reference_rows_and_markdown():
    summary = summary_of()
    ref = reference_rows(summary).set_index("experiment")
    assert ref.loc["LR on all 60,000 labels", "ours (mean ± std)"] == "84.00 ± 0.00%"
    assert ref.loc["LR on all 60,000 labels", "difference (points)"] == "-0.10"
    assert ref.loc["LR on k=100 cluster representatives", "ours (mean ± std)"] == "not run"
    text = tables_markdown(summary)
    assert "The reference study beside this run" in text
    assert "| 78.00 ± 1.41%" in text


def test_reference_rows_ignore_other_embeddings_and_classifiers():
    hog = record("all", 60000, "none", 0, 0.87, embedding="hog")
    scaled = record("all", 60000, "none", 0, 0.86)
    scaled["params"]["classifier"]["standardize"] = True
    summary = summary_of([("hog", hog), ("scaled", scaled)])
    ref = reference_rows(summary).set_index("experiment")
    assert ref.loc["LR on all 60,000 labels", "ours (mean ± std)"] == "not run"


def test_ablation_gains_against_the_previous_or_named_method():
    table = ablation_table(summary_of(), METHODS, [50, 300]).set_index("method")
    assert table.loc["representatives", "300 labels"] == "76.00%"
    assert table.loc["representatives", "gain at 300"] == "–"
    assert table.loc["whole cluster", "300 labels"].startswith("78.00 ± 1.41% (propagated")
    assert table.loc["whole cluster", "gain at 300"] == "+2.00"
    assert table.loc["whole cluster", "50 labels"] == "not run"
    assert table.loc["random", "compared with"] == "representatives"
    assert table.loc["random", "gain at 300"] == "+0.00"
    assert table.loc["all labels", "300 labels"] == "all: 84.00 ± 0.00%"


def test_best_label_efficient_model_excludes_full_labels():
    assert best_label_efficient_model(RECORDS)["accuracy"] == 0.79


def test_accuracy_plot_is_a_png(tmp_path):
    path = tmp_path / "plot.png"
    plot_accuracy_vs_labels(summary_of(), str(path))
    assert Image.open(path).size[0] > 500
    assert pd.notna(path.stat().st_size)


def test_metrics_record_names_the_model_and_keeps_every_parameter():
    training_set_record = {
        "n_labels_given": 50,
        "n_train_labels": 4000,
        "propagated_label_accuracy": 0.75,
        "seed": 3,
        "params": {
            "selection": "centroid",
            "budget": 50,
            "propagation": "all",
            "labelling": "oracle",
            "x": 1,
        },
    }
    settings = {"name": "logistic_regression", "standardize": False, "params": {"C": 1.0}}
    record = metrics_record(
        embedding="raw",
        classifier="lr",
        classifier_settings=settings,
        training_set_record=training_set_record,
        test_metrics={"accuracy": 0.7, "macro_f1": 0.69},
        fit_record={"fit_seconds": 1.5, "n_iter": 40, "converged": True},
        n_fit=4000,
        class_names=["a", "b"],
    )
    assert (record["selection"], record["n_labels"], record["propagation"]) == (
        "centroid",
        50,
        "all",
    )
    assert record["accuracy"] == 0.7 and record["seed"] == 3 and record["n_fit"] == 4000
    assert record["params"] == {**training_set_record["params"], "classifier": settings}
    assert "params" in training_set_record  # the caller's record is left as it was
    every_label = dict(training_set_record, params={"selection": "all", "budget": None,
                                                    "propagation": "none",
                                                    "labelling": "truth"})  # fmt: skip
    record = metrics_record(
        embedding="raw",
        classifier="lr",
        classifier_settings=settings,
        training_set_record=every_label,
        test_metrics={},
        fit_record={},
        n_fit=4000,
        class_names=["a", "b"],
    )
    assert record["n_labels"] == 4000  # every label: the training set's size


def test_accuracy_plot_shows_a_ceiling_above_every_curve(tmp_path, monkeypatch):
    from clusterprop import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, dpi: figures.append(fig))
    points = [p for p in POINTS if p[0] != "all labels"]
    points += [("all labels", record("all", 60000, "none", seed, 0.97)) for seed in (0, 1)]
    plot_accuracy_vs_labels(summary_of(points), str(tmp_path / "plot.png"))
    (axes,) = figures[0].axes
    assert axes.get_ylim()[1] >= 97 + 1


def test_accuracy_plot_draws_each_ceiling_in_its_own_line_style(tmp_path, monkeypatch):
    from clusterprop import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, dpi: figures.append(fig))
    points = [p for p in POINTS if p[0] != "all labels"]
    for name, accuracy in [("all, raw", 0.84), ("all, hog", 0.85), ("all, cnn", 0.9)]:
        points += [(name, record("all", 60000, "none", seed, accuracy)) for seed in (0, 1)]
    plot_accuracy_vs_labels(summary_of(points), str(tmp_path / "plot.png"))
    (axes,) = figures[0].axes
    ceilings = [line for line in axes.get_lines() if line.get_label().startswith("ceiling")]
    assert len(ceilings) == 3

    def pattern(line):  # its dashes and dots, in order: two dotted lines look alike
        _, on_off = line._unscaled_dash_pattern  # (offset, on/off lengths in points)
        return tuple("dot" if on < 2 else "dash" for on in (on_off or (99,))[::2])

    assert len({pattern(line) for line in ceilings}) == 3, [pattern(c) for c in ceilings]
