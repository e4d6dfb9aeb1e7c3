"""The caching contract: a config change reruns exactly what it touches."""

import copy
import os
import re
from collections import Counter

import pytest

from conftest import SMALL_CONFIG
from workflow_helpers import artifact_mtimes, planned_jobs, snakemake

pytestmark = pytest.mark.slow

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


def with_methods(config: dict, *extra: dict, replace: dict | None = None) -> dict:
    """``config`` with methods appended, or replaced by name."""
    config = copy.deepcopy(config)
    replace = replace or {}
    config["methods"] = [replace.get(m["name"], m) for m in config["methods"]] + list(extra)
    return config


def rules(jobs) -> Counter:
    return Counter(rule for rule, _ in jobs)


def outputs(jobs) -> list[str]:
    return [output for rule, output in jobs if rule not in SUMMARY_RULES]


def test_nothing_changed_nothing_runs(small_run):
    assert planned_jobs(small_run, SMALL_CONFIG) == []


def reversed_key_order(value):
    """``value`` with the keys of every dict in it in reverse order (lists kept)."""
    if isinstance(value, dict):
        return {key: reversed_key_order(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_key_order(item) for item in value]
    return value


def test_same_settings_in_another_key_order_rerun_nothing(small_run):
    # a config overlay (or a hand-edited file) merges keys in another order; Snakemake
    # compares params by their repr, so the workflow puts the config in one order
    assert planned_jobs(small_run, reversed_key_order(SMALL_CONFIG)) == []


def test_added_budget_runs_only_its_chain(small_run):
    representatives = dict(SMALL_CONFIG["methods"][0], budgets=[10, 20, 30])
    jobs = planned_jobs(
        small_run, with_methods(SMALL_CONFIG, replace={"representatives": representatives})
    )
    # per seed: one clustering and the representatives' chain at the new budget; one grid
    per_seed = ["cluster", "select", "label_with_oracle", "propagate_labels", "train"]
    expected = Counter({rule: 2 for rule in per_seed})
    expected.update({"plot_representatives": 1, "summarize": 1, "all": 1})
    assert rules(jobs) == expected
    assert all(re.search(r"/(k30|centroid-k30)/|-centroid-k30-", o) for o in outputs(jobs))


def test_added_seed_runs_only_that_seed(small_run):
    jobs = planned_jobs(small_run, overlay(seeds=[0, 1, 2]))
    # every model of both embeddings for seed 2, but the two all-labels LRs: nothing
    # random goes into them, and the first seed's serve every seed
    assert rules(jobs)["train"] == 13
    assert not {"embed", "neighbours", "prepare_dataset"} & set(rules(jobs))
    assert all("/seed2/" in o for o in outputs(jobs))


def test_classifier_change_reruns_its_models_evaluation_and_summary_only(small_run):
    classifiers = copy.deepcopy(SMALL_CONFIG["classifiers"])
    classifiers["lr"]["C"] = 0.5
    jobs = planned_jobs(small_run, overlay(classifiers=classifiers))
    # every model but the two SVMs (the two all-labels LRs once for both seeds)
    assert rules(jobs) == Counter({"train": 26, "summarize": 1, "all": 1})
    assert all("/svm/" not in o for o in outputs(jobs))


def test_spreading_change_reruns_only_spread_models(small_run):
    jobs = planned_jobs(small_run, overlay(spreading={"alpha": 0.3}))
    # per seed: centroid and typical training sets, three models on them (lr, svm, lr)
    assert rules(jobs) == Counter({"propagate_labels": 4, "train": 6, "summarize": 1, "all": 1})
    assert all("/spread/" in o for o in outputs(jobs))


CLOSEST_50 = {
    "name": "representatives + closest 50%",
    "embedding": "raw",
    "selection": "centroid",
    "propagation": "closest:50",
    "classifier": "lr",
    "budgets": [20],
}


def test_added_percentile_runs_only_that_strategy(small_run):
    jobs = planned_jobs(small_run, with_methods(SMALL_CONFIG, CLOSEST_50))
    assert rules(jobs) == Counter({"propagate_labels": 2, "train": 2, "summarize": 1, "all": 1})
    assert all("/closest50/" in o for o in outputs(jobs))


def test_changed_percentile_runs_only_the_new_strategy(small_run):
    name = "representatives + closest 75%"
    changed = dict(SMALL_CONFIG["methods"][2], propagation="closest:60")
    assert SMALL_CONFIG["methods"][2]["name"] == name
    jobs = planned_jobs(small_run, with_methods(SMALL_CONFIG, replace={name: changed}))
    assert rules(jobs) == Counter({"propagate_labels": 2, "train": 2, "summarize": 1, "all": 1})
    assert all("/closest60/" in o for o in outputs(jobs))


def test_renamed_method_reruns_only_the_summary(small_run):
    renamed = dict(SMALL_CONFIG["methods"][0], name="centroids")
    jobs = planned_jobs(small_run, with_methods(SMALL_CONFIG, replace={"representatives": renamed}))
    assert rules(jobs) == Counter({"summarize": 1, "all": 1})


def test_embedding_parameter_reruns_that_embedding_only(small_run):
    embeddings = copy.deepcopy(SMALL_CONFIG["embeddings"])
    embeddings["hog_pca"]["n_components"] = 20
    jobs = planned_jobs(small_run, overlay(embeddings=embeddings))
    assert rules(jobs)["embed"] == 1  # hog_pca, not the hog it is computed from
    assert rules(jobs)["neighbours"] == 1
    assert rules(jobs)["train"] == 15  # 7 per seed, and the all-labels LR once
    assert "prepare_dataset" not in rules(jobs)
    assert all("/hog_pca/" in o or "/hog_pca-" in o for o in outputs(jobs)), outputs(jobs)


def test_script_edit_reruns_nothing_but_a_stage_version_bump_reruns_downstream(
    clone_of_small_run,
):
    workdir = clone_of_small_run
    for script in (workdir / "scripts").glob("*.py"):  # as a fresh clone or an edit would
        os.utime(script)
    assert planned_jobs(workdir, SMALL_CONFIG) == []

    versions = workdir / "src/clusterprop/workflow/versions.py"
    text = versions.read_text()
    assert '"select": 3' in text
    versions.write_text(text.replace('"select": 3', '"select": 4'))
    jobs = planned_jobs(workdir, SMALL_CONFIG)
    assert rules(jobs) == Counter(
        {
            "select": 18,  # per seed: raw 2 centroid + 2 random; hog_pca 2 + 1 typical + 2
            "label_with_oracle": 18,
            "propagate_labels": 24,
            "train": 26,  # not the 4 all-label models: no selection upstream
            "plot_representatives": 5,
            "summarize": 1,
            "all": 1,
        }
    )


def test_rerun_keeps_untouched_artifacts(clone_of_small_run):
    workdir = clone_of_small_run
    before = artifact_mtimes(workdir)
    snakemake(workdir, "--cores", "2", config=with_methods(SMALL_CONFIG, CLOSEST_50))
    after = artifact_mtimes(workdir)
    changed = {path for path in before if after[path] != before[path]}
    assert changed == {
        "results/fashion-mnist/summary/default/metrics.tsv",
        "results/fashion-mnist/summary/default/tables.md",
        "results/fashion-mnist/summary/default/ablation.md",
        "results/fashion-mnist/summary/default/mistakes.md",
        "results/fashion-mnist/summary/default/accuracy_vs_labels.png",
        "results/fashion-mnist/summary/default/confusion_best.png",
    }
    added = set(after) - set(before)
    # per new model: training set (.npz, .json), model (.skops), metrics.json
    assert len(added) == 2 * 4
    assert all("/closest50/" in path for path in added)
