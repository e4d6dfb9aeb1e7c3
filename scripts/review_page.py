"""The review page for one selection's labels (labelling: person): the listed images,
each with the label given, the label the others suggest and the most similar labelled
images; and the printable sheet of the same images."""

from pathlib import Path

from clusterprop.io import write_text
from clusterprop.labelling.files import read_quality_table, rows_of, similar_ids, still_to_review
from clusterprop.labelling.pages import labelling_page, load_for_labelling
from clusterprop.logs import configure
from clusterprop.plots import plot_image_grid

logger = configure(snakemake.log[0])
dataset = load_for_labelling(snakemake.input.dataset)
class_names = dataset["class_names"].tolist()
index = {name: i for i, name in enumerate(class_names)}
table = read_quality_table(snakemake.input.label_quality)
label_of = dict(zip(table.image_id, table.label, strict=True))
# the listed labels the labels store has no reviewed label for
review = still_to_review(table, snakemake.params.to_review["ids"])


def image(image_id):
    return dataset["X_train"][rows_of([image_id], dataset["train_ids"])[0]]


items = [
    {
        "given": index[row.label],
        "suggested": index[row.suggested_label],
        "similar": [(i, image(i), index[label_of[i]]) for i in similar_ids(row.similar)],
    }
    for row in review.itertuples()
]
ids = review.image_id.tolist()
rows = rows_of(ids, dataset["train_ids"])
images = dataset["X_train"][rows]
folder = snakemake.params.image_folder
wildcards = snakemake.wildcards
title = (
    f"{len(ids)} of {len(table)} labels ({wildcards.embedding}, {wildcards.selection}, "
    f"seed {wildcards.seed})"
)
page = labelling_page(
    images,
    ids,
    class_names,
    title=title,
    labels_path=snakemake.params.reviewed_labels_path,
    review=items,
    fingerprints=dataset["train_fingerprints"][rows].tolist(),
    originals=None if folder is None else [Path(folder) / i for i in ids],
)
write_text(snakemake.output.page, page)
plot_image_grid(
    images,
    [
        f"{i}: {a}\nothers: {b}"
        for i, a, b in zip(ids, review.label, review.suggested_label, strict=True)
    ],
    f"To review: {title}, most suspicious first",
    snakemake.output.sheet,
    columns=8,
)
logger.info(
    "review page for %d labels; reviewed labels expected at %s",
    len(ids),
    snakemake.params.reviewed_labels_path,
)
