localrules:
    download_fashion_mnist,


rule download_fashion_mnist:
    output:
        archive=paths.DOWNLOADED_FASHION_MNIST,
    log:
        paths.logs("download_fashion_mnist/{filename}", dataset=False),
    benchmark:
        paths.benchmarks("download_fashion_mnist/{filename}", dataset=False)
    conda:
        "../envs/ml.yaml"
    resources:
        runtime=30,
    params:
        code_version=STAGE_VERSIONS["data"],
        url=job_params.fashion_mnist_url,
    script:
        "../scripts/download_fashion_mnist.py"


# Input function of the next rule: clusterprop.workflow.inputs.


dataset_source_files = partial(job_inputs.dataset_source_files, config)


rule prepare_dataset:
    input:
        unpack(dataset_source_files),
    output:
        dataset=paths.DATASET,
        source=paths.DATASET_SOURCE,
    log:
        paths.logs("prepare_dataset"),
    benchmark:
        paths.benchmarks("prepare_dataset")
    conda:
        "../envs/ml.yaml"
    # an image folder is decoded over processes
    threads: 2
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["data"],
        source=job_params.dataset_params(config),
        files=job_params.dataset_files_digest(config),
    script:
        "../scripts/prepare_dataset.py"
