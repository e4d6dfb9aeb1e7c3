"""One self-training round of a network classifier: train the CNN on the round's
labelled set (the images, not the embedding), save it (safetensors + JSON), its pooled
features and class probabilities for every image, and its test metrics."""

from clusterprop.evaluate import classification_metrics, metrics_record
from clusterprop.io import load_npz, read_json, save_npz, write_json
from clusterprop.logs import configure
from clusterprop.network import (
    NetworkSettings,
    load_network,
    round_seed,
    round_settings,
    save_network,
    train_network,
    warm_started,
)

logger = configure(snakemake.log[0])
settings = snakemake.params.classifier
round_number = int(snakemake.wildcards.round)
dataset = load_npz(snakemake.input.dataset, "X_train", "X_test", "y_test", "class_names")
class_names = dataset["class_names"].tolist()
training_set = load_npz(snakemake.input.training_set)
images = dataset["X_train"]
logger.info(
    "round %d: %d training labels, images of shape %s",
    round_number,
    len(training_set["image_ids"]),
    images.shape[1:],
)
network_settings = NetworkSettings(**settings["params"])
start_from = None
if warm_started(network_settings, round_number):
    start_from = load_network(snakemake.input.start_weights, snakemake.input.start_spec)
    logger.info("round %d starts from %s", round_number, snakemake.input.start_weights)
network, fit_record = train_network(
    images[training_set["image_ids"]],
    training_set["labels"],
    round_settings(network_settings, round_number),
    seed=round_seed(int(snakemake.wildcards.seed), round_number),
    class_names=class_names,
    normalise_on=images,
    start_from=start_from,
    log=logger.info,
)
save_network(network, snakemake.output.weights, snakemake.output.spec)
train_features, train_probabilities = network.features_and_probabilities(images)
test_features, test_probabilities = network.features_and_probabilities(dataset["X_test"])
save_npz(
    snakemake.output.outputs,
    train_features=train_features,
    train_probabilities=train_probabilities,
    test_features=test_features,
    test_probabilities=test_probabilities,
)

test_metrics = classification_metrics(
    dataset["y_test"], test_probabilities.argmax(axis=1), len(class_names)
)
record = metrics_record(
    embedding=snakemake.wildcards.embedding,
    classifier=snakemake.wildcards.classifier,
    classifier_settings=settings,
    training_set_record=read_json(snakemake.input.training_set_record),
    test_metrics=test_metrics,
    fit_record=fit_record,
    n_fit=len(training_set["image_ids"]),
    class_names=class_names,
    round_number=round_number,
)
write_json(snakemake.output.metrics, record)
logger.info("round %d: test accuracy %s", round_number, test_metrics["accuracy"])
