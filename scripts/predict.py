"""A label for every image: one model's predictions for the pool and the test set, beside
the labels a person gave and the propagated ones; or its parts joined (config shards:
scripts/predict_shard.py)."""

import numpy as np
from threadpoolctl import threadpool_limits

from clusterprop.evaluate import joined_prediction_parts, prediction_part, predictions_table
from clusterprop.io import load_npz, write_text
from clusterprop.logs import configure
from clusterprop.train import load_model

logger = configure(snakemake.log[0])
if "shards" in snakemake.input.keys():
    parts = [load_npz(path) for path in snakemake.input.shards]
else:
    model = load_model(snakemake.input.model)
    train = np.load(snakemake.input.train_features, mmap_mode="r")
    test = np.load(snakemake.input.test_features, mmap_mode="r")
    with threadpool_limits(snakemake.threads):
        parts = [prediction_part(model, train, test)]
splits = joined_prediction_parts(parts)
dataset = load_npz(snakemake.input.dataset, "train_ids", "test_ids", "class_names")
for split, result in splits.items():
    result["ids"] = dataset[f"{split}_ids"]
    if len(result["predicted"]) != len(result["ids"]):
        raise ValueError(
            f"{len(result['predicted'])} {split} predictions for {len(result['ids'])} images"
        )
table = predictions_table(
    splits, load_npz(snakemake.input.training_set), dataset["class_names"].tolist()
)
write_text(snakemake.output.predictions, table.to_csv(index=False))
logger.info(
    "predictions for %d training and %d test images", *(len(s["ids"]) for s in splits.values())
)
