"""The oracle labels the selected images with their true classes, in a person's format."""

from clusterprop.io import load_npz, write_text
from clusterprop.labels import oracle_labels, read_selection, rows_of
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
selection = read_selection(snakemake.input.selection)
dataset = load_npz(snakemake.input.dataset, "y_train", "train_ids", "class_names")
rows = rows_of(selection.image_id, dataset["train_ids"])
text = oracle_labels(selection.image_id, dataset["y_train"][rows], dataset["class_names"])
write_text(snakemake.output.labels, text)
logger.info("oracle labelled %d images", len(selection))
