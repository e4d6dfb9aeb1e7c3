localrules:
    summarize,
    plot_representatives,
    best_predictions,


rule summarize:
    input:
        metrics=[experiment.metrics for experiment in grid.experiments(config)],
        round_metrics=[run["metrics"] for run in targets.round_runs(config)],
    output:
        metrics=report(
            paths.SUMMARY["metrics"],
            caption="../report/metrics.rst",
            category="Results",
        ),
        tables=report(
            paths.SUMMARY["tables"],
            caption="../report/tables.rst",
            category="Results",
        ),
        ablation=report(
            paths.SUMMARY["ablation"],
            caption="../report/ablation.rst",
            category="Results",
        ),
        mistakes=report(
            paths.SUMMARY["mistakes"],
            caption="../report/mistakes.rst",
            category="Results",
        ),
        accuracy_plot=report(
            paths.SUMMARY["accuracy_plot"],
            caption="../report/accuracy_vs_labels.rst",
            category="Results",
        ),
        confusion_plot=report(
            paths.SUMMARY["confusion_plot"],
            caption="../report/confusion_best.rst",
            category="Results",
        ),
    log:
        paths.logs("summarize/{run}"),
    benchmark:
        paths.benchmarks("summarize/{run}")
    conda:
        "../envs/ml.yaml"
    params:
        code_version=STAGE_VERSIONS["summarize"],
        dataset_name=config["dataset"]["name"],
        runs=targets.summary_runs(config),
        round_runs=targets.round_runs(config),
        methods=targets.summary_methods(config),
        ablation_budgets=config["summary"]["ablation_budgets"],
    script:
        "../scripts/summarize.py"


rule plot_representatives:
    input:
        labels=paths.LABELS,
        selection=paths.SELECTION,
        dataset=paths.DATASET,
    output:
        grid=report(
            paths.REPRESENTATIVES_GRID,
            caption="../report/representatives.rst",
            category="Representatives",
        ),
    log:
        paths.logs(
            "plot_representatives/{run}/{embedding}-{selection}-{labelling}-seed{seed}"
        ),
    benchmark:
        paths.benchmarks(
            "plot_representatives/{run}/{embedding}-{selection}-{labelling}-seed{seed}"
        )
    wildcard_constraints:
        selection=grid.cluster_selection_pattern(),
    conda:
        "../envs/ml.yaml"
    params:
        code_version=STAGE_VERSIONS["summarize"],
    script:
        "../scripts/plot_representatives.py"


# Each model's predictions.csv by its metrics file (empty when none are asked for).
PREDICTIONS_OF = targets.predictions_of(config)


rule best_predictions:
    input:
        metrics=list(PREDICTIONS_OF),
        predictions=list(PREDICTIONS_OF.values()),
    output:
        predictions=report(
            paths.BEST_PREDICTIONS,
            caption="../report/predictions.rst",
            category="Results",
        ),
    log:
        paths.logs("best_predictions/{run}"),
    benchmark:
        paths.benchmarks("best_predictions/{run}")
    conda:
        "../envs/ml.yaml"
    params:
        code_version=STAGE_VERSIONS["summarize"],
        predictions_of=PREDICTIONS_OF,
    script:
        "../scripts/best_predictions.py"


# Pre-labels of the pile for a team to correct in Label Studio (config
# label_studio.prelabels; clusterprop.labelling.label_studio).
rule label_studio_prelabels:
    input:
        predictions=paths.BEST_PREDICTIONS,
        dataset=paths.DATASET,
    output:
        tasks=paths.PRELABELS,
        label_config=paths.PRELABELS_CONFIG,
    log:
        paths.logs("label_studio_prelabels/{run}"),
    benchmark:
        paths.benchmarks("label_studio_prelabels/{run}")
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["summarize"],
        prelabels=config["label_studio"]["prelabels"],
        image_folder=job_params.image_folder(config),
        document_root=config["label_studio"]["document_root"],
    script:
        "../scripts/label_studio_prelabels.py"
