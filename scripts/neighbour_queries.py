"""One part of the other images' queries of the neighbour graph (config shards): the
nearest anchors of part ``shard`` of the images that are not anchors
(clusterprop.neighbours.off_anchors, nearest_anchors)."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.io import load_npz, save_npz
from clusterprop.logs import configure
from clusterprop.neighbours import nearest_anchors, off_anchors

logger = configure(snakemake.log[0])
features = np.load(snakemake.input.features, mmap_mode="r")
anchors = load_npz(snakemake.input.anchors, "anchors")["anchors"]
settings = dict(snakemake.params.settings)
for key in ("anchors", "anchor_seed"):
    settings.pop(key)
shard, shards = int(snakemake.wildcards.shard), int(snakemake.wildcards.shards)
rows = off_anchors(len(features), anchors, shard, shards)
with threadpool_limits(snakemake.threads):
    indices, distances = nearest_anchors(
        features, anchors, rows, threads=snakemake.threads, **settings
    )
save_npz(snakemake.output.queries, rows=rows, indices=indices, distances=distances)
logger.info("part %d of %d: the nearest anchors of %d images", shard + 1, shards, len(rows))
