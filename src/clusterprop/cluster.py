"""K-Means clustering of an embedding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans


@dataclass
class Clustering:
    #: cluster index of each training image
    assignments: np.ndarray
    #: Euclidean distance of each training image to its own cluster's centroid
    distances: np.ndarray
    centroids: np.ndarray
    inertia: float
    n_iter: int


def kmeans(
    features: np.ndarray,
    k: int,
    seed: int,
    *,
    n_init: int | str = "auto",
    max_iter: int = 300,
    tol: float = 1e-4,
    algorithm: str = "lloyd",
) -> Clustering:
    """``KMeans(n_clusters=k, random_state=seed)`` as in the reference, on float32."""
    if not 1 <= k <= len(features):
        raise ValueError(f"k={k} clusters needs 1 <= k <= {len(features)} training images")
    model = KMeans(
        n_clusters=k,
        random_state=seed,
        n_init=n_init,
        max_iter=max_iter,
        tol=tol,
        algorithm=algorithm,
    ).fit(features)
    assignments = model.labels_.astype(np.int64)
    centroids = model.cluster_centers_
    distances = np.linalg.norm(features - centroids[assignments], axis=1)
    return Clustering(
        assignments=assignments,
        distances=distances.astype(np.float64),
        centroids=centroids,
        inertia=float(model.inertia_),
        n_iter=int(model.n_iter_),
    )
