"""The k-nearest-neighbour graph of an embedding's training images.

Computed once per embedding and shared: label spreading builds its graph from it,
typicality selection scores images by it, and the label quality scores of a review
spread the other labels over it.
"""

from __future__ import annotations

import numpy as np

# scipy.sparse and scikit-learn are imported where used: selection and propagation jobs,
# which run by the hundred, only pay for them when they need them.


def nearest_neighbours(features: np.ndarray, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """Each training row's ``n_neighbors`` nearest other rows (Euclidean), nearest first.

    Returns ``(indices, distances)``, both of shape (n, n_neighbors); a row is never
    its own neighbour.
    """
    from sklearn.neighbors import NearestNeighbors

    n = len(features)
    if not 1 <= n_neighbors < n:
        raise ValueError(f"n_neighbors={n_neighbors} must be in [1, {n - 1}] for {n} images")
    model = NearestNeighbors(n_neighbors=n_neighbors).fit(features)
    distances, indices = model.kneighbors()
    return indices.astype(np.int64), distances.astype(np.float32)


def connectivity_graph(indices: np.ndarray, n_neighbors: int):
    """Sparse 0/1 matrix (CSR) linking each row to its first ``n_neighbors`` neighbours."""
    from scipy import sparse

    if n_neighbors > indices.shape[1]:
        raise ValueError(
            f"{n_neighbors} neighbours asked for, but the graph holds {indices.shape[1]}"
        )
    n = len(indices)
    columns = indices[:, :n_neighbors]
    return sparse.csr_matrix(
        (np.ones(columns.size), columns.ravel(), np.arange(0, columns.size + 1, n_neighbors)),
        shape=(n, n),
    )


def typicality(distances: np.ndarray, n_neighbors: int) -> np.ndarray:
    """TypiClust's typicality: inverse mean distance to the ``n_neighbors`` nearest."""
    if n_neighbors > distances.shape[1]:
        raise ValueError(
            f"{n_neighbors} neighbours asked for, but the graph holds {distances.shape[1]}"
        )
    return 1.0 / (distances[:, :n_neighbors].astype(np.float64).mean(axis=1) + 1e-12)
