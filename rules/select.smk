rule select_representatives:
    input:
        clusters="results/clusters/{embedding}/k{k}/seed{seed}/clusters.npz",
    output:
        selection="results/selections/{embedding}/representative-k{k}/seed{seed}/selection.csv",
    log:
        "logs/select_representatives/{embedding}/k{k}/seed{seed}.log",
    benchmark:
        "benchmarks/select_representatives/{embedding}/k{k}/seed{seed}.tsv"
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code_version=STAGE_VERSIONS["select"],
    script:
        "../scripts/select_representatives.py"


rule select_random:
    input:
        dataset="results/data/dataset.npz",
    output:
        selection="results/selections/{embedding}/random-n{n}/seed{seed}/selection.csv",
    log:
        "logs/select_random/{embedding}/n{n}/seed{seed}.log",
    benchmark:
        "benchmarks/select_random/{embedding}/n{n}/seed{seed}.tsv"
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code_version=STAGE_VERSIONS["select"],
    script:
        "../scripts/select_random.py"
