"""Read the configured data set, verify and decode it, write one array file, uncompressed
(a job that needs a few images memory-maps them: clusterprop.io.load_npz)."""

from clusterprop.data import read_source
from clusterprop.io import save_npz
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = read_source(
    dict(snakemake.input), snakemake.params.source, n_jobs=snakemake.threads, log=logger.info
)
save_npz(snakemake.output.dataset, **dataset)
logger.info(
    "%d training and %d test images of %s, %d classes",
    len(dataset["X_train"]),
    len(dataset["X_test"]),
    dataset["X_train"].shape[1:],
    len(dataset["class_names"]),
)
