"""A person's part of a run (labelling: person): which of a selection's images the labels
store already labels, which labels files a job reads, and what the run waits for.

Read in the workflow's main process, after the selections (and, for a review, the
review lists) are made: the Snakefile asks for them first (two checkpoints), so what
the run waits for is known from the selections of this run, also when the pile grew
and the selections changed.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from clusterprop import paths
from clusterprop.experiments import (
    person_labels_path,
    person_reviewed_labels_path,
    run_wildcards,
    selections_to_label,
    selections_to_review,
    targets,
)
from clusterprop.io import load_npz
from clusterprop.labellings import PERSON
from clusterprop.labels import LabelsFileError, read_selection
from clusterprop.labels_store import (
    Pile,
    Resolved,
    fingerprint,
    free_path,
    read_store,
    resolve,
    store_dir,
    store_files,
    summary_lines,
)
from clusterprop.review import listed, read_quality_table


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


# ---------------------------------------------------------------- one selection


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


# ---------------------------------------------------------------- what the run waits for


@dataclass(frozen=True)
class Waiting:
    page: str
    #: where the page suggests the person saves its export (never a file that is there)
    save_as: str
    missing: int
    reused: int
    review: bool = False

    @property
    def files(self) -> list[str]:
        """The page, its printable sheet and its Label Studio project beside it: what
        the run makes for it."""
        sheet = Path(paths.REVIEW_SHEET if self.review else paths.CONTACT_SHEET).name
        return [self.page, str(Path(self.page).with_name(sheet)), *self.label_studio]

    @property
    def label_studio(self) -> list[str]:
        """The Label Studio tasks and label config of the same images."""
        tasks, config = (
            Path(paths.REVIEW_LABEL_STUDIO_TASKS if self.review else paths.LABEL_STUDIO_TASKS),
            Path(paths.LABEL_STUDIO_CONFIG),
        )
        folder = Path(self.page).with_name(tasks.parent.name)
        return [str(folder / tasks.name), str(folder / config.name)]


def waiting_for_labels(config: dict) -> list[Waiting]:
    """The labelling pages of the selections with images the store has no label for."""
    return _waiting(config, selections_to_label(config), review=False)


def waiting_for_reviews(config: dict) -> list[Waiting]:
    """The review pages of the review lists with labels the store has no review of."""
    return _waiting(config, selections_to_review(config), review=True)


def _waiting(config: dict, selections: list[dict], *, review: bool) -> list[Waiting]:
    status_of, suggested = (
        (review_labels, person_reviewed_labels_path)
        if review
        else (selection_labels, person_labels_path)
    )
    out = []
    for wildcards in selections:
        status = status_of(config, wildcards)
        if status.missing:
            page = (
                paths.REVIEW_PAGE.format(**wildcards, labelling=PERSON)
                if review
                else paths.LABELLING_PAGE.format(**wildcards)
            )
            save_as = free_path(suggested(config["labels_dir"], **wildcards))
            out.append(Waiting(page, save_as, len(status.missing), status.reused, review))
    return out


def waiting_message(waiting: list[Waiting], labels_dir: str, dataset: str) -> str:
    """What the run says at its end while a person's labels are missing."""
    reviews = all(w.review for w in waiting)
    what = "reviewed labels file(s)" if reviews else "labels file(s)"
    lines = [f"\nWaiting for a person: {len(waiting)} {what} are missing."]
    for w in waiting:
        reused = f"; {w.reused} already labelled, reused" if w.reused else ""
        verb = "review" if w.review else "label"
        lines.append(f"  open {w.page} ({verb} {w.missing} image(s){reused})")
        lines.append(f"    save its {'reviewed ' if w.review else ''}labels file as {w.save_as}")
    lines.append(
        f"Any file name below {store_dir(labels_dir, dataset)}/ will do. Then run snakemake "
        "again: it continues from the labels."
    )
    folder = Path(waiting[0].label_studio[0]).parent.name
    lines.append(
        f"With a team: import the {folder}/tasks.json beside each page into a Label Studio "
        f"project labelled with the label_config.xml beside it, and save its export (JSON, "
        f"JSON-MIN or CSV) below {store_dir(labels_dir, dataset)}/ (docs/label-studio.md)."
    )
    return "\n".join(lines) + "\n"


