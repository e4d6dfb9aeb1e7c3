localrules:
    summarize,
    plot_representatives,


rule summarize:
    input:
        metrics=metrics_files(),
    output:
        metrics=report(
            SUMMARY_FILES["metrics"],
            caption="../report/metrics.rst",
            category="Results",
        ),
        tables=report(
            SUMMARY_FILES["tables"],
            caption="../report/tables.rst",
            category="Results",
        ),
        accuracy_plot=report(
            SUMMARY_FILES["accuracy_plot"],
            caption="../report/accuracy_vs_labels.rst",
            category="Results",
        ),
        confusion_plot=report(
            SUMMARY_FILES["confusion_plot"],
            caption="../report/confusion_best.rst",
            category="Results",
        ),
    log:
        "logs/summarize.log",
    benchmark:
        "benchmarks/summarize.tsv"
    conda:
        "../envs/ml.yaml"
    params:
        code_version=STAGE_VERSIONS["summarize"],
        dataset_name=config["dataset"]["name"],
    script:
        "../scripts/summarize.py"


rule plot_representatives:
    input:
        labels="results/labels/{embedding}/representative-k{k}/seed{seed}/labels.csv",
        selection="results/selections/{embedding}/representative-k{k}/seed{seed}/selection.csv",
        dataset="results/data/dataset.npz",
    output:
        grid=report(
            "results/summary/representatives/{embedding}-k{k}-seed{seed}.png",
            caption="../report/representatives.rst",
            category="Representatives",
        ),
    log:
        "logs/plot_representatives/{embedding}-k{k}-seed{seed}.log",
    benchmark:
        "benchmarks/plot_representatives/{embedding}-k{k}-seed{seed}.tsv"
    conda:
        "../envs/ml.yaml"
    params:
        code_version=STAGE_VERSIONS["summarize"],
    script:
        "../scripts/plot_representatives.py"
