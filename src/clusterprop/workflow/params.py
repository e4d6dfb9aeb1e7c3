"""What each rule's jobs are given besides files: the rules' ``params:`` functions, and
the provenance recorded with every labelled set and metric.

Pure functions of the config (and one job's wildcards: a mapping, Snakemake's or a dict
in tests). Each rule file binds a function to the run's config with
``functools.partial`` just above the rule that uses it. A params value is part of what
Snakemake compares to rerun a job: a function here returns only what its job depends on.
"""

from __future__ import annotations

from collections.abc import Mapping

from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.data import fashion_mnist_url as download_url
from clusterprop.formats import FORMATS
from clusterprop.labelling.kinds import ORACLE, TRUTH, parse_labelling
from clusterprop.labelling.oracle import FASHION_MNIST_ALIKE
from clusterprop.labelling.store import free_path
from clusterprop.network import LATER_ROUND_SETTINGS, NetworkSettings, settings_record
from clusterprop.propagate import parse_strategy
from clusterprop.registry import settings_of
from clusterprop.select import SELECTIONS
from clusterprop.workflow import store_status
from clusterprop.workflow.grid import (
    ALL,
    as_given,
    is_network,
    parse_selection_slug,
    person_labels_path,
    person_reviewed_labels_path,
)

Wildcards = Mapping[str, str]


# ---------------------------------------------------------------- provenance


def dataset_params(config: dict) -> dict:
    """Everything that decides the prepared data set (the display name does not)."""
    return {key: value for key, value in config["dataset"].items() if key != "name"}


def embedding_provenance(config: dict, name: str) -> dict:
    """An embedding's spec with the specs it is computed from, innermost last."""
    spec = dict(config["embeddings"][name])
    if spec.get("input") is not None:
        spec["input"] = {spec["input"]: embedding_provenance(config, spec["input"])}
    return spec


def clustering_params(config: dict) -> dict:
    return dict(config["clustering"])


def neighbours_params(config: dict) -> dict:
    return dict(config["neighbours"])


def classifier_settings(config: dict, classifier: str) -> dict:
    """A classifier's settings as its jobs take them; a network's with every default
    filled in (a changed default reruns its jobs)."""
    params = dict(config["classifiers"][classifier])
    name = params.pop("name")
    settings = {
        "name": name,
        "standardize": params.pop("standardize", False),
        "max_train": params.pop("max_train", None),
        "params": params,
    }
    if is_network(config, classifier):
        settings["params"] = settings_record(NetworkSettings(**params))
    return settings


def alike_groups(config: dict) -> list[list[str]] | None:
    """The groups of look-alike classes an oracle's ``alike`` mistakes stay within: the
    config's, else Fashion-MNIST's for a data set with its classes, else None (an
    oracle then makes ``ambiguous`` mistakes instead)."""
    if config["oracle"]["alike_groups"] is not None:
        return [list(group) for group in config["oracle"]["alike_groups"]]
    dataset = config["dataset"]
    known = FORMATS[dataset["format"]].class_names  # Fashion-MNIST's format knows them
    if known == FASHION_MNIST_CLASSES or dataset["class_names"] == list(FASHION_MNIST_CLASSES):
        return [list(group) for group in FASHION_MNIST_ALIKE]
    return None


def labeller_params(config: dict, labelling: str) -> dict:
    """What an oracle's labels depend on: its error rate and the kind of its mistakes
    (``alike`` without groups of look-alike classes becomes ``ambiguous``)."""
    spec = parse_labelling(labelling)
    if spec.labeller != ORACLE or spec.error_rate == 0:
        return {"error_rate": 0.0}
    kind, groups = spec.mistakes, None
    if kind == "alike":
        groups = alike_groups(config)
        kind = "alike" if groups else "ambiguous"
    return {"error_rate": spec.error_rate, "mistakes": kind, "alike_groups": groups}


def label_quality_settings(config: dict) -> dict:
    """What the label quality scores and the review list depend on (not whether a
    review is on: that is in the labelling's path spelling)."""
    review = {key: value for key, value in config["review"].items() if key != "enabled"}
    return {"review": review, "spreading": dict(config["spreading"])}


def labelling_provenance(config: dict, labelling: str) -> dict:
    """Who gave the labels (the oracle's settings), and the review or treatment after."""
    spec = parse_labelling(labelling)
    provenance = {"labelling": labelling, "labeller": spec.labeller}
    if spec.labeller == ORACLE:
        provenance["oracle"] = labeller_params(config, labelling)
    if spec.reviewed or spec.robust:  # both rank the labels by the same quality
        provenance["review"] = label_quality_settings(config)
    if spec.robust:
        provenance["robust"] = dict(config["robust"])
    return provenance


def labelled_set_provenance(
    config: dict, embedding: str, selection: str, labelling: str, propagation: str
):
    """What produced a labelled set (``selection``, ``labelling`` and ``propagation`` in
    path spelling), recorded with it and with every metric after it."""
    kind, budget = parse_selection_slug(selection)
    strategy = parse_strategy(propagation)
    provenance = {
        "dataset": dataset_params(config),
        "embedding": embedding_provenance(config, embedding),
        "selection": kind,
        "budget": budget,
        "propagation": strategy.name,
        **labelling_provenance(config, labelling),
    }
    entries = [strategy.entry] if kind == ALL else [SELECTIONS[kind], strategy.entry]
    needs = {need for entry in entries for need in entry.needs}
    if "clusters" in needs:
        provenance["clustering"] = clustering_params(config)
    for entry in entries:
        if entry.settings:
            provenance[entry.settings] = settings_of(entry, config)
    if "neighbours" in needs:
        provenance["neighbours"] = neighbours_params(config)
    return provenance


