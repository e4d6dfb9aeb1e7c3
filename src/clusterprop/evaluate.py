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
    if len(X) == 0:  # the same kinds as for rows, so that parts of rows join
        empty = np.zeros(0)
        probabilistic = hasattr(model, "predict_proba")
        predicted = np.zeros(0, dtype=np.asarray(model.classes_).dtype)
        return predicted, *((empty, None) if probabilistic else (None, empty))
    if hasattr(model, "predict_proba"):
        best, probability = most_probable(model.predict_proba(X))
        return model.classes_[best], probability, None
    scores = np.asarray(model.decision_function(X))
    return model.predict(X), None, scores.max(axis=1) if scores.ndim == 2 else np.abs(scores)


#: what confidence gives for each row, in its order
PREDICTION_FIELDS = ("predicted", "probability", "score")


#: predictions are made this many rows at a time, and a part of them (config shards) is
#: made of whole blocks (clusterprop.embed.shard_rows): a block's numbers do not depend on
#: which job makes it, while a matrix product's last bits can depend on its row count
PREDICTION_BLOCK = 1024


def prediction_part(model, train: np.ndarray, test: np.ndarray) -> dict[str, np.ndarray]:
    """A model's predictions (confidence) of some training and some test rows, each
    starting at a block's first row, as arrays named ``{split}_{field}`` (the field a
    classifier lacks left out): one part of a model's predictions, or all of them."""
    part = {}
    for split, features in (("train", train), ("test", test)):
        starts = range(0, len(features), PREDICTION_BLOCK) if len(features) else [0]
        blocks = [
            confidence(model, np.ascontiguousarray(features[start : start + PREDICTION_BLOCK]))
            for start in starts
        ]
        for field, values in zip(PREDICTION_FIELDS, zip(*blocks, strict=True), strict=True):
            if values[0] is not None:
                part[f"{split}_{field}"] = np.concatenate(values)
    return part


def joined_prediction_parts(parts: list[dict[str, np.ndarray]]) -> dict[str, dict]:
    """Parts made by prediction_part, joined in order: for ``train`` and ``test``, each
    field's values (None for the field the classifier lacks), as predictions_table takes
    them (less the ids)."""
    if not parts:
        raise ValueError("no prediction parts to join")
    if len({frozenset(part) for part in parts}) != 1:
        raise ValueError(
            f"prediction parts hold different fields: {sorted({tuple(sorted(p)) for p in parts})}"
        )
    return {
        split: {
            field: np.concatenate([part[key] for part in parts]) if key in parts[0] else None
            for field in PREDICTION_FIELDS
            for key in [f"{split}_{field}"]
        }
        for split in ("train", "test")
    }


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
