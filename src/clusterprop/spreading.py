"""The label-spreading engine: scikit-learn's ``LabelSpreading`` iteration with its kNN
kernel over a precomputed nearest-neighbour graph (or a graph over anchors, read at
every image), with weights on the given labels, and the rescaling to equal class
shares. The ``spread`` propagation (``propagate``) and the label quality scores
(``labelling.quality``) are built on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from clusterprop.neighbours import connectivity_graph


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
