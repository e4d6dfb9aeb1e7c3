# Classifiers other than networks: trained, scored and asked for predictions. Input and
# params functions: clusterprop.workflow.inputs and .params, each bound just above the
# rule that uses it first.


classifier_params = partial(job_params.classifier_params, config)


# Training and scoring are one job: each job's start-up (Python, scikit-learn, skops)
# costs about as much as fitting LR on a propagated set, and a sweep has hundreds.
rule train:
    input:
        train_features=paths.EMBEDDING_TRAIN,
        test_features=paths.EMBEDDING_TEST,
        training_set=paths.TRAINING_SET,
        training_set_record=paths.TRAINING_SET_RECORD,
        dataset=paths.DATASET,
    output:
        model=paths.MODEL,
        metrics=paths.METRICS,
    log:
        paths.logs(
            "train/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}"
        ),
    benchmark:
        paths.benchmarks(
            "train/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}"
        )
    wildcard_constraints:
        classifier=grid.classifier_pattern(config, network=False),
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1200,
        runtime=10,
    params:
        code_version=[STAGE_VERSIONS["train"], STAGE_VERSIONS["evaluate"]],
        classifier=classifier_params,
    script:
        "../scripts/train.py"


# With config shards above 1, a model's predictions are made in parts, each a job, that
# the predict rule joins into one table.
rule predict_shard:
    input:
        model=paths.MODEL,
        train_features=paths.EMBEDDING_TRAIN,
        test_features=paths.EMBEDDING_TEST,
    output:
        shard=temp(paths.PREDICTION_SHARD),
    log:
        paths.logs(
            "predict_shard/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}/{shard}-of-{shards}"
        ),
    benchmark:
        paths.benchmarks(
            "predict_shard/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}/{shard}-of-{shards}"
        )
    wildcard_constraints:
        classifier=grid.classifier_pattern(config, network=False),
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["evaluate"],
    script:
        "../scripts/predict_shard.py"


prediction_inputs = partial(job_inputs.prediction_inputs, config)


rule predict:
    input:
        unpack(prediction_inputs),
        training_set=paths.TRAINING_SET,
        dataset=paths.DATASET,
    output:
        predictions=paths.PREDICTIONS,
    log:
        paths.logs(
            "predict/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}"
        ),
    benchmark:
        paths.benchmarks(
            "predict/{embedding}/{selection}/{labelling}/{propagation}/{classifier}/seed{seed}"
        )
    wildcard_constraints:
        classifier=grid.classifier_pattern(config, network=False),
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["evaluate"],
    script:
        "../scripts/predict.py"
