"""Test-set metrics for one trained model, its metrics record, and its predictions for
every image."""

from __future__ import annotations

import numpy as np
import pandas as pd


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    """Accuracy, macro F1 and the confusion matrix on the test set; all None where the
    test set has no images or not every test image has a label (an image folder
    without a labelled test/)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    if len(y_true) == 0 or np.any(np.asarray(y_true) < 0):
        return {"accuracy": None, "macro_f1": None, "confusion_matrix": None, "n_test": len(y_true)}
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
    round_number: int | None = None,
) -> dict:
    """One model's metrics.json: what it is (embedding, selection, labels given,
    propagation, classifier), its test metrics, its training set's statistics, its fit,
    and every parameter that produced it (under ``params``).

    ``training_set_record`` is the training set's JSON record (statistics, seed, and its
    provenance under ``params``); ``n_labels`` is the budget a person gave, or the
    training-set size where every label was used. ``round_number``: a network's
    self-training round, recorded as ``round`` and under ``params``.
    """
    record = dict(training_set_record)
    provenance = record.pop("params")
    budget = provenance["budget"]
    out = {
        "embedding": embedding,
        "classifier": classifier,
        "selection": provenance["selection"],
        "labelling": provenance["labelling"],
        "n_labels": budget if budget is not None else record["n_train_labels"],
        "propagation": provenance["propagation"],
        **test_metrics,
        **record,
        **fit_record,
        "n_fit": int(n_fit),
        "class_names": list(class_names),
        "params": {**provenance, "classifier": classifier_settings},
    }
    if round_number is not None:  # a network's self-training round
        out["round"] = out["params"]["round"] = round_number
    return out


def confidence(model, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Predicted classes, with the predicted class's probability where the classifier
    gives one (``predict_proba``) or else its decision score (the largest of
    ``decision_function``); the other is None."""
    if len(X) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0), None
    if hasattr(model, "predict_proba"):
        best, probability = most_probable(model.predict_proba(X))
        return model.classes_[best], probability, None
    scores = np.asarray(model.decision_function(X))
    return model.predict(X), None, scores.max(axis=1) if scores.ndim == 2 else np.abs(scores)


def most_probable(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's most probable column (class index) and its probability."""
    best = probabilities.argmax(axis=1)
    return best, probabilities[np.arange(len(best)), best]


def predictions_table(
    splits: dict[str, dict],
    training_set: dict,
    class_names: list[str],
) -> pd.DataFrame:
    """One row per image of the pool and of the test set: ``image_id``, ``split``, the
    label a person (or the oracle) gave if any, the propagated label if any, the
    model's prediction and its probability (or, for classifiers without one, its
    score).

    ``splits`` maps ``train``/``test`` to ``{"ids", "predicted", "probability",
    "score"}``; ``training_set`` has the rows (``image_ids``), ``labels`` and
    ``given`` flags of the labelled set the model learnt from.
    """
    names = np.asarray(class_names, dtype=object)
    frames = []
    for split, result in splits.items():
        n = len(result["ids"])
        given = np.full(n, "", dtype=object)
        propagated = np.full(n, "", dtype=object)
        if split == "train":
            rows = np.asarray(training_set["image_ids"], dtype=np.int64)
            labels = names[np.asarray(training_set["labels"], dtype=np.int64)]
            flags = np.asarray(training_set["given"], dtype=bool)
            given[rows[flags]] = labels[flags]
            propagated[rows[~flags]] = labels[~flags]
        frames.append(
            pd.DataFrame(
                {
                    "image_id": result["ids"],
                    "split": split,
                    "given_label": given,
                    "propagated_label": propagated,
                    "predicted_label": names[np.asarray(result["predicted"], dtype=np.int64)],
                    "probability": _column(result["probability"], n),
                    "score": _column(result["score"], n),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _column(values, n: int):
    return np.full(n, np.nan) if values is None else np.round(np.asarray(values, float), 6)
