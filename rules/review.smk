# The review: where the labeller can err, each label's out-of-fold quality and a review
# of the most suspicious ones (clusterprop.labelling.quality), by a simulated reviewer
# (an oracle's labels) or by a person (its pages and Label Studio projects, then the
# reviewed labels from the labels store); or a robust treatment without a review
# (rules/propagate.smk). Input and params functions: clusterprop.workflow.inputs and
# .params, each bound just above its rule.


label_quality_inputs = partial(job_inputs.label_quality_inputs, config)


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


# the labels as given and their review list: a simulated review's and a person's
review_inputs = partial(job_inputs.review_inputs, config)


if config["labelling"] == "oracle":

    reviewer_params = partial(job_params.reviewer_params, config)

    rule simulate_review:
        input:
            unpack(review_inputs),
        output:
            labels=paths.LABELS,
        log:
            paths.logs("simulate_review/{embedding}/{selection}/{labelling}/seed{seed}"),
        benchmark:
            paths.benchmarks(
                "simulate_review/{embedding}/{selection}/{labelling}/seed{seed}"
            )
        wildcard_constraints:
            labelling=reviewed_labelling_pattern(),
        conda:
            "../envs/ml.yaml"
        resources:
            mem_mb=500,
            runtime=5,
        params:
            code_version=STAGE_VERSIONS["review"],
            oracle=reviewer_params,
        script:
            "../scripts/simulate_review.py"

else:

    localrules:
        person_review_lists,
        review_page,
        label_studio_review_tasks,
        import_reviewed_labels,

    person_review_list_files = partial(job_inputs.person_review_list_files, config)

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

    person_reviewed_labels_file = partial(
        job_params.person_reviewed_labels_file, config
    )
    images_to_review = partial(job_params.images_to_review, config)

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
            paths.benchmarks(
                "review_page/{embedding}/{selection}/{labelling}/seed{seed}"
            )
        wildcard_constraints:
            labelling="person",
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["review"],
            reviewed_labels_path=person_reviewed_labels_file,
            to_review=images_to_review,
            image_folder=job_params.image_folder(config),
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
            paths.logs(
                "label_studio_review_tasks/{embedding}/{selection}/{labelling}/seed{seed}"
            ),
        benchmark:
            paths.benchmarks(
                "label_studio_review_tasks/{embedding}/{selection}/{labelling}/seed{seed}"
            )
        wildcard_constraints:
            labelling="person",
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["review"],
            images=images_to_review,
            image_folder=job_params.image_folder(config),
            document_root=config["label_studio"]["document_root"],
        script:
            "../scripts/label_studio_tasks.py"

    person_reviewed_labels_files = partial(
        job_inputs.person_reviewed_labels_files, config
    )

    rule import_reviewed_labels:
        input:
            unpack(review_inputs),
            reviewed=person_reviewed_labels_files,
            dataset=paths.DATASET,
        output:
            labels=paths.LABELS,
            agreement=paths.LABEL_AGREEMENT,
        log:
            paths.logs(
                "import_reviewed_labels/{embedding}/{selection}/{labelling}/seed{seed}"
            ),
        benchmark:
            paths.benchmarks(
                "import_reviewed_labels/{embedding}/{selection}/{labelling}/seed{seed}"
            )
        wildcard_constraints:
            labelling="person-reviewed",
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["review"],
            store=store_status.store_reading(config),
        script:
            "../scripts/import_reviewed_labels.py"
