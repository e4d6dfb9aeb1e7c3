"""Compute one embedding of the training and test images (or of another embedding), or
join its parts (config shards: scripts/embed_shard.py)."""

import numpy as np

from clusterprop.embed import embed, joined_parts
from clusterprop.io import load_npz, save_npy
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
spec = dict(snakemake.params.spec)
method = spec.pop("method")
if "shards" in snakemake.input.keys():
    train, test = joined_parts(snakemake.input.shards)
elif spec.get("input") is None:
    dataset = load_npz(snakemake.input.dataset, "X_train", "X_test")
    train, test = dataset["X_train"], dataset["X_test"]
    train, test = embed(method, train, test, spec, n_jobs=snakemake.threads)
else:
    # memory-mapped: the input's pages are read as the embedding needs them, no copy first
    train = np.load(snakemake.input.train, mmap_mode="r")
    test = np.load(snakemake.input.test, mmap_mode="r")
    train, test = embed(method, train, test, spec, n_jobs=snakemake.threads)
save_npy(snakemake.output.train, train)
save_npy(snakemake.output.test, test)
logger.info("%s embedding: train %s, test %s", method, train.shape, test.shape)
