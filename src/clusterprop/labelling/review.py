"""After the label quality: a labeller's second look at the listed labels (the simulated
reviewer of an oracle's; a person's comes from the labels store), the robust treatment
of suspicious labels without a review, and the record of what the labeller got wrong and
what the review caught."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def simulated_review(
    given_labels: np.ndarray, review_rows: np.ndarray, reviewer_labels: np.ndarray
) -> np.ndarray:
    """The labels after an oracle's simulated review: each listed label (``review_rows``,
    indices into the given labels) is replaced by the reviewer's second look
    (``reviewer_labels``, one per listed image: the true class, or the reviewer's own
    mistake); the others stay as given."""
    labels = np.asarray(given_labels, dtype=np.int64).copy()
    if len(reviewer_labels) != len(review_rows):
        raise ValueError("one reviewer's label per listed image is needed")
    labels[np.asarray(review_rows, dtype=np.int64)] = reviewer_labels
    return labels


def robust_labels(table: pd.DataFrame, class_names: Sequence[str], robust: Mapping):
    """Without a review: the given labels after the robust treatment of the
    ``robust["max_share"]`` least trustworthy (rounded up). Returns ``(keep, labels,
    weights)`` over the given images in the table's order: ``drop`` leaves those labels
    out, ``relabel`` gives each the suggested class, ``weight`` keeps them with their
    quality as weight."""
    index = {name: i for i, name in enumerate(class_names)}
    labels = np.array([index[name] for name in table.label], dtype=np.int64)
    treated = table["rank"].to_numpy() <= np.ceil(robust["max_share"] * len(table) - 1e-9)
    keep = np.ones(len(table), dtype=bool)
    weights = np.ones(len(table))
    action = robust["action"]
    if action == "drop":
        keep = ~treated
    elif action == "relabel":
        suggested = np.array([index[name] for name in table.suggested_label], dtype=np.int64)
        labels[treated] = suggested[treated]
    elif action == "weight":
        weights[treated] = table.quality.to_numpy()[treated]
    else:
        raise ValueError(f"unknown robust action {action!r}")
    return keep, labels, weights


#: what ``labelling_record`` records, in every training set's record after a labeller
LABELLING_RECORD = (
    "given_labels_wrong",
    "given_labels_wrong_after_review",
    "review_share",
    "mistakes_listed",
)


def labelling_record(
    as_given: np.ndarray,
    used: np.ndarray,
    truth: np.ndarray | None,
    table: pd.DataFrame | None = None,
) -> dict:
    """What a labeller got wrong, and what a review caught, for the training set's
    record (and every metric after it): the share of the given labels that are wrong
    as given and after the review (None without true labels), and with a review list
    (``table``) its size as a share of the labels and the share of the wrong labels on
    it."""
    record = dict.fromkeys(LABELLING_RECORD)
    known = truth is not None and len(truth) and (np.asarray(truth) >= 0).all()
    if known:
        wrong = np.asarray(as_given) != np.asarray(truth)
        record["given_labels_wrong"] = float(wrong.mean())
        record["given_labels_wrong_after_review"] = float((np.asarray(used) != truth).mean())
    if table is not None:
        on_list = table.listed.to_numpy()
        record["review_share"] = float(on_list.mean())
        if known and wrong.any():
            record["mistakes_listed"] = float(on_list[wrong].mean())
    return record
