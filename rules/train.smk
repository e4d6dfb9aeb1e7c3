rule train:
    input:
        features="results/embeddings/{embedding}/train.npy",
        training_set="results/training_sets/{embedding}/{selection}/{propagation}/seed{seed}/training_set.npz",
    output:
        model="results/models/{embedding}/{selection}/{propagation}/seed{seed}/model.skops",
        record="results/models/{embedding}/{selection}/{propagation}/seed{seed}/fit.json",
    log:
        "logs/train/{embedding}/{selection}/{propagation}/seed{seed}.log",
    benchmark:
        "benchmarks/train/{embedding}/{selection}/{propagation}/seed{seed}.tsv"
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1200,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["train"],
        classifier=classifier_params(),
    script:
        "../scripts/train.py"
