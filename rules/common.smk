import sys
from pathlib import Path

from snakemake.utils import validate

# The workflow's logic lives in the clusterprop package under src/: importable here,
# and, through PYTHONPATH, in every job's script.
PACKAGE_DIR = str(Path(workflow.basedir) / "src")
sys.path.insert(0, PACKAGE_DIR)

from clusterprop.workflow import export_package_dir

export_package_dir(PACKAGE_DIR)

from clusterprop import config as config_checks
from clusterprop.data import (
    FASHION_MNIST_FILES,
    FASHION_MNIST_URL,
    resolve_fashion_mnist_dir,
)
from clusterprop.experiments import (
    SELECTION_PATTERN,
    cluster_ks,
    experiments,
    parse_selection_slug,
)
from clusterprop.propagate import parse_strategy
from clusterprop.versions import STAGE_VERSIONS

validate(config, "../schemas/config.schema.yaml")
config_checks.check(config)


wildcard_constraints:
    embedding=r"[A-Za-z0-9_.]+",
    k=r"\d+",
    n=r"\d+",
    seed=r"\d+",
    selection=SELECTION_PATTERN,
    propagation=r"none|all|closest\d+(\.\d+)?",
    filename="|".join(f.name for f in FASHION_MNIST_FILES),


EXPERIMENTS = experiments(config)


# ---------------------------------------------------------------- data


def dataset_source_files(wildcards):
    """The files the data set is read from: local copies, or downloads into resources/."""
    dataset = config["dataset"]
    if dataset["format"] == "npz":
        return {"npz": dataset["path"]}
    if dataset["format"] == "idx":
        return {"idx_dir": dataset["path"]}
    directory = resolve_fashion_mnist_dir(dataset["path"])
    if directory is None:
        directory = Path("resources/fashion-mnist")
    return {f.role: str(directory / f.name) for f in FASHION_MNIST_FILES}


def dataset_source_params():
    """Everything that decides the prepared data set (the display name does not)."""
    return {key: value for key, value in config["dataset"].items() if key != "name"}


def fashion_mnist_url(wildcards):
    return FASHION_MNIST_URL + wildcards.filename


# ---------------------------------------------------------------- per-stage params


def embedding_spec(wildcards):
    return dict(config["embeddings"][wildcards.embedding])


def clustering_params():
    return {
        key: config["clustering"][key]
        for key in ("n_init", "max_iter", "tol", "algorithm")
    }


def classifier_params():
    params = dict(config["classifier"])
    return {"name": params.pop("name"), "params": params}


# ---------------------------------------------------------------- propagation


def training_set_inputs(wildcards):
    """Labels and selection; cluster assignments only for a strategy that uses them."""
    selection, budget = parse_selection_slug(wildcards.selection)
    strategy = parse_strategy(wildcards.propagation)
    inputs = {
        "dataset": "results/data/dataset.npz",
        "selection": f"results/selections/{wildcards.embedding}/{wildcards.selection}/seed{wildcards.seed}/selection.csv",
        "labels": f"results/labels/{wildcards.embedding}/{wildcards.selection}/seed{wildcards.seed}/labels.csv",
    }
    if strategy.uses_clusters:
        if selection != "representative":
            raise ValueError(
                f"propagation {strategy.name} needs cluster representatives, not {selection}"
            )
        inputs["clusters"] = (
            f"results/clusters/{wildcards.embedding}/k{budget}/seed{wildcards.seed}/clusters.npz"
        )
    return inputs


def training_set_params(wildcards):
    """What produced the labelled set, recorded with it and with every metric after it."""
    selection, budget = parse_selection_slug(wildcards.get("selection", "all"))
    strategy = parse_strategy(wildcards.get("propagation", "none"))
    provenance = {
        "dataset": dataset_source_params(),
        "embedding": embedding_spec(wildcards),
        "selection": selection,
        "budget": budget,
        "propagation": strategy.name,
        "labelling": config["labelling"],
    }
    if selection == "representative":
        provenance["clustering"] = clustering_params()
    return provenance


# ---------------------------------------------------------------- targets


def metrics_files():
    return [e.path("metrics", "metrics.json") for e in EXPERIMENTS]


def representative_grids():
    seed = config["seeds"][0]
    return [
        f"results/summary/representatives/{embedding}-k{k}-seed{seed}.png"
        for embedding in config["embeddings"]
        for k in cluster_ks(config)
    ]


SUMMARY_FILES = {
    "metrics": "results/summary/metrics.tsv",
    "tables": "results/summary/tables.md",
    "accuracy_plot": "results/summary/accuracy_vs_labels.png",
    "confusion_plot": "results/summary/confusion_best.png",
}


def summary_outputs():
    return [*SUMMARY_FILES.values(), *representative_grids()]
