"""The k-nearest-neighbour graph of one embedding's training images, over at most
``neighbours.anchors`` of them (clusterprop.neighbours.anchor_graph)."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.io import save_npz
from clusterprop.logs import configure
from clusterprop.neighbours import anchor_graph

logger = configure(snakemake.log[0])
features = np.load(snakemake.input.features, mmap_mode="r")
with threadpool_limits(snakemake.threads):
    # the settings are anchor_graph's own keywords (config neighbours)
    indices, distances, anchors = anchor_graph(
        features, threads=snakemake.threads, **snakemake.params.settings
    )
save_npz(snakemake.output.neighbours, indices=indices, distances=distances, anchors=anchors)
logger.info(
    "%d neighbours of %d images, %d of them anchors", indices.shape[1], len(indices), len(anchors)
)
