"""Train one classifier on one labelled set; save it in skops format."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.io import load_npz, write_json
from clusterprop.logs import configure
from clusterprop.train import fit, make_classifier, save_model

logger = configure(snakemake.log[0])
settings = snakemake.params.classifier
seed = int(snakemake.wildcards.seed)
training_set = load_npz(snakemake.input.training_set)
features = np.load(snakemake.input.features, mmap_mode="r")
X = np.ascontiguousarray(features[training_set["image_ids"]])
model = make_classifier(settings["name"], seed, settings["params"])
with threadpool_limits(snakemake.threads):
    record = fit(model, X, training_set["labels"])
save_model(model, snakemake.output.model)
write_json(snakemake.output.record, {**record, "classifier": settings})
logger.info("trained on %d labels: %s", len(X), record)
