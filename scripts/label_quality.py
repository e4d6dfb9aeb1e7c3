"""Each given label's out-of-fold quality, and the review list (clusterprop.labelling.quality)."""

import numpy as np

from clusterprop.io import load_npz, write_text
from clusterprop.labelling.files import listed, selection_labels
from clusterprop.labelling.quality import quality_table
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "y_train", "train_ids", "class_names")
class_names = dataset["class_names"].tolist()
ids, labels, rows = selection_labels(snakemake.input.selection, snakemake.input.labels, dataset)
settings = snakemake.params.settings
table = quality_table(
    ids,
    rows,
    labels,
    neighbours=load_npz(snakemake.input.neighbours, "indices", "anchors"),
    features=np.load(snakemake.input.features, mmap_mode="r"),
    class_names=class_names,
    seed=int(snakemake.wildcards.seed),
    review=settings["review"],
    spreading=settings["spreading"],
    truth=dataset["y_train"][rows],
)
write_text(snakemake.output.label_quality, table.to_csv(index=False))
review = listed(table)
message = f"{len(review)} of {len(table)} labels listed for review"
if "wrong" in table:
    message += f"; {int(review.wrong.sum())} of the {int(table.wrong.sum())} wrong ones among them"
logger.info(message)
