"""Read the configured data set, verify and decode it, write one array file, uncompressed
(a job that needs a few images memory-maps them: clusterprop.io.load_npz), and where it
came from (a data set's name stands for one source)."""

import sys

from clusterprop.data import source_record
from clusterprop.errors import DataError
from clusterprop.formats import read_source
from clusterprop.io import save_npz, write_json
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
skipped = []


def log(message):
    logger.info(message)
    if message.startswith("skipped "):
        skipped.append(message.removeprefix("skipped "))


try:
    dataset = read_source(
        dict(snakemake.input), snakemake.params.source, n_jobs=snakemake.threads, log=log
    )
except DataError as error:  # the person's data, not a bug: the problem first, no traceback
    logger.error("%s", error)
    print(f"data: {error}", file=sys.stderr)
    sys.exit(1)
save_npz(snakemake.output.dataset, **dataset)
write_json(snakemake.output.source, source_record(snakemake.params.source))
logger.info(
    "%d training and %d test images of %s, %d classes",
    len(dataset["X_train"]),
    len(dataset["X_test"]),
    dataset["X_train"].shape[1:],
    len(dataset["class_names"]),
)
if skipped:  # on the terminal too (dataset.on_bad_image: skip), not only in the log
    shown = "".join(f"\n  {line}" for line in skipped[:5])
    more = f"\n  ... {len(skipped) - 5} more in {snakemake.log[0]}" if len(skipped) > 5 else ""
    print(
        f"{len(skipped)} image file(s) could not be decoded and were skipped:{shown}{more}",
        file=sys.stderr,
    )
