import errno
import os

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from clusterprop.evaluate import classification_metrics
from clusterprop.io import atomic_path, load_npz, save_npy, save_npz, write_json
from clusterprop.summarize import (
    aggregate,
    best_label_efficient_model,
    metrics_table,
    plot_accuracy_vs_labels,
    reference_rows,
    tables_markdown,
)
from clusterprop.train import fit, load_model, make_classifier, save_model


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


def test_unknown_classifier_is_refused():
    with pytest.raises(ValueError, match="unknown classifier 'svm'"):
        make_classifier("svm", 0, {})


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


def record(selection, n, propagation, seed, accuracy):
    return {
        "dataset": "fashion-mnist",
        "embedding": "raw",
        "selection": selection,
        "n_labels": n,
        "propagation": propagation,
        "seed": seed,
        "accuracy": accuracy,
        "macro_f1": accuracy - 0.01,
        "n_train_labels": n if propagation == "none" else 60000,
        "propagated_label_accuracy": None if propagation == "none" else 0.8,
        "training_label_accuracy": 1.0,
        "fit_seconds": 1.0,
        "confusion_matrix": [[1, 0], [0, 1]],
        "class_names": ["a", "b"],
        "params": {"classifier": {"C": 1.0}},
    }


RECORDS = [
    record("all", 60000, "none", 0, 0.84),
    record("all", 60000, "none", 1, 0.84),
    record("representative", 300, "all", 0, 0.77),
    record("representative", 300, "all", 1, 0.79),
    record("representative", 300, "none", 0, 0.76),
    record("random", 300, "none", 1, 0.74),
    record("random", 300, "none", 0, 0.78),
]


def test_metrics_table_and_aggregate():
    table = metrics_table(RECORDS)
    assert len(table) == 7
    assert table.selection.tolist()[:2] == ["all", "all"]
    assert table.loc[2:4, "propagation"].tolist() == ["none", "all", "all"]
    assert "param.classifier.C" in table.columns
    summary = aggregate(table)
    row = summary[(summary.selection == "representative") & (summary.propagation == "all")].iloc[0]
    assert row.accuracy_mean == pytest.approx(0.78)
    assert row.accuracy_std == pytest.approx(np.std([0.77, 0.79], ddof=1))
    assert row.n_seeds == 2


def test_reference_rows_and_markdown():
    summary = aggregate(metrics_table(RECORDS))
    ref = reference_rows(summary).set_index("experiment")
    assert ref.loc["LR on all 60,000 labels", "ours (mean ± std)"] == "84.00 ± 0.00%"
    assert ref.loc["LR on all 60,000 labels", "difference (points)"] == "-0.10"
    assert ref.loc["LR on k=50 cluster representatives", "ours (mean ± std)"] == "not run"
    text = tables_markdown(summary)
    assert "The reference study beside this run" in text
    assert "| 78.00 ± 1.41%" in text


def test_best_label_efficient_model_excludes_full_labels():
    assert best_label_efficient_model(RECORDS)["accuracy"] == 0.79


def test_accuracy_plot_is_a_png(tmp_path):
    path = tmp_path / "plot.png"
    plot_accuracy_vs_labels(aggregate(metrics_table(RECORDS)), str(path))
    assert Image.open(path).size[0] > 500
    assert pd.notna(path.stat().st_size)
