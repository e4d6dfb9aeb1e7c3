"""Which training images a person labels: the registered selection the wildcard names
(one image per cluster, or a random draw), given the artifacts it needs; a cluster
selection may prefer images the labels store already labels (config prefer_labelled)."""

import numpy as np

from clusterprop.io import open_npz_files, write_text
from clusterprop.labelling.store import Pile, read_store, resolve
from clusterprop.logs import configure
from clusterprop.select import SELECTIONS, prefer_labelled

logger = configure(snakemake.log[0])
settings = snakemake.params.selection
entry = SELECTIONS[settings["kind"]]
needs = {need: snakemake.input[need] for need in ("dataset", *entry.needs)}
with open_npz_files(needs) as artifacts:
    chosen = entry.function(
        budget=settings["budget"],
        seed=int(snakemake.wildcards.seed),
        **{need: artifacts[need] for need in entry.needs},
        **settings["settings"],
    )
    preference = settings.get("prefer_labelled")
    if preference is not None:
        dataset = artifacts["dataset"]
        pile = Pile.of(dataset)
        labelled = np.zeros(len(pile.ids), dtype=bool)
        labelled[list(resolve(read_store(snakemake.input.labels_store), pile).labelled_rows)] = True
        clusters = artifacts["clusters"]
        chosen = prefer_labelled(
            chosen,
            clusters["assignments"],
            clusters["distances"],
            labelled,
            preference["closest"],
        )
        logger.info(
            "%d of %d images already labelled (%d labelled images in the pile)",
            chosen.reused.sum(),
            len(chosen),
            labelled.sum(),
        )
    # the function picks rows; the file names the images by their ids
    chosen["image_id"] = artifacts["dataset"]["train_ids"][chosen.image_id.to_numpy()]
write_text(snakemake.output.selection, chosen.to_csv(index=False))
logger.info("%s selection: %d images", entry.name, len(chosen))
