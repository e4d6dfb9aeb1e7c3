"""The grid of labelled images (one per cluster) for one cluster selection."""

import pandas as pd

from clusterprop.io import load_npz
from clusterprop.labels import read_labels
from clusterprop.logs import configure
from clusterprop.plots import plot_image_grid

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset)
selection = pd.read_csv(snakemake.input.selection)
class_names = dataset["class_names"].tolist()
ids, labels = read_labels(snakemake.input.labels, selection.image_id.tolist(), class_names)
wildcards = snakemake.wildcards
plot_image_grid(
    dataset["X_train"][ids],
    [class_names[c] for c in labels],
    f"{len(ids)} labelled images ({wildcards.embedding}, {wildcards.selection}, "
    f"seed {wildcards.seed}) with their labels",
    snakemake.output.grid,
)
logger.info("grid of %d representatives", len(ids))