# ---------------------------------------------------------------- data, embed, select


def dataset_files_digest(config: dict) -> str | None:
    """For an image folder, the fingerprint of its files (``folders.manifest_digest``):
    a parameter of the data rule, so that adding, removing or changing an image reruns
    from the data stage."""
    digest = FORMATS[config["dataset"]["format"]].files_digest
    return None if digest is None else digest(config["dataset"])


def fashion_mnist_url(wildcards: Wildcards) -> str:
    return download_url(wildcards["filename"])


def embedding_spec(config: dict, wildcards: Wildcards) -> dict:
    return dict(config["embeddings"][wildcards["embedding"]])


def selection_params(config: dict, wildcards: Wildcards) -> dict:
    """The selection's settings; for a cluster selection that prefers images already
    labelled (config ``prefer_labelled``), how close they must lie and which they are."""
    kind, budget = parse_selection_slug(wildcards["selection"])
    params = {"kind": kind, "budget": budget, "settings": settings_of(SELECTIONS[kind], config)}
    if SELECTIONS[kind].per_cluster and store_status.prefers_labelled(config):
        params["prefer_labelled"] = {
            "closest": config["prefer_labelled"]["closest"],
            # what the store labels (its files are the job's input): a new label reruns it
            "labelled": store_status.labelled_digest(config),
        }
    return params


# ---------------------------------------------------------------- label, review


def person_labels_file(config: dict, wildcards: Wildcards) -> str:
    """Where the labelling page suggests the person saves its export: the selection's
    own name in the store, or the next free one beside it (a file there is kept)."""
    suggested = person_labels_path(config["labels_dir"], **store_status.selection_of(wildcards))
    return free_path(suggested)


def images_to_label(config: dict, wildcards: Wildcards) -> dict:
    """The selected images the store has no label for (the page asks for these) and
    how many it has; once every one has a label, all of them (the page in the report)."""
    status = store_status.selection_labels(config, wildcards)
    return {"ids": status.missing or status.selected, "reused": status.reused}


def image_folder(config: dict) -> str | None:
    """An image folder's root, whose original files the pages show (None otherwise)."""
    dataset = config["dataset"]
    return dataset["path"] if FORMATS[dataset["format"]].image_files else None


def person_reviewed_labels_file(config: dict, wildcards: Wildcards) -> str:
    """Where the review page suggests the person saves its export."""
    suggested = person_reviewed_labels_path(
        config["labels_dir"], **store_status.selection_of(wildcards)
    )
    return free_path(suggested)


def images_to_review(config: dict, wildcards: Wildcards) -> dict:
    """The listed labels the store has no reviewed label for, and how many it has."""
    status = store_status.review_labels(config, wildcards)
    return {"ids": status.missing or status.selected, "reused": status.reused}


def oracle_params(config: dict, wildcards: Wildcards) -> dict:
    return labeller_params(config, wildcards["labelling"])


def reviewer_params(config: dict, wildcards: Wildcards) -> dict:
    """A simulated reviewer errs as the oracle does."""
    return oracle_params(config, as_given(wildcards))


def robust_params(config: dict, wildcards: Wildcards) -> dict | None:
    """The robust treatment of suspicious labels, for a robust labelling only."""
    if not parse_labelling(wildcards["labelling"]).robust:
        return None
    return dict(config["robust"])


# ---------------------------------------------------------------- propagate, train


def propagation_settings(config: dict, wildcards: Wildcards) -> dict:
    """The propagation's config section (others do not rerun when it changes)."""
    return settings_of(parse_strategy(wildcards["propagation"]).entry, config)


def training_set_provenance(config: dict, wildcards: Wildcards) -> dict:
    """What produced the labelled set, recorded with it and with every metric after it."""
    return labelled_set_provenance(
        config,
        wildcards["embedding"],
        wildcards.get("selection", ALL),
        wildcards.get("labelling", TRUTH),
        wildcards.get("propagation", "none"),
    )


def classifier_params(config: dict, wildcards: Wildcards) -> dict:
    return classifier_settings(config, wildcards["classifier"])


# ---------------------------------------------------------------- networks, per round


def _round(wildcards: Wildcards) -> int:
    return int(wildcards["round"])


def network_params(config: dict, wildcards: Wildcards) -> dict:
    """A round's network settings: round 1's without those that act on later rounds
    only (``network.LATER_ROUND_SETTINGS``), so that changing them reruns later
    rounds only."""
    settings = classifier_params(config, wildcards)
    if _round(wildcards) > 1:
        return settings
    params = {
        key: value for key, value in settings["params"].items() if key not in LATER_ROUND_SETTINGS
    }
    return {**settings, "params": params}


def network_threads(config: dict, wildcards: Wildcards) -> int:
    return int(classifier_params(config, wildcards)["params"]["threads"])


def self_training_params(config: dict, wildcards: Wildcards) -> dict:
    """The label spreading of a self-training round, and what it depends on: the
    network that made the features (its settings; its round is in the path)."""
    previous = {**wildcards, "round": _round(wildcards) - 1}
    return {
        "spreading": dict(config["spreading"]),
        "network": network_params(config, previous),
        "round": _round(wildcards),
    }
