"""The k-nearest-neighbour graph of an embedding's training images.

Computed once per embedding and shared: label spreading builds its graph from it,
typicality selection scores images by it, and the label quality scores of a review
spread the other labels over it. Above ``ANCHORS`` images it links every image to a
fixed sample of them, the anchors (``anchor_graph``).
"""

from __future__ import annotations

import numpy as np

# scipy.sparse and scikit-learn are imported where used: selection and propagation jobs,
# which run by the hundred, only pay for them when they need them.


#: how ``search: auto`` chooses: exact up to this many images, an IVF index above
EXACT_UP_TO = 100_000
#: the most images a graph links (``anchor_graph``): above, a fixed sample of this many
ANCHORS = 250_000


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
    if searches_exactly(search, n, exact_up_to):
        from sklearn.neighbors import NearestNeighbors

        model = NearestNeighbors(n_neighbors=n_neighbors).fit(features)
        distances, indices = model.kneighbors()
        return indices.astype(np.int64), distances.astype(np.float32)
    return _ivf_neighbours(features, n_neighbors, ivf_list_size, ivf_probes, ivf_seed, threads)


def searches_exactly(search: str, n: int, exact_up_to: int) -> bool:
    """Whether ``search`` (exact, ivf, or auto: exact up to ``exact_up_to`` images) searches
    among ``n`` images exactly rather than with the IVF index."""
    if search not in ("auto", "exact", "ivf"):
        raise ValueError(f"unknown neighbour search {search!r}: exact, ivf or auto")
    return search == "exact" or (search == "auto" and n <= exact_up_to)


def _ivf_index(data, list_size, probes, seed, threads):
    """faiss's inverted-file index over ``data`` (float32, contiguous): one list per
    ``list_size`` rows, trained by K-Means with ``seed``, ``probes`` lists a query."""
    import faiss

    faiss.omp_set_num_threads(int(threads))
    n, dimension = data.shape
    lists = max(1, int(np.ceil(n / list_size)))
    index = faiss.IndexIVFFlat(faiss.IndexFlatL2(dimension), dimension, lists)
    index.cp.seed = int(seed)
    index.train(data)
    index.add(data)
    index.nprobe = min(int(probes), lists)
    return index


def _checked(indices, n_neighbors):
    if (indices < 0).any():
        raise ValueError(
            f"the IVF index found fewer than {n_neighbors} neighbours for some images: "
            "raise neighbours.ivf_probes or ivf_list_size"
        )
    return indices


def _ivf_neighbours(features, n_neighbors, list_size, probes, seed, threads):
    data = np.ascontiguousarray(features, dtype=np.float32)
    n = len(data)
    index = _ivf_index(data, list_size, probes, seed, threads)
    squared, found = index.search(data, n_neighbors + 1)
    # each row's own entry out (it need not come first among exact duplicates); where a
    # row did not find itself, its farthest hit goes instead
    own = found == np.arange(n)[:, None]
    own[~own.any(axis=1), -1] = True
    own &= np.cumsum(own, axis=1) == 1
    keep = ~own
    indices = found[keep].reshape(n, n_neighbors).astype(np.int64)
    distances = np.sqrt(np.maximum(squared[keep].reshape(n, n_neighbors), 0)).astype(np.float32)
    return _checked(indices, n_neighbors), distances


def choose_anchors(n: int, anchors: int = ANCHORS, anchor_seed: int = 0) -> np.ndarray:
    """The anchors of ``n`` images, sorted: all of them up to ``anchors`` images, a
    sample of ``anchors`` drawn with ``anchor_seed`` above."""
    if n <= anchors:
        return np.arange(n, dtype=np.int64)
    return np.sort(np.random.default_rng([anchor_seed, 5]).choice(n, anchors, replace=False))


def among_anchors(
    features: np.ndarray, anchor_ids: np.ndarray, n_neighbors: int, **search
) -> tuple[np.ndarray, np.ndarray]:
    """The anchors' rows of the graph: each anchor's ``n_neighbors`` nearest other
    anchors, as image ids (``nearest_neighbours`` over the anchors, its ``search``
    settings), with their distances."""
    if len(anchor_ids) == len(features):
        return nearest_neighbours(features, n_neighbors, **search)
    sample = np.ascontiguousarray(features[anchor_ids], dtype=np.float32)
    local, distances = nearest_neighbours(sample, n_neighbors, **search)
    return anchor_ids[local], distances


