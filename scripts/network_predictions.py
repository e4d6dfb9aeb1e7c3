"""A label for every image from a network round: its stored class probabilities beside
the labels a person gave and the propagated ones."""

from clusterprop.evaluate import most_probable, predictions_table
from clusterprop.io import load_npz, write_text
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = load_npz(snakemake.input.dataset, "train_ids", "test_ids", "class_names")
outputs = load_npz(snakemake.input.network_outputs, "train_probabilities", "test_probabilities")
splits = {}
for split in ("train", "test"):
    predicted, probability = most_probable(outputs[f"{split}_probabilities"])
    splits[split] = {
        "ids": dataset[f"{split}_ids"],
        "predicted": predicted,
        "probability": probability,
        "score": None,
    }
table = predictions_table(
    splits, load_npz(snakemake.input.training_set), dataset["class_names"].tolist()
)
write_text(snakemake.output.predictions, table.to_csv(index=False))
logger.info(
    "predictions for %d training and %d test images", *(len(s["ids"]) for s in splits.values())
)
