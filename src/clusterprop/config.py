"""Checks on the config that JSON-schema cannot express; run before any job."""

from __future__ import annotations

from pathlib import Path

from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.experiments import CLUSTER_SELECTIONS
from clusterprop.propagate import parse_strategy

FASHION_MNIST_N_TRAIN = 60000


class ConfigError(ValueError):
    pass


def known_n_train(config: dict) -> int | None:
    """Training-set size when it is known before reading the data."""
    dataset = config["dataset"]
    if dataset["n_train"] is not None:
        return dataset["n_train"]
    if dataset["format"] == "fashion-mnist":
        return FASHION_MNIST_N_TRAIN
    return None


def check(config: dict) -> None:
    """Raise ``ConfigError`` listing every problem, each naming its key."""
    problems = _dataset_problems(config) + _embedding_problems(config)
    problems += _method_problems(config)
    graph_size = config["neighbours"]["n_neighbors"]
    for section in ("typicality", "spreading"):
        if config[section]["n_neighbors"] > graph_size:
            problems.append(
                f"{section}.n_neighbors: {config[section]['n_neighbors']} is more than the "
                f"neighbour graph holds (neighbours.n_neighbors: {graph_size})"
            )
    if problems:
        raise ConfigError("invalid config:\n  - " + "\n  - ".join(problems))


def _dataset_problems(config: dict) -> list[str]:
    problems = []
    dataset = config["dataset"]
    if dataset["format"] in ("idx", "npz"):
        if not dataset["path"]:
            problems.append(f"dataset.path: required for format {dataset['format']!r}")
        elif not Path(dataset["path"]).exists():
            problems.append(f"dataset.path: {dataset['path']} does not exist")
    elif dataset["path"] and not Path(dataset["path"]).is_dir():
        problems.append(f"dataset.path: {dataset['path']} is not a directory")
    if (
        dataset["format"] == "fashion-mnist"
        and dataset["class_names"] is not None
        and len(dataset["class_names"]) != len(FASHION_MNIST_CLASSES)
    ):
        problems.append(
            f"dataset.class_names: Fashion-MNIST has {len(FASHION_MNIST_CLASSES)} classes, "
            f"got {len(dataset['class_names'])} names"
        )
    if dataset["format"] == "fashion-mnist" and (dataset["n_train"] or 0) > FASHION_MNIST_N_TRAIN:
        problems.append(
            f"dataset.n_train: {dataset['n_train']} but Fashion-MNIST has "
            f"{FASHION_MNIST_N_TRAIN} training images"
        )
    return problems


def _embedding_problems(config: dict) -> list[str]:
    problems = []
    embeddings = config["embeddings"]
    if not embeddings:
        problems.append("embeddings: at least one embedding is needed")
    for name, spec in embeddings.items():
        upstream, seen = spec.get("input"), [name]
        while upstream is not None:
            if upstream not in embeddings:
                problems.append(f"embeddings.{name}.input: no embedding named {upstream!r}")
                break
            if upstream in seen:
                problems.append(f"embeddings.{name}.input: a cycle ({' -> '.join(seen)})")
                break
            seen.append(upstream)
            upstream = embeddings[upstream].get("input")
    return problems


def _method_problems(config: dict) -> list[str]:
    problems = []
    n_train = known_n_train(config)
    names = [method["name"] for method in config["methods"]]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"methods: the name {name!r} is used more than once")
    for index, method in enumerate(config["methods"]):
        where = f"methods[{index}] ({method['name']})"
        if method["embedding"] not in config["embeddings"]:
            problems.append(
                f"{where}.embedding: no embedding named {method['embedding']!r} "
                f"(embeddings: {sorted(config['embeddings'])})"
            )
        if method["classifier"] not in config["classifiers"]:
            problems.append(
                f"{where}.classifier: no classifier named {method['classifier']!r} "
                f"(classifiers: {sorted(config['classifiers'])})"
            )
        try:
            strategy = parse_strategy(method.get("propagation", "none"))
        except ValueError as exc:
            problems.append(f"{where}.propagation: {exc}")
            strategy = None
        selection = method["selection"]
        if selection == "all":
            if "budgets" in method:
                problems.append(f"{where}.budgets: selection all uses every label, no budgets")
            if strategy is not None and strategy.kind != "none":
                problems.append(f"{where}.propagation: selection all has nothing to propagate")
            continue
        if "budgets" not in method:
            problems.append(f"{where}.budgets: required for selection {selection}")
            continue
        if strategy is not None and strategy.uses_clusters and selection not in CLUSTER_SELECTIONS:
            problems.append(
                f"{where}.propagation: {strategy.name} propagates within clusters and needs "
                f"selection centroid or typical, not {selection}"
            )
        if n_train is not None:
            too_large = [b for b in method["budgets"] if b > n_train]
            if too_large:
                problems.append(
                    f"{where}.budgets: {too_large} larger than the training set ({n_train} images)"
                )
        if method.get("compare_with") is not None and method["compare_with"] not in names:
            problems.append(f"{where}.compare_with: no method named {method['compare_with']!r}")
    return problems
