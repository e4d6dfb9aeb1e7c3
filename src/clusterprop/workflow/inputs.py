"""What each rule's jobs read: the rules' ``input:`` functions.

Pure functions of the config and one job's wildcards (a mapping: Snakemake's, or a
dict in tests), returning paths from ``paths``. Each stage's rule file binds them to the
run's config with ``functools.partial`` just above the rule that uses them, so a reader
finds a rule's inputs beside it and ``snakemake --lint`` finds no functions mixed into
rule files.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from clusterprop.embed import is_sharded
from clusterprop.formats import FORMATS
from clusterprop.labelling.kinds import PERSON, parse_labelling
from clusterprop.network import NetworkSettings, warm_started
from clusterprop.propagate import parse_strategy
from clusterprop.select import SELECTIONS
from clusterprop.workflow import paths, store_status
from clusterprop.workflow.grid import (
    as_given,
    parse_selection_slug,
    selections_to_label,
    selections_to_review,
)
from clusterprop.workflow.params import classifier_params, labeller_params

Wildcards = Mapping[str, str]

#: Upstream artifacts a selection or propagation can ask for, by the name its function
#: takes them under: the data set (images, labels, class names), the K-Means result for
#: k = budget (assignments, distances to the centroid, centroids), and the embedding's
#: nearest-neighbour graph (indices, distances). Each arrives as a mapping of arrays.
ARTIFACTS = {
    "dataset": paths.DATASET,
    "clusters": paths.CLUSTERS,
    "neighbours": paths.NEIGHBOURS,
}


def artifact_paths(
    needs, *, dataset: str, embedding: str, budget: int | None, seed: int
) -> dict[str, str]:
    """The files of the artifacts ``needs`` names, for one data set, embedding, budget
    and seed."""
    return {
        need: ARTIFACTS[need].format(dataset=dataset, embedding=embedding, k=budget, seed=seed)
        for need in needs
    }


def needed_artifacts(entry, wildcards: Wildcards, budget, given=()) -> dict[str, str]:
    """The files of the upstream artifacts a registry entry needs (those in ``given``
    are named by the rule itself)."""
    return artifact_paths(
        [need for need in entry.needs if need not in given],
        dataset=wildcards["dataset"],
        embedding=wildcards["embedding"],
        budget=budget,
        seed=wildcards["seed"],
    )


# ---------------------------------------------------------------- data, embed


def dataset_source_files(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """The files the data set is read from (its format's): local copies, or downloads
    into resources/."""
    dataset = config["dataset"]
    return FORMATS[dataset["format"]].source_files(dataset, paths.DOWNLOADED_FASHION_MNIST_DIR)


def dataset_unavailable(config: dict) -> list[str]:
    """What is missing of the data set's files and the ways out, for a format whose
    files can be missing before any job (and are not downloadable); empty if none."""
    dataset = config["dataset"]
    unavailable = FORMATS[dataset["format"]].unavailable
    return unavailable(dataset, paths.DOWNLOADED_FASHION_MNIST_DIR) if unavailable else []


def embedding_inputs(config: dict, wildcards: Wildcards) -> dict[str, str | list[str]]:
    """The images, or the features of the embedding this one is computed from, or,
    where it is embedded in parts (config ``shards``), its parts to join."""
    spec = config["embeddings"][wildcards["embedding"]]
    shards, dataset = config["shards"], wildcards["dataset"]
    if is_sharded(spec, shards):
        shard = partial(paths.EMBEDDING_SHARD.format, **wildcards)
        return {"shards": [shard(shard=i, shards=shards) for i in range(shards)]}
    upstream = spec.get("input")
    if upstream is None:
        return {"dataset": paths.DATASET.format(dataset=dataset)}
    return {
        "train": paths.EMBEDDING_TRAIN.format(dataset=dataset, embedding=upstream),
        "test": paths.EMBEDDING_TEST.format(dataset=dataset, embedding=upstream),
    }


def neighbours_inputs(config: dict, wildcards: Wildcards) -> dict[str, str | list[str]]:
    """The features, or, where the graph is found in parts (config ``shards``), the
    anchors' graph and the other images' queries to join."""
    shards = config["shards"]
    if shards == 1:
        return {"features": paths.EMBEDDING_TRAIN.format(**wildcards)}
    queries = partial(paths.NEIGHBOUR_QUERIES.format, **wildcards)
    return {
        "anchors": paths.NEIGHBOUR_ANCHORS.format(**wildcards),
        "queries": [queries(shard=i, shards=shards) for i in range(shards)],
    }


#: an embedding job's peak memory per MB of its input, above EMBEDDING_OVERHEAD_MB
#: (measured 2026-12-03, docs/cluster.md): from the images, HOG's 10.7 (250,000 images)
#: and 12.9 (a million: 11.9 GB from 885 MB; its float32 features are 6.6 times the
#: uint8 images, gathered from the worker processes), and from features or parts, PCA's
#: 1.6 and 1.8
EMBEDDING_MB_PER_INPUT_MB = {"images": 14.0, "features": 2.5}


#: what the interpreter and the libraries take
EMBEDDING_OVERHEAD_MB = 500


#: what a job declares at least
EMBEDDING_BASE_MB = 2000


def embedding_memory_mb(wildcards: Wildcards, input) -> int:
    """The memory an embedding job (``embed``, or one of ``shards`` parts:
    ``embed_shard``) declares, grown with its input (``input.size_mb``), so that a
    cluster that enforces it gives a million images' HOG the 12 GB it takes."""
    source = "images" if "dataset" in input.keys() else "features"
    share = 1 / int(wildcards["shards"]) if "shards" in wildcards.keys() else 1
    needed = EMBEDDING_OVERHEAD_MB + EMBEDDING_MB_PER_INPUT_MB[source] * input.size_mb * share
    return max(EMBEDDING_BASE_MB, round(needed))


# ---------------------------------------------------------------- select, label, review


def selection_artifacts(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """What the selection's registry entry needs: clusters, the neighbour graph (the rule
    names the data set itself: its image ids name the chosen images); for a cluster
    selection that prefers labelled images, the labels store's files of labels as given
    (a review relabels images that have a label: it changes no selection)."""
    kind, budget = parse_selection_slug(wildcards["selection"])
    inputs = needed_artifacts(SELECTIONS[kind], wildcards, budget, given=("dataset",))
    if SELECTIONS[kind].per_cluster and store_status.prefers_labelled(config):
        facts = store_status.store_facts(config)
        inputs["labels_store"] = sorted({fact.path for fact in facts if not fact.reviewed})
    return inputs


def person_selection_files(config: dict, wildcards: Wildcards) -> list[str]:
    """Every selection a person labels (the checkpoint after which the run reads what
    the labels store has of them)."""
    return [paths.SELECTION.format(**w) for w in selections_to_label(config)]


def person_labels_files(config: dict, wildcards: Wildcards) -> list[str]:
    """The labels files a selection's labels come from (labels outlive a selection:
    any file of the data set's store that labels one of its images)."""
    return store_status.selection_labels(config, wildcards).files


def person_review_list_files(config: dict, wildcards: Wildcards) -> list[str]:
    """Every review list of a person's labels (the checkpoint before the review)."""
    return [paths.LABEL_QUALITY.format(**w, labelling=PERSON) for w in selections_to_review(config)]


def person_reviewed_labels_files(config: dict, wildcards: Wildcards) -> list[str]:
    """The reviewed labels files that hold labels of a selection's images."""
    return store_status.review_labels(config, wildcards).files


def oracle_inputs(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """What an oracle reads: the images to label, the data set (their true labels), and
    for ambiguous mistakes the model they follow."""
    inputs = {
        "selection": paths.SELECTION.format(**wildcards),
        "dataset": paths.DATASET.format(**wildcards),
    }
    if labeller_params(config, wildcards["labelling"]).get("mistakes") == "ambiguous":
        inputs["labeller_model"] = paths.LABELLER_MODEL.format(**wildcards)
    return inputs


def label_quality_inputs(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """What the out-of-fold scores of a selection's labels read: the labels, the
    embedding's neighbour graph (spreading) and features (logistic regression, and the
    review page's similar images)."""
    return {
        "labels": paths.LABELS.format(**wildcards),
        "selection": paths.SELECTION.format(**wildcards),
        "neighbours": paths.NEIGHBOURS.format(**wildcards),
        "features": paths.EMBEDDING_TRAIN.format(**wildcards),
    }


def review_inputs(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """What a review of a selection's labels reads: the labels as given and their review
    list (and, for an oracle's simulated review, what its own labels read)."""
    given = as_given(wildcards)
    inputs = {
        "labels": paths.LABELS.format(**given),
        "label_quality": paths.LABEL_QUALITY.format(**given),
    }
    if config["labelling"] == "oracle":
        inputs.update(oracle_inputs(config, given))
    return inputs


def labels_to_propagate(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """The labels a propagation starts from (the reviewed ones after a review), the
    labels as given (what the labeller got wrong is recorded), after a review its
    review list, and for a robust treatment the quality of the labels it treats."""
    spec = parse_labelling(wildcards["labelling"])
    given = as_given(wildcards)
    before_robust = {**wildcards, "labelling": spec.before_robust.slug}
    inputs = {
        "labels": paths.LABELS.format(**before_robust),
        "labels_as_given": paths.LABELS.format(**given),
    }
    if spec.reviewed:
        inputs["review_list"] = paths.LABEL_QUALITY.format(**given)
    if spec.robust:
        inputs["label_quality"] = paths.LABEL_QUALITY.format(**before_robust)
    return inputs


# ---------------------------------------------------------------- propagate, train


def propagation_artifacts(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """What the propagation's registry entry needs: clusters, the neighbour graph (the
    rule names the data set itself)."""
    _, budget = parse_selection_slug(wildcards["selection"])
    entry = parse_strategy(wildcards["propagation"]).entry
    return needed_artifacts(entry, wildcards, budget, given=("dataset",))


def prediction_inputs(config: dict, wildcards: Wildcards) -> dict[str, str | list[str]]:
    """The model and the features to predict, or, where a model's predictions are made
    in parts (config ``shards``), its parts to join."""
    shards = config["shards"]
    if shards > 1:
        shard = partial(paths.PREDICTION_SHARD.format, **wildcards)
        return {"shards": [shard(shard=i, shards=shards) for i in range(shards)]}
    return {
        "model": paths.MODEL.format(**wildcards),
        "train_features": paths.EMBEDDING_TRAIN.format(**wildcards),
        "test_features": paths.EMBEDDING_TEST.format(**wildcards),
    }


# ---------------------------------------------------------------- networks, per round


def network_training_set(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """Round 1 trains on the propagated labels; a later round on those spread over the
    previous round's network features."""
    if int(wildcards["round"]) == 1:
        template, record = paths.TRAINING_SET, paths.TRAINING_SET_RECORD
    else:
        template, record = paths.NETWORK_TRAINING_SET, paths.NETWORK_TRAINING_SET_RECORD
    return {
        "training_set": template.format(**wildcards),
        "training_set_record": record.format(**wildcards),
    }


def network_inputs(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """A round's training set, and for a warm-started round the previous round's
    network (weights and description) it starts from."""
    inputs = network_training_set(config, wildcards)
    settings = NetworkSettings(**classifier_params(config, wildcards)["params"])
    if warm_started(settings, int(wildcards["round"])):
        previous = {**wildcards, "round": int(wildcards["round"]) - 1}
        inputs["start_weights"] = paths.NETWORK_WEIGHTS.format(**previous)
        inputs["start_spec"] = paths.NETWORK_SPEC.format(**previous)
    return inputs


def previous_round(config: dict, wildcards: Wildcards) -> dict[str, str]:
    """What a self-training round's labels come from: the previous round's network
    outputs, and the labels a person gave (in the propagated training set)."""
    previous = {**wildcards, "round": int(wildcards["round"]) - 1}
    return {
        "network_outputs": paths.NETWORK_OUTPUTS.format(**previous),
        "propagated": paths.TRAINING_SET.format(**wildcards),
        "propagated_record": paths.TRAINING_SET_RECORD.format(**wildcards),
    }
