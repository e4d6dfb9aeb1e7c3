from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


# The stages, in the order data flows through them.
include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/embed.smk"
include: "rules/cluster.smk"
include: "rules/select.smk"
include: "rules/label.smk"
include: "rules/review.smk"
include: "rules/propagate.smk"
include: "rules/train.smk"
include: "rules/network.smk"
include: "rules/summarize.smk"


onerror:
    RUN_END["failed"] = True


rule all:
    default_target: True
    input:
        all_targets,
