"""A person's part of a run (labelling: person): what the run waits for, what rule
all asks for meanwhile, and what the run says at its end.

Read in the workflow's main process, after the selections (and, for a review, the
review lists) are made: the Snakefile asks for them first (two checkpoints), so what
the run waits for is known from the selections of this run, also when the pile grew
and the selections changed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from clusterprop.labelling.kinds import PERSON
from clusterprop.labelling.store import free_path, store_dir, summary_lines
from clusterprop.workflow import paths
from clusterprop.workflow.grid import (
    person_labels_path,
    person_reviewed_labels_path,
    run_wildcards,
    selections_to_label,
    selections_to_review,
)
from clusterprop.workflow.store_status import resolved_store, review_labels, selection_labels
from clusterprop.workflow.targets import targets


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
