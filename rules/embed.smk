rule embed:
    input:
        dataset="results/data/dataset.npz",
    output:
        train="results/embeddings/{embedding}/train.npy",
        test="results/embeddings/{embedding}/test.npy",
    log:
        "logs/embed/{embedding}.log",
    benchmark:
        "benchmarks/embed/{embedding}.tsv"
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["embed"],
        spec=embedding_spec,
    script:
        "../scripts/embed.py"
