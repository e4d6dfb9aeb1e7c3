"""The caching contract: a config change reruns exactly what it touches."""

import copy
import os
import re
from collections import Counter

from conftest import SMALL_CONFIG
from workflow_helpers import artifact_mtimes, planned_jobs, snakemake

SUMMARY_RULES = {"summarize", "all"}


def overlay(**changes) -> dict:
    config = copy.deepcopy(SMALL_CONFIG)
    for dotted, value in changes.items():
        section, _, key = dotted.partition("__")
        if key:
            config.setdefault(section, {})[key] = value
        else:
            config[section] = value
    return config


def rules(jobs) -> Counter:
    return Counter(rule for rule, _ in jobs)


def outputs(jobs) -> list[str]:
    return [output for rule, output in jobs if rule not in SUMMARY_RULES]


def test_nothing_changed_nothing_runs(small_run):
    assert planned_jobs(small_run, SMALL_CONFIG) == []


def test_added_k_runs_only_its_chain(small_run):
    jobs = planned_jobs(small_run, overlay(clustering__k=[10, 20, 30]))
    # per embedding and seed: one clustering, the representatives' chain and the random
    # baseline at the new budget; one grid per embedding; the summary
    per_embedding_seed = {
        "cluster": 1,
        "select_representatives": 1,
        "select_random": 1,
        "label_with_oracle": 2,
        "propagate_labels": 2,
        "train": 2,
        "evaluate": 2,
    }
    expected = Counter({rule: 4 * n for rule, n in per_embedding_seed.items()})
    expected.update({"plot_representatives": 2, "summarize": 1, "all": 1})
    assert rules(jobs) == expected
    assert all(re.search(r"/(k30|representative-k30|random-n30)/|-k30-", o) for o in outputs(jobs))


def test_added_seed_runs_only_that_seed(small_run):
    jobs = planned_jobs(small_run, overlay(seeds=[0, 1, 2]))
    assert rules(jobs)["train"] == 2 * 7  # every model of both embeddings, for seed 2
    assert "embed" not in rules(jobs) and "prepare_dataset" not in rules(jobs)
    assert all("/seed2/" in o for o in outputs(jobs))


def test_classifier_change_reruns_training_evaluation_and_summary_only(small_run):
    jobs = planned_jobs(small_run, overlay(classifier={"C": 0.5}))
    assert rules(jobs) == Counter({"train": 28, "evaluate": 28, "summarize": 1, "all": 1})


def test_added_percentile_runs_only_that_strategy(small_run):
    strategies = ["all", "closest:75", "closest:50"]
    jobs = planned_jobs(small_run, overlay(propagation={"k": [20], "strategies": strategies}))
    assert rules(jobs) == Counter(
        {"propagate_labels": 4, "train": 4, "evaluate": 4, "summarize": 1, "all": 1}
    )
    assert all("/closest50/" in o for o in outputs(jobs))


def test_changed_percentile_runs_only_the_new_strategy(small_run):
    jobs = planned_jobs(
        small_run, overlay(propagation={"k": [20], "strategies": ["all", "closest:60"]})
    )
    assert rules(jobs) == Counter(
        {"propagate_labels": 4, "train": 4, "evaluate": 4, "summarize": 1, "all": 1}
    )
    assert all("/closest60/" in o for o in outputs(jobs))


def test_embedding_parameter_reruns_that_embedding_only(small_run):
    embeddings = {"raw": {"method": "raw"}, "pca": {"method": "pca", "n_components": 20}}
    jobs = planned_jobs(small_run, overlay(embeddings=embeddings))
    assert rules(jobs)["embed"] == 1
    assert rules(jobs)["train"] == 14
    assert "prepare_dataset" not in rules(jobs)
    assert all("/pca/" in o or "/pca-" in o for o in outputs(jobs)), outputs(jobs)


def test_script_edit_reruns_nothing_but_a_stage_version_bump_reruns_downstream(
    clone_of_small_run,
):
    workdir = clone_of_small_run
    for script in (workdir / "scripts").glob("*.py"):  # as a fresh clone or an edit would
        os.utime(script)
    assert planned_jobs(workdir, SMALL_CONFIG) == []

    versions = workdir / "src/clusterprop/versions.py"
    versions.write_text(versions.read_text().replace('"select": 1', '"select": 2'))
    jobs = planned_jobs(workdir, SMALL_CONFIG)
    assert rules(jobs) == Counter(
        {
            "select_representatives": 8,
            "select_random": 8,
            "label_with_oracle": 16,
            "propagate_labels": 24,
            "train": 24,  # not the 4 all-label models: no selection upstream
            "evaluate": 24,
            "plot_representatives": 4,
            "summarize": 1,
            "all": 1,
        }
    )


def test_rerun_keeps_untouched_artifacts(clone_of_small_run):
    workdir = clone_of_small_run
    before = artifact_mtimes(workdir)
    strategies = ["all", "closest:75", "closest:50"]
    snakemake(
        workdir, "--cores", "2", config=overlay(propagation={"k": [20], "strategies": strategies})
    )
    after = artifact_mtimes(workdir)
    changed = {path for path in before if after[path] != before[path]}
    assert changed == {
        "results/summary/metrics.tsv",
        "results/summary/tables.md",
        "results/summary/accuracy_vs_labels.png",
        "results/summary/confusion_best.png",
    }
    added = set(after) - set(before)
    # per new model: training set (.npz, .json), model (.skops, fit.json), metrics.json
    assert len(added) == 4 * 5
    assert all("/closest50/" in path for path in added)
