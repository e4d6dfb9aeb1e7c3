"""The final tables and plots over every method, budget and seed."""

from clusterprop.io import read_json, write_text
from clusterprop.logs import configure
from clusterprop.plots import plot_accuracy_vs_labels, plot_confusion, plot_message
from clusterprop.summarize import (
    NO_TEST_ACCURACY,
    ablation_markdown,
    aggregate,
    best_label_efficient_model,
    has_accuracy,
    metrics_table,
    mistakes_markdown,
    no_accuracy_markdown,
    rounds_markdown,
    rounds_table,
    tables_markdown,
)

logger = configure(snakemake.log[0])
records = {}
# a method's last round is in both lists
for path in dict.fromkeys([*snakemake.input.metrics, *snakemake.input.round_metrics]):
    records[path] = {**read_json(path), "dataset": snakemake.params.dataset_name}
table = metrics_table(snakemake.params.runs, records)
write_text(snakemake.output.metrics, table.to_csv(sep="\t", index=False))
if has_accuracy(table):
    summary = aggregate(table)
    rounds = rounds_table(snakemake.params.round_runs, records)
    write_text(snakemake.output.tables, tables_markdown(summary) + rounds_markdown(rounds))
    write_text(
        snakemake.output.ablation,
        ablation_markdown(summary, snakemake.params.methods, snakemake.params.ablation_budgets),
    )
    write_text(snakemake.output.mistakes, mistakes_markdown(summary))
    plot_accuracy_vs_labels(summary, snakemake.output.accuracy_plot)
    best = best_label_efficient_model(list(records.values()))
    plot_confusion(
        best["confusion_matrix"],
        best["class_names"],
        f"{best['embedding']}, {best['selection']} {best['n_labels']} labels, "
        f"propagation {best['propagation']}, {best['classifier']}, seed {best['seed']}: "
        f"accuracy {100 * best['accuracy']:.2f}%",
        snakemake.output.confusion_plot,
    )
else:  # no labelled test set: say so, and report what is known
    write_text(snakemake.output.tables, no_accuracy_markdown(snakemake.params.runs, records))
    write_text(snakemake.output.ablation, f"# Ablation\n\n{NO_TEST_ACCURACY}\n")
    write_text(snakemake.output.mistakes, f"# Labelling mistakes\n\n{NO_TEST_ACCURACY}\n")
    for figure in (snakemake.output.accuracy_plot, snakemake.output.confusion_plot):
        plot_message(NO_TEST_ACCURACY, figure)
    logger.info("no test accuracy: %s", NO_TEST_ACCURACY)
logger.info("%d models, %d rows summarized", len(records), len(table))
