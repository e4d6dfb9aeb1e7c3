import sys
from functools import partial
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# The workflow's logic lives in the clusterprop package under src/: importable here,
# and, through PYTHONPATH, in every job's script.
PACKAGE_DIR = str(Path(workflow.basedir) / "src")
sys.path.insert(0, PACKAGE_DIR)

from clusterprop.workflow import export_package_dir

export_package_dir(PACKAGE_DIR)

from clusterprop import experiments as grid
from clusterprop import jobs, paths
from clusterprop.config import check as check_config
from clusterprop.config import in_key_order
from clusterprop.data import FASHION_MNIST_FILES
from clusterprop.labelling import person_labels_problems
from clusterprop.labellings import given_pattern as given_labelling_pattern
from clusterprop.labellings import reviewed_pattern as reviewed_labelling_pattern
from clusterprop.labellings import slug_pattern as labelling_pattern
from clusterprop.propagate import slug_pattern as propagation_pattern
from clusterprop.versions import STAGE_VERSIONS

validate(config, "../schemas/config.schema.yaml")
check_config(config)
# one key order, whatever order the config files wrote (clusterprop.config.in_key_order)
config.update(in_key_order(config))


# Selections and propagations are spelled as their registries allow (centroid-k300,
# closest75, ...): wildcards match those spellings and nothing else.
wildcard_constraints:
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


# Labelling by a person: which labels files are still missing (the run then stops at
# the labelling pages), and the files that are there checked once, in the main
# process, before any job runs (jobs that re-read this file skip it).
MISSING_PERSON_LABELS = grid.missing_person_labels(config)
if workflow.is_main_process:
    problems = person_labels_problems(config)
    if problems:
        raise WorkflowError(
            "a labels file is invalid; fix it and run again (nothing was run):\n  "
            + "\n  ".join(problems)
        )
