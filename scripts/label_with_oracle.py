"""The oracle labels the selected images with their true classes, in a person's format."""

import pandas as pd

from clusterprop.io import load_npz, write_text
from clusterprop.labels import oracle_labels
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
selection = pd.read_csv(snakemake.input.selection)
dataset = load_npz(snakemake.input.dataset, "y_train", "class_names")
text = oracle_labels(selection.image_id.to_numpy(), dataset["y_train"], dataset["class_names"])
write_text(snakemake.output.labels, text)
logger.info("oracle labelled %d images", len(selection))
