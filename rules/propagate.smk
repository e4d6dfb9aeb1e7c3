# Propagation: the labels reach other training images. The propagation's registry entry
# (clusterprop.propagate.PROPAGATIONS) decides what it reads. Input and params
# functions: clusterprop.workflow.inputs and .params, each bound just above the rule
# that uses it first.


propagation_artifacts = partial(job_inputs.propagation_artifacts, config)
propagation_settings = partial(job_params.propagation_settings, config)
training_set_provenance = partial(job_params.training_set_provenance, config)
labels_to_propagate = partial(job_inputs.labels_to_propagate, config)
robust_params = partial(job_params.robust_params, config)


rule propagate_labels:
    input:
        unpack(propagation_artifacts),
        unpack(labels_to_propagate),
        dataset=paths.DATASET,
        selection=paths.SELECTION,
    output:
        training_set=paths.TRAINING_SET,
        record=paths.TRAINING_SET_RECORD,
    log:
        paths.logs(
            "propagate_labels/{embedding}/{selection}/{labelling}/{propagation}/seed{seed}"
        ),
    benchmark:
        paths.benchmarks(
            "propagate_labels/{embedding}/{selection}/{labelling}/{propagation}/seed{seed}"
        )
    wildcard_constraints:
        selection=grid.selection_pattern(with_all=False),
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code_version=STAGE_VERSIONS["propagate"],
        provenance=training_set_provenance,
        settings=propagation_settings,
        robust=robust_params,
    script:
        "../scripts/propagate_labels.py"


rule all_labels_training_set:
    input:
        dataset=paths.DATASET,
    output:
        training_set=paths.TRAINING_SET,
        record=paths.TRAINING_SET_RECORD,
    log:
        paths.logs(
            "all_labels_training_set/{embedding}/{selection}/{labelling}/{propagation}/seed{seed}"
        ),
    benchmark:
        paths.benchmarks(
            "all_labels_training_set/{embedding}/{selection}/{labelling}/{propagation}/seed{seed}"
        )
    wildcard_constraints:
        selection=grid.ALL,
        labelling="truth",
        propagation="none",
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code_version=STAGE_VERSIONS["propagate"],
        provenance=training_set_provenance,
    script:
        "../scripts/all_labels_training_set.py"
