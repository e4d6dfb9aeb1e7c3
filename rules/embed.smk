# Embeddings of the images, and each embedding's nearest-neighbour graph. Input and
# params functions: clusterprop.workflow.inputs and .params, each bound just above the
# rule that uses it first.


embedding_spec = partial(job_params.embedding_spec, config)


# With config shards above 1, an embedding of each image on its own (raw, hog) is
# computed in parts, each a job, that the embed rule joins.
rule embed_shard:
    input:
        dataset=paths.DATASET,
    output:
        shard=temp(paths.EMBEDDING_SHARD),
    log:
        paths.logs("embed_shard/{embedding}/{shard}-of-{shards}"),
    benchmark:
        paths.benchmarks("embed_shard/{embedding}/{shard}-of-{shards}")
    conda:
        "../envs/ml.yaml"
    threads: 2
    resources:
        mem_mb=job_inputs.embedding_memory_mb,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["embed"],
        spec=embedding_spec,
    script:
        "../scripts/embed_shard.py"


embedding_inputs = partial(job_inputs.embedding_inputs, config)


rule embed:
    input:
        unpack(embedding_inputs),
    output:
        train=paths.EMBEDDING_TRAIN,
        test=paths.EMBEDDING_TEST,
    log:
        paths.logs("embed/{embedding}"),
    benchmark:
        paths.benchmarks("embed/{embedding}")
    conda:
        "../envs/ml.yaml"
    # methods marked parallel in the registry (hog) split the images over processes
    threads: 2
    resources:
        mem_mb=job_inputs.embedding_memory_mb,
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
        paths.logs("neighbour_anchors/{embedding}"),
    benchmark:
        paths.benchmarks("neighbour_anchors/{embedding}")
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["neighbours"],
        settings=job_params.neighbours_params(config),
    script:
        "../scripts/neighbour_anchors.py"


rule neighbour_queries:
    input:
        features=paths.EMBEDDING_TRAIN,
        anchors=paths.NEIGHBOUR_ANCHORS,
    output:
        queries=temp(paths.NEIGHBOUR_QUERIES),
    log:
        paths.logs("neighbour_queries/{embedding}/{shard}-of-{shards}"),
    benchmark:
        paths.benchmarks("neighbour_queries/{embedding}/{shard}-of-{shards}")
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["neighbours"],
        settings=job_params.neighbours_params(config),
    script:
        "../scripts/neighbour_queries.py"


neighbours_inputs = partial(job_inputs.neighbours_inputs, config)


rule neighbours:
    input:
        unpack(neighbours_inputs),
    output:
        neighbours=paths.NEIGHBOURS,
    log:
        paths.logs("neighbours/{embedding}"),
    benchmark:
        paths.benchmarks("neighbours/{embedding}")
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    params:
        code_version=STAGE_VERSIONS["neighbours"],
        settings=job_params.neighbours_params(config),
    script:
        "../scripts/neighbours.py"
