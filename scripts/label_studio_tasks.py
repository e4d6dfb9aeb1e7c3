"""A selection's images still without a label (or a review list's labels still without
a review) as a Label Studio project: its tasks and its labelling config."""

from clusterprop import label_studio
from clusterprop.io import load_npz, write_text
from clusterprop.labels import rows_of
from clusterprop.logs import configure
from clusterprop.review import listed, read_quality_table

logger = configure(snakemake.log[0])
dataset = load_npz(
    snakemake.input.dataset, "X_train", "train_ids", "train_fingerprints", "class_names", mmap=True
)
review = "label_quality" in snakemake.input.keys()
if review:
    table = listed(read_quality_table(snakemake.input.label_quality))
    table = table[table.image_id.isin(snakemake.params.images["ids"])]
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
