"""Every training image with its true label: the full-label ceiling."""

import numpy as np

from clusterprop.io import load_npz, save_npz, write_json
from clusterprop.logs import configure
from clusterprop.propagate import TrainingSet, training_set_stats

logger = configure(snakemake.log[0])
y_train = load_npz(snakemake.input.dataset, "y_train")["y_train"]
training_set = TrainingSet(np.arange(len(y_train)), y_train, np.ones(len(y_train), dtype=bool))
stats = training_set_stats(training_set, y_train)
save_npz(
    snakemake.output.training_set,
    image_ids=training_set.image_ids,
    labels=training_set.labels,
    given=training_set.given,
)
write_json(
    snakemake.output.record,
    {**stats, "seed": int(snakemake.wildcards.seed), "params": snakemake.params.provenance},
)
logger.info("%s", stats)
