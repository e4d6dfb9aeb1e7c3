rule propagate_labels:
    input:
        unpack(training_set_inputs),
    output:
        training_set="results/training_sets/{embedding}/{selection}/{propagation}/seed{seed}/training_set.npz",
        record="results/training_sets/{embedding}/{selection}/{propagation}/seed{seed}/training_set.json",
    log:
        "logs/propagate_labels/{embedding}/{selection}/{propagation}/seed{seed}.log",
    benchmark:
        "benchmarks/propagate_labels/{embedding}/{selection}/{propagation}/seed{seed}.tsv"
    wildcard_constraints:
        selection=r"(?:centroid|typical)-k\d+|random-n\d+",
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code_version=STAGE_VERSIONS["propagate"],
        provenance=training_set_params,
        spreading=spreading_params,
    script:
        "../scripts/propagate_labels.py"


rule all_labels_training_set:
    input:
        dataset="results/data/dataset.npz",
    output:
        training_set="results/training_sets/{embedding}/all/none/seed{seed}/training_set.npz",
        record="results/training_sets/{embedding}/all/none/seed{seed}/training_set.json",
    log:
        "logs/all_labels_training_set/{embedding}/seed{seed}.log",
    benchmark:
        "benchmarks/all_labels_training_set/{embedding}/seed{seed}.tsv"
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code_version=STAGE_VERSIONS["propagate"],
        provenance=training_set_params,
    script:
        "../scripts/all_labels_training_set.py"
