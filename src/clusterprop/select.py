"""Choosing which training images a person (or the oracle) labels."""

from __future__ import annotations

import numpy as np
import pandas as pd

SELECTION_COLUMNS = ["image_id", "cluster", "distance"]


def representatives(assignments: np.ndarray, distances: np.ndarray) -> pd.DataFrame:
    """The member of each cluster nearest its centroid (ties: lowest image id).

    Returns one row per non-empty cluster, ordered by cluster: image_id, cluster,
    distance to the centroid.
    """
    assignments = np.asarray(assignments)
    distances = np.asarray(distances)
    if assignments.shape != distances.shape:
        raise ValueError("assignments and distances differ in length")
    # lexsort: last key is primary -> sort by cluster, then distance, then image id.
    order = np.lexsort((np.arange(len(assignments)), distances, assignments))
    sorted_clusters = assignments[order]
    first = np.r_[True, sorted_clusters[1:] != sorted_clusters[:-1]]
    chosen = order[first]
    return pd.DataFrame(
        {
            "image_id": chosen.astype(np.int64),
            "cluster": assignments[chosen].astype(np.int64),
            "distance": distances[chosen],
        }
    )


def random_picks(n_images: int, n: int, seed: int) -> pd.DataFrame:
    """``n`` distinct training images drawn uniformly with ``seed`` (sorted by id)."""
    if not 1 <= n <= n_images:
        raise ValueError(f"cannot draw {n} random images from {n_images}")
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(n_images, size=n, replace=False))
    return pd.DataFrame({"image_id": chosen.astype(np.int64), "cluster": -1, "distance": np.nan})
