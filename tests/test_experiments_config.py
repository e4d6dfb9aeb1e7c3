import copy

import pytest
import yaml

from clusterprop.config import ConfigError, check
from clusterprop.experiments import (
    experiments,
    parse_selection_slug,
    runs,
)
from conftest import REPO


def load(name):
    config = yaml.safe_load((REPO / name).read_text())
    return config


@pytest.fixture
def config():
    return load("config.yaml")


def test_default_config_reproduces_the_reference_grid(config):
    grid = experiments(config)
    per_seed = [e for e in grid if e.seed == 0]
    names = {(e.selection, e.budget, e.propagation.name, e.classifier) for e in per_seed}
    assert names == {
        *(("centroid", k, "none", "lr") for k in (50, 100, 200, 300)),
        ("centroid", 300, "all", "lr"),
        ("centroid", 300, "closest:75", "lr"),
        *(("random", k, "none", "lr") for k in (50, 100, 200, 300)),
        ("all", None, "none", "lr"),
    }
    assert len(grid) == 5 * 11
    assert per_seed[0].path("metrics", "m.json") == (
        "results/metrics/raw/centroid-k50/none/lr/seed0/m.json"
    )
    clustered = {(e.embedding, e.budget) for e in grid if e.uses_clusters}
    assert clustered == {("raw", k) for k in (50, 100, 200, 300)}


def test_methods_that_share_a_model_train_it_once(config):
    config["methods"].append(dict(config["methods"][0], name="the same again"))
    assert len(experiments(config)) == 5 * 11
    assert len(runs(config)) == 5 * 15


def test_sweep_overlay_is_valid_and_covers_the_budgets(config):
    sweep = load("config/sweep.yaml")
    merged = {**config, **sweep}  # what --configfile does for these top-level keys
    merged["embeddings"] = {**config["embeddings"], **sweep["embeddings"]}
    check(merged)
    assert list(dict.fromkeys(e.embedding for e in experiments(merged))) == ["raw", "hog_pca50"]
    budgets = {b for m in merged["methods"] if m["selection"] != "all" for b in m["budgets"]}
    assert budgets == {10, 20, 50, 100, 200, 300, 500, 1000}
    assert {m["propagation"] for m in merged["methods"] if m["selection"] != "all"} >= {
        "none",
        "all",
        "spread",
    }


def test_selection_slugs():
    assert parse_selection_slug("centroid-k300") == ("centroid", 300)
    assert parse_selection_slug("typical-k50") == ("typical", 50)
    assert parse_selection_slug("random-n50") == ("random", 50)
    assert parse_selection_slug("all") == ("all", None)
    for bad in ("random-300", "representative-k10", "typical-n5"):
        with pytest.raises(ValueError):
            parse_selection_slug(bad)


def test_check_accepts_default(config):
    check(config)


def first_method(**changes):
    def edit(config):
        config["methods"][0].update(changes)

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (first_method(budgets=[50, 70000]), r"methods\[0\] \(representatives\).budgets: \[70000\]"),
        (lambda c: c["dataset"].update(n_train=100), r"budgets: \[200, 300\] larger"),
        (first_method(propagation="closest:150"), "P must be in"),
        (first_method(embedding="hog"), r"\.embedding: no embedding named 'hog'"),
        (first_method(classifier="svm"), r"\.classifier: no classifier named 'svm'"),
        (first_method(name="random labels"), "'random labels' is used more than once"),
        (first_method(compare_with="nothing"), "compare_with: no method named 'nothing'"),
        (lambda c: c["methods"][0].pop("budgets"), "budgets: required for selection centroid"),
        (
            lambda c: c["methods"][3].update(propagation="all"),
            r"all propagates within clusters and needs selection centroid or typical",
        ),
        (
            lambda c: c["embeddings"].update(p={"method": "pca", "n_components": 5, "input": "q"}),
            r"embeddings.p.input: no embedding named 'q'",
        ),
        (
            lambda c: c["embeddings"].update(
                p={"method": "pca", "n_components": 5, "input": "q"},
                q={"method": "pca", "n_components": 5, "input": "p"},
            ),
            "a cycle",
        ),
        (lambda c: c["spreading"].update(n_neighbors=30), "more than the neighbour graph holds"),
        (lambda c: c["dataset"].update(format="npz"), "dataset.path: required"),
        (lambda c: c["dataset"].update(path="/nonexistent"), "is not a directory"),
    ],
)
def test_check_names_the_key(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError, match=message):
        check(bad)
