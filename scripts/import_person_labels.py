"""A selection's labels from the person's labels store (the files that label its
images, in whatever file they were saved), in the oracle's exact format. The person's
files are only read: the workflow never writes them."""

from clusterprop.io import load_npz, write_text
from clusterprop.labelling.files import format_labels, read_selection
from clusterprop.labelling.store import (
    Pile,
    agreement_table,
    read_store,
    resolve,
    selection_labels_from,
)
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = load_npz(
    snakemake.input.dataset, "train_ids", "train_fingerprints", "class_names", mmap=True
)
class_names = dataset["class_names"].tolist()
pile = Pile.of(dataset)
resolved = resolve(
    read_store(snakemake.input.person_labels, class_names, **snakemake.params.store), pile
)
ids = read_selection(snakemake.input.selection).image_id.tolist()
labels = selection_labels_from(resolved, ids, pile, class_names)
write_text(snakemake.output.labels, format_labels(ids, labels, class_names))
given = [resolved.as_given(pile.row_of[i]) for i in ids]
agreement = agreement_table(ids, given, [class_names[c] for c in labels])
write_text(snakemake.output.agreement, agreement.to_csv(index=False))
logger.info(
    "%d image(s) with several annotations, %d of them not unanimous",
    (agreement.annotations > 1).sum(),
    (agreement.agreement < 1).sum(),
)
logger.info("%d labels from %s", len(ids), ", ".join(snakemake.input.person_labels))
