# Labels: an oracle (which may be told to err) or a person gives them; then, where the
# labeller can err, each label's out-of-fold quality and a review of the most
# suspicious ones (clusterprop.review). {labelling} says which: clusterprop.labellings.
# Input and params functions of this stage's rules: clusterprop.jobs.
person_selection_files = partial(jobs.person_selection_files, config)
person_labels_file = partial(jobs.person_labels_file, config)
person_labels_files = partial(jobs.person_labels_files, config)
images_to_label = partial(jobs.images_to_label, config)
image_folder = partial(jobs.image_folder, config)
person_review_list_files = partial(jobs.person_review_list_files, config)
person_reviewed_labels_file = partial(jobs.person_reviewed_labels_file, config)
person_reviewed_labels_files = partial(jobs.person_reviewed_labels_files, config)
images_to_review = partial(jobs.images_to_review, config)
store_reading = person.store_reading(config)
oracle_inputs = partial(jobs.oracle_inputs, config)
oracle_params = partial(jobs.oracle_params, config)
label_quality_inputs = partial(jobs.label_quality_inputs, config)
review_inputs = partial(jobs.review_inputs, config)
review_params = partial(jobs.review_params, config)


if config["labelling"] == "oracle":

    rule labeller_model:
        input:
            dataset=paths.DATASET,
        output:
            model=paths.LABELLER_MODEL,
        log:
            "logs/{dataset}/labeller_model.log",
        benchmark:
            "benchmarks/{dataset}/labeller_model.tsv"
        conda:
            "../envs/ml.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        params:
            code_version=STAGE_VERSIONS["label"],
        script:
            "../scripts/labeller_model.py"

    rule label_with_oracle:
        input:
            unpack(oracle_inputs),
        output:
            labels=paths.LABELS,
        log:
            "logs/{dataset}/label_with_oracle/{embedding}/{selection}/{labelling}/seed{seed}.log",
        benchmark:
            "benchmarks/{dataset}/label_with_oracle/{embedding}/{selection}/{labelling}/seed{seed}.tsv"
        wildcard_constraints:
            labelling=given_labelling_pattern(),
        conda:
            "../envs/ml.yaml"
        resources:
            mem_mb=500,
            runtime=5,
        params:
            code_version=STAGE_VERSIONS["label"],
            oracle=oracle_params,
        script:
            "../scripts/label_with_oracle.py"

    rule simulate_review:
        input:
            unpack(review_inputs),
        output:
            labels=paths.LABELS,
        log:
            "logs/{dataset}/simulate_review/{embedding}/{selection}/{labelling}/seed{seed}.log",
        benchmark:
            "benchmarks/{dataset}/simulate_review/{embedding}/{selection}/{labelling}/seed{seed}.tsv"
        wildcard_constraints:
            labelling=reviewed_labelling_pattern(),
        conda:
            "../envs/ml.yaml"
        resources:
            mem_mb=500,
            runtime=5,
        params:
            code_version=STAGE_VERSIONS["review"],
            oracle=review_params,
        script:
            "../scripts/simulate_review.py"

