"""Label Studio's exports read as a person's labels: JSON, JSON-MIN and CSV, told apart
by their content, each annotation mapped back to the pile by the image id its task
carries (``label_studio``), never by an image's URL.

An image with several annotations gets one label by a rule (config
``label_studio.annotations``): ``majority`` (a tie goes to the earliest of the tied
annotations), ``first`` (the earliest annotation), or ``refuse`` (any disagreement is
refused); the votes are kept with the label (``Fact.votes``). Cancelled (skipped)
annotations are not labels. In a review task the label as given is imported as the
task's first annotation: while it is unchanged and reviewers added their own, only
theirs count.

Refused, with the file and the task named: an empty or truncated export, a task without
the workflow's image id (an image added to the project by hand), a task of another data
set, a class that is not one of the data set's, an annotation with several classes, a
Label Studio import file (tasks without ids) in place of an export.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clusterprop.labelling.files import LabelsFileError
from clusterprop.labelling.label_studio import CONTROL, REVIEW

#: an image's several annotations, to one label (config label_studio.annotations)
RULES = ("majority", "first", "refuse")
#: the columns by which a CSV file is known for Label Studio's export
CSV_COLUMNS = ("id", "annotation_id")


@dataclass(frozen=True)
class Annotation:
    """One annotation of an export, with its task's data."""

    task: int
    order: int
    label: str
    data: dict


def is_export(path: str | os.PathLike, header: Sequence[str] | None = None) -> bool:
    """Whether a labels file is one of Label Studio's exports (JSON, JSON-MIN, CSV)."""
    if str(path).endswith(".json"):
        return True
    return header is not None and all(column in header for column in CSV_COLUMNS)


def read_annotations(path: str | os.PathLike) -> list[Annotation]:
    """Every annotation of an export that is not cancelled, in the export's order."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        raise LabelsFileError(f"{path}: the export is empty: export the project again")
    if path.suffix == ".json":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise LabelsFileError(
                f"{path}: not complete JSON ({error.msg} at line {error.lineno} column "
                f"{error.colno}: truncated?): export the project again"
            ) from None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise LabelsFileError(f"{path}: not a Label Studio export (a list of tasks)")
        annotations = _from_json(path, items)
    else:
        annotations = _from_csv(path, text)
    if not annotations:
        raise LabelsFileError(
            f"{path}: the export holds no annotation: export again once tasks are labelled"
        )
    return annotations


def _from_json(path: Path, items: list[dict]) -> list[Annotation]:
    out = []
    for n, item in enumerate(items):
        if "id" not in item:
            raise LabelsFileError(
                f"{path}: task {n + 1} has no id: this is a file to import into Label "
                "Studio, not an export of it"
            )
        if "annotations" in item:  # JSON: a task with its annotations
            for annotation in item["annotations"] or ():
                if annotation.get("was_cancelled"):
                    continue
                label = _choice(path, item["id"], annotation.get("result") or [])
                if label is not None:
                    order = int(annotation.get("id", len(out)))
                    out.append(Annotation(int(item["id"]), order, label, item.get("data", {})))
        elif CONTROL in item:  # JSON-MIN: one annotation and its task's data
            label = _min_choice(path, item["id"], item[CONTROL])
            order = int(item.get("annotation_id") or len(out))
            out.append(Annotation(int(item["id"]), order, label, item))
    return out


def _from_csv(path: Path, text: str) -> list[Annotation]:
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows)
        out = []
        for line_no, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            record = dict(zip(header, row, strict=False))
            task = record.get("id")
            if len(row) != len(header):
                which = f"task {task}: " if task else ""
                raise LabelsFileError(
                    f"{path}:{line_no}: {which}{len(row)} fields, the header has "
                    f"{len(header)} (truncated?): export the project again"
                )
            if record.get(CONTROL, "").strip():
                label = _min_choice(path, task, record[CONTROL])
                order = int(record.get("annotation_id") or line_no)
                out.append(Annotation(int(task), order, label, record))
    except csv.Error as error:
        raise LabelsFileError(f"{path}: not a complete CSV file ({error}): truncated?") from None
    if CONTROL not in header:
        raise LabelsFileError(
            f"{path}: no {CONTROL!r} column: was the project labelled with the workflow's "
            "label config?"
        )
    return out


def _choice(path, task, result: list[dict]) -> str | None:
    choices = [
        choice
        for region in result
        if region.get("type") == "choices" and region.get("from_name") == CONTROL
        for choice in region.get("value", {}).get("choices", [])
    ]
    if len(choices) > 1:
        raise LabelsFileError(f"{path}: task {task}: one annotation chose {choices}: one class")
    return choices[0] if choices else None


def _min_choice(path, task, value) -> str:
    """The class of a flat export's annotation: a class, or (several) a dict of them."""
    if isinstance(value, str) and value.startswith("{"):
        value = json.loads(value)
    if isinstance(value, dict):
        choices = value.get("choices", [])
        if len(choices) != 1:
            raise LabelsFileError(f"{path}: task {task}: one annotation chose {choices}: one class")
        value = choices[0]
    return str(value).strip()


