import copy

import pytest
import yaml
from snakemake.exceptions import WorkflowError

from clusterprop.labelling.oracle import FASHION_MNIST_ALIKE
from clusterprop.workflow import grid, inputs, params, targets
from clusterprop.workflow.config import ConfigError, check, in_key_order
from clusterprop.workflow.grid import experiments, parse_selection_slug, runs
from conftest import REPO
from workflow_helpers import merged_config


def load(name):
    config = yaml.safe_load((REPO / name).read_text())
    return config


def validated(overlay: dict) -> dict:
    """What the Snakefile does with ``--configfile overlay``: merge it into the defaults,
    validate against the schema (setting defaults), then run the checks."""
    config = merged_config(overlay)
    check(config)
    return config


@pytest.fixture
def config():
    """The defaults, as the workflow sees them (validated: the schema's defaults set)."""
    return merged_config({})


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
    assert len(grid) == 5 * 10 + 1  # the all-labels LR: once for every seed
    assert (
        per_seed[0].metrics
        == "results/fashion-mnist/metrics/raw/centroid-k50/oracle/none/lr/seed0/metrics.json"
    )
    clustered = {(e.embedding, e.budget) for e in grid if e.uses_clusters}
    assert clustered == {("raw", k) for k in (50, 100, 200, 300)}


def test_methods_that_share_a_model_train_it_once(config):
    config["methods"].append(dict(config["methods"][0], name="the same again"))
    assert len(experiments(config)) == 5 * 10 + 1
    assert len(runs(config)) == 5 * 15


def test_a_model_that_nothing_random_goes_into_is_trained_once_for_every_seed(config):
    """The LR on every true label: one model, the first seed's, serves each seed's row
    (the summary still has a row per seed); a network, a classifier that draws
    max_train rows, and every selection with a random step stay one model a seed."""
    config["seeds"] = [3, 1, 4]
    config["classifiers"]["lr_drawn"] = {"name": "logistic_regression", "max_train": 1000}
    config["classifiers"]["cnn"] = {"name": "cnn", "epochs": 1}
    config["methods"] += [
        {"name": "drawn", "embedding": "raw", "selection": "all", "classifier": "lr_drawn"},
        {"name": "network", "embedding": "raw", "selection": "all", "classifier": "cnn"},
    ]
    seeds_of = {}
    for run in runs(config):
        seeds_of.setdefault(run.method, []).append((run.seed, run.experiment.seed))
    assert seeds_of["all labels"] == [(3, 3), (1, 3), (4, 3)]
    for method in ["drawn", "network", "random labels", "representatives"]:
        assert all(row == model for row, model in seeds_of[method]), method
    rows = [r for r in targets.summary_runs(config) if r["method"] == "all labels"]
    assert [r["seed"] for r in rows] == [3, 1, 4]
    assert {r["metrics"] for r in rows} == {
        "results/fashion-mnist/metrics/raw/all/truth/none/lr/seed3/metrics.json"
    }


def test_sweep_overlay_is_valid_and_covers_the_budgets():
    merged = validated(load("config/sweep.yaml"))
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
            r"all propagates within clusters and needs a selection of one image per cluster "
            r"\(centroid or typical\), not random",
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
        (
            lambda c: c["spreading"].update(anchor_neighbors=21),
            r"spreading.anchor_neighbors: 21 is more than the neighbour graph holds",
        ),
        (lambda c: c.update(shards=60001), "shards: 60001 parts of 60000 training images"),
        (lambda c: c["dataset"].update(format="npz"), "dataset.path: required"),
        (lambda c: c["dataset"].update(path="/nonexistent"), "is not a directory"),
    ],
)
def test_check_names_the_key(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError, match=message):
        check(bad)


