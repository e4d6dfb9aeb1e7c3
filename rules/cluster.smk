rule cluster:
    input:
        features=paths.EMBEDDING_TRAIN,
    output:
        clusters=paths.CLUSTERS,
    log:
        "logs/{dataset}/cluster/{embedding}/k{k}/seed{seed}.log",
    benchmark:
        "benchmarks/{dataset}/cluster/{embedding}/k{k}/seed{seed}.tsv"
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["cluster"],
        kmeans=grid.clustering_params(config),
    script:
        "../scripts/cluster.py"
