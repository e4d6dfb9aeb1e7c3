# Input and params functions of this stage's rules: clusterprop.jobs.
person_labels_file = partial(jobs.person_labels_file, config)


if config["labelling"] == "oracle":

    rule label_with_oracle:
        input:
            selection=paths.SELECTION,
            dataset=paths.DATASET,
        output:
            labels=paths.LABELS,
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
            selection=paths.SELECTION,
            dataset=paths.DATASET,
        output:
            page=report(
                paths.LABELLING_PAGE,
                caption="../report/labelling_page.rst",
                category="Labelling",
                subcategory="Labelling pages",
            ),
            contact_sheet=report(
                paths.CONTACT_SHEET,
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
            selection=paths.SELECTION,
            dataset=paths.DATASET,
        output:
            labels=paths.LABELS,
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
            labels=paths.LABELS,
            selection=paths.SELECTION,
            features=paths.EMBEDDING_TRAIN,
            dataset=paths.DATASET,
        output:
            table=paths.LABEL_CHECKS_TABLE,
            grid=report(
                paths.LABEL_CHECKS_GRID,
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
