"""Images whose label disagrees with their most similar labelled images."""

import numpy as np

from clusterprop.io import load_npz, write_text
from clusterprop.labelling import disagreements
from clusterprop.labels import read_labels, read_selection, rows_of
from clusterprop.logs import configure
from clusterprop.plots import plot_image_grid

logger = configure(snakemake.log[0])
selection = read_selection(snakemake.input.selection)
dataset = load_npz(snakemake.input.dataset, "X_train", "train_ids", "class_names")
class_names = dataset["class_names"].tolist()
ids, labels = read_labels(snakemake.input.labels, selection.image_id, class_names)
rows = rows_of(ids, dataset["train_ids"])
features = np.load(snakemake.input.features, mmap_mode="r")
flagged = disagreements(np.asarray(features[rows]), ids, labels, snakemake.params.n_neighbors)
table = flagged.assign(
    label=[class_names[c] for c in flagged.label],
    neighbours_label=[class_names[c] for c in flagged.neighbours_label],
)
write_text(snakemake.output.table, table.to_csv(index=False))
wildcards = snakemake.wildcards
plot_image_grid(
    dataset["X_train"][rows_of(flagged.image_id, dataset["train_ids"])],
    [
        f"{i}: {a}\nothers: {b}"
        for i, a, b in zip(table.image_id, table.label, table.neighbours_label, strict=True)
    ],
    f"{len(table)} of {len(ids)} labels to look at again ({wildcards.embedding}, "
    f"{wildcards.selection}, seed {wildcards.seed}): the {snakemake.params.n_neighbors} most "
    "similar labelled images all say otherwise",
    snakemake.output.grid,
    columns=8,
)
logger.info("%d of %d labels disagree with their neighbours", len(table), len(ids))