def off_anchors(n: int, anchor_ids: np.ndarray, shard: int = 0, shards: int = 1) -> np.ndarray:
    """The images that are not anchors, in order, split into ``shards`` near-equal parts:
    part ``shard`` (none where every image is an anchor)."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} of {shards}: expected 0 <= shard < shards")
    return np.array_split(np.setdiff1d(np.arange(n), anchor_ids), shards)[shard]


def nearest_anchors(
    features: np.ndarray,
    anchor_ids: np.ndarray,
    rows: np.ndarray,
    n_neighbors: int,
    *,
    search: str = "exact",
    exact_up_to: int = EXACT_UP_TO,
    ivf_list_size: int = 128,
    ivf_probes: int = 16,
    ivf_seed: int = 0,
    threads: int = 1,
    query_block: int = 100_000,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``n_neighbors`` nearest anchors of the images ``rows`` (none of them an
    anchor), as image ids, with their distances: exact when ``search`` is ``exact``, or
    ``auto`` with at most ``exact_up_to`` images in all; else faiss's IVF index over the
    anchors (its settings as ``nearest_neighbours``'), queried ``query_block`` rows at a
    time. A row's answer does not depend on which others are asked with it, so the
    queries can be split into jobs (tested)."""
    indices = np.empty((len(rows), n_neighbors), dtype=np.int64)
    distances = np.empty((len(rows), n_neighbors), dtype=np.float32)
    if len(rows) == 0:
        return indices, distances
    sample = np.ascontiguousarray(features[anchor_ids], dtype=np.float32)
    exact = searches_exactly(search, len(features), exact_up_to)
    if exact:
        from sklearn.neighbors import NearestNeighbors

        model = NearestNeighbors(n_neighbors=n_neighbors).fit(sample)
    else:
        model = _ivf_index(sample, ivf_list_size, ivf_probes, ivf_seed, threads)
    for start in range(0, len(rows), query_block):
        block = slice(start, start + query_block)
        queries = np.ascontiguousarray(features[rows[block]], dtype=np.float32)
        if exact:
            found_distances, found = model.kneighbors(queries)
        else:
            squared, found = model.search(queries, n_neighbors)
            found_distances = np.sqrt(np.maximum(squared, 0))
            _checked(found, n_neighbors)
        indices[block] = anchor_ids[found]
        distances[block] = found_distances
    return indices, distances


def gathered(
    n: int,
    anchor_ids: np.ndarray,
    among: tuple[np.ndarray, np.ndarray],
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """The whole graph ``(indices, distances)`` from the anchors' rows (``among``) and
    the other images' rows, ``(rows, indices, distances)`` a part; every image's row
    must come exactly once."""
    indices = np.full((n, among[0].shape[1]), -1, dtype=np.int64)
    distances = np.zeros((n, among[0].shape[1]), dtype=np.float32)
    filled = np.zeros(n, dtype=np.int64)
    indices[anchor_ids], distances[anchor_ids] = among
    filled[anchor_ids] += 1
    for rows, part_indices, part_distances in parts:
        indices[rows], distances[rows] = part_indices, part_distances
        np.add.at(filled, rows, 1)
    if (filled != 1).any():
        raise ValueError(
            f"the neighbour graph's parts cover {int((filled == 0).sum())} images not at all "
            f"and {int((filled > 1).sum())} more than once"
        )
    return indices, distances


def anchor_graph(
    features: np.ndarray,
    n_neighbors: int,
    *,
    anchors: int = ANCHORS,
    anchor_seed: int = 0,
    **search,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The neighbour graph that spreading, typicality and label quality read:
    ``(indices, distances, anchor_ids)``, the first two of shape (n, n_neighbors), nearest
    first, ``anchor_ids`` sorted; in one job (``choose_anchors``, ``among_anchors``,
    ``nearest_anchors`` and ``gathered`` split it into jobs).

    Up to ``anchors`` images, every image is an anchor and the graph is
    ``nearest_neighbours``' (``search``: its settings). Above, a fixed sample of
    ``anchors`` images (drawn with ``anchor_seed``) are the anchors: an anchor's row
    holds its nearest other anchors, any other image's row its nearest anchors
    (``nearest_anchors``). So the graph that spreading iterates over stops growing with
    the pile, and every other image's query costs the same whatever the pile's size."""
    n = len(features)
    anchor_ids = choose_anchors(n, anchors, anchor_seed)
    query_block = search.pop("query_block", 100_000)
    among = among_anchors(features, anchor_ids, n_neighbors, **search)
    rows = off_anchors(n, anchor_ids)
    found = nearest_anchors(
        features, anchor_ids, rows, n_neighbors, **search, query_block=query_block
    )
    return (*gathered(n, anchor_ids, among, [(rows, *found)]), anchor_ids)


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
