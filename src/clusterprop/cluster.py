"""K-Means clustering of an embedding: faiss's, or scikit-learn's (the reference's)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# scikit-learn and faiss are imported where used.

#: how ``algorithm: auto`` chooses: scikit-learn's Elkan up to this many images (the
#: reference study's algorithm), faiss's K-Means above (Elkan keeps n x k distance
#: bounds: 4 GB at 1M images and k = 1,000)
ELKAN_UP_TO = 100_000
ALGORITHMS = ("auto", "lloyd", "elkan", "faiss")
#: how faiss's K-Means picks its first centroids: k-means++ (each next centre drawn in
#: proportion to its squared distance from those chosen), its Markov-chain
#: approximation AFK-MC2, or k images at random
FAISS_STARTS = ("kmeans++", "afk-mc2", "random")


@dataclass
class Clustering:
    #: cluster index of each training image
    assignments: np.ndarray
    #: Euclidean distance of each training image to its own cluster's centroid
    distances: np.ndarray
    centroids: np.ndarray
    inertia: float
    n_iter: int
    #: the algorithm that ran (``auto`` resolved)
    algorithm: str = "elkan"


def kmeans(
    features: np.ndarray,
    k: int,
    seed: int,
    *,
    n_init: int | str = "auto",
    max_iter: int = 300,
    tol: float = 1e-4,
    algorithm: str = "lloyd",
    elkan_up_to: int = ELKAN_UP_TO,
    faiss_iterations: int = 25,
    faiss_points_per_centroid: int = 256,
    faiss_start: str = "random",
    threads: int = 1,
) -> Clustering:
    """K-Means with ``k`` clusters and ``seed``, on float32.

    ``lloyd`` and ``elkan``: ``KMeans(n_clusters=k, random_state=seed)`` as in the
    reference (k-means++ starts, ``max_iter`` and ``tol``). ``faiss``: faiss's K-Means,
    ``faiss_iterations`` Lloyd iterations from a ``faiss_start`` start (``FAISS_STARTS``),
    each iteration on a sample of at most ``faiss_points_per_centroid`` x k images drawn
    with ``seed``, then every image assigned to its nearest centroid; the same clusters
    for the same settings whatever ``threads``. ``n_init`` restarts keep the best.
    ``auto``: ``elkan`` up to ``elkan_up_to`` images, ``faiss`` above. An empty cluster
    has no member (and so no representative), whichever runs.
    """
    n = len(features)
    if not 1 <= k <= n:
        raise ValueError(f"k={k} clusters needs 1 <= k <= {n} training images")
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown K-Means algorithm {algorithm!r}: {', '.join(ALGORITHMS)}")
    if algorithm == "auto":
        algorithm = "elkan" if n <= elkan_up_to else "faiss"
    if faiss_start not in FAISS_STARTS:
        raise ValueError(f"unknown faiss start {faiss_start!r}: {', '.join(FAISS_STARTS)}")
    if algorithm == "faiss":
        n_restarts = 1 if n_init == "auto" else int(n_init)
        return _faiss_kmeans(
            features,
            k,
            seed,
            n_restarts,
            faiss_iterations,
            faiss_points_per_centroid,
            faiss_start,
            threads,
        )
    from sklearn.cluster import KMeans

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
    return Clustering(
        assignments=assignments,
        distances=_distances(features, centroids, assignments),
        centroids=centroids,
        inertia=float(model.inertia_),
        n_iter=int(model.n_iter_),
        algorithm=algorithm,
    )


def _faiss_kmeans(features, k, seed, restarts, iterations, points_per_centroid, start, threads):
    import faiss

    faiss.omp_set_num_threads(int(threads))
    data = np.ascontiguousarray(features, dtype=np.float32)
    starts = {
        "kmeans++": faiss.ClusteringInitMethod_KMEANS_PLUS_PLUS,
        "afk-mc2": faiss.ClusteringInitMethod_AFK_MC2,
        "random": faiss.ClusteringInitMethod_RANDOM,
    }
    model = faiss.Kmeans(
        data.shape[1],
        k,
        niter=int(iterations),
        nredo=int(restarts),
        seed=int(seed),
        max_points_per_centroid=int(points_per_centroid),
        init_method=starts[start],
        verbose=False,
    )
    model.train(data)
    squared, nearest = model.index.search(data, 1)
    assignments = nearest[:, 0].astype(np.int64)
    centroids = np.asarray(model.centroids, dtype=np.float32)
    return Clustering(
        assignments=assignments,
        distances=_distances(data, centroids, assignments),
        centroids=centroids,
        inertia=float(squared.astype(np.float64).sum()),
        n_iter=int(iterations),
        algorithm="faiss",
    )


def _distances(features, centroids, assignments) -> np.ndarray:
    """Each image's distance to its own centroid (in the features' precision), in
    blocks of rows: no copy of the whole features at once."""
    distances = np.empty(len(features), dtype=np.float64)
    for start in range(0, len(features), 65536):
        block = slice(start, start + 65536)
        differences = features[block] - centroids[assignments[block]]
        distances[block] = np.linalg.norm(differences, axis=1)
    return distances
