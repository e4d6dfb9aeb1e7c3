"""Validate the labels file and propagate its labels into a training set."""

import pandas as pd

from clusterprop.io import load_npz
from clusterprop.labels import read_labels
from clusterprop.logs import configure
from clusterprop.propagate import parse_strategy, propagate, spread, write_training_set

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "y_train", "class_names")
selection = pd.read_csv(snakemake.input.selection)
ids, labels = read_labels(
    snakemake.input.labels, selection.image_id.tolist(), dataset["class_names"].tolist()
)
strategy = parse_strategy(snakemake.wildcards.propagation)
if strategy.uses_neighbours:
    graph = load_npz(snakemake.input.neighbours, "indices")
    training_set = spread(ids, labels, graph["indices"], **snakemake.params.spreading)
else:
    clusters = load_npz(snakemake.input.clusters) if strategy.uses_clusters else {}
    training_set = propagate(
        strategy, ids, labels, clusters.get("assignments"), clusters.get("distances")
    )
stats = write_training_set(
    training_set,
    dataset["y_train"],
    snakemake.output.training_set,
    snakemake.output.record,
    seed=int(snakemake.wildcards.seed),
    provenance=snakemake.params.provenance,
)
logger.info("%s", stats)
