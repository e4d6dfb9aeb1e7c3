"""A person's reviewed labels file, validated against the review list, as the
selection's labels after the review (the oracle's format). The person's file is only
read: the workflow never writes it."""

from clusterprop.io import load_npz, write_text
from clusterprop.labelling import reviewed_labels
from clusterprop.labels import format_labels
from clusterprop.logs import configure
from clusterprop.review import read_quality_table

logger = configure(snakemake.log[0])
class_names = load_npz(snakemake.input.dataset, "class_names")["class_names"].tolist()
table = read_quality_table(snakemake.input.label_quality)
after = reviewed_labels(snakemake.input.reviewed, table, class_names)
ids = table.image_id.tolist()
write_text(snakemake.output.labels, format_labels(ids, [after[i] for i in ids], class_names))
index = {name: i for i, name in enumerate(class_names)}
changed = sum(after[i] != index[label] for i, label in zip(ids, table.label, strict=True))
logger.info(
    "%d labels after the review of %s: %d changed", len(ids), snakemake.input.reviewed, changed
)
