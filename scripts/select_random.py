"""N training images drawn at random with the seed: the random-label baseline."""

from clusterprop.io import load_npz, write_text
from clusterprop.logs import configure
from clusterprop.select import random_picks

logger = configure(snakemake.log[0])
n_images = len(load_npz(snakemake.input.dataset, "y_train")["y_train"])
chosen = random_picks(n_images, int(snakemake.wildcards.n), int(snakemake.wildcards.seed))
write_text(snakemake.output.selection, chosen.to_csv(index=False))
logger.info("%d random images of %d", len(chosen), n_images)
