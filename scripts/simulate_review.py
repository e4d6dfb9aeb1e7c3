"""An oracle's simulated review: a second look at each listed label, erring at the
oracle's rate (a new draw with the seed), the other labels as given."""

import numpy as np

from clusterprop.io import load_npz, write_text
from clusterprop.labelling.files import (
    format_labels,
    read_quality_table,
    selection_labels,
    true_classes,
)
from clusterprop.labelling.oracle import REVIEW_STREAM, labeller_labels
from clusterprop.labelling.review import simulated_review
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "y_train", "train_ids", "class_names")
class_names = dataset["class_names"].tolist()
ids, given, rows = selection_labels(snakemake.input.selection, snakemake.input.labels, dataset)
truth = true_classes(dataset["y_train"], rows)
table = read_quality_table(snakemake.input.label_quality)
if table.image_id.tolist() != ids.tolist():
    raise ValueError(f"{snakemake.input.label_quality}: not the labels of {snakemake.input.labels}")
review_rows = np.flatnonzero(table.listed.to_numpy())
ambiguity = None
if "labeller_model" in snakemake.input.keys():
    ambiguity = load_npz(snakemake.input.labeller_model)["probabilities"][rows][review_rows]
second_look = labeller_labels(
    truth[review_rows],
    snakemake.params.oracle,
    int(snakemake.wildcards.seed),
    class_names,
    ambiguity,
    stream=REVIEW_STREAM,
)
reviewed = simulated_review(given, review_rows, second_look)
write_text(snakemake.output.labels, format_labels(ids, reviewed, class_names))
logger.info(
    "review of %d labels: %d wrong before, %d after (of %d)",
    len(review_rows),
    int((given != truth).sum()),
    int((reviewed != truth).sum()),
    len(ids),
)
