rule label_with_oracle:
    input:
        selection="results/selections/{embedding}/{selection}/seed{seed}/selection.csv",
        dataset="results/data/dataset.npz",
    output:
        labels="results/labels/{embedding}/{selection}/seed{seed}/labels.csv",
    log:
        "logs/label_with_oracle/{embedding}/{selection}/seed{seed}.log",
    benchmark:
        "benchmarks/label_with_oracle/{embedding}/{selection}/seed{seed}.tsv"
    conda:
        "../envs/ml.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/label_with_oracle.py"
