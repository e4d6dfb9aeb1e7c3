"""Code versions of the workflow's stages.

The default profile leaves Snakemake's ``code`` rerun trigger off: it follows a script's
modification time, not its content, and does not see this package at all, so a fresh
clone or an edited comment would rerun everything while a real change to the package
reran nothing. Instead each rule passes its stage's number here as a ``params:`` value.

Bump a stage's number in the same commit as any code change that alters what that stage
writes; Snakemake then reruns that stage and everything downstream of it, and nothing
else. Refactors that leave every output the same bump nothing.

``STAGE_CODE`` records the hash of each stage's code as of its number
(``code_versions``): a test fails when a stage's code changed and the record did not,
so that the question "does this change what the stage writes?" is asked at every change.
Answer it with a bump (or not), then paste the new record that
``python -m clusterprop.workflow.code_versions`` prints.
"""

STAGE_VERSIONS = {
    "data": 3,
    "embed": 2,
    "neighbours": 1,
    "cluster": 1,
    "select": 3,
    "label": 3,
    "review": 3,
    "propagate": 2,
    "train": 2,
    "evaluate": 2,
    "network": 2,
    "self_training": 1,
    "summarize": 7,
}

STAGE_CODE = {
    "cluster": "47255badd700",
    "data": "a19cf5bb84f8",
    "embed": "d28e285e82ce",
    "evaluate": "1aa7ea1b1985",
    "label": "0aabae51b2ce",
    "neighbours": "7dee7823c0ce",
    "network": "7d5ef4d26547",
    "propagate": "7ae6dacd2ba7",
    "review": "bbfaf734c356",
    "select": "42e0a55beed7",
    "self_training": "205fb6942de4",
    "summarize": "3b335cdb2c5f",
    "train": "9fa20ff90acc",
}
