# Selection: which training images a person (or the oracle) labels. The selection's
# registry entry (clusterprop.select.SELECTIONS) decides what it reads. Input and params
# functions: clusterprop.workflow.inputs and .params, each bound just above the rule
# that uses it first.


selection_artifacts = partial(job_inputs.selection_artifacts, config)
selection_params = partial(job_params.selection_params, config)


rule select:
    input:
        unpack(selection_artifacts),
        dataset=paths.DATASET,
    output:
        selection=paths.SELECTION,
    log:
        paths.logs("select/{embedding}/{selection}/seed{seed}"),
    benchmark:
        paths.benchmarks("select/{embedding}/{selection}/seed{seed}")
    wildcard_constraints:
        selection=grid.selection_pattern(with_all=False),
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code_version=STAGE_VERSIONS["select"],
        selection=selection_params,
    script:
        "../scripts/select.py"
