"""The k-nearest-neighbour graph of an embedding's training images.

Computed once per embedding and shared: label spreading builds its graph from it,
typicality selection scores images by it, and the label quality scores of a review
spread the other labels over it.
"""

from __future__ import annotations

import numpy as np

# scipy.sparse and scikit-learn are imported where used: selection and propagation jobs,
# which run by the hundred, only pay for them when they need them.


#: how ``search: auto`` chooses: exact up to this many images, an IVF index above
EXACT_UP_TO = 100_000


def nearest_neighbours(
    features: np.ndarray,
    n_neighbors: int,
    *,
    search: str = "exact",
    exact_up_to: int = EXACT_UP_TO,
    ivf_list_size: int = 128,
    ivf_probes: int = 16,
    ivf_seed: int = 0,
    threads: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Each training row's ``n_neighbors`` nearest other rows (Euclidean), nearest first.

    Returns ``(indices, distances)``, both of shape (n, n_neighbors); a row is never
    its own neighbour. ``search``: ``exact`` (scikit-learn, brute force: O(n^2)),
    ``ivf`` (faiss's inverted-file index: one list per ``ivf_list_size`` images, trained
    by K-Means with ``ivf_seed``, each query looking in its ``ivf_probes`` nearest lists: the
    same graph for the same settings and features, whatever ``threads``), or ``auto``
    (exact up to ``exact_up_to`` images, IVF above).
    """
    n = len(features)
    if not 1 <= n_neighbors < n:
        raise ValueError(f"n_neighbors={n_neighbors} must be in [1, {n - 1}] for {n} images")
    if search == "auto":
        search = "exact" if n <= exact_up_to else "ivf"
    if search == "exact":
        from sklearn.neighbors import NearestNeighbors

        model = NearestNeighbors(n_neighbors=n_neighbors).fit(features)
        distances, indices = model.kneighbors()
        return indices.astype(np.int64), distances.astype(np.float32)
    if search != "ivf":
        raise ValueError(f"unknown neighbour search {search!r}: exact, ivf or auto")
    return _ivf_neighbours(features, n_neighbors, ivf_list_size, ivf_probes, ivf_seed, threads)


def _ivf_neighbours(features, n_neighbors, list_size, probes, seed, threads):
    import faiss

    faiss.omp_set_num_threads(int(threads))
    data = np.ascontiguousarray(features, dtype=np.float32)
    n, dimension = data.shape
    lists = max(1, int(np.ceil(n / list_size)))
    index = faiss.IndexIVFFlat(faiss.IndexFlatL2(dimension), dimension, lists)
    index.cp.seed = int(seed)
    index.train(data)
    index.add(data)
    index.nprobe = min(int(probes), lists)
    squared, found = index.search(data, n_neighbors + 1)
    # each row's own entry out (it need not come first among exact duplicates); where a
    # row did not find itself, its farthest hit goes instead
    own = found == np.arange(n)[:, None]
    own[~own.any(axis=1), -1] = True
    own &= np.cumsum(own, axis=1) == 1
    keep = ~own
    indices = found[keep].reshape(n, n_neighbors).astype(np.int64)
    distances = np.sqrt(np.maximum(squared[keep].reshape(n, n_neighbors), 0)).astype(np.float32)
    if (indices < 0).any():
        raise ValueError(
            f"the IVF index found fewer than {n_neighbors} neighbours for some images: "
            "raise neighbours.ivf_probes or ivf_list_size"
        )
    return indices, distances


def recall(indices: np.ndarray, exact_indices: np.ndarray) -> float:
    """recall@k of a neighbour graph against the exact one: the mean share of each row's
    exact k nearest that it holds."""
    k = exact_indices.shape[1]
    hits = [len(np.intersect1d(a[:k], b)) for a, b in zip(indices, exact_indices, strict=True)]
    return float(np.sum(hits) / exact_indices.size)


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
