if config["labelling"] == "oracle":

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
            mem_mb=500,
            runtime=5,
        params:
            code_version=STAGE_VERSIONS["label"],
        script:
            "../scripts/label_with_oracle.py"

else:

    localrules:
        labelling_page,
        import_person_labels,
        check_person_labels,

    rule labelling_page:
        input:
            selection="results/selections/{embedding}/{selection}/seed{seed}/selection.csv",
            dataset="results/data/dataset.npz",
        output:
            page=report(
                "results/labelling/{embedding}/{selection}/seed{seed}/labelling.html",
                caption="../report/labelling_page.rst",
                category="Labelling",
                subcategory="Labelling pages",
            ),
            contact_sheet=report(
                "results/labelling/{embedding}/{selection}/seed{seed}/contact_sheet.png",
                caption="../report/contact_sheet.rst",
                category="Labelling",
                subcategory="Contact sheets",
            ),
        log:
            "logs/labelling_page/{embedding}/{selection}/seed{seed}.log",
        benchmark:
            "benchmarks/labelling_page/{embedding}/{selection}/seed{seed}.tsv"
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["label"],
            labels_path=person_labels_file,
        script:
            "../scripts/labelling_page.py"

    rule import_person_labels:
        input:
            person_labels=person_labels_file,
            selection="results/selections/{embedding}/{selection}/seed{seed}/selection.csv",
            dataset="results/data/dataset.npz",
        output:
            labels="results/labels/{embedding}/{selection}/seed{seed}/labels.csv",
        log:
            "logs/import_person_labels/{embedding}/{selection}/seed{seed}.log",
        benchmark:
            "benchmarks/import_person_labels/{embedding}/{selection}/seed{seed}.tsv"
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["label"],
        script:
            "../scripts/import_person_labels.py"

    rule check_person_labels:
        input:
            labels="results/labels/{embedding}/{selection}/seed{seed}/labels.csv",
            selection="results/selections/{embedding}/{selection}/seed{seed}/selection.csv",
            features="results/embeddings/{embedding}/train.npy",
            dataset="results/data/dataset.npz",
        output:
            table="results/label_checks/{embedding}/{selection}/seed{seed}/disagreements.csv",
            grid=report(
                "results/summary/label_checks/{embedding}-{selection}-seed{seed}.png",
                caption="../report/label_checks.rst",
                category="Labelling",
                subcategory="Labels to look at again",
            ),
        log:
            "logs/check_person_labels/{embedding}/{selection}/seed{seed}.log",
        benchmark:
            "benchmarks/check_person_labels/{embedding}/{selection}/seed{seed}.tsv"
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["label"],
            n_neighbors=3,
        script:
            "../scripts/check_person_labels.py"
