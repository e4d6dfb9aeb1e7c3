"""Choosing which training images a person (or the oracle) labels.

``SELECTIONS`` at the end is the stage's registry (``registry.Selection``): each entry's
function gets the budget, the seed, the artifacts it needs and its config settings, and
returns the images to label, one row each.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from clusterprop.neighbours import typicality
from clusterprop.registry import Selection, table


def _first_per_cluster(assignments: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Image ids with the lowest score in each non-empty cluster (ties: lowest id),
    ordered by cluster."""
    assignments = np.asarray(assignments)
    scores = np.asarray(scores)
    if assignments.shape != scores.shape:
        raise ValueError("assignments and scores differ in length")
    # lexsort: last key is primary -> sort by cluster, then score, then image id.
    order = np.lexsort((np.arange(len(assignments)), scores, assignments))
    sorted_clusters = assignments[order]
    first = np.r_[True, sorted_clusters[1:] != sorted_clusters[:-1]]
    return order[first]


def representatives(assignments: np.ndarray, distances: np.ndarray) -> pd.DataFrame:
    """The member of each cluster nearest its centroid (ties: lowest image id).

    Returns one row per non-empty cluster, ordered by cluster: image_id, cluster,
    distance to the centroid.
    """
    chosen = _first_per_cluster(assignments, distances)
    return pd.DataFrame(
        {
            "image_id": chosen.astype(np.int64),
            "cluster": np.asarray(assignments)[chosen].astype(np.int64),
            "distance": np.asarray(distances)[chosen],
        }
    )


def most_typical(
    assignments: np.ndarray, distances: np.ndarray, typicality: np.ndarray
) -> pd.DataFrame:
    """The most typical member of each cluster (TypiClust; ties: lowest image id).

    Typicality is high where images are dense (``neighbours.typicality``). Same columns
    as ``representatives`` plus the chosen image's typicality.
    """
    typicality = np.asarray(typicality, dtype=np.float64)
    chosen = _first_per_cluster(assignments, -typicality)
    return pd.DataFrame(
        {
            "image_id": chosen.astype(np.int64),
            "cluster": np.asarray(assignments)[chosen].astype(np.int64),
            "distance": np.asarray(distances)[chosen],
            "typicality": typicality[chosen],
        }
    )


def prefer_labelled(
    chosen: pd.DataFrame,
    assignments: np.ndarray,
    distances: np.ndarray,
    labelled: np.ndarray,
    closest: int,
) -> pd.DataFrame:
    """A cluster selection that reuses labels: in each cluster whose chosen image has no
    label, the labelled member nearest the centroid takes its place when it is among
    the ``closest`` members nearest the centroid (ties: lowest image id). ``labelled``
    is a boolean per training image. Same rows and columns; ``reused`` says which
    images already had a label."""
    assignments, distances = np.asarray(assignments), np.asarray(distances)
    labelled = np.asarray(labelled, dtype=bool)
    order = np.lexsort((np.arange(len(assignments)), distances, assignments))
    clusters = assignments[order]
    starts = np.r_[0, np.flatnonzero(clusters[1:] != clusters[:-1]) + 1]
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    near = order[(rank < closest) & labelled[order]]  # by cluster, nearest first
    first = np.r_[True, assignments[near][1:] != assignments[near][:-1]] if len(near) else []
    replacement = {int(assignments[i]): int(i) for i in near[first]}
    out = chosen.copy()
    ids = out.image_id.to_numpy().copy()
    for n, (image, cluster) in enumerate(zip(ids, out.cluster, strict=True)):
        if not labelled[image] and int(cluster) in replacement:
            ids[n] = replacement[int(cluster)]
    out["image_id"] = ids
    out["distance"] = distances[ids]
    out["reused"] = labelled[ids]
    return out


def random_picks(n_images: int, n: int, seed: int) -> pd.DataFrame:
    """``n`` distinct training images drawn uniformly with ``seed`` (sorted by id)."""
    if not 1 <= n <= n_images:
        raise ValueError(f"cannot draw {n} random images from {n_images}")
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(n_images, size=n, replace=False))
    return pd.DataFrame({"image_id": chosen.astype(np.int64), "cluster": -1, "distance": np.nan})


# ---------------------------------------------------------------- the registry's functions


def nearest_centroid(*, budget: int, seed: int, clusters: Mapping) -> pd.DataFrame:
    """The member of each of the ``budget`` K-Means clusters nearest its centroid."""
    return representatives(clusters["assignments"], clusters["distances"])


def most_typical_member(
    *, budget: int, seed: int, clusters: Mapping, neighbours: Mapping, n_neighbors: int
) -> pd.DataFrame:
    """The most typical member of each cluster (TypiClust), typicality measured over
    ``n_neighbors`` neighbours of the embedding's graph."""
    scores = typicality(neighbours["distances"], n_neighbors)
    return most_typical(clusters["assignments"], clusters["distances"], scores)


def uniform_draw(*, budget: int, seed: int, dataset: Mapping) -> pd.DataFrame:
    """``budget`` training images drawn uniformly with the seed."""
    return random_picks(len(dataset["y_train"]), budget, seed)


#: The selections a method can name (besides ``all``, every true label: the ceiling).
SELECTIONS = table(
    Selection("centroid", nearest_centroid, needs=("clusters",), per_cluster=True),
    Selection(
        "typical",
        most_typical_member,
        needs=("clusters", "neighbours"),
        settings="typicality",
        per_cluster=True,
    ),
    Selection("random", uniform_draw, needs=("dataset",), random=True),
)
