"""Validate the labels file and propagate its labels into a training set with the
registered propagation the wildcard names; a robust labelling first treats the least
trustworthy labels (config robust)."""

from clusterprop.io import load_npz, open_npz_files
from clusterprop.labelling.files import read_quality_table, selection_labels
from clusterprop.labelling.review import labelling_record, robust_labels
from clusterprop.logs import configure
from clusterprop.propagate import parse_strategy, propagate_labels, write_training_set

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "y_train", "train_ids", "class_names")
class_names = dataset["class_names"].tolist()
ids, labels, rows = selection_labels(snakemake.input.selection, snakemake.input.labels, dataset)
_, as_given, _ = selection_labels(
    snakemake.input.selection, snakemake.input.labels_as_given, dataset
)
inputs = snakemake.input.keys()
review = read_quality_table(snakemake.input.review_list) if "review_list" in inputs else None
record = labelling_record(as_given, labels, dataset["y_train"][rows], review)
weights, robust = None, snakemake.params.robust
if robust is not None:
    quality = read_quality_table(snakemake.input.label_quality)
    keep, labels, weights = robust_labels(quality, class_names, robust)
    rows, labels, weights = rows[keep], labels[keep], weights[keep]
    weights = weights if robust["action"] == "weight" else None
    logger.info("robust (%s): %d of %d labels kept", robust["action"], len(rows), len(ids))
strategy = parse_strategy(snakemake.wildcards.propagation)
needs = {need: snakemake.input[need] for need in strategy.entry.needs}
with open_npz_files(needs) as artifacts:
    training_set = propagate_labels(
        strategy, rows, labels, artifacts, snakemake.params.settings, weights=weights
    )
stats = write_training_set(
    training_set,
    dataset["y_train"],
    snakemake.output.training_set,
    snakemake.output.record,
    seed=int(snakemake.wildcards.seed),
    provenance=snakemake.params.provenance,
    class_names=class_names,
    labelling=record,
)
logger.info("%s", stats)
