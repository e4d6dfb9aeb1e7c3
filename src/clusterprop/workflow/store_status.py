"""The labels store as the workflow's main process reads it (labelling: person): once
per state of its files and of the data set, however many input and params functions
ask; which of a selection's (or a review list's) images it labels and from which files.

Read after the selections (and, for a review, the review lists) are made: the Snakefile
asks for them first (two checkpoints, ``person.run_targets``).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from clusterprop.fingerprints import fingerprint
from clusterprop.io import load_npz
from clusterprop.labelling.files import listed, read_quality_table, read_selection
from clusterprop.labelling.kinds import PERSON
from clusterprop.labelling.store import (
    Pile,
    Resolved,
    read_store,
    resolve,
    store_files,
)
from clusterprop.workflow import paths


@functools.cache
def _pile(dataset_path: str, mtime_ns: int) -> tuple[Pile, list[str]]:
    data = load_npz(dataset_path, "train_ids", "train_fingerprints", "class_names", mmap=True)
    return Pile.of(data), data["class_names"].tolist()


def pile(dataset_path: str) -> tuple[Pile, list[str]]:
    """A data set's images as the store sees them, and its class names (read once)."""
    return _pile(dataset_path, os.stat(dataset_path).st_mtime_ns)


@functools.cache
def _store(
    files: tuple[tuple[str, int], ...],
    class_names: tuple[str, ...] | None,
    dataset: str | None = None,
    annotations: str = "majority",
):
    paths_ = [path for path, _ in files]
    return read_store(paths_, class_names, dataset=dataset, annotations=annotations)


def _file_states(labels_dir: str, dataset: str) -> tuple[tuple[str, int], ...]:
    return tuple((f, os.stat(f).st_mtime_ns) for f in store_files(labels_dir, dataset))


def store_reading(config: dict) -> dict:
    """How a data set's store is read (read_store's keywords): which data set its Label
    Studio tasks must be of, and the rule for an image's several annotations."""
    return {
        "dataset": config["dataset"]["name"],
        "annotations": config["label_studio"]["annotations"],
    }


def store_facts(config: dict, class_names=None):
    """Every fact of a data set's labels store (read once per state of its files).
    A malformed file is refused (``LabelsFileError``, file and line named)."""
    reading = store_reading(config)
    files = _file_states(config["labels_dir"], reading["dataset"])
    names = None if class_names is None else tuple(class_names)
    return _store(files, names, reading["dataset"], reading["annotations"])


@functools.cache
def _resolved(
    files: tuple[tuple[str, int], ...], dataset_path: str, mtime_ns: int, dataset: str, rule: str
) -> Resolved:
    the_pile, class_names = _pile(dataset_path, mtime_ns)
    return resolve(_store(files, tuple(class_names), dataset, rule), the_pile)


def resolved_store(config: dict) -> Resolved:
    """The store's labels of the pile's images (the data set as prepared), resolved
    once per state of the store's files and the data set (every selection's input and
    params functions ask)."""
    reading = store_reading(config)
    dataset = paths.DATASET.format(dataset=reading["dataset"])
    files = _file_states(config["labels_dir"], reading["dataset"])
    mtime_ns = os.stat(dataset).st_mtime_ns
    return _resolved(files, dataset, mtime_ns, reading["dataset"], reading["annotations"])


def labelled_digest(config: dict) -> str:
    """A fingerprint of which images the store labels as given (image id and content),
    for a selection that prefers labelled images: it changes when a label is added."""
    facts = store_facts(config)
    labelled = sorted({(f.image_id, f.fingerprint) for f in facts if not f.reviewed})
    return fingerprint(repr(labelled).encode())


def prefers_labelled(config: dict) -> bool:
    enabled = config["prefer_labelled"]["enabled"]
    return config["labelling"] == PERSON if enabled == "auto" else bool(enabled)


@dataclass(frozen=True)
class SelectionLabels:
    """A selection's images against the store: the ids still without a label, how many
    have one, and the files those labels come from."""

    missing: list[str]
    reused: int
    files: list[str]
    #: every image asked about (the selection, or its review list)
    selected: list[str]


def selection_of(wildcards) -> dict:
    """A selection's wildcards alone (a job's have more)."""
    return {key: wildcards[key] for key in ("dataset", "embedding", "selection", "seed")}


def selection_labels(config: dict, wildcards) -> SelectionLabels:
    wildcards = selection_of(wildcards)
    resolved = resolved_store(config)
    the_pile, _ = pile(paths.DATASET.format(**wildcards))
    ids = read_selection(paths.SELECTION.format(**wildcards)).image_id.tolist()
    facts = [resolved.as_given(the_pile.row_of[i]) for i in ids]
    return SelectionLabels(
        [i for i, fact in zip(ids, facts, strict=True) if fact is None],
        sum(fact is not None for fact in facts),
        sorted({fact.path for fact in facts if fact is not None}),
        ids,
    )


def review_labels(config: dict, wildcards) -> SelectionLabels:
    """A selection's review list against the store's reviewed labels."""
    wildcards = selection_of(wildcards)
    resolved = resolved_store(config)
    the_pile, _ = pile(paths.DATASET.format(**wildcards))
    quality = paths.LABEL_QUALITY.format(**wildcards, labelling=PERSON)
    ids = listed(read_quality_table(quality)).image_id.tolist()
    facts = [resolved.reviewed.get(the_pile.row_of[i]) for i in ids]
    every = read_selection(paths.SELECTION.format(**wildcards)).image_id.tolist()
    reviewed = [resolved.reviewed.get(the_pile.row_of[i]) for i in every]
    return SelectionLabels(
        [i for i, fact in zip(ids, facts, strict=True) if fact is None],
        sum(fact is not None for fact in facts),
        sorted({fact.path for fact in reviewed if fact is not None}),
        ids,
    )
