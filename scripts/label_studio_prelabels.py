"""Pre-labels of the pile for a team to correct in Label Studio: the run's best model's
predictions (or the propagated labels) of the images it is least sure of."""

from clusterprop.io import write_text
from clusterprop.labelling import label_studio
from clusterprop.labelling.files import rows_of
from clusterprop.labelling.pages import load_for_labelling
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = load_for_labelling(snakemake.input.dataset)
settings = snakemake.params.prelabels
table = label_studio.read_predictions(snakemake.input.predictions)
ids, labels, scores = label_studio.to_prelabel(table, settings["count"], settings["source"])
rows = rows_of(ids, dataset["train_ids"])
pixels = dataset["X_train"][rows]
images = label_studio.task_images(
    pixels, ids, snakemake.params.image_folder, snakemake.params.document_root
)
tasks = label_studio.prelabel_tasks(
    images,
    ids,
    dataset["train_fingerprints"][rows].tolist(),
    snakemake.wildcards.dataset,
    labels,
    scores,
    settings["source"],
)
write_text(snakemake.output.tasks, label_studio.tasks_json(tasks))
write_text(
    snakemake.output.label_config,
    label_studio.label_config(
        dataset["class_names"].tolist(), small=label_studio.is_small(dataset["X_train"][:1])
    ),
)
logger.info("%d pre-labels (%s) in %s", len(tasks), settings["source"], snakemake.output.tasks)
