"""A copy of the predictions of the model the summary shows, for the report (every
model's own predictions.csv stays beside its metrics)."""

import shutil

from clusterprop.io import atomic_path, read_json
from clusterprop.logs import configure
from clusterprop.summarize import model_to_show

logger = configure(snakemake.log[0])
records = {path: read_json(path) for path in snakemake.input.metrics}
chosen = snakemake.params.predictions_of[model_to_show(records)]
with atomic_path(snakemake.output.predictions) as tmp:
    shutil.copyfile(chosen, tmp)
logger.info("the summary shows %s", chosen)
