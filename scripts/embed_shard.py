"""One part of an embedding of each image on its own (config shards): its share of the
training and the test images (clusterprop.embed.shard_rows), embedded."""

from clusterprop.embed import embed, shard_rows
from clusterprop.io import load_npz, save_npz
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
spec = dict(snakemake.params.spec)
method = spec.pop("method")
shard, shards = int(snakemake.wildcards.shard), int(snakemake.wildcards.shards)
# memory-mapped: a part reads only its own images
dataset = load_npz(snakemake.input.dataset, "X_train", "X_test", mmap=True)
n_train = len(dataset["X_train"])
if shards > n_train:
    raise ValueError(f"shards: {shards} parts of {n_train} training images leave some empty")
train = dataset["X_train"][shard_rows(n_train, shard, shards)]
test = dataset["X_test"][shard_rows(len(dataset["X_test"]), shard, shards)]
train, test = embed(method, train, test, spec, n_jobs=snakemake.threads)
save_npz(snakemake.output.shard, train=train, test=test)
logger.info(
    "%s embedding, part %d of %d: train %s, test %s",
    method,
    shard + 1,
    shards,
    train.shape,
    test.shape,
)
