"""A label for every image: one model's predictions for the pool and the test set, beside
the labels a person gave and the propagated ones."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.evaluate import confidence, predictions_table
from clusterprop.io import load_npz, write_text
from clusterprop.logs import configure
from clusterprop.train import load_model

logger = configure(snakemake.log[0])
model = load_model(snakemake.input.model)
dataset = load_npz(snakemake.input.dataset, "train_ids", "test_ids", "class_names")
splits = {}
with threadpool_limits(snakemake.threads):
    for split in ("train", "test"):
        features = np.load(snakemake.input[f"{split}_features"])
        predicted, probability, score = confidence(model, features)
        splits[split] = {
            "ids": dataset[f"{split}_ids"],
            "predicted": predicted,
            "probability": probability,
            "score": score,
        }
table = predictions_table(
    splits, load_npz(snakemake.input.training_set), dataset["class_names"].tolist()
)
write_text(snakemake.output.predictions, table.to_csv(index=False))
logger.info(
    "predictions for %d training and %d test images", *(len(s["ids"]) for s in splits.values())
)
