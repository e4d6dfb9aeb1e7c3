# Input and params functions of this stage's rules: clusterprop.jobs.
embedding_inputs = partial(jobs.embedding_inputs, config)
embedding_spec = partial(jobs.embedding_spec, config)
neighbours_inputs = partial(jobs.neighbours_inputs, config)


# With config shards above 1, an embedding of each image on its own (raw, hog) is
# computed in parts, each a job, that the embed rule joins.
rule embed_shard:
    input:
        dataset=paths.DATASET,
    output:
        shard=temp(paths.EMBEDDING_SHARD),
    log:
        "logs/{dataset}/embed_shard/{embedding}/{shard}-of-{shards}.log",
    benchmark:
        "benchmarks/{dataset}/embed_shard/{embedding}/{shard}-of-{shards}.tsv"
    conda:
        "../envs/ml.yaml"
    threads: 2
    resources:
        mem_mb=jobs.embedding_memory_mb,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["embed"],
        spec=embedding_spec,
    script:
        "../scripts/embed_shard.py"


rule embed:
    input:
        unpack(embedding_inputs),
    output:
        train=paths.EMBEDDING_TRAIN,
        test=paths.EMBEDDING_TEST,
    log:
        "logs/{dataset}/embed/{embedding}.log",
    benchmark:
        "benchmarks/{dataset}/embed/{embedding}.tsv"
    conda:
        "../envs/ml.yaml"
    # methods marked parallel in the registry (hog) split the images over processes
    threads: 2
    resources:
        mem_mb=jobs.embedding_memory_mb,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["embed"],
        spec=embedding_spec,
    script:
        "../scripts/embed.py"


# With config shards above 1, the neighbour graph is found in parts: the anchors'
# graph, then the other images' nearest anchors in shards jobs, joined by the
# neighbours rule.
rule neighbour_anchors:
    input:
        features=paths.EMBEDDING_TRAIN,
    output:
        anchors=temp(paths.NEIGHBOUR_ANCHORS),
    log:
        "logs/{dataset}/neighbour_anchors/{embedding}.log",
    benchmark:
        "benchmarks/{dataset}/neighbour_anchors/{embedding}.tsv"
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
        "../scripts/neighbour_anchors.py"


rule neighbour_queries:
    input:
        features=paths.EMBEDDING_TRAIN,
        anchors=paths.NEIGHBOUR_ANCHORS,
    output:
        queries=temp(paths.NEIGHBOUR_QUERIES),
    log:
        "logs/{dataset}/neighbour_queries/{embedding}/{shard}-of-{shards}.log",
    benchmark:
        "benchmarks/{dataset}/neighbour_queries/{embedding}/{shard}-of-{shards}.tsv"
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
        "../scripts/neighbour_queries.py"


rule neighbours:
    input:
        unpack(neighbours_inputs),
    output:
        neighbours=paths.NEIGHBOURS,
    log:
        "logs/{dataset}/neighbours/{embedding}.log",
    benchmark:
        "benchmarks/{dataset}/neighbours/{embedding}.tsv"
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
