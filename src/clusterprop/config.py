"""Checks on the config that JSON-schema cannot express; run before any job."""

from __future__ import annotations

from pathlib import Path

from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.experiments import cluster_ks
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
    problems = []
    for strategy in config["propagation"]["strategies"]:
        try:
            parse_strategy(strategy)
        except ValueError as exc:
            problems.append(f"propagation.strategies: {exc}")
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
    n_train = known_n_train(config)
    if n_train is not None:
        for key in ("clustering.k", "propagation.k"):
            section, name = key.split(".")
            too_large = [k for k in config[section][name] if k > n_train]
            if too_large:
                problems.append(
                    f"{key}: k={too_large} larger than the training set ({n_train} images)"
                )
    if not config["embeddings"]:
        problems.append("embeddings: at least one embedding is needed")
    if not cluster_ks(config):
        problems.append("clustering.k: at least one k is needed")
    if problems:
        raise ConfigError("invalid config:\n  - " + "\n  - ".join(problems))
