# Input and params functions of this stage's rules: clusterprop.jobs.
embedding_inputs = partial(jobs.embedding_inputs, config)
embedding_spec = partial(jobs.embedding_spec, config)


rule embed:
    input:
        unpack(embedding_inputs),
    output:
        train=paths.EMBEDDING_TRAIN,
        test=paths.EMBEDDING_TEST,
    log:
        "logs/embed/{embedding}.log",
    benchmark:
        "benchmarks/embed/{embedding}.tsv"
    conda:
        "../envs/ml.yaml"
    # methods marked parallel in the registry (hog) split the images over processes
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
        features=paths.EMBEDDING_TRAIN,
    output:
        neighbours=paths.NEIGHBOURS,
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
        settings=grid.neighbours_params(config),
    script:
        "../scripts/neighbours.py"
