# Labels: an oracle (which may be told to err) or a person gives them; then, where the
# labeller can err, each label's out-of-fold quality and a review of the most
# suspicious ones (clusterprop.review). {labelling} says which: clusterprop.labellings.
# Input and params functions of this stage's rules: clusterprop.jobs.
person_selection_files = partial(job_inputs.person_selection_files, config)
person_labels_file = partial(job_params.person_labels_file, config)
person_labels_files = partial(job_inputs.person_labels_files, config)
images_to_label = partial(job_params.images_to_label, config)
image_folder = partial(job_params.image_folder, config)
person_review_list_files = partial(job_inputs.person_review_list_files, config)
person_reviewed_labels_file = partial(job_params.person_reviewed_labels_file, config)
person_reviewed_labels_files = partial(job_inputs.person_reviewed_labels_files, config)
images_to_review = partial(job_params.images_to_review, config)
store_reading = store_status.store_reading(config)
oracle_inputs = partial(job_inputs.oracle_inputs, config)
oracle_params = partial(job_params.oracle_params, config)
label_quality_inputs = partial(job_inputs.label_quality_inputs, config)
review_inputs = partial(job_inputs.review_inputs, config)
review_params = partial(job_params.reviewer_params, config)


if config["labelling"] == "oracle":

    rule labeller_model:
        input:
            dataset=paths.DATASET,
        output:
            model=paths.LABELLER_MODEL,
        log:
            paths.logs("labeller_model"),
        benchmark:
            paths.benchmarks("labeller_model")
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
            paths.logs("label_with_oracle/{embedding}/{selection}/{labelling}/seed{seed}"),
        benchmark:
            paths.benchmarks("label_with_oracle/{embedding}/{selection}/{labelling}/seed{seed}")
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
            paths.logs("simulate_review/{embedding}/{selection}/{labelling}/seed{seed}"),
        benchmark:
            paths.benchmarks("simulate_review/{embedding}/{selection}/{labelling}/seed{seed}")
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
            paths.logs("person_selections/{run}"),
        benchmark:
            paths.benchmarks("person_selections/{run}")
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
            paths.logs("labelling_page/{embedding}/{selection}/seed{seed}"),
        benchmark:
            paths.benchmarks("labelling_page/{embedding}/{selection}/seed{seed}")
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
            paths.logs("label_studio_labelling_tasks/{embedding}/{selection}/seed{seed}"),
        benchmark:
            paths.benchmarks("label_studio_labelling_tasks/{embedding}/{selection}/seed{seed}")
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
            paths.logs("import_person_labels/{embedding}/{selection}/{labelling}/seed{seed}"),
        benchmark:
            paths.benchmarks("import_person_labels/{embedding}/{selection}/{labelling}/seed{seed}")
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
            paths.logs("person_review_lists/{run}"),
        benchmark:
            paths.benchmarks("person_review_lists/{run}")
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
            paths.logs("review_page/{embedding}/{selection}/{labelling}/seed{seed}"),
        benchmark:
            paths.benchmarks("review_page/{embedding}/{selection}/{labelling}/seed{seed}")
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
            paths.logs("label_studio_review_tasks/{embedding}/{selection}/{labelling}/seed{seed}"),
        benchmark:
            paths.benchmarks("label_studio_review_tasks/{embedding}/{selection}/{labelling}/seed{seed}")
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
            paths.logs("import_reviewed_labels/{embedding}/{selection}/{labelling}/seed{seed}"),
        benchmark:
            paths.benchmarks("import_reviewed_labels/{embedding}/{selection}/{labelling}/seed{seed}")
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
        paths.logs("label_quality/{embedding}/{selection}/{labelling}/seed{seed}"),
    benchmark:
        paths.benchmarks("label_quality/{embedding}/{selection}/{labelling}/seed{seed}")
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
        settings=job_params.label_quality_settings(config),
    script:
        "../scripts/label_quality.py"
