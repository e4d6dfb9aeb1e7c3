"""The k-nearest-neighbour graph of one embedding's training images, over at most
``neighbours.anchors`` of them (clusterprop.neighbours.anchor_graph), or joined from its
parts (config shards: scripts/neighbour_anchors.py, neighbour_queries.py)."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.io import load_npz, save_npz
from clusterprop.logs import configure
from clusterprop.neighbours import anchor_graph, gathered

logger = configure(snakemake.log[0])
if "queries" in snakemake.input.keys():
    part = load_npz(snakemake.input.anchors)
    anchors = part["anchors"]
    queries = [load_npz(path) for path in snakemake.input.queries]
    indices, distances = gathered(
        int(part["n_images"]),
        anchors,
        (part["indices"], part["distances"]),
        [(query["rows"], query["indices"], query["distances"]) for query in queries],
    )
else:
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
