"""A person's labels for one data set: every labels file they saved, read as one store
of facts about images.

The store is every ``*.csv`` (and ``*.json``) below ``{labels_dir}/{dataset}/``,
whatever its name or folder; a file whose name ends in ``-reviewed.csv`` holds labels
after a review, and those outrank labels as first given. A team's Label Studio exports
(JSON, JSON-MIN, CSV) are read too (``label_studio_exports``); their review tasks say
themselves that they hold reviewed labels. A row is ``image_id,label`` or
``image_id,label,fingerprint``: the labelling and review pages write the image's
content fingerprint (``fingerprints``), so an image keeps its label when the pile
grows, when k, the embedding or the seed change, and when its file is renamed or moved
inside the image folder. A row without a fingerprint is matched by its image id alone.

The files are only ever read. A row that names no image of the pile (the image left
it) is not used and is counted; it never stops a run.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from clusterprop.labelling.files import HEADER, LabelsFileError, check_row, labels_file_rows, listed
from clusterprop.labelling.label_studio_exports import decide, is_export, read_annotations

HEADER_WITH_FINGERPRINT = ("image_id", "label", "fingerprint")
REVIEWED_SUFFIX = "-reviewed.csv"


@dataclass(frozen=True)
class Fact:
    """One row of a labels file: what a person said an image is."""

    path: str
    line: int
    image_id: str
    label: str
    fingerprint: str = ""
    reviewed: bool = False
    #: a Label Studio export's: the task, and each class's annotations (label_studio_exports)
    task: int | None = None
    votes: tuple[tuple[str, int], ...] = ()

    @property
    def where(self) -> str:
        """The file and line (or Label Studio task) the fact was read from."""
        return (
            f"{self.path}:{self.line}" if self.task is None else f"{self.path} (task {self.task})"
        )


def store_dir(labels_dir: str | os.PathLike, dataset: str) -> Path:
    return Path(labels_dir) / dataset


def store_files(labels_dir: str | os.PathLike, dataset: str) -> list[str]:
    """Every labels file of a data set's store (``*.csv``, and Label Studio's ``*.json``
    exports), in a fixed order (by path)."""
    root = store_dir(labels_dir, dataset)
    if not root.is_dir():
        return []
    found = [p for pattern in ("*.csv", "*.json") for p in root.rglob(pattern)]
    return sorted(str(p) for p in found if p.is_file())


def is_reviewed_file(path: str | os.PathLike) -> bool:
    return str(path).endswith(REVIEWED_SUFFIX)


def read_facts(
    path: str | os.PathLike,
    class_names: Sequence[str] | None = None,
    *,
    dataset: str | None = None,
    annotations: str = "majority",
) -> list[Fact]:
    """The labels of one file: our own format, or a Label Studio export (its several
    annotations of an image to one label by the rule ``annotations``; a task of another
    ``dataset`` refused). Refused, with the file and line (or task) named: an empty
    file, a wrong header, a row of the wrong width, an image twice, a class that is not
    one of ``class_names`` (when given)."""
    if is_export(path) or is_export(path, _csv_header(path)):
        return _export_facts(path, class_names, dataset, annotations)
    empty = "the labels file is empty (expected header image_id,label)"
    headers = (HEADER, HEADER_WITH_FINGERPRINT)
    class_index = None if class_names is None else {name: i for i, name in enumerate(class_names)}
    reviewed, facts, seen = is_reviewed_file(path), [], {}
    for line_no, (image_id, label, *print_) in labels_file_rows(path, empty, headers):
        check_row(path, line_no, image_id, label, seen, class_index)
        seen[image_id] = line_no
        facts.append(Fact(str(path), line_no, image_id, label, "".join(print_), reviewed))
    return facts


def _csv_header(path: str | os.PathLike) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return [cell.strip() for cell in next(csv.reader(file), [])]


def _export_facts(path, class_names, dataset, rule) -> list[Fact]:
    decided = decide(
        path, read_annotations(path), class_names=class_names, dataset=dataset, rule=rule
    )
    reviewed = is_reviewed_file(path)
    return [
        Fact(
            str(path),
            0,
            d.image_id,
            d.label,
            d.fingerprint,
            reviewed or d.reviewed,
            task=d.task,
            votes=d.votes,
        )
        for d in decided
    ]


def read_store(
    files: Iterable[str],
    class_names: Sequence[str] | None = None,
    *,
    dataset: str | None = None,
    annotations: str = "majority",
) -> list[Fact]:
    return [
        fact
        for path in files
        for fact in read_facts(path, class_names, dataset=dataset, annotations=annotations)
    ]


class Pile:
    """A data set's training images as the store sees them: ids and fingerprints."""

    @classmethod
    def of(cls, dataset) -> Pile:
        """The pile of a prepared data set (a mapping with ``train_ids`` and
        ``train_fingerprints``)."""
        return cls(dataset["train_ids"], dataset["train_fingerprints"])

    def __init__(self, ids: Sequence[str], fingerprints: Sequence[str] | None):
        self.ids = [str(i) for i in ids]
        self.row_of = {image_id: row for row, image_id in enumerate(self.ids)}
        self.fingerprints = None if fingerprints is None else [str(f) for f in fingerprints]
        self.rows_of_print: dict[str, list[int]] = {}
        for row, print_ in enumerate(self.fingerprints or ()):
            self.rows_of_print.setdefault(print_, []).append(row)

    def rows(self, fact: Fact) -> list[int]:
        """The images a fact is about: by fingerprint where it has one (the image of the
        same id first, else every image with that content), else by id."""
        row = self.row_of.get(fact.image_id)
        if fact.fingerprint and self.fingerprints is not None:
            if row is not None and self.fingerprints[row] == fact.fingerprint:
                return [row]
            return list(self.rows_of_print.get(fact.fingerprint, ()))
        return [] if row is None else [row]


