"""Code versions of the workflow's stages.

The default profile leaves Snakemake's ``code`` rerun trigger off: it follows a script's
modification time, not its content, and does not see this package at all, so a fresh
clone or an edited comment would rerun everything while a real change to the package
reran nothing. Instead each rule passes its stage's number here as a ``params:`` value.

Bump a stage's number in the same commit as any code change that alters what that stage
writes; Snakemake then reruns that stage and everything downstream of it, and nothing
else. Refactors that leave every output the same bump nothing.
"""

STAGE_VERSIONS = {
    "data": 3,
    "embed": 1,
    "neighbours": 1,
    "cluster": 1,
    "select": 3,
    "label": 3,
    "review": 2,
    "propagate": 2,
    "train": 2,
    "evaluate": 2,
    "network": 2,
    "self_training": 1,
    "summarize": 6,
}
