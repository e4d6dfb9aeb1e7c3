# Training and scoring are one job: each job's start-up (Python, scikit-learn, skops)
# costs about as much as fitting LR on a propagated set, and a sweep has hundreds.
rule train:
    input:
        train_features="results/embeddings/{embedding}/train.npy",
        test_features="results/embeddings/{embedding}/test.npy",
        training_set="results/training_sets/{embedding}/{selection}/{propagation}/seed{seed}/training_set.npz",
        training_set_record="results/training_sets/{embedding}/{selection}/{propagation}/seed{seed}/training_set.json",
        dataset="results/data/dataset.npz",
    output:
        model="results/models/{embedding}/{selection}/{propagation}/{classifier}/seed{seed}/model.skops",
        metrics="results/metrics/{embedding}/{selection}/{propagation}/{classifier}/seed{seed}/metrics.json",
    log:
        "logs/train/{embedding}/{selection}/{propagation}/{classifier}/seed{seed}.log",
    benchmark:
        "benchmarks/train/{embedding}/{selection}/{propagation}/{classifier}/seed{seed}.tsv"
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
