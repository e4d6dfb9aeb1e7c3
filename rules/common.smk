import atexit
import os
import re
import sys
from functools import partial
from pathlib import Path

import yaml
from snakemake.utils import validate

# The workflow's logic lives in the clusterprop package under src/: importable here,
# and, through PYTHONPATH, in every job's script.
PACKAGE_DIR = str(Path(workflow.basedir) / "src")
sys.path.insert(0, PACKAGE_DIR)

from clusterprop.workflow import export_package_dir, refuse

export_package_dir(PACKAGE_DIR)

from clusterprop.data import FASHION_MNIST_FILES, source_conflict
from clusterprop.io import read_json
from clusterprop.labelling.files import LabelsFileError
from clusterprop.labelling.kinds import given_pattern as given_labelling_pattern
from clusterprop.labelling.kinds import reviewed_pattern as reviewed_labelling_pattern
from clusterprop.labelling.kinds import slug_pattern as labelling_pattern
from clusterprop.propagate import slug_pattern as propagation_pattern
from clusterprop.workflow import grid
from clusterprop.workflow import inputs as job_inputs
from clusterprop.workflow import params as job_params
from clusterprop.workflow import paths, person, store_status, targets
from clusterprop.workflow.config import ConfigError, in_key_order
from clusterprop.workflow.config import check as check_config
from clusterprop.workflow.schema import problems_message, schema_problems
from clusterprop.workflow.versions import STAGE_VERSIONS

# The config: one line per problem, the key first, then what to do; nothing was run.
CONFIG_SCHEMA = Path(workflow.basedir) / "schemas/config.schema.yaml"
problems = schema_problems(config, yaml.safe_load(CONFIG_SCHEMA.read_text()))
if problems:
    refuse([problems_message(problems)])
validate(config, str(CONFIG_SCHEMA))
try:
    check_config(config)
except ConfigError as error:
    refuse([problems_message(error.problems or [str(error)])])
# one key order, whatever order the config files wrote (workflow.config.in_key_order)
config.update(in_key_order(config))
DATASET_NAME = config["dataset"]["name"]

# One name, one data set: a name whose results came from another source is refused.
SOURCE_RECORD = Path(paths.DATASET_SOURCE.format(dataset=DATASET_NAME))
if SOURCE_RECORD.exists():
    conflict = source_conflict(
        DATASET_NAME, config["dataset"], read_json(SOURCE_RECORD)
    )
    if conflict:
        refuse([f"config: {conflict}", "Nothing was run."])
# Files that are missing and cannot be downloaded (Fashion-MNIST on a machine without
# it or the internet): what is missing and the ways out, before any job.
if workflow.is_main_process and (unavailable := job_inputs.dataset_unavailable(config)):
    refuse(unavailable)


# Selections and propagations are spelled as their registries allow (centroid-k300,
# closest75, ...): wildcards match those spellings and nothing else. One data set and
# one run name per run.
wildcard_constraints:
    dataset=re.escape(DATASET_NAME),
    run=re.escape(config["run"]),
    embedding=r"[A-Za-z0-9_.]+",
    k=r"\d+",
    seed=r"\d+",
    selection=grid.selection_pattern(),
    labelling=labelling_pattern(),
    propagation=propagation_pattern(),
    classifier=r"[A-Za-z0-9_.]+",
    shard=r"\d+",
    shards=r"\d+",
    filename="|".join(f.name for f in FASHION_MNIST_FILES),


# Labelling by a person: every labels file of the data set's store is checked once, in
# the main process, before any job runs; what the run waits for is decided after the
# selections are made (rules/label.smk, rules/review.smk), and said at the end of every run, also one
# with nothing to do.
PERSON = config["labelling"] == "person"
if PERSON and workflow.is_main_process:
    dataset_file = Path(paths.DATASET.format(dataset=DATASET_NAME))
    class_names = (
        store_status.pile(str(dataset_file))[1] if dataset_file.exists() else None
    )
    try:
        store_status.store_facts(config, class_names)
    except LabelsFileError as error:
        refuse(
            [
                f"labels: {error}",
                "Fix that file (it is yours: the workflow only reads it) and run again; nothing was run.",
            ]
        )


# What a run ends with, whatever ran (clusterprop.workflow.person.say_at_the_end):
# while a person's labels are missing, what to open and where to save it; what the labels store
# could not use. Rule all asks for everything, or, while a person's labels are missing,
# for the pages that ask for them, read once this run's selections (then review lists)
# are made: two checkpoints (rules/label.smk, rules/review.smk).
RUN_END = {"waiting": [], "failed": False, "workdir": os.getcwd()}
if PERSON and workflow.is_main_process:
    atexit.register(partial(person.say_at_the_end, config, RUN_END))
all_targets = partial(person.run_targets, config, checkpoints, RUN_END)
