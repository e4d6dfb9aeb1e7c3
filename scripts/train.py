"""Train one classifier on one labelled set, save it (skops), and score it on the test
set: metrics with every parameter that produced them."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.evaluate import classification_metrics, metrics_record
from clusterprop.io import load_npz, read_json, write_json
from clusterprop.logs import configure
from clusterprop.train import fit, make_classifier, save_model, training_rows

logger = configure(snakemake.log[0])
settings = snakemake.params.classifier
seed = int(snakemake.wildcards.seed)
training_set = load_npz(snakemake.input.training_set)
rows = training_rows(len(training_set["image_ids"]), settings["max_train"], seed)
features = np.load(snakemake.input.train_features, mmap_mode="r")
X = np.ascontiguousarray(features[training_set["image_ids"][rows]])
scale_on = np.asarray(features) if settings["standardize"] else None
model = make_classifier(settings["name"], seed, settings["params"], scale_on)
with threadpool_limits(snakemake.threads):
    fit_record = fit(model, X, training_set["labels"][rows])
    save_model(model, snakemake.output.model)
    test_features = np.load(snakemake.input.test_features)
    predictions = model.predict(test_features) if len(test_features) else test_features[:, 0]
logger.info("trained on %d labels: %s", len(X), fit_record)

dataset = load_npz(snakemake.input.dataset, "y_test", "class_names")
class_names = dataset["class_names"].tolist()
test_metrics = classification_metrics(dataset["y_test"], predictions, len(class_names))
record = metrics_record(
    embedding=snakemake.wildcards.embedding,
    classifier=snakemake.wildcards.classifier,
    classifier_settings=settings,
    training_set_record=read_json(snakemake.input.training_set_record),
    test_metrics=test_metrics,
    fit_record=fit_record,
    n_fit=len(rows),
    class_names=class_names,
)
write_json(snakemake.output.metrics, record)
if test_metrics["accuracy"] is None:  # no labelled test images (an image folder without test/)
    logger.info("no labelled test images: no test accuracy")
else:
    logger.info("accuracy %.4f, macro F1 %.4f", test_metrics["accuracy"], test_metrics["macro_f1"])
