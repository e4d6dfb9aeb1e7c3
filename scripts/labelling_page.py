"""The labelling page and contact sheet for one selection (labelling: person)."""

from clusterprop.io import load_npz, write_text
from clusterprop.labelling import labelling_page
from clusterprop.labels import read_selection, rows_of
from clusterprop.logs import configure
from clusterprop.plots import plot_image_grid

logger = configure(snakemake.log[0])
selection = read_selection(snakemake.input.selection)
dataset = load_npz(snakemake.input.dataset, "X_train", "train_ids", "class_names", mmap=True)
ids = selection.image_id.tolist()
images = dataset["X_train"][rows_of(ids, dataset["train_ids"])]
wildcards = snakemake.wildcards
title = f"{len(ids)} images ({wildcards.embedding}, {wildcards.selection}, seed {wildcards.seed})"
page = labelling_page(
    images,
    ids,
    dataset["class_names"].tolist(),
    title=title,
    labels_path=snakemake.params.labels_path,
)
write_text(snakemake.output.page, page)
plot_image_grid(
    images,
    [f"{n + 1}: id {image_id}" for n, image_id in enumerate(ids)],
    f"To label: {title}",
    snakemake.output.contact_sheet,
    columns=10,
)
logger.info(
    "labelling page for %d images; labels expected at %s", len(ids), snakemake.params.labels_path
)
