"""Validate a person's labels file and take a copy in the oracle's exact format.

The person's file is only read: the workflow never writes it.
"""

from clusterprop.io import load_npz, write_text
from clusterprop.labels import format_labels, read_labels, read_selection
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
selection = read_selection(snakemake.input.selection)
class_names = load_npz(snakemake.input.dataset, "class_names")["class_names"].tolist()
ids, labels = read_labels(snakemake.input.person_labels, selection.image_id, class_names)
write_text(snakemake.output.labels, format_labels(ids, labels, class_names))
logger.info("%d labels from %s", len(ids), snakemake.input.person_labels)
