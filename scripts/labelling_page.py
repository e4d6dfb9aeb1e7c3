"""The labelling page and contact sheet for one selection (labelling: person): the
selected images that the labels store has no label for."""

from pathlib import Path

from clusterprop.io import write_text
from clusterprop.labelling.files import rows_of
from clusterprop.labelling.pages import labelling_page, load_for_labelling
from clusterprop.logs import configure
from clusterprop.plots import plot_image_grid

logger = configure(snakemake.log[0])
dataset = load_for_labelling(snakemake.input.dataset)
to_label = snakemake.params.to_label
ids, reused = to_label["ids"], to_label["reused"]
rows = rows_of(ids, dataset["train_ids"])
images = dataset["X_train"][rows]
folder = snakemake.params.image_folder
wildcards = snakemake.wildcards
title = f"{len(ids)} images ({wildcards.embedding}, {wildcards.selection}, seed {wildcards.seed})"
note = f"({reused} more of the selection already labelled: reused)" if reused else ""
page = labelling_page(
    images,
    ids,
    dataset["class_names"].tolist(),
    title=title,
    labels_path=snakemake.params.labels_path,
    fingerprints=dataset["train_fingerprints"][rows].tolist(),
    originals=None if folder is None else [Path(folder) / i for i in ids],
    note=note,
)
write_text(snakemake.output.page, page)
plot_image_grid(
    images,
    [f"{n + 1}: {image_id}" for n, image_id in enumerate(ids)],
    f"To label: {title}",
    snakemake.output.contact_sheet,
    columns=10,
)
logger.info(
    "labelling page for %d images (%d reused); labels expected at %s",
    len(ids),
    reused,
    snakemake.params.labels_path,
)
