"""One part of a model's predictions (config shards): its share of the training and the
test images, in whole blocks of rows (clusterprop.evaluate.PREDICTION_BLOCK), predicted."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.embed import shard_rows
from clusterprop.evaluate import PREDICTION_BLOCK, prediction_part
from clusterprop.io import save_npz
from clusterprop.logs import configure
from clusterprop.train import load_model

logger = configure(snakemake.log[0])
shard, shards = int(snakemake.wildcards.shard), int(snakemake.wildcards.shards)
model = load_model(snakemake.input.model)
# memory-mapped: a part reads only its own rows of the features
train = np.load(snakemake.input.train_features, mmap_mode="r")
test = np.load(snakemake.input.test_features, mmap_mode="r")
train = train[shard_rows(len(train), shard, shards, PREDICTION_BLOCK)]
test = test[shard_rows(len(test), shard, shards, PREDICTION_BLOCK)]
with threadpool_limits(snakemake.threads):
    part = prediction_part(model, train, test)
save_npz(snakemake.output.shard, **part)
logger.info(
    "predictions, part %d of %d: %d training and %d test images",
    shard + 1,
    shards,
    len(train),
    len(test),
)
