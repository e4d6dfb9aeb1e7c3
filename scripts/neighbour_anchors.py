"""The anchors of one embedding's training images and their rows of the neighbour graph
(config shards above 1; clusterprop.neighbours.choose_anchors, among_anchors)."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.io import save_npz
from clusterprop.logs import configure
from clusterprop.neighbours import among_anchors, choose_anchors

logger = configure(snakemake.log[0])
features = np.load(snakemake.input.features, mmap_mode="r")
settings = dict(snakemake.params.settings)
anchors = choose_anchors(len(features), settings.pop("anchors"), settings.pop("anchor_seed"))
with threadpool_limits(snakemake.threads):
    indices, distances = among_anchors(features, anchors, threads=snakemake.threads, **settings)
save_npz(
    snakemake.output.anchors,
    anchors=anchors,
    indices=indices,
    distances=distances,
    n_images=np.int64(len(features)),
)
logger.info(
    "%d anchors of %d images, %d neighbours each", len(anchors), len(features), indices.shape[1]
)
