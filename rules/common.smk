import sys
from pathlib import Path

import pandas as pd

from snakemake.exceptions import WorkflowError
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
    CLUSTER_SELECTIONS,
    SELECTION_PATTERN,
    experiments,
    parse_selection_slug,
    runs,
)
from clusterprop.labelling import person_labels_path
from clusterprop.labels import LabelsFileError
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
    propagation=r"none|all|spread|closest\d+(\.\d+)?",
    classifier=r"[A-Za-z0-9_.]+",
    filename="|".join(f.name for f in FASHION_MNIST_FILES),


EXPERIMENTS = experiments(config)
RUNS = runs(config)


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


def embedding_inputs(wildcards):
    """The images, or the features of the embedding this one is computed from."""
    upstream = config["embeddings"][wildcards.embedding].get("input")
    if upstream is None:
        return {"dataset": "results/data/dataset.npz"}
    return {
        "train": f"results/embeddings/{upstream}/train.npy",
        "test": f"results/embeddings/{upstream}/test.npy",
    }


def embedding_provenance(name):
    """An embedding's spec with the specs it is computed from, innermost last."""
    spec = dict(config["embeddings"][name])
    if spec.get("input") is not None:
        spec["input"] = {spec["input"]: embedding_provenance(spec["input"])}
    return spec


def clustering_params():
    return {
        key: config["clustering"][key]
        for key in ("n_init", "max_iter", "tol", "algorithm")
    }


def neighbours_params():
    return {"n_neighbors": config["neighbours"]["n_neighbors"]}


def classifier_params(wildcards):
    params = dict(config["classifiers"][wildcards.classifier])
    return {
        "name": params.pop("name"),
        "standardize": params.pop("standardize", False),
        "max_train": params.pop("max_train", None),
        "params": params,
    }


# ---------------------------------------------------------------- selection


def selection_inputs(wildcards):
    selection, budget = parse_selection_slug(wildcards.selection)
    clusters = f"results/clusters/{wildcards.embedding}/k{budget}/seed{wildcards.seed}/clusters.npz"
    if selection == "centroid":
        return {"clusters": clusters}
    if selection == "typical":
        return {
            "clusters": clusters,
            "neighbours": f"results/neighbours/{wildcards.embedding}/neighbours.npz",
        }
    return {"dataset": "results/data/dataset.npz"}


def selection_params(wildcards):
    selection, budget = parse_selection_slug(wildcards.selection)
    if selection == "typical":
        return {"kind": selection, "n_neighbors": config["typicality"]["n_neighbors"]}
    return {"kind": selection, "budget": budget}


# ---------------------------------------------------------------- propagation


def training_set_inputs(wildcards):
    """Labels and selection; clusters or the neighbour graph when the strategy uses them."""
    selection, budget = parse_selection_slug(wildcards.selection)
    strategy = parse_strategy(wildcards.propagation)
    inputs = {
        "dataset": "results/data/dataset.npz",
        "selection": f"results/selections/{wildcards.embedding}/{wildcards.selection}/seed{wildcards.seed}/selection.csv",
        "labels": f"results/labels/{wildcards.embedding}/{wildcards.selection}/seed{wildcards.seed}/labels.csv",
    }
    if strategy.uses_clusters:
        if selection not in CLUSTER_SELECTIONS:
            raise ValueError(
                f"propagation {strategy.name} needs one labelled image per cluster, "
                f"not a {selection} selection"
            )
        inputs["clusters"] = (
            f"results/clusters/{wildcards.embedding}/k{budget}/seed{wildcards.seed}/clusters.npz"
        )
    if strategy.uses_neighbours:
        inputs["neighbours"] = (
            f"results/neighbours/{wildcards.embedding}/neighbours.npz"
        )
    return inputs


def spreading_params(wildcards):
    """Label spreading's settings, for spread jobs only (others do not rerun on a change)."""
    if parse_strategy(wildcards.propagation).uses_neighbours:
        return dict(config["spreading"])
    return {}


def training_set_params(wildcards):
    """What produced the labelled set, recorded with it and with every metric after it."""
    selection, budget = parse_selection_slug(wildcards.get("selection", "all"))
    strategy = parse_strategy(wildcards.get("propagation", "none"))
    provenance = {
        "dataset": dataset_source_params(),
        "embedding": embedding_provenance(wildcards.embedding),
        "selection": selection,
        "budget": budget,
        "propagation": strategy.name,
        "labelling": config["labelling"],
    }
    if selection in CLUSTER_SELECTIONS:
        provenance["clustering"] = clustering_params()
    if selection == "typical":
        provenance["typicality"] = dict(config["typicality"])
    if strategy.uses_neighbours:
        provenance["spreading"] = spreading_params(wildcards)
    if selection == "typical" or strategy.uses_neighbours:
        provenance["neighbours"] = neighbours_params()
    return provenance


# ---------------------------------------------------------------- targets


