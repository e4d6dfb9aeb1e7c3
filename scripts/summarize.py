"""The final tables and plots over every evaluated model."""

from clusterprop.io import read_json, write_text
from clusterprop.logs import configure
from clusterprop.summarize import (
    aggregate,
    best_label_efficient_model,
    metrics_table,
    plot_accuracy_vs_labels,
    plot_confusion,
    tables_markdown,
)

logger = configure(snakemake.log[0])
records = [read_json(path) for path in snakemake.input.metrics]
for record in records:
    record["dataset"] = snakemake.params.dataset_name
table = metrics_table(records)
summary = aggregate(table)
write_text(snakemake.output.metrics, table.to_csv(sep="\t", index=False))
write_text(snakemake.output.tables, tables_markdown(summary))
plot_accuracy_vs_labels(summary, snakemake.output.accuracy_plot)
best = best_label_efficient_model(records)
plot_confusion(
    best["confusion_matrix"],
    best["class_names"],
    f"{best['embedding']}, {best['selection']} {best['n_labels']} labels, "
    f"propagation {best['propagation']}, seed {best['seed']}: "
    f"accuracy {100 * best['accuracy']:.2f}%",
    snakemake.output.confusion_plot,
)
logger.info("%d models summarized", len(table))
