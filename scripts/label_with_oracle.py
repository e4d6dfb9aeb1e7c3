"""The oracle labels the selected images in a person's format: with their true classes,
or, told to err (config oracle), with mistakes drawn with the seed."""

from clusterprop.io import load_npz, write_text
from clusterprop.labelling.files import format_labels, read_selection, rows_of, true_classes
from clusterprop.labelling.oracle import labeller_labels
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
selection = read_selection(snakemake.input.selection)
dataset = load_npz(snakemake.input.dataset, "y_train", "train_ids", "class_names")
class_names = dataset["class_names"].tolist()
rows = rows_of(selection.image_id, dataset["train_ids"])
truth = true_classes(dataset["y_train"], rows)
ambiguity = None
if "labeller_model" in snakemake.input.keys():
    ambiguity = load_npz(snakemake.input.labeller_model)["probabilities"][rows]
labels = labeller_labels(
    truth, snakemake.params.oracle, int(snakemake.wildcards.seed), class_names, ambiguity
)
write_text(snakemake.output.labels, format_labels(selection.image_id, labels, class_names))
logger.info(
    "oracle labelled %d images, %d of them wrong (%s)",
    len(labels),
    int((labels != truth).sum()),
    snakemake.params.oracle,
)