def bad_method(**changes):
    return {"methods": [{**load("config.yaml")["methods"][0], **changes}]}


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        (bad_method(budgets=[10, 70000]), r"budgets: \[70000\] larger than the training set"),
        (bad_method(propagation="nearest"), "unknown propagation strategy 'nearest'"),
        (bad_method(propagation="closest:0"), r"P must be in \(0, 100\]"),
        (bad_method(propagation="closest:120"), r"P must be in \(0, 100\]"),
        (bad_method(budgets=[]), r"\[\] should be non-empty|too short"),
        (bad_method(selection="nearest"), r"selection: unknown selection 'nearest' \(known: "),
        (bad_method(embedding="pixels"), "no embedding named 'pixels'"),
        ({"seeds": []}, r"\[\] should be non-empty|too short"),
        ({"methods": []}, r"\[\] should be non-empty|too short"),
        (
            {"classifiers": {"lr": {"name": "logistic_regression", "C": -1}}},
            "less than or equal to the minimum|exclusiveMinimum",
        ),
        (
            {"classifiers": {"lr": {"name": "knn", "C": 1}}},
            r"classifiers.lr.C: not a parameter of knn \(its parameters: n_neighbors\)",
        ),
        (
            {"classifiers": {"lr": {"name": "forest"}}},
            r"classifiers.lr.name: unknown classifier 'forest' \(known: logistic_regression, ",
        ),
        (
            {"embeddings": {"pca": {"method": "pca"}}},
            "embeddings.pca.n_components: required by pca",
        ),
        (
            {"embeddings": {"h": {"method": "hog", "input": "raw"}}},
            "embeddings.h.input: not a parameter of hog",
        ),
        (
            {"embeddings": {"x": {"method": "sift"}}},
            r"embeddings.x.method: unknown embedding method 'sift'",
        ),
        ({"spreading": {"alpha": 1.5}}, "greater than or equal to the maximum|exclusiveMaximum"),
        ({"spreading": {"balance_classes": "yes"}}, "'yes' is not of type 'boolean'"),
        ({"spreading": {"symmetric_graph": 1}}, "1 is not of type 'boolean'"),
        ({"neighbours": {"anchors": 1}}, "1 is less than the minimum of 2"),
        ({"spreading": {"anchor_neighbors": 0}}, "0 is less than the minimum of 1"),
    ],
)
def test_bad_config_is_refused_naming_the_key(overlay, message):
    with pytest.raises((WorkflowError, ConfigError), match=message):
        validated(overlay)


def test_overlay_of_the_sweep_validates():
    config = validated(load("config/sweep.yaml"))
    assert config["embeddings"]["raw"] == {"method": "raw"}  # merged, not replaced
    assert config["spreading"]["balance_classes"] is True
    assert config["spreading"]["symmetric_graph"] is False


def test_config_in_key_order_sorts_every_dict_and_keeps_lists():
    config = {
        "spreading": {"max_iter": 100, "alpha": 0.9, "balance_classes": True},
        "methods": [{"name": "b", "budgets": [300, 50]}, {"name": "a", "budgets": [10]}],
        "embeddings": {"raw": {"method": "raw"}, "hog": {"orientations": 9, "method": "hog"}},
    }
    ordered = in_key_order(config)
    assert ordered == config  # the same settings
    assert list(ordered) == ["embeddings", "methods", "spreading"]
    assert list(ordered["spreading"]) == ["alpha", "balance_classes", "max_iter"]
    assert list(ordered["embeddings"]) == ["hog", "raw"]
    assert list(ordered["embeddings"]["hog"]) == ["method", "orientations"]
    assert [m["name"] for m in ordered["methods"]] == ["b", "a"]  # list order is meaning
    assert list(ordered["methods"][0]) == ["budgets", "name"]
    assert ordered["methods"][0]["budgets"] == [300, 50]
    assert repr(in_key_order(dict(reversed(config.items())))) == repr(ordered)


def test_summary_runs_and_methods_follow_the_config_order(config):
    summary = targets.summary_runs(config)
    assert len(summary) == 5 * 11
    assert summary[0] == {
        "method": "representatives",
        "budget": 50,
        "seed": 0,
        "metrics": "results/fashion-mnist/metrics/raw/centroid-k50/oracle/none/lr/seed0/"
        "metrics.json",
    }
    assert summary[-1]["seed"] == 4  # its model is the first seed's: nothing random in it
    assert (
        summary[-1]["metrics"]
        == "results/fashion-mnist/metrics/raw/all/truth/none/lr/seed0/metrics.json"
    )
    methods = targets.summary_methods(config)
    assert [m["name"] for m in methods] == [m["name"] for m in config["methods"]]
    assert methods[-1]["propagation"] == "none" and methods[-1]["compare_with"] is None


