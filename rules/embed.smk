rule embed:
    input:
        unpack(embedding_inputs),
    output:
        train="results/embeddings/{embedding}/train.npy",
        test="results/embeddings/{embedding}/test.npy",
    log:
        "logs/embed/{embedding}.log",
    benchmark:
        "benchmarks/embed/{embedding}.tsv"
    conda:
        "../envs/ml.yaml"
    # hog splits the images over processes; the other methods use one core
    threads: 2
    resources:
        mem_mb=2000,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["embed"],
        spec=embedding_spec,
    script:
        "../scripts/embed.py"


rule neighbours:
    input:
        features="results/embeddings/{embedding}/train.npy",
    output:
        neighbours="results/neighbours/{embedding}/neighbours.npz",
    log:
        "logs/neighbours/{embedding}.log",
    benchmark:
        "benchmarks/neighbours/{embedding}.tsv"
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["neighbours"],
        settings=neighbours_params(),
    script:
        "../scripts/neighbours.py"
