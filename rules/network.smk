# Network classifiers (cnn): trained on the images, one job per self-training round.
# Round 1 learns from the propagated training set; round r > 1 from the labels a person
# gave spread over round r - 1's network features, starting from round r - 1's weights
# (warm_start, the default). Raising a method's rounds adds jobs
# for the new rounds only: a round's params do not hold the number of rounds.
# Input and params functions: clusterprop.workflow.inputs and .params, each bound just
# above the rule that uses it first.


network_inputs = partial(job_inputs.network_inputs, config)
network_params = partial(job_params.network_params, config)
network_threads = partial(job_params.network_threads, config)


rule train_network:
    input:
        unpack(network_inputs),
        dataset=paths.DATASET,
    output:
        weights=paths.NETWORK_WEIGHTS,
        spec=paths.NETWORK_SPEC,
        outputs=paths.NETWORK_OUTPUTS,
        metrics=paths.NETWORK_METRICS,
    log:
        paths.logs(
            "train_network/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}/round{round}"
        ),
    benchmark:
        paths.benchmarks(
            "train_network/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}/round{round}"
        )
    wildcard_constraints:
        classifier=grid.classifier_pattern(config, network=True),
        round=r"[1-9]\d*",
    conda:
        "../envs/cnn.yaml"
    threads: network_threads
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        code_version=[STAGE_VERSIONS["network"], STAGE_VERSIONS["evaluate"]],
        classifier=network_params,
    script:
        "../scripts/train_network.py"


previous_round = partial(job_inputs.previous_round, config)
self_training_params = partial(job_params.self_training_params, config)


rule self_training_labels:
    input:
        unpack(previous_round),
        dataset=paths.DATASET,
    output:
        training_set=paths.NETWORK_TRAINING_SET,
        record=paths.NETWORK_TRAINING_SET_RECORD,
    log:
        paths.logs(
            "self_training_labels/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}/round{round}"
        ),
    benchmark:
        paths.benchmarks(
            "self_training_labels/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}/round{round}"
        )
    wildcard_constraints:
        classifier=grid.classifier_pattern(config, network=True),
        round=r"[2-9]|[1-9]\d+",
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=2000,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["self_training"],
        self_training=self_training_params,
    script:
        "../scripts/self_training_labels.py"


network_training_set = partial(job_inputs.network_training_set, config)


rule network_predictions:
    input:
        unpack(network_training_set),
        network_outputs=paths.NETWORK_OUTPUTS,
        dataset=paths.DATASET,
    output:
        predictions=paths.NETWORK_PREDICTIONS,
    log:
        paths.logs(
            "network_predictions/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}/round{round}"
        ),
    benchmark:
        paths.benchmarks(
            "network_predictions/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}/round{round}"
        )
    wildcard_constraints:
        classifier=grid.classifier_pattern(config, network=True),
        round=r"[1-9]\d*",
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["evaluate"],
    script:
        "../scripts/network_predictions.py"
