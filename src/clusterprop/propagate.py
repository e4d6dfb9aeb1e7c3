"""Label propagation: from the labelled representatives to members of their clusters.

Strategies (config spelling -> path spelling):
``none`` -> ``none``: the labelled images only;
``all`` -> ``all``: each representative's label goes to its whole cluster;
``closest:P`` -> ``closestP``: to the ceil(P% of m) members of each m-member cluster
nearest its centroid (ties broken by image id), 0 < P <= 100;
``spread`` -> ``spread``: graph label spreading (scikit-learn ``LabelSpreading``) over
the embedding's k-nearest-neighbour graph; every training image gets the label the
spreading settles on. Works from any selection, random included.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from clusterprop.io import save_npz, write_json
from clusterprop.neighbours import connectivity_graph

_CLOSEST = re.compile(r"^closest:(?P<p>\d+(\.\d+)?)$")
_CLOSEST_SLUG = re.compile(r"^closest(?P<p>\d+(\.\d+)?)$")


@dataclass(frozen=True)
class Strategy:
    kind: str  # "none" | "all" | "closest" | "spread"
    percent: float | None = None

    @property
    def name(self) -> str:
        """Config spelling, e.g. ``closest:75``."""
        return f"closest:{_fmt(self.percent)}" if self.kind == "closest" else self.kind

    @property
    def slug(self) -> str:
        """Path spelling (no colon), e.g. ``closest75``."""
        return f"closest{_fmt(self.percent)}" if self.kind == "closest" else self.kind

    @property
    def uses_clusters(self) -> bool:
        return self.kind in ("all", "closest")

    @property
    def uses_neighbours(self) -> bool:
        return self.kind == "spread"


def _fmt(percent: float | None) -> str:
    return f"{percent:g}"


def parse_strategy(text: str) -> Strategy:
    """Parse a strategy from its config spelling (``closest:75``) or path spelling."""
    text = str(text).strip()
    if text in ("none", "all", "spread"):
        return Strategy(text)
    match = _CLOSEST.match(text) or _CLOSEST_SLUG.match(text)
    if not match:
        raise ValueError(
            f"unknown propagation strategy {text!r}: expected 'none', 'all', 'spread' or "
            "'closest:P' with 0 < P <= 100"
        )
    percent = float(match["p"])
    if not 0 < percent <= 100:
        raise ValueError(f"propagation {text!r}: P must be in (0, 100], got {percent:g}")
    return Strategy("closest", percent)


@dataclass
class TrainingSet:
    image_ids: np.ndarray
    labels: np.ndarray
    #: True where a person gave the label, False where it was propagated
    given: np.ndarray


def propagate(
    strategy: Strategy,
    given_ids: np.ndarray,
    given_labels: np.ndarray,
    assignments: np.ndarray | None = None,
    distances: np.ndarray | None = None,
) -> TrainingSet:
    """Build the training set a cluster strategy (or none) yields from the labelled images.

    For cluster strategies each labelled image stands for the cluster it belongs to
    (``assignments``); members of clusters with no labelled image get no label.
    """
    given_ids = np.asarray(given_ids, dtype=np.int64)
    given_labels = np.asarray(given_labels, dtype=np.int64)
    if strategy.kind == "none":
        return TrainingSet(given_ids, given_labels, np.ones(len(given_ids), dtype=bool))
    if strategy.kind == "spread":
        raise ValueError("propagation spread: use spread(), it needs the neighbour graph")
    if assignments is None or distances is None:
        raise ValueError(f"propagation {strategy.name} needs cluster assignments and distances")
    assignments = np.asarray(assignments)
    rep_clusters = assignments[given_ids]
    if len(np.unique(rep_clusters)) != len(rep_clusters):
        raise ValueError("more than one labelled image in a cluster; cannot propagate")
    cluster_label = np.full(int(assignments.max()) + 1, -1, dtype=np.int64)
    cluster_label[rep_clusters] = given_labels

    members = np.flatnonzero(cluster_label[assignments] >= 0)
    if strategy.kind == "closest":
        members = _closest_members(members, assignments, np.asarray(distances), strategy.percent)
    members = np.union1d(members, given_ids)  # a labelled image always stays
    labels = cluster_label[assignments[members]]
    given = np.isin(members, given_ids)
    # the given label wins for the labelled image itself
    labels[given] = _given_for(members[given], given_ids, given_labels)
    return TrainingSet(members, labels, given)


def spread(
    given_ids: np.ndarray,
    given_labels: np.ndarray,
    neighbour_indices: np.ndarray,
    *,
    n_neighbors: int = 20,
    alpha: float = 0.9,
    max_iter: int = 100,
) -> TrainingSet:
    """Label spreading (Zhou et al. 2004) from the labelled images over the kNN graph.

    scikit-learn's ``LabelSpreading`` with its kNN kernel, except that the graph is the
    precomputed one (``neighbours.nearest_neighbours``), shared by every budget and seed
    of an embedding. Every training image gets a label; labelled images keep theirs
    (the spreading may disagree with a given label: a person's label wins).
    """
    from sklearn.semi_supervised import LabelSpreading  # only spread jobs pay for it

    given_ids = np.asarray(given_ids, dtype=np.int64)
    given_labels = np.asarray(given_labels, dtype=np.int64)
    n = len(neighbour_indices)
    graph = connectivity_graph(neighbour_indices, n_neighbors)
    partial = np.full(n, -1, dtype=np.int64)
    partial[given_ids] = given_labels
    model = LabelSpreading(kernel=lambda X, Y: graph, alpha=alpha, max_iter=max_iter)
    # the kernel ignores X; LabelSpreading only needs it for the number of rows
    model.fit(np.zeros((n, 1)), partial)
    labels = np.asarray(model.transduction_, dtype=np.int64)
    labels[given_ids] = given_labels
    given = np.zeros(n, dtype=bool)
    given[given_ids] = True
    return TrainingSet(np.arange(n, dtype=np.int64), labels, given)


def _given_for(ids: np.ndarray, given_ids: np.ndarray, given_labels: np.ndarray) -> np.ndarray:
    lookup = dict(zip(given_ids.tolist(), given_labels.tolist(), strict=True))
    return np.array([lookup[i] for i in ids.tolist()], dtype=np.int64)


def n_closest(cluster_size: int, percent: float) -> int:
    """How many members ``closest:percent`` keeps of a cluster: ceil(percent% of size)."""
    return max(1, math.ceil(cluster_size * percent / 100 - 1e-9))


def _closest_members(
    members: np.ndarray, assignments: np.ndarray, distances: np.ndarray, percent: float
) -> np.ndarray:
    order = np.lexsort((members, distances[members], assignments[members]))
    ordered = members[order]
    clusters = assignments[ordered]
    starts = np.flatnonzero(np.r_[True, clusters[1:] != clusters[:-1]])
    sizes = np.diff(np.r_[starts, len(ordered)])
    keep = np.zeros(len(ordered), dtype=bool)
    for start, size in zip(starts, sizes, strict=True):
        keep[start : start + n_closest(int(size), percent)] = True
    return np.sort(ordered[keep])


def training_set_stats(training_set: TrainingSet, y_true: np.ndarray) -> dict:
    """Size of the set and how many of its labels are correct."""
    correct = training_set.labels == np.asarray(y_true)[training_set.image_ids]
    propagated = ~training_set.given
    return {
        "n_labels_given": int(training_set.given.sum()),
        "n_train_labels": int(len(training_set.image_ids)),
        "n_propagated": int(propagated.sum()),
        "given_label_accuracy": float(correct[training_set.given].mean())
        if training_set.given.any()
        else None,
        "propagated_label_accuracy": float(correct[propagated].mean())
        if propagated.any()
        else None,
        "training_label_accuracy": float(correct.mean()),
    }


def write_training_set(
    training_set: TrainingSet,
    y_true: np.ndarray,
    arrays_path: str,
    record_path: str,
    *,
    seed: int,
    provenance: dict,
) -> dict:
    """Save a training set's arrays and its record (stats, seed, provenance)."""
    stats = training_set_stats(training_set, y_true)
    save_npz(
        arrays_path,
        image_ids=training_set.image_ids,
        labels=training_set.labels,
        given=training_set.given,
    )
    write_json(record_path, {**stats, "seed": seed, "params": provenance})
    return stats
