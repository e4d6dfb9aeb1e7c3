"""Every training image with its true label: the full-label ceiling."""

import numpy as np

from clusterprop.io import load_npz
from clusterprop.logs import configure
from clusterprop.propagate import TrainingSet, write_training_set

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "y_train", "class_names")
y_train = dataset["y_train"]
training_set = TrainingSet(np.arange(len(y_train)), y_train, np.ones(len(y_train), dtype=bool))
stats = write_training_set(
    training_set,
    y_train,
    snakemake.output.training_set,
    snakemake.output.record,
    seed=int(snakemake.wildcards.seed),
    provenance=snakemake.params.provenance,
    class_names=dataset["class_names"].tolist(),
)
logger.info("%s", stats)
