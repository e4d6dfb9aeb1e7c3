localrules:
    download_fashion_mnist,


rule download_fashion_mnist:
    output:
        archive="resources/fashion-mnist/{filename}",
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
        url=fashion_mnist_url,
    script:
        "../scripts/download_fashion_mnist.py"


rule prepare_dataset:
    input:
        unpack(dataset_source_files),
    output:
        dataset="results/data/dataset.npz",
    log:
        "logs/prepare_dataset.log",
    benchmark:
        "benchmarks/prepare_dataset.tsv"
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code_version=STAGE_VERSIONS["data"],
        source=dataset_source_params(),
    script:
        "../scripts/prepare_dataset.py"