def test_representative_grids_one_per_cluster_selection_of_the_first_seed(config):
    assert targets.representative_grids(config) == [
        f"results/fashion-mnist/summary/default/representatives/raw-centroid-k{k}-oracle-seed0.png"
        for k in (50, 100, 200, 300)
    ]


def test_training_set_provenance_records_what_each_piece_used(config):
    config = validated(load("config/sweep.yaml"))
    centroid = params.labelled_set_provenance(config, "hog_pca50", "centroid-k50", "oracle", "all")
    assert centroid["clustering"] == params.clustering_params(config)
    assert "spreading" not in centroid and "neighbours" not in centroid
    assert centroid["embedding"]["input"] == {"hog": config["embeddings"]["hog"]}
    spread = params.labelled_set_provenance(config, "hog_pca50", "random-n50", "oracle", "spread")
    assert spread["spreading"] == config["spreading"] and "clustering" not in spread
    assert spread["neighbours"]["n_neighbors"] == 20 and spread["neighbours"]["search"] == "auto"
    typical = params.labelled_set_provenance(config, "hog_pca50", "typical-k50", "oracle", "none")
    assert typical["typicality"] == config["typicality"] and "neighbours" in typical
    everything = params.labelled_set_provenance(config, "raw", "all", "truth", "none")
    assert (everything["selection"], everything["budget"]) == ("all", None)
    assert {"clustering", "neighbours", "spreading", "review"}.isdisjoint(everything)
    assert (centroid["labelling"], centroid["oracle"]) == ("oracle", {"error_rate": 0.0})
    assert "review" not in centroid  # a perfect oracle has nothing to review
    reviewed = params.labelled_set_provenance(
        config, "hog_pca50", "centroid-k50", "oracle-alike10-reviewed", "spread"
    )
    assert reviewed["oracle"] == {
        "error_rate": 0.1,
        "mistakes": "alike",
        "alike_groups": [list(group) for group in FASHION_MNIST_ALIKE],
    }
    assert reviewed["review"] == params.label_quality_settings(config) and "robust" not in reviewed


def test_person_labelling_selections_and_paths_lie_under_the_data_set(config):
    config.update(labelling="person", seeds=[0], labels_dir="labels", run="mine")
    config["dataset"]["name"] = "shoes"
    config["methods"] = config["methods"][:1]
    selections = grid.selections_to_label(config)
    assert selections == [
        {"dataset": "shoes", "embedding": "raw", "selection": f"centroid-k{k}", "seed": 0}
        for k in (50, 100, 200, 300)
    ]
    assert grid.person_labels_path("labels", **selections[0]) == (
        "labels/shoes/raw/centroid-k50/seed0.csv"
    )
    assert grid.selections_to_review(config) == selections  # review.enabled, the default
    wanted = targets.targets(config)
    assert "results/shoes/summary/mine/metrics.tsv" in wanted
    assert all(target.startswith("results/shoes/") for target in wanted)


