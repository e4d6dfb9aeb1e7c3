"""A selection's labels after the person's review: each image's reviewed label in the
labels store where it has one (every listed image has), else its label as given; in
the oracle's format. The person's files are only read: the workflow never writes them."""

from clusterprop.io import load_npz, write_text
from clusterprop.labelling.files import format_labels, read_quality_table
from clusterprop.labelling.store import (
    Pile,
    agreement_table,
    read_store,
    resolve,
    reviewed_labels_from,
)
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = load_npz(
    snakemake.input.dataset, "train_ids", "train_fingerprints", "class_names", mmap=True
)
class_names = dataset["class_names"].tolist()
table = read_quality_table(snakemake.input.label_quality)
pile = Pile.of(dataset)
resolved = resolve(
    read_store(snakemake.input.reviewed, class_names, **snakemake.params.store), pile
)
after, changed = reviewed_labels_from(resolved, table, pile, class_names)
ids = table.image_id.tolist()
write_text(snakemake.output.labels, format_labels(ids, after, class_names))
# each reviewed label's annotations (a label not on the review list: as given)
reviewed = [resolved.reviewed.get(pile.row_of[i]) for i in ids]
labels = [class_names[c] for c in after]
write_text(snakemake.output.agreement, agreement_table(ids, reviewed, labels).to_csv(index=False))
logger.info(
    "%d labels after the review (%s): %d changed", len(ids), snakemake.input.reviewed, changed
)
