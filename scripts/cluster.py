"""K-Means on one embedding for one (k, seed)."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.cluster import kmeans
from clusterprop.io import save_npz
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
features = np.load(snakemake.input.features, mmap_mode="r")
k, seed = int(snakemake.wildcards.k), int(snakemake.wildcards.seed)
with threadpool_limits(snakemake.threads):
    result = kmeans(features, k, seed, **snakemake.params.kmeans, threads=snakemake.threads)
save_npz(
    snakemake.output.clusters,
    assignments=result.assignments,
    distances=result.distances,
    centroids=result.centroids,
    inertia=result.inertia,
    n_iter=result.n_iter,
)
logger.info(
    "k=%d seed=%d, %s: %d iterations, inertia %.1f",
    k,
    seed,
    result.algorithm,
    result.n_iter,
    result.inertia,
)