else:

    localrules:
        person_selections,
        labelling_page,
        label_studio_labelling_tasks,
        import_person_labels,
        person_review_lists,
        review_page,
        label_studio_review_tasks,
        import_reviewed_labels,

    # Every selection a person labels, listed once made: the run then reads what the
    # labels store has of them (clusterprop.person) and asks only for the rest.
    checkpoint person_selections:
        input:
            selections=person_selection_files,
        output:
            listing=paths.PERSON_SELECTIONS,
        log:
            "logs/{dataset}/person_selections/{run}.log",
        benchmark:
            "benchmarks/{dataset}/person_selections/{run}.tsv"
        conda:
            "../envs/ml.yaml"
        script:
            "../scripts/list_inputs.py"

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
            "logs/{dataset}/labelling_page/{embedding}/{selection}/seed{seed}.log",
        benchmark:
            "benchmarks/{dataset}/labelling_page/{embedding}/{selection}/seed{seed}.tsv"
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["label"],
            labels_path=person_labels_file,
            to_label=images_to_label,
            image_folder=image_folder,
        script:
            "../scripts/labelling_page.py"

    # The same images as a Label Studio project, for a team (clusterprop.label_studio).
    rule label_studio_labelling_tasks:
        input:
            selection=paths.SELECTION,
            dataset=paths.DATASET,
        output:
            tasks=paths.LABEL_STUDIO_TASKS,
            label_config=paths.LABEL_STUDIO_CONFIG,
        log:
            "logs/{dataset}/label_studio_labelling_tasks/{embedding}/{selection}/seed{seed}.log",
        benchmark:
            "benchmarks/{dataset}/label_studio_labelling_tasks/{embedding}/{selection}/seed{seed}.tsv"
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["label"],
            images=images_to_label,
            image_folder=image_folder,
            document_root=config["label_studio"]["document_root"],
        script:
            "../scripts/label_studio_tasks.py"

    rule import_person_labels:
        input:
            person_labels=person_labels_files,
            selection=paths.SELECTION,
            dataset=paths.DATASET,
        output:
            labels=paths.LABELS,
            agreement=paths.LABEL_AGREEMENT,
        log:
            "logs/{dataset}/import_person_labels/{embedding}/{selection}/{labelling}/seed{seed}.log",
        benchmark:
            "benchmarks/{dataset}/import_person_labels/{embedding}/{selection}/{labelling}/seed{seed}.tsv"
        wildcard_constraints:
            labelling="person",
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["label"],
            store=store_reading,
        script:
            "../scripts/import_person_labels.py"

    # Every review list of a person's labels, listed once made (as above).
    checkpoint person_review_lists:
        input:
            review_lists=person_review_list_files,
        output:
            listing=paths.PERSON_REVIEW_LISTS,
        log:
            "logs/{dataset}/person_review_lists/{run}.log",
        benchmark:
            "benchmarks/{dataset}/person_review_lists/{run}.tsv"
        conda:
            "../envs/ml.yaml"
        script:
            "../scripts/list_inputs.py"

    rule review_page:
        input:
            label_quality=paths.LABEL_QUALITY,
            labels=paths.LABELS,
            dataset=paths.DATASET,
        output:
            page=report(
                paths.REVIEW_PAGE,
                caption="../report/review_page.rst",
                category="Labelling",
                subcategory="Review pages",
            ),
            sheet=report(
                paths.REVIEW_SHEET,
                caption="../report/review_sheet.rst",
                category="Labelling",
                subcategory="Labels to look at again",
            ),
        log:
            "logs/{dataset}/review_page/{embedding}/{selection}/{labelling}/seed{seed}.log",
        benchmark:
            "benchmarks/{dataset}/review_page/{embedding}/{selection}/{labelling}/seed{seed}.tsv"
        wildcard_constraints:
            labelling="person",
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["review"],
            reviewed_labels_path=person_reviewed_labels_file,
            to_review=images_to_review,
            image_folder=image_folder,
        script:
            "../scripts/review_page.py"

    rule label_studio_review_tasks:
        input:
            label_quality=paths.LABEL_QUALITY,
            dataset=paths.DATASET,
        output:
            tasks=paths.REVIEW_LABEL_STUDIO_TASKS,
            label_config=paths.REVIEW_LABEL_STUDIO_CONFIG,
        log:
            "logs/{dataset}/label_studio_review_tasks/{embedding}/{selection}/{labelling}/seed{seed}.log",
        benchmark:
            "benchmarks/{dataset}/label_studio_review_tasks/{embedding}/{selection}/{labelling}/seed{seed}.tsv"
        wildcard_constraints:
            labelling="person",
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["review"],
            images=images_to_review,
            image_folder=image_folder,
            document_root=config["label_studio"]["document_root"],
        script:
            "../scripts/label_studio_tasks.py"

    rule import_reviewed_labels:
        input:
            unpack(review_inputs),
            reviewed=person_reviewed_labels_files,
            dataset=paths.DATASET,
        output:
            labels=paths.LABELS,
            agreement=paths.LABEL_AGREEMENT,
        log:
            "logs/{dataset}/import_reviewed_labels/{embedding}/{selection}/{labelling}/seed{seed}.log",
        benchmark:
            "benchmarks/{dataset}/import_reviewed_labels/{embedding}/{selection}/{labelling}/seed{seed}.tsv"
        wildcard_constraints:
            labelling="person-reviewed",
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["review"],
            store=store_reading,
        script:
            "../scripts/import_reviewed_labels.py"


rule label_quality:
    input:
        unpack(label_quality_inputs),
        dataset=paths.DATASET,
    output:
        label_quality=paths.LABEL_QUALITY,
    log:
        "logs/{dataset}/label_quality/{embedding}/{selection}/{labelling}/seed{seed}.log",
    benchmark:
        "benchmarks/{dataset}/label_quality/{embedding}/{selection}/{labelling}/seed{seed}.tsv"
    # the labels as given (the review list), or after the review (a robust treatment's)
    wildcard_constraints:
        labelling=f"{given_labelling_pattern()}|{reviewed_labelling_pattern()}",
    conda:
        "../envs/ml.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code_version=STAGE_VERSIONS["review"],
        settings=grid.review_params(config),
    script:
        "../scripts/label_quality.py"
