"""Test-set metrics of one model, with every parameter that produced it."""

import numpy as np

from clusterprop.evaluate import classification_metrics
from clusterprop.io import load_npz, read_json, write_json
from clusterprop.logs import configure
from clusterprop.train import load_model

logger = configure(snakemake.log[0])
model = load_model(snakemake.input.model)
dataset = load_npz(snakemake.input.dataset, "y_test", "class_names")
predictions = model.predict(np.load(snakemake.input.features))
metrics = classification_metrics(dataset["y_test"], predictions, len(dataset["class_names"]))
training_set = read_json(snakemake.input.training_set_record)
fit_record = read_json(snakemake.input.fit_record)
params = training_set.pop("params")
wildcards = snakemake.wildcards
record = {
    "embedding": wildcards.embedding,
    "selection": params["selection"],
    "n_labels": params["budget"]
    if params["budget"] is not None
    else training_set["n_train_labels"],
    "propagation": params["propagation"],
    **metrics,
    **training_set,
    "fit_seconds": fit_record["fit_seconds"],
    "n_iter": fit_record["n_iter"],
    "converged": fit_record["converged"],
    "class_names": dataset["class_names"].tolist(),
    "params": {**params, "classifier": fit_record["classifier"]},
}
write_json(snakemake.output.metrics, record)
logger.info("accuracy %.4f, macro F1 %.4f", metrics["accuracy"], metrics["macro_f1"])
