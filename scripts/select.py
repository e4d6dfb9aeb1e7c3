"""Which training images a person labels: the registered selection the wildcard names
(one image per cluster, or a random draw), given the artifacts it needs."""

from clusterprop.io import open_npz_files, write_text
from clusterprop.logs import configure
from clusterprop.select import SELECTIONS

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
    # the function picks rows; the file names the images by their ids
    chosen["image_id"] = artifacts["dataset"]["train_ids"][chosen.image_id.to_numpy()]
write_text(snakemake.output.selection, chosen.to_csv(index=False))
logger.info("%s selection: %d images", entry.name, len(chosen))
