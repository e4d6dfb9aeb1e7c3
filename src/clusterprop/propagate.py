"""Label propagation: from the labelled images to other training images.

``PROPAGATIONS`` at the end is the stage's registry (``registry.Propagation``).
Methods (config spelling -> path spelling):
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
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from clusterprop.io import save_npz, write_json
from clusterprop.registry import Propagation, lookup, table
from clusterprop.spreading import SpreadingGraph, equal_class_shares

_NUMBER = r"\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Strategy:
    """A propagation as a method names it: a registry entry and, for entries that take
    one, the numeric argument (``closest:75`` -> kind closest, argument 75)."""

    kind: str
    argument: float | None = None

    @property
    def entry(self) -> Propagation:
        return PROPAGATIONS[self.kind]

    @property
    def name(self) -> str:
        """Config spelling, e.g. ``closest:75``."""
        return self.kind if self.argument is None else f"{self.kind}:{self.argument:g}"

    @property
    def slug(self) -> str:
        """Path spelling (no colon), e.g. ``closest75``."""
        return self.kind if self.argument is None else f"{self.kind}{self.argument:g}"

    @property
    def uses_clusters(self) -> bool:
        return self.entry.uses_clusters

    @property
    def uses_neighbours(self) -> bool:
        return "neighbours" in self.entry.needs


def slug_pattern() -> str:
    """A regular expression for every propagation's path spelling (a wildcard's)."""
    return "|".join(
        re.escape(name) + (_NUMBER if entry.argument else "")
        for name, entry in PROPAGATIONS.items()
    )


def _spellings() -> str:
    return ", ".join(
        f"'{name}:VALUE'" if entry.argument else f"'{name}'" for name, entry in PROPAGATIONS.items()
    )


def parse_strategy(text: str) -> Strategy:
    """Parse a strategy from its config spelling (``closest:75``) or path spelling."""
    text = str(text).strip()
    for name, entry in PROPAGATIONS.items():
        if entry.argument is None:
            if text == name:
                return Strategy(name)
            continue
        match = re.fullmatch(rf"{re.escape(name)}:?(?P<value>{_NUMBER})", text)
        if match:
            value = float(match["value"])
            problem = entry.check_argument(value) if entry.check_argument else None
            if problem:
                raise ValueError(f"propagation {text!r}: {problem}")
            return Strategy(name, value)
    raise ValueError(f"unknown propagation strategy {text!r}: expected one of {_spellings()}")


def propagate_labels(
    strategy: Strategy,
    given_ids: np.ndarray,
    given_labels: np.ndarray,
    artifacts: Mapping[str, Mapping],
    settings: Mapping | None = None,
    weights: np.ndarray | None = None,
) -> TrainingSet:
    """Dispatch to the strategy's registered function with the artifacts it needs
    (``artifacts`` maps their names to arrays), its config settings and, for a
    propagation that weighs its labels (``weighted``), the given labels' weights."""
    entry = lookup(PROPAGATIONS, strategy.kind, "propagation")
    missing = [need for need in entry.needs if need not in artifacts]
    if missing:
        raise ValueError(f"propagation {strategy.name} needs {', '.join(missing)}")
    kwargs = {need: artifacts[need] for need in entry.needs}
    if entry.argument is not None:
        kwargs[entry.argument] = strategy.argument
    if weights is not None:
        if not entry.weighted:
            raise ValueError(f"propagation {strategy.name} does not weigh its labels")
        kwargs["weights"] = weights
    return entry.function(given_ids, given_labels, **kwargs, **dict(settings or {}))


@dataclass
class TrainingSet:
    image_ids: np.ndarray
    labels: np.ndarray
    #: True where a person gave the label, False where it was propagated
    given: np.ndarray


def _within_clusters(
    given_ids: np.ndarray,
    given_labels: np.ndarray,
    clusters: Mapping,
    percent: float | None = None,
) -> TrainingSet:
    """Each labelled image's label to the members of its cluster (all of them, or the
    ``percent``% nearest the centroid); clusters with no labelled image get none."""
    given_ids = np.asarray(given_ids, dtype=np.int64)
    given_labels = np.asarray(given_labels, dtype=np.int64)
    assignments = np.asarray(clusters["assignments"])
    rep_clusters = assignments[given_ids]
    if len(np.unique(rep_clusters)) != len(rep_clusters):
        raise ValueError("more than one labelled image in a cluster; cannot propagate")
    cluster_label = np.full(int(assignments.max()) + 1, -1, dtype=np.int64)
    cluster_label[rep_clusters] = given_labels

    members = np.flatnonzero(cluster_label[assignments] >= 0)
    if percent is not None:
        members = _closest_members(members, assignments, np.asarray(clusters["distances"]), percent)
    members = np.union1d(members, given_ids)  # a labelled image always stays
    labels = cluster_label[assignments[members]]
    given = np.isin(members, given_ids)
    # the given label wins for the labelled image itself
    labels[given] = _given_for(members[given], given_ids, given_labels)
    return TrainingSet(members, labels, given)


def keep_given(given_ids: np.ndarray, given_labels: np.ndarray) -> TrainingSet:
    """No propagation: the labelled images only."""
    given_ids = np.asarray(given_ids, dtype=np.int64)
    given_labels = np.asarray(given_labels, dtype=np.int64)
    return TrainingSet(given_ids, given_labels, np.ones(len(given_ids), dtype=bool))


