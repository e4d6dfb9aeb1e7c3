rule cluster:
    input:
        features=paths.EMBEDDING_TRAIN,
    output:
        clusters=paths.CLUSTERS,
    log:
        paths.logs("cluster/{embedding}/k{k}/seed{seed}"),
    benchmark:
        paths.benchmarks("cluster/{embedding}/k{k}/seed{seed}")
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["cluster"],
        kmeans=job_params.clustering_params(config),
    script:
        "../scripts/cluster.py"
