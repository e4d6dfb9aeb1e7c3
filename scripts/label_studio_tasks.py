"""A selection's images still without a label (or a review list's labels still without
a review) as a Label Studio project: its tasks and its labelling config."""

from clusterprop.io import write_text
from clusterprop.labelling import label_studio
from clusterprop.labelling.files import read_quality_table, rows_of, still_to_review
from clusterprop.labelling.pages import load_for_labelling
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
dataset = load_for_labelling(snakemake.input.dataset)
review = "label_quality" in snakemake.input.keys()
if review:
    table = still_to_review(
        read_quality_table(snakemake.input.label_quality), snakemake.params.images["ids"]
    )
    ids = table.image_id.tolist()
else:
    ids = snakemake.params.images["ids"]
rows = rows_of(ids, dataset["train_ids"])
pixels = dataset["X_train"][rows]
images = label_studio.task_images(
    pixels, ids, snakemake.params.image_folder, snakemake.params.document_root
)
prints = dataset["train_fingerprints"][rows].tolist()
name = snakemake.wildcards.dataset
if review:
    tasks = label_studio.review_tasks(images, ids, prints, name, table)
else:
    tasks = label_studio.labelling_tasks(images, ids, prints, name)
write_text(snakemake.output.tasks, label_studio.tasks_json(tasks))
class_names = dataset["class_names"].tolist()
small = label_studio.is_small(pixels)
write_text(
    snakemake.output.label_config,
    label_studio.label_config(class_names, review=review, small=small),
)
logger.info("%d Label Studio task(s) in %s", len(tasks), snakemake.output.tasks)
