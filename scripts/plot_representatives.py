"""The grid of labelled images (one per cluster) for one cluster selection."""

from clusterprop.io import load_npz
from clusterprop.labelling.files import selection_labels
from clusterprop.logs import configure
from clusterprop.plots import plot_image_grid

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "X_train", "train_ids", "class_names", mmap=True)
class_names = dataset["class_names"].tolist()
ids, labels, rows = selection_labels(snakemake.input.selection, snakemake.input.labels, dataset)
wildcards = snakemake.wildcards
plot_image_grid(
    dataset["X_train"][rows],
    [class_names[c] for c in labels],
    f"{len(ids)} labelled images ({wildcards.embedding}, {wildcards.selection}, "
    f"seed {wildcards.seed}) with their labels",
    snakemake.output.grid,
)
logger.info("grid of %d representatives", len(ids))
