"""Validate the labels file and propagate its labels into a training set with the
registered propagation the wildcard names."""

from clusterprop.io import load_npz, open_npz_files
from clusterprop.labels import read_labels, read_selection, rows_of
from clusterprop.logs import configure
from clusterprop.propagate import parse_strategy, propagate_labels, write_training_set

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "y_train", "train_ids", "class_names")
selection = read_selection(snakemake.input.selection)
ids, labels = read_labels(
    snakemake.input.labels, selection.image_id, dataset["class_names"].tolist()
)
rows = rows_of(ids, dataset["train_ids"])
strategy = parse_strategy(snakemake.wildcards.propagation)
needs = {need: snakemake.input[need] for need in strategy.entry.needs}
with open_npz_files(needs) as artifacts:
    training_set = propagate_labels(strategy, rows, labels, artifacts, snakemake.params.settings)
stats = write_training_set(
    training_set,
    dataset["y_train"],
    snakemake.output.training_set,
    snakemake.output.record,
    seed=int(snakemake.wildcards.seed),
    provenance=snakemake.params.provenance,
    class_names=dataset["class_names"].tolist(),
)
logger.info("%s", stats)