def metrics_files():
    return [e.path("metrics", "metrics.json") for e in EXPERIMENTS]


def summary_runs():
    """Which metrics file is which method's point, for the summary."""
    return [
        {
            "method": run.method,
            "budget": run.experiment.budget,
            "seed": run.experiment.seed,
            "metrics": run.experiment.path("metrics", "metrics.json"),
        }
        for run in RUNS
    ]


def summary_methods():
    """Each method's pieces, in config order, for the ablation table and the plot."""
    return [
        {
            "name": method["name"],
            "embedding": method["embedding"],
            "selection": method["selection"],
            "propagation": method.get("propagation", "none"),
            "classifier": method["classifier"],
            "compare_with": method.get("compare_with"),
        }
        for method in config["methods"]
    ]


def representative_grids():
    """One grid of labelled images per cluster selection, for the first seed."""
    seed = config["seeds"][0]
    grids = []
    for experiment in EXPERIMENTS:
        if experiment.uses_clusters and experiment.seed == seed:
            grids.append(
                f"results/summary/representatives/{experiment.embedding}-"
                f"{experiment.selection_slug}-seed{seed}.png"
            )
    return list(dict.fromkeys(grids))


# ---------------------------------------------------------------- labelling by a person


def person_labels_file(wildcards):
    """Where a person's labels file for a selection is expected (labelling: person)."""
    return person_labels_path(
        config["labels_dir"], wildcards.embedding, wildcards.selection, wildcards.seed
    )


def selections_to_label():
    """(embedding, selection slug, seed) of every selection a person labels."""
    return list(
        dict.fromkeys(
            (e.embedding, e.selection_slug, e.seed)
            for e in EXPERIMENTS
            if e.selection != "all"
        )
    )


def labelling_dir(embedding, selection, seed):
    return f"results/labelling/{embedding}/{selection}/seed{seed}"


def labelling_pages():
    return [
        f"{labelling_dir(*selection)}/{name}"
        for selection in selections_to_label()
        for name in ("labelling.html", "contact_sheet.png")
    ]


def label_checks():
    return [
        f"results/summary/label_checks/{embedding}-{selection}-seed{seed}.png"
        for embedding, selection, seed in selections_to_label()
    ]


def missing_person_labels():
    """(page, expected labels file) for each selection still waiting for a person."""
    if config["labelling"] != "person":
        return []
    missing = []
    for embedding, selection, seed in selections_to_label():
        path = person_labels_path(config["labels_dir"], embedding, selection, seed)
        if not Path(path).exists():
            page = f"{labelling_dir(embedding, selection, seed)}/labelling.html"
            missing.append((page, path))
    return missing


def check_person_labels_files():
    """Validate every person's labels file that is there, before any job runs."""
    from clusterprop.io import load_npz
    from clusterprop.labels import read_labels

    if config["labelling"] != "person" or not Path("results/data/dataset.npz").exists():
        return
    class_names = None
    problems = []
    for embedding, selection, seed in selections_to_label():
        path = person_labels_path(config["labels_dir"], embedding, selection, seed)
        chosen = Path(
            f"results/selections/{embedding}/{selection}/seed{seed}/selection.csv"
        )
        if not Path(path).exists() or not chosen.exists():
            continue
        if class_names is None:
            class_names = load_npz("results/data/dataset.npz", "class_names")
            class_names = class_names["class_names"].tolist()
        try:
            read_labels(path, pd.read_csv(chosen).image_id.tolist(), class_names)
        except LabelsFileError as error:
            problems.append(str(error))
    if problems:
        raise WorkflowError(
            "a labels file is invalid; fix it and run again (nothing was run):\n  "
            + "\n  ".join(problems)
        )


MISSING_PERSON_LABELS = missing_person_labels()
check_person_labels_files()


SUMMARY_FILES = {
    "metrics": "results/summary/metrics.tsv",
    "tables": "results/summary/tables.md",
    "ablation": "results/summary/ablation.md",
    "accuracy_plot": "results/summary/accuracy_vs_labels.png",
    "confusion_plot": "results/summary/confusion_best.png",
}


def summary_outputs():
    """Everything, or, while a person's labels files are missing, the labelling pages
    (the run stops there and says what to label)."""
    if config["labelling"] == "person":
        if MISSING_PERSON_LABELS:
            return labelling_pages()
        return [
            *SUMMARY_FILES.values(),
            *representative_grids(),
            *labelling_pages(),
            *label_checks(),
        ]
    return [*SUMMARY_FILES.values(), *representative_grids()]


def waiting_for_labels_message():
    pages = "\n".join(
        f"  open {page}\n    save its labels file as {path}"
        for page, path in MISSING_PERSON_LABELS
    )
    return (
        f"\nWaiting for a person: {len(MISSING_PERSON_LABELS)} labels file(s) are missing.\n"
        f"{pages}\nThen run snakemake again: it continues from the labels.\n"
    )
