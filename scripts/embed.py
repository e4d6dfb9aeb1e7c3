"""Compute one embedding of the training and test images."""

from clusterprop.embed import embed
from clusterprop.io import load_npz, save_npy
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
spec = dict(snakemake.params.spec)
method = spec.pop("method")
dataset = load_npz(snakemake.input.dataset)
train, test = embed(method, dataset["X_train"], dataset["X_test"], spec)
save_npy(snakemake.output.train, train)
save_npy(snakemake.output.test, test)
logger.info("%s embedding: train %s, test %s", method, train.shape, test.shape)