@dataclass
class Resolved:
    """The store's labels of a pile's images: each image's latest given label and
    latest reviewed label (later files, by path, win), the facts about images not in
    the pile, and the images two files label differently."""

    given: dict[int, Fact] = field(default_factory=dict)
    reviewed: dict[int, Fact] = field(default_factory=dict)
    unused: list[Fact] = field(default_factory=list)
    conflicts: list[tuple[Fact, Fact]] = field(default_factory=list)

    def label(self, row: int) -> Fact | None:
        """An image's label: after the review if it was reviewed, else as given."""
        return self.reviewed.get(row) or self.given.get(row)

    def as_given(self, row: int) -> Fact | None:
        return self.given.get(row) or self.reviewed.get(row)

    @property
    def labelled_rows(self) -> set[int]:
        return set(self.given) | set(self.reviewed)


def resolve(facts: Iterable[Fact], pile: Pile) -> Resolved:
    out = Resolved()
    for fact in facts:
        rows = pile.rows(fact)
        if not rows:
            out.unused.append(fact)
        table = out.reviewed if fact.reviewed else out.given
        for row in rows:
            before = table.get(row)
            if before is not None and before.label != fact.label:
                out.conflicts.append((before, fact))
            table[row] = fact
    return out


def summary_lines(resolved: Resolved, labels_dir: str, dataset: str) -> list[str]:
    """What a run says of the store: labels it could not use, labels that disagree."""
    lines = []
    if resolved.unused:
        files = sorted({fact.path for fact in resolved.unused})
        lines.append(
            f"{len(resolved.unused)} label(s) in {store_dir(labels_dir, dataset)}/ name images "
            f"no longer in the pile: not used (in {', '.join(files[:3])}"
            + (" ..." if len(files) > 3 else "")
            + ")"
        )
    for before, after in resolved.conflicts[:3]:
        lines.append(
            f"{after.where}: {after.image_id!r} is {after.label!r}, but "
            f"{before.where} says {before.label!r}: {after.label!r} is used "
            "(the later file by name wins)"
        )
    if len(resolved.conflicts) > 3:
        lines.append(f"... {len(resolved.conflicts) - 3} more image(s) labelled differently")
    split = sorted(
        {f for f in (*resolved.given.values(), *resolved.reviewed.values()) if len(f.votes) > 1},
        key=lambda f: (f.path, f.task),
    )
    if split:
        shown = "; ".join(
            f"{f.where}: {', '.join(f'{label} x{n}' for label, n in f.votes)} -> {f.label}"
            for f in split[:3]
        )
        lines.append(
            f"{len(split)} image(s) whose annotations disagree (label_studio.annotations): "
            + shown
            + (" ..." if len(split) > 3 else "")
        )
    return lines


def agreement_table(ids: Sequence[str], facts: Sequence[Fact | None], labels: Sequence[str]):
    """Each image's label (``labels``) with the fact it came from, if any, and how many
    annotations agreed with it (a labels file of our own, or no fact: one)."""
    import pandas as pd

    votes = [
        f.votes if f is not None and f.votes else ((label, 1),)
        for f, label in zip(facts, labels, strict=True)
    ]
    counts = [sum(n for _, n in v) for v in votes]
    agreeing = [dict(v).get(label, 0) for v, label in zip(votes, labels, strict=True)]
    return pd.DataFrame(
        {
            "image_id": [str(i) for i in ids],
            "label": list(labels),
            "annotations": counts,
            "agreement": [round(a / n, 4) for a, n in zip(agreeing, counts, strict=True)],
            "votes": [" | ".join(f"{label}: {n}" for label, n in v) for v in votes],
            "source": ["" if f is None else f.where for f in facts],
        }
    )


def free_path(path: str | os.PathLike) -> str:
    """``path``, or, where a file is there already (a person's, never written over),
    the first free ``NAME-2.csv``, ``NAME-3.csv``, ... beside it."""
    path = Path(path)
    if not path.exists():
        return str(path)
    stem = path.name[: -len(REVIEWED_SUFFIX)] if is_reviewed_file(path) else path.stem
    tail = REVIEWED_SUFFIX if is_reviewed_file(path) else path.suffix
    n = 2
    while (candidate := path.with_name(f"{stem}-{n}{tail}")).exists():
        n += 1
    return str(candidate)


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
