rule cluster:
    input:
        features="results/embeddings/{embedding}/train.npy",
    output:
        clusters="results/clusters/{embedding}/k{k}/seed{seed}/clusters.npz",
    log:
        "logs/cluster/{embedding}/k{k}/seed{seed}.log",
    benchmark:
        "benchmarks/cluster/{embedding}/k{k}/seed{seed}.tsv"
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["cluster"],
        kmeans=clustering_params(),
    script:
        "../scripts/cluster.py"
