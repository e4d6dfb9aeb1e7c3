localrules:
    download_fashion_mnist,


rule download_fashion_mnist:
    output:
        archive=paths.DOWNLOADED_FASHION_MNIST,
    log:
        "logs/download_fashion_mnist/{filename}.log",
    benchmark:
        "benchmarks/download_fashion_mnist/{filename}.tsv"
    conda:
        "../envs/ml.yaml"
    resources:
        runtime=30,
    params:
        code_version=STAGE_VERSIONS["data"],
        url=jobs.fashion_mnist_url,
    script:
        "../scripts/download_fashion_mnist.py"


# Input function of the next rule: clusterprop.jobs.
dataset_source_files = partial(jobs.dataset_source_files, config)


rule prepare_dataset:
    input:
        unpack(dataset_source_files),
    output:
        dataset=paths.DATASET,
        source=paths.DATASET_SOURCE,
    log:
        "logs/{dataset}/prepare_dataset.log",
    benchmark:
        "benchmarks/{dataset}/prepare_dataset.tsv"
    conda:
        "../envs/ml.yaml"
    # an image folder is decoded over processes
    threads: 2
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["data"],
        source=grid.dataset_params(config),
        files=jobs.dataset_files_digest(config),
    script:
        "../scripts/prepare_dataset.py"
