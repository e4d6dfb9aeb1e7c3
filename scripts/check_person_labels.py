"""Images whose label disagrees with their most similar labelled images."""

import numpy as np
import pandas as pd

from clusterprop.io import load_npz, write_text
from clusterprop.labelling import disagreements
from clusterprop.labels import read_labels
from clusterprop.logs import configure
from clusterprop.plots import plot_image_grid

logger = configure(snakemake.log[0])
selection = pd.read_csv(snakemake.input.selection)
dataset = load_npz(snakemake.input.dataset, "X_train", "class_names")
class_names = dataset["class_names"].tolist()
ids, labels = read_labels(snakemake.input.labels, selection.image_id.tolist(), class_names)
features = np.load(snakemake.input.features, mmap_mode="r")
flagged = disagreements(np.asarray(features[ids]), ids, labels, snakemake.params.n_neighbors)
table = flagged.assign(
    label=[class_names[c] for c in flagged.label],
    neighbours_label=[class_names[c] for c in flagged.neighbours_label],
)
write_text(snakemake.output.table, table.to_csv(index=False))
wildcards = snakemake.wildcards
plot_image_grid(
    dataset["X_train"][flagged.image_id.to_numpy(dtype=np.int64)],
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
