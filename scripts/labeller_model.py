"""The model an oracle's ambiguous mistakes follow: logistic regression on the raw
pixels, fitted on every true training label, and its probabilities of every image."""

from clusterprop.io import load_npz, save_npz
from clusterprop.labelling.oracle import ambiguity_model
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "X_train", "y_train")
probabilities, accuracy = ambiguity_model(dataset["X_train"], dataset["y_train"])
save_npz(snakemake.output.model, probabilities=probabilities)
logger.info("labeller model: %d images, %.4f of them right", len(probabilities), accuracy)
