"""Test-set metrics for one trained model."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    labels = np.arange(n_classes)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "n_test": int(len(y_true)),
    }


def metrics_record(
    *,
    embedding: str,
    classifier: str,
    classifier_settings: dict,
    training_set_record: dict,
    test_metrics: dict,
    fit_record: dict,
    n_fit: int,
    class_names: list[str],
) -> dict:
    """One model's metrics.json: what it is (embedding, selection, labels given,
    propagation, classifier), its test metrics, its training set's statistics, its fit,
    and every parameter that produced it (under ``params``).

    ``training_set_record`` is the training set's JSON record (statistics, seed, and its
    provenance under ``params``); ``n_labels`` is the budget a person gave, or the
    training-set size where every label was used.
    """
    record = dict(training_set_record)
    provenance = record.pop("params")
    budget = provenance["budget"]
    return {
        "embedding": embedding,
        "classifier": classifier,
        "selection": provenance["selection"],
        "n_labels": budget if budget is not None else record["n_train_labels"],
        "propagation": provenance["propagation"],
        **test_metrics,
        **record,
        **fit_record,
        "n_fit": int(n_fit),
        "class_names": list(class_names),
        "params": {**provenance, "classifier": classifier_settings},
    }
