"""Validate the labels file and propagate its labels into a training set."""

import pandas as pd

from clusterprop.io import load_npz, save_npz, write_json
from clusterprop.labels import read_labels
from clusterprop.logs import configure
from clusterprop.propagate import parse_strategy, propagate, training_set_stats

logger = configure(snakemake.log[0])
provenance = snakemake.params.provenance
dataset = load_npz(snakemake.input.dataset, "y_train", "class_names")
selection = pd.read_csv(snakemake.input.selection)
ids, labels = read_labels(
    snakemake.input.labels, selection.image_id.tolist(), dataset["class_names"].tolist()
)
strategy = parse_strategy(snakemake.wildcards.propagation)
clusters = load_npz(snakemake.input.clusters) if strategy.uses_clusters else {}
training_set = propagate(
    strategy, ids, labels, clusters.get("assignments"), clusters.get("distances")
)
stats = training_set_stats(training_set, dataset["y_train"])
save_npz(
    snakemake.output.training_set,
    image_ids=training_set.image_ids,
    labels=training_set.labels,
    given=training_set.given,
)
write_json(
    snakemake.output.record, {**stats, "seed": int(snakemake.wildcards.seed), "params": provenance}
)
logger.info("%s", stats)
