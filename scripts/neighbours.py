"""The k-nearest-neighbour graph of one embedding's training images."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.io import save_npz
from clusterprop.logs import configure
from clusterprop.neighbours import nearest_neighbours

logger = configure(snakemake.log[0])
features = np.load(snakemake.input.features, mmap_mode="r")
with threadpool_limits(snakemake.threads):
    # the settings are nearest_neighbours' own keywords (config neighbours)
    indices, distances = nearest_neighbours(
        features, threads=snakemake.threads, **snakemake.params.settings
    )
save_npz(snakemake.output.neighbours, indices=indices, distances=distances)
logger.info("%d neighbours of %d images", indices.shape[1], len(indices))