def whole_cluster(given_ids, given_labels, *, clusters: Mapping) -> TrainingSet:
    """Each representative's label to its whole cluster."""
    return _within_clusters(given_ids, given_labels, clusters)


def closest_to_centroid(given_ids, given_labels, *, clusters: Mapping, percent: float):
    """Each representative's label to the ``percent``% of its cluster nearest the centroid."""
    return _within_clusters(given_ids, given_labels, clusters, percent)


def spread(
    given_ids: np.ndarray,
    given_labels: np.ndarray,
    *,
    neighbours: Mapping,
    balance_classes: bool = False,
    **spreading,
) -> TrainingSet:
    """Label spreading (Zhou et al. 2004) from the labelled images over the kNN graph.

    scikit-learn's ``LabelSpreading`` with its kNN kernel, except that the graph is the
    precomputed one (``neighbours.anchor_graph``), shared by every budget and seed
    of an embedding. Every training image gets a label; labelled images keep theirs
    (the spreading may disagree with a given label: a person's label wins).

    ``balance_classes``: for data sets whose classes are of equal size, each image
    takes its most probable class after the spread label distribution is rescaled so
    that every given class holds an equal share of the images (``equal_class_shares``;
    of the anchors, on a graph over a sample of the images), instead of the most
    probable class of the raw distribution; this undoes the pull of large, dense
    clusters that a few labels reach first.

    ``symmetric_graph`` (of ``spread_distributions``): link two images when either is
    among the other's nearest neighbours, with weight 1/2 where only one is (the graph
    ``(W + W.T) / 2`` of Zhou et al., who assume a symmetric affinity). The default,
    scikit-learn's own kNN kernel, keeps the directed graph, whose normalisation then
    counts only incoming links.

    ``spreading``: the other settings of ``spread_distributions`` (``n_neighbors``,
    ``alpha``, ``max_iter``, ``symmetric_graph``, ``anchor_neighbors``, and ``weights``:
    how much each given label counts, 1 each by default; a robust treatment gives
    suspicious labels less).
    """
    given_ids = np.asarray(given_ids, dtype=np.int64)
    given_labels = np.asarray(given_labels, dtype=np.int64)
    anchor_neighbors = spreading.pop("anchor_neighbors", 5)
    graph = SpreadingGraph.of(
        neighbours,
        spreading.pop("n_neighbors", 20),
        spreading.pop("symmetric_graph", False),
        anchor_neighbors,
    )
    classes, distributions = graph.spread(given_ids, given_labels, **spreading)
    if balance_classes:
        distributions = equal_class_shares(distributions)
    n = graph.images
    labels = np.empty(n, dtype=np.int64)
    for start in range(0, n, 100_000):
        rows = np.arange(start, min(start + 100_000, n))
        labels[rows] = classes[graph.at(distributions, rows).argmax(axis=1)]
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


def training_set_stats(
    training_set: TrainingSet, y_true: np.ndarray, class_names: list[str] | None = None
) -> dict:
    """Size of the set, how many of its labels are correct (measured on the images whose
    true label is known: none in an unlabelled pool, where the shares are None), and,
    with ``class_names``, how many labels of each class it holds."""
    truth = np.asarray(y_true)[training_set.image_ids]
    known = truth >= 0
    correct = training_set.labels == truth
    propagated = ~training_set.given

    def share(mask: np.ndarray) -> float | None:
        mask = mask & known
        return float(correct[mask].mean()) if mask.any() else None

    stats = {
        "n_labels_given": int(training_set.given.sum()),
        "n_train_labels": int(len(training_set.image_ids)),
        "n_propagated": int(propagated.sum()),
        "given_label_accuracy": share(training_set.given),
        "propagated_label_accuracy": share(propagated),
        "training_label_accuracy": share(np.ones(len(truth), dtype=bool)),
    }
    if class_names is not None:
        counts = np.bincount(training_set.labels, minlength=len(class_names))
        stats["label_counts"] = dict(zip(class_names, counts.tolist(), strict=True))
    return stats


def write_training_set(
    training_set: TrainingSet,
    y_true: np.ndarray,
    arrays_path: str,
    record_path: str,
    *,
    seed: int,
    provenance: dict,
    class_names: list[str] | None = None,
    labelling: dict | None = None,
) -> dict:
    """Save a training set's arrays and its record (stats, seed, provenance, and what
    the labeller got wrong: ``review.labelling_record``)."""
    stats = {**training_set_stats(training_set, y_true, class_names), **(labelling or {})}
    save_npz(
        arrays_path,
        image_ids=training_set.image_ids,
        labels=training_set.labels,
        given=training_set.given,
    )
    write_json(record_path, {**stats, "seed": seed, "params": provenance})
    return stats


def _percent_in_range(percent: float) -> str | None:
    return None if 0 < percent <= 100 else f"P must be in (0, 100], got {percent:g}"


#: The propagations a method can name.
PROPAGATIONS = table(
    Propagation("none", keep_given),
    Propagation("all", whole_cluster, needs=("clusters",)),
    Propagation(
        "closest",
        closest_to_centroid,
        needs=("clusters",),
        argument="percent",
        check_argument=_percent_in_range,
    ),
    Propagation("spread", spread, needs=("neighbours",), settings="spreading", weighted=True),
)
