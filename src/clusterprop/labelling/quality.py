"""Label quality: which given labels most likely are wrong, and the review list.

Each given label is scored out of fold: the given labels are split into folds, the
labels of the other folds are spread over the embedding's nearest-neighbour graph, and
the spread's class distribution at the held-out image is that image's out-of-fold
probability (its own label never vouches for itself). cleanlab's label quality score
(``cleanlab.rank.get_label_quality_scores``) on those probabilities ranks the labels;
the review list is the least trustworthy share of them, most suspicious first.

A review changes only the images on the list: a person (the review page) or, in oracle
mode, a simulated reviewer confirms or corrects each one (``review``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from clusterprop.labelling.files import similar_cell
from clusterprop.spreading import SpreadingGraph, equal_class_shares, spread_many


def fold_of(n: int, folds: int, seed: int) -> np.ndarray:
    """Each of ``n`` given labels' fold, ``folds`` folds of near-equal size, drawn with
    the seed."""
    folds = max(2, min(folds, n))
    order = np.random.default_rng([seed, 3]).permutation(n)
    fold = np.empty(n, dtype=np.int64)
    fold[order] = np.arange(n) % folds
    return fold


def out_of_fold_probabilities(
    given_rows: np.ndarray,
    given_labels: np.ndarray,
    *,
    neighbours: Mapping,
    n_classes: int,
    folds: int,
    seed: int,
    spreading: Mapping,
) -> np.ndarray:
    """For each given image, the class distribution that spreading the *other* folds'
    labels gives it (every fold's spreading in one iteration, ``spread_many``), balanced
    to equal class shares when ``spreading["balance_classes"]``: ``(n_given,
    n_classes)``, rows summing to 1; a row the other folds do not reach is uniform."""
    given_rows = np.asarray(given_rows, dtype=np.int64)
    given_labels = np.asarray(given_labels, dtype=np.int64)
    graph = SpreadingGraph.of(
        neighbours,
        spreading["n_neighbors"],
        spreading.get("symmetric_graph", False),
        spreading.get("anchor_neighbors", 5),
    )
    fold = fold_of(len(given_rows), folds, seed)
    fold_ids = np.unique(fold)
    seeds = np.zeros((len(graph.anchors), len(fold_ids) * n_classes))
    for block, held_out in enumerate(fold_ids):
        kept = fold != held_out
        columns = block * n_classes + given_labels[kept]
        graph.seeds(given_rows[kept], columns, 1.0, seeds.shape[1], into=seeds)
    spread = spread_many(
        graph.matrix,
        seeds,
        alpha=spreading["alpha"],
        max_iter=spreading["max_iter"],
        blocks=len(fold_ids),
    )
    probabilities = np.full((len(given_rows), n_classes), 1.0 / n_classes)
    for block, held_out in enumerate(fold_ids):
        distributions = spread[:, block * n_classes : (block + 1) * n_classes]
        if spreading.get("balance_classes", False):
            present = np.unique(given_labels[fold != held_out])
            distributions = np.zeros_like(distributions)
            distributions[:, present] = equal_class_shares(spread[:, block * n_classes + present])
        rows = graph.at(distributions, given_rows[fold == held_out])
        reached = rows.sum(axis=1) > 0
        target = np.flatnonzero(fold == held_out)[reached]
        probabilities[target] = rows[reached] / rows[reached].sum(axis=1, keepdims=True)
    return probabilities


def label_quality(labels: np.ndarray, probabilities: np.ndarray, method: str) -> np.ndarray:
    """cleanlab's label quality score of each label (0 = surely wrong, 1 = surely
    right) from out-of-fold probabilities."""
    from cleanlab.rank import get_label_quality_scores

    return get_label_quality_scores(np.asarray(labels), probabilities, method=method)


def review_order(quality: np.ndarray) -> np.ndarray:
    """Indices of the labels from the least to the most trustworthy (ties: first given
    first)."""
    return np.lexsort((np.arange(len(quality)), quality))


def review_list(
    quality: np.ndarray, *, max_share: float | None = None, threshold: float | None = None
) -> np.ndarray:
    """Which labels a review shows, most suspicious first: the ``max_share`` of them
    with the lowest quality (rounded up; at least one when there are labels), and of
    those only the ones below ``threshold`` when it is set."""
    order = review_order(quality)
    if max_share is not None:
        order = order[: int(np.ceil(max_share * len(order) - 1e-9))]
    if threshold is not None:
        order = order[quality[order] < threshold]
    return order


def suggested_labels(probabilities: np.ndarray) -> np.ndarray:
    """The class the other labels suggest for each image: its most probable one."""
    return np.asarray(probabilities).argmax(axis=1)


def similar_labelled(features: np.ndarray, flagged: np.ndarray, n_similar: int) -> np.ndarray:
    """For each flagged image, the ``n_similar`` nearest *other* labelled images
    (``features`` holds the labelled images' rows): indices into the labelled images."""
    from sklearn.metrics import pairwise_distances

    features = np.asarray(features, dtype=np.float64)
    n_similar = min(n_similar, len(features) - 1)
    distances = pairwise_distances(features[flagged], features)
    distances[np.arange(len(flagged)), flagged] = np.inf  # not itself
    return np.argsort(distances, axis=1, kind="stable")[:, :n_similar]


def feature_probabilities(
    features: np.ndarray,
    given_labels: np.ndarray,
    *,
    n_classes: int,
    folds: int,
    seed: int,
    C: float = 0.1,
) -> np.ndarray:
    """For each given image, the class probabilities of a logistic regression fitted on
    the *other* folds' labelled images (``features``: their rows, standardised):
    ``(n_given, n_classes)``. A strongly regularised fit (C = 0.1): a few hundred
    labels in tens of dimensions."""
    from sklearn.linear_model import LogisticRegression

    given_labels = np.asarray(given_labels, dtype=np.int64)
    fold = fold_of(len(given_labels), folds, seed)
    probabilities = np.full((len(given_labels), n_classes), 1.0 / n_classes)
    for held_out in np.unique(fold):
        kept = fold != held_out
        classes = np.unique(given_labels[kept])
        if len(classes) < 2:
            continue
        model = LogisticRegression(C=C, max_iter=5000).fit(features[kept], given_labels[kept])
        rows = np.flatnonzero(~kept)
        probabilities[np.ix_(rows, model.classes_)] = model.predict_proba(features[rows])
        missing = np.setdiff1d(np.arange(n_classes), model.classes_)
        probabilities[np.ix_(rows, missing)] = 0.0
    return probabilities


def quality_table(
    image_ids: Sequence[str],
    given_rows: np.ndarray,
    given_labels: np.ndarray,
    *,
    neighbours: Mapping,
    features: np.ndarray,
    class_names: Sequence[str],
    seed: int,
    review: Mapping,
    spreading: Mapping,
    truth: np.ndarray | None = None,
) -> pd.DataFrame:
    """Every given label's out-of-fold quality, and the review list.

    The out-of-fold probability of an image's classes is the mean of two views of the
    other folds' labels: label spreading over the embedding's kNN graph
    (``out_of_fold_probabilities``) and a logistic regression on the embedding's
    standardised features (``feature_probabilities``). ``quality`` is cleanlab's label
    quality score of the given label (``review["score"]``); ``rank`` numbers the labels
    from the most suspicious; ``listed``: on the review list; ``suggested_label`` is the
    most probable class; ``similar`` the ``review["n_similar"]`` most similar labelled
    images (their ids as a JSON list, nearest first: ``files.similar_cell``).
    ``wrong`` (with ``truth``, for benchmarks): whether the given label is wrong.

    ``features``: every training image's features (the embedding's), of which the given
    images' rows are used and the whole set standardises them.
    """
    n_classes = len(class_names)
    features = np.asarray(features, dtype=np.float64)
    mean, scale = features.mean(axis=0), features.std(axis=0)
    labelled = (features[given_rows] - mean) / np.where(scale > 0, scale, 1)
    folds = review["folds"]
    probabilities = (
        out_of_fold_probabilities(
            given_rows,
            given_labels,
            neighbours=neighbours,
            n_classes=n_classes,
            folds=folds,
            seed=seed,
            spreading=spreading,
        )
        + feature_probabilities(labelled, given_labels, n_classes=n_classes, folds=folds, seed=seed)
    ) / 2
    quality = label_quality(given_labels, probabilities, review["score"])
    rank = np.empty(len(quality), dtype=np.int64)
    rank[review_order(quality)] = np.arange(1, len(quality) + 1)
    on_list = np.zeros(len(quality), dtype=bool)
    on_list[review_list(quality, max_share=review["max_share"], threshold=review["threshold"])] = (
        True
    )
    image_ids = np.asarray(image_ids, dtype=str)
    similar = similar_labelled(labelled, np.arange(len(given_labels)), review["n_similar"])
    table = pd.DataFrame(
        {
            "image_id": image_ids,
            "label": [class_names[c] for c in given_labels],
            "suggested_label": [class_names[c] for c in suggested_labels(probabilities)],
            "quality": np.round(quality, 6),
            "rank": rank,
            "listed": on_list,
            "similar": [similar_cell(image_ids[row]) for row in similar],
        }
    )
    if truth is not None and (np.asarray(truth) >= 0).all():
        table["wrong"] = np.asarray(given_labels) != np.asarray(truth)
    return table
