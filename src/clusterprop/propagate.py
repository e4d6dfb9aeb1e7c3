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
from clusterprop.neighbours import connectivity_graph
from clusterprop.registry import Propagation, lookup, table

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


def spread_distributions(
    given_ids: np.ndarray,
    given_labels: np.ndarray,
    *,
    neighbours: Mapping,
    n_neighbors: int = 20,
    alpha: float = 0.9,
    max_iter: int = 100,
    symmetric_graph: bool = False,
    anchor_neighbors: int = 5,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The label distribution label spreading settles on for every training image:
    ``(classes, distributions)``, one column per class among the given labels (in
    increasing order), rows summing to 1 (0 for images the spreading does not reach).
    ``spread`` takes each image's most probable class from it.

    The iteration of scikit-learn's ``LabelSpreading`` with its kNN kernel over the
    precomputed graph, step for step (``spreading_graph``, ``spread_many``: the same
    distributions to the last bit, in half the time), with one addition: ``weights``
    scale each given label's row of the starting matrix (1 = scikit-learn's). On a graph
    over anchors (``SpreadingGraph``), over the anchors, then read at every image.
    """
    graph = SpreadingGraph.of(neighbours, n_neighbors, symmetric_graph, anchor_neighbors)
    classes, distributions = graph.spread(
        given_ids, given_labels, alpha=alpha, max_iter=max_iter, weights=weights
    )
    return classes, graph.at(distributions, np.arange(graph.images))


@dataclass(frozen=True)
class SpreadingGraph:
    """What label spreading iterates over, and how its labels reach every image.

    ``matrix``: the normalised graph (``spreading_graph``) over the anchors, the images
    of ``anchors`` (global ids, sorted); where every image is an anchor (up to
    ``neighbours.anchors`` images) that is all of them and nothing more is done. Else an
    image that is not an anchor is linked to its ``anchor_neighbors`` nearest anchors
    (its row of the neighbour graph): a label given to it starts on them, shared equally,
    and its spread distribution is the mean of theirs (the out-of-sample step of
    anchor-graph label propagation, Liu, He and Chang 2010)."""

    matrix: object
    anchors: np.ndarray
    #: each image's row of ``matrix``, -1 for an image that is not an anchor
    position: np.ndarray
    #: each image's nearest anchors, as rows of ``matrix``
    nearest: np.ndarray

    @classmethod
    def of(
        cls,
        neighbours: Mapping,
        n_neighbors: int,
        symmetric_graph: bool = False,
        anchor_neighbors: int = 5,
    ) -> SpreadingGraph:
        indices = np.asarray(neighbours["indices"])
        n = len(indices)
        anchors = np.asarray(neighbours["anchors"]) if "anchors" in neighbours else None
        if anchors is None or len(anchors) == n:
            matrix = spreading_graph(indices, n_neighbors, symmetric_graph)
            return cls(matrix, np.arange(n), np.arange(n), np.arange(n)[:, None])
        if not 1 <= anchor_neighbors <= indices.shape[1]:
            raise ValueError(
                f"anchor_neighbors={anchor_neighbors} must be in [1, {indices.shape[1]}], "
                "the neighbours the graph holds"
            )
        position = np.full(n, -1, dtype=np.int64)
        position[anchors] = np.arange(len(anchors))
        local = position[indices[anchors]]
        if (local < 0).any():
            raise ValueError("the neighbour graph links an anchor to an image that is not one")
        matrix = spreading_graph(local, n_neighbors, symmetric_graph)
        nearest = position[indices[:, :anchor_neighbors]]
        nearest[anchors] = np.arange(len(anchors))[:, None]
        return cls(matrix, anchors, position, nearest)

    @property
    def images(self) -> int:
        return len(self.position)

    @property
    def everyone(self) -> bool:
        """True where every image is an anchor."""
        return len(self.anchors) == self.images

    def seeds(
        self, ids: np.ndarray, columns: np.ndarray, values, width: int, into=None
    ) -> np.ndarray:
        """The starting matrix (anchors x ``width``): ``values`` at ``columns`` for the
        images ``ids`` (summed where several land on one anchor); written into ``into``
        where given (its other columns left as they are)."""
        seeds = np.zeros((len(self.anchors), width)) if into is None else into
        if self.everyone:
            seeds[ids, columns] = values
            return seeds
        values = np.broadcast_to(np.asarray(values, dtype=np.float64), ids.shape)
        rows = self.nearest[ids]
        share = np.where(self.position[ids] >= 0, 1.0, 1.0 / rows.shape[1])
        for column in range(rows.shape[1]):
            # an anchor's own row fills every column of ``nearest``: it counts once
            first = (column == 0) | (self.position[ids] < 0)
            np.add.at(seeds, (rows[first, column], columns[first]), (values * share)[first])
        return seeds

    def spread(
        self,
        given_ids: np.ndarray,
        given_labels: np.ndarray,
        *,
        alpha: float = 0.9,
        max_iter: int = 100,
        weights: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(classes, distributions over the anchors)`` of the given labels."""
        given_ids = np.asarray(given_ids, dtype=np.int64)
        given_labels = np.asarray(given_labels, dtype=np.int64)
        classes, columns = np.unique(given_labels, return_inverse=True)
        values = 1.0 if weights is None else np.asarray(weights, dtype=np.float64)
        seeds = self.seeds(given_ids, columns, values, len(classes))
        return classes.astype(np.int64), spread_many(
            self.matrix, seeds, alpha=alpha, max_iter=max_iter
        )

    def at(self, distributions: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """The rows of ``distributions`` (over the anchors) that the images ``ids`` take:
        an anchor its own, any other image the mean of its nearest anchors' rows,
        normalised to sum to 1 (0 where none of them was reached)."""
        ids = np.asarray(ids, dtype=np.int64)
        if self.everyone:
            return distributions[ids]
        rows = self.nearest[ids]
        mean = distributions[rows[:, 0]].copy()
        for column in range(1, rows.shape[1]):
            mean += distributions[rows[:, column]]
        totals = mean.sum(axis=1, keepdims=True)
        return np.divide(mean, totals, out=np.zeros_like(mean), where=totals > 0)


def spreading_graph(neighbour_indices: np.ndarray, n_neighbors: int, symmetric_graph: bool):
    """The normalised graph scikit-learn's ``LabelSpreading`` iterates over: the negated
    normalised Laplacian of the kNN connectivity (Laplacian normalisation by in-degree,
    as SciPy's ``csgraph.laplacian``), its diagonal zeroed, in CSR."""
    from scipy.sparse import csgraph

    graph = connectivity_graph(np.asarray(neighbour_indices), n_neighbors)
    if symmetric_graph:
        graph = ((graph + graph.T) / 2).tocsr()
    laplacian = -csgraph.laplacian(graph, normed=True).tocsr()
    laplacian.setdiag(0.0)
    laplacian.eliminate_zeros()
    return laplacian


def spread_many(
    graph, seeds: np.ndarray, *, alpha: float, max_iter: int, tol: float = 1e-3, blocks: int = 1
) -> np.ndarray:
    """Label spreading of one or several label sets at once, side by side as ``blocks``
    blocks of columns of ``seeds`` (each an (n, classes) matrix of its given labels,
    one-hot or weighted): scikit-learn's ``LabelSpreading`` iteration,
    F <- alpha S F + (1 - alpha) Y from F = Y, until every block changes by less than
    ``tol`` in absolute sum (scikit-learn's test, and its default tol) or after
    ``max_iter`` steps. Each block's rows are normalised to sum to 1 (rows the spreading
    does not reach stay 0)."""
    seeds = np.asarray(seeds, dtype=np.float64)
    static = (1 - alpha) * seeds
    current, previous = seeds, np.zeros_like(seeds)
    n, width = len(seeds), seeds.shape[1] // blocks
    for _ in range(max_iter):
        change = np.abs(current - previous).reshape(n, blocks, width).sum(axis=(0, 2))
        if (change < tol).all():
            break
        previous = current
        current = alpha * (graph @ current) + static
    totals = current.reshape(n, blocks, width).sum(axis=2, keepdims=True)
    totals[totals == 0] = 1
    return (current.reshape(n, blocks, width) / totals).reshape(seeds.shape)


def equal_class_shares(
    distributions: np.ndarray, tolerance: float = 1e-9, max_iter: int = 1000
) -> np.ndarray:
    """Class distributions (one row per image) rescaled so that every class (column)
    holds the same total while each row still sums to 1: iterative proportional fitting
    (Sinkhorn-Knopp), alternately scaling the columns to equal totals and the rows to
    1, until no column total is off by more than ``tolerance`` of its target or after
    ``max_iter`` rounds (it converges slowly: on spread distributions of 60,000 images
    the totals are within 1e-6 after about 900 rounds, 0.5 s). Rows without any mass
    (images the spreading did not reach) stay zero.
    """
    distributions = np.asarray(distributions, dtype=np.float64)
    if distributions.ndim != 2 or (distributions < 0).any():
        raise ValueError("class distributions: expected a non-negative (images x classes) array")
    # classes x images: both sums run over contiguous memory (5x faster than images x
    # classes for 60,000 images)
    shares = np.ascontiguousarray(distributions.T)
    target = (shares.sum(axis=0) > 0).sum() / len(shares)
    for _ in range(max_iter):
        totals = shares.sum(axis=1, keepdims=True)
        if np.abs(totals - target).max() <= tolerance * target:
            break
        shares *= target / np.where(totals > 0, totals, 1)
        rows = shares.sum(axis=0)
        np.divide(shares, rows, out=shares, where=rows > 0)
    return shares.T


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
