"""A self-training round's labels: the labels a person gave, spread again over the
k-nearest-neighbour graph of the previous round's network features."""

import numpy as np

from clusterprop.io import load_npz, read_json
from clusterprop.labelling.review import LABELLING_RECORD
from clusterprop.logs import configure
from clusterprop.network import neighbour_graph
from clusterprop.propagate import spread, write_training_set

logger = configure(snakemake.log[0])
params = snakemake.params.self_training
spreading = params["spreading"]
dataset = load_npz(snakemake.input.dataset, "y_train", "class_names")
propagated = load_npz(snakemake.input.propagated)
given = np.asarray(propagated["given"], dtype=bool)
features = load_npz(snakemake.input.network_outputs, "train_features")["train_features"]
graph = neighbour_graph(features, spreading["n_neighbors"])
training_set = spread(
    propagated["image_ids"][given], propagated["labels"][given], neighbours=graph, **spreading
)
round_one = read_json(snakemake.input.propagated_record)
provenance = round_one["params"]
stats = write_training_set(
    training_set,
    dataset["y_train"],
    snakemake.output.training_set,
    snakemake.output.record,
    seed=int(snakemake.wildcards.seed),
    provenance={**provenance, "self_training": params},
    class_names=dataset["class_names"].tolist(),
    # the same given labels: what the labeller got wrong, as recorded in round 1
    labelling={key: round_one.get(key) for key in LABELLING_RECORD},
)
logger.info("round %d labels from %d given: %s", params["round"], int(given.sum()), stats)