def test_job_inputs_follow_the_registries():
    config = validated(load("config/sweep.yaml"))
    job = {"dataset": "fashion-mnist", "embedding": "hog_pca50", "seed": "2"}
    assert inputs.embedding_inputs(
        config, {"dataset": "fashion-mnist", "embedding": "hog_pca50"}
    ) == {
        "train": "results/fashion-mnist/embeddings/hog/train.npy",
        "test": "results/fashion-mnist/embeddings/hog/test.npy",
    }
    assert inputs.embedding_inputs(config, {"dataset": "fashion-mnist", "embedding": "hog"}) == {
        "dataset": "results/fashion-mnist/data/dataset.npz"
    }
    assert inputs.selection_artifacts(config, {**job, "selection": "typical-k50"}) == {
        "clusters": "results/fashion-mnist/clusters/hog_pca50/k50/seed2/clusters.npz",
        "neighbours": "results/fashion-mnist/neighbours/hog_pca50/neighbours.npz",
    }
    assert inputs.selection_artifacts(config, {**job, "selection": "random-n50"}) == {}
    assert params.selection_params(config, {**job, "selection": "typical-k50"}) == {
        "kind": "typical",
        "budget": 50,
        "settings": {"n_neighbors": 20},
    }
    spread = {**job, "selection": "random-n50", "propagation": "spread"}
    assert inputs.propagation_artifacts(config, spread) == {
        "neighbours": "results/fashion-mnist/neighbours/hog_pca50/neighbours.npz"
    }
    assert params.propagation_settings(config, spread) == config["spreading"]
    closest = {**job, "selection": "centroid-k300", "propagation": "closest75"}
    assert inputs.propagation_artifacts(config, closest) == {
        "clusters": "results/fashion-mnist/clusters/hog_pca50/k300/seed2/clusters.npz"
    }
    assert params.propagation_settings(config, closest) == {}
    assert inputs.propagation_artifacts(config, {**closest, "propagation": "none"}) == {}
    assert params.person_labels_file(config, {**job, "selection": "centroid-k300"}) == (
        "labels/fashion-mnist/hog_pca50/centroid-k300/seed2.csv"
    )


def test_data_set_source_files_by_format(tmp_path):
    config = validated({})
    files = inputs.dataset_source_files(config, {})
    assert sorted(files) == ["X_test", "X_train", "y_test", "y_train"]
    assert files["X_train"].endswith("train-images-idx3-ubyte.gz")
    config["dataset"].update(format="npz", path="data.npz")
    assert inputs.dataset_source_files(config, {}) == {"npz": "data.npz"}
    assert params.fashion_mnist_url({"filename": "t10k-labels-idx1-ubyte.gz"}).endswith(
        "/t10k-labels-idx1-ubyte.gz"
    )


class _Inputs(dict):
    """What a resources callable is given as ``input``: named files and their size."""

    def __init__(self, size_mb: float, **files):
        super().__init__(files)
        self.size_mb = size_mb


def test_embedding_jobs_declare_memory_that_grows_with_their_input():
    images = _Inputs(885.0, dataset="results/fashion-mnist/data/dataset.npz")  # a million images
    features = _Inputs(5236.0, train="hog/train.npy", test="hog/test.npy")
    one_job = inputs.embedding_memory_mb({"embedding": "hog"}, images)
    # at least what the million-image scale run measured (HOG 11,924 MB, PCA 10,110 MB)
    assert one_job >= 11924
    assert inputs.embedding_memory_mb({"embedding": "hog_pca50"}, features) >= 10110
    # each of 4 parts reads a quarter of the images
    part = inputs.embedding_memory_mb({"embedding": "hog", "shard": "0", "shards": "4"}, images)
    assert part < one_job / 2
    assert part >= inputs.EMBEDDING_BASE_MB
    # a small data set gets the floor
    small = _Inputs(55.0, dataset="results/fashion-mnist/data/dataset.npz")
    assert inputs.embedding_memory_mb({"embedding": "hog"}, small) == inputs.EMBEDDING_BASE_MB


def test_prediction_inputs_are_the_model_or_its_parts():
    config = validated(load("config.yaml"))
    job = {
        "dataset": "fashion-mnist",
        "embedding": "hog_pca50",
        "selection": "centroid-k300",
        "labelling": "oracle",
        "propagation": "spread",
        "classifier": "lr",
        "seed": "0",
    }
    whole = inputs.prediction_inputs({**config, "shards": 1}, job)
    assert set(whole) == {"model", "train_features", "test_features"}
    assert whole["train_features"] == "results/fashion-mnist/embeddings/hog_pca50/train.npy"
    parts = inputs.prediction_inputs({**config, "shards": 2}, job)["shards"]
    assert len(parts) == 2 and len(set(parts)) == 2
    assert all(p.startswith("results/fashion-mnist/predictions/") and "-of-2" in p for p in parts)