def stray_labels_files(labels_dir: str, dataset: str, embeddings) -> list[str]:
    """Labels files the run cannot see: saved straight into ``labels_dir`` (not a data
    set's folder), or in the layout before each data set had its own folder
    (``labels_dir/EMBEDDING/SELECTION/...``); one line each, saying where they go."""
    root = Path(labels_dir)
    if not root.is_dir():
        return []
    lines, store = [], store_dir(labels_dir, dataset)
    for path in sorted(root.glob("*.csv")):
        lines.append(f"{path} is not in a data set's folder: move it into {store}/")
    for name in sorted(embeddings):
        old = root / name
        if old.is_dir() and name != dataset and any(old.rglob("*.csv")):
            lines.append(
                f"{old}/ is in the old layout: its labels now go to {store / name}/ "
                f"(mkdir -p {store} && mv {old} {store}/)"
            )
    return lines


def store_report(config: dict) -> list[str]:
    """What a run says of the store at its end: labels it could not use, labels that
    disagree, files saved where it does not look."""
    name = config["dataset"]["name"]
    lines = stray_labels_files(config["labels_dir"], name, config["embeddings"])
    if Path(paths.DATASET.format(dataset=name)).exists():
        lines += summary_lines(resolved_store(config), config["labels_dir"], name)
    return lines


# ---------------------------------------------------------------- a selection's labels


def selection_labels_from(resolved: Resolved, ids, pile: Pile, class_names) -> list[int]:
    """The class of each selected image as the person first gave it."""
    index = {name: i for i, name in enumerate(class_names)}
    facts = [resolved.as_given(pile.row_of[str(i)]) for i in ids]
    missing = [i for i, fact in zip(ids, facts, strict=True) if fact is None]
    if missing:
        raise LabelsFileError(
            f"{len(missing)} selected image(s) have no label in the labels store: "
            f"{', '.join(missing[:5])}; run snakemake again for their labelling page"
        )
    return [index[fact.label] for fact in facts]


def reviewed_labels_from(resolved: Resolved, table, pile: Pile, class_names):
    """Each labelled image's class after the review (``table``: its label quality
    table, with the labels as given and the review list) and how many changed."""
    index = {name: i for i, name in enumerate(class_names)}
    rows = [pile.row_of[str(i)] for i in table.image_id]
    after = []
    for row, label in zip(rows, table.label, strict=True):
        fact = resolved.reviewed.get(row)
        after.append(index[fact.label] if fact is not None else index[label])
    on_list = listed(table).image_id.tolist()
    unreviewed = [i for i in on_list if pile.row_of[str(i)] not in resolved.reviewed]
    if unreviewed:
        raise LabelsFileError(
            f"{len(unreviewed)} image(s) of the review list have no reviewed label: "
            f"{', '.join(unreviewed[:5])}; run snakemake again for their review page"
        )
    changed = sum(a != index[label] for a, label in zip(after, table.label, strict=True))
    return after, changed


# ---------------------------------------------------------------- the run's targets and end


def run_targets(config: dict, checkpoints, state: dict, wildcards) -> list[str]:
    """Rule all's input (labelling person): the pages of the selections still waiting
    for labels, else of the review lists waiting for reviews, else everything. What is
    missing is read after this run's selections (then review lists) are made
    (``checkpoints``); ``state["waiting"]`` keeps it for the run's last words."""
    if config["labelling"] != PERSON:
        return targets(config)
    run = run_wildcards(config)
    checkpoints.person_selections.get(**run)
    state["waiting"] = waiting_for_labels(config)
    if not state["waiting"] and selections_to_review(config):
        checkpoints.person_review_lists.get(**run)
        state["waiting"] = waiting_for_reviews(config)
    if state["waiting"]:
        return [path for waiting in state["waiting"] for path in waiting.files]
    return targets(config) + pages(config)


def pages(config: dict) -> list[str]:
    """Every labelling and review page of a finished run (the report shows them)."""
    out = []
    for wildcards in selections_to_label(config):
        out += [paths.LABELLING_PAGE.format(**wildcards), paths.CONTACT_SHEET.format(**wildcards)]
    for wildcards in selections_to_review(config):
        out += [
            template.format(**wildcards, labelling=PERSON)
            for template in (paths.REVIEW_PAGE, paths.REVIEW_SHEET)
        ]
    return out


def say_at_the_end(config: dict, state: dict) -> None:
    """A person's run's last words, also when it had nothing to do (not after a failed
    job): what the store could not use, what the run waits for (the folder to save
    into is made)."""
    if state["failed"]:
        return
    os.chdir(state["workdir"])  # Snakemake has gone back to where it was started
    lines = store_report(config)
    if state["waiting"]:
        for waiting in state["waiting"]:
            Path(waiting.save_as).parent.mkdir(parents=True, exist_ok=True)
        lines.append(
            waiting_message(state["waiting"], config["labels_dir"], config["dataset"]["name"])
        )
    if lines:
        print("\n".join(lines), file=sys.stderr)