@dataclass(frozen=True)
class Decided:
    """One image's label from its annotations, and the votes."""

    task: int
    image_id: str
    label: str
    fingerprint: str
    reviewed: bool
    votes: tuple[tuple[str, int], ...]


def decide(
    path: str | os.PathLike,
    annotations: list[Annotation],
    *,
    class_names: Sequence[str] | None = None,
    dataset: str | None = None,
    rule: str = "majority",
) -> list[Decided]:
    """Each image's label (by ``rule``), its images in the order of their first task."""
    by_image: dict[str, list[Annotation]] = {}
    for annotation in annotations:
        data, task = annotation.data, annotation.task
        image_id = str(data.get("image_id") or "").strip()
        if not image_id:
            raise LabelsFileError(
                f"{path}: task {task} has no image_id: it is not a task the workflow wrote "
                "(an image added to the project by hand?); delete it from the project, or "
                "export without it"
            )
        if dataset is not None and data.get("dataset", dataset) != dataset:
            raise LabelsFileError(
                f"{path}: task {task} is of data set {data['dataset']!r}, not {dataset!r}: "
                f"move the file into that data set's labels folder"
            )
        if class_names is not None and annotation.label not in class_names:
            raise LabelsFileError(
                f"{path}: task {task}: class {annotation.label!r} is not one of {list(class_names)}"
            )
        by_image.setdefault(image_id, []).append(annotation)
    return [_decided(path, image_id, votes, rule) for image_id, votes in by_image.items()]


def _decided(path, image_id: str, annotations: list[Annotation], rule: str) -> Decided:
    annotations = sorted(annotations, key=lambda a: a.order)
    first, data = annotations[0], annotations[0].data
    review = str(data.get("kind", "")) == REVIEW
    if review and len(annotations) > 1 and first.label == data.get("given_label"):
        annotations = annotations[1:]  # the label as given, imported with the task
    labels = [a.label for a in annotations]
    votes = Counter(labels)
    if rule == "refuse" and len(votes) > 1:
        raise LabelsFileError(
            f"{path}: task {first.task} (image {image_id}): the annotations disagree "
            f"({_said(votes)}) and label_studio.annotations is 'refuse': settle it in Label "
            "Studio and export again, or set it to majority or first"
        )
    if rule == "first":
        label = labels[0]
    else:
        top = max(votes.values())
        label = next(label for label in labels if votes[label] == top)
    return Decided(
        first.task,
        image_id,
        label,
        str(data.get("fingerprint") or "").strip(),
        review,
        tuple(votes.most_common()),
    )


def _said(votes: Counter) -> str:
    return ", ".join(f"{label} x{n}" for label, n in votes.most_common())
