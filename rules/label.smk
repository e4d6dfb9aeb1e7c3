# Labels, as an oracle (which may be told to err) or a person gives them. {labelling}
# says who gave them and what became of them (clusterprop.labelling.kinds); the review
# of the labels a labeller can get wrong is the next stage (rules/review.smk). Input and
# params functions: clusterprop.workflow.inputs and .params, each bound just above its
# rule.


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

    oracle_inputs = partial(job_inputs.oracle_inputs, config)
    oracle_params = partial(job_params.oracle_params, config)

    rule label_with_oracle:
        input:
            unpack(oracle_inputs),
        output:
            labels=paths.LABELS,
        log:
            paths.logs(
                "label_with_oracle/{embedding}/{selection}/{labelling}/seed{seed}"
            ),
        benchmark:
            paths.benchmarks(
                "label_with_oracle/{embedding}/{selection}/{labelling}/seed{seed}"
            )
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

else:

    localrules:
        person_selections,
        labelling_page,
        label_studio_labelling_tasks,
        import_person_labels,

    person_selection_files = partial(job_inputs.person_selection_files, config)

    # Every selection a person labels, listed once made: the run then reads what the
    # labels store has of them (clusterprop.workflow.store_status) and asks only for
    # the rest.
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

    person_labels_file = partial(job_params.person_labels_file, config)
    images_to_label = partial(job_params.images_to_label, config)

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
            image_folder=job_params.image_folder(config),
        script:
            "../scripts/labelling_page.py"

    # The same images as a Label Studio project, for a team
    # (clusterprop.labelling.label_studio).
    rule label_studio_labelling_tasks:
        input:
            selection=paths.SELECTION,
            dataset=paths.DATASET,
        output:
            tasks=paths.LABEL_STUDIO_TASKS,
            label_config=paths.LABEL_STUDIO_CONFIG,
        log:
            paths.logs(
                "label_studio_labelling_tasks/{embedding}/{selection}/seed{seed}"
            ),
        benchmark:
            paths.benchmarks(
                "label_studio_labelling_tasks/{embedding}/{selection}/seed{seed}"
            )
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["label"],
            images=images_to_label,
            image_folder=job_params.image_folder(config),
            document_root=config["label_studio"]["document_root"],
        script:
            "../scripts/label_studio_tasks.py"

    person_labels_files = partial(job_inputs.person_labels_files, config)

    rule import_person_labels:
        input:
            person_labels=person_labels_files,
            selection=paths.SELECTION,
            dataset=paths.DATASET,
        output:
            labels=paths.LABELS,
            agreement=paths.LABEL_AGREEMENT,
        log:
            paths.logs(
                "import_person_labels/{embedding}/{selection}/{labelling}/seed{seed}"
            ),
        benchmark:
            paths.benchmarks(
                "import_person_labels/{embedding}/{selection}/{labelling}/seed{seed}"
            )
        wildcard_constraints:
            labelling="person",
        conda:
            "../envs/ml.yaml"
        params:
            code_version=STAGE_VERSIONS["label"],
            store=store_status.store_reading(config),
        script:
            "../scripts/import_person_labels.py"
