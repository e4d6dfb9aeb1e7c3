"""Labels files: what a person (or the oracle standing in for one) says each image is.

Format: CSV, UTF-8, header ``image_id,label``, one row per selected image, ``label``
being a class name exactly as in the data set's class list.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

HEADER = ("image_id", "label")


class LabelsFileError(ValueError):
    """A labels file is malformed; the message names the file and line."""


def format_labels(image_ids: Sequence, class_indices: Sequence[int], class_names) -> str:
    """A labels file: ``image_id,label`` (class names), one row per image, in order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for image_id, cls in zip(image_ids, class_indices, strict=True):
        writer.writerow((str(image_id), class_names[int(cls)]))
    return buffer.getvalue()


def true_classes(y_true: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The true classes of some training images, for the oracle; refused when some have
    none (an unlabelled image folder)."""
    classes = np.asarray(y_true)[np.asarray(rows)]
    if np.any(classes < 0):
        raise ValueError("the oracle needs true labels, and some selected images have none")
    return classes.astype(np.int64)


def read_selection(path: str | os.PathLike) -> pd.DataFrame:
    """A selection file, its image ids as text (row numbers, or paths in a folder)."""
    return pd.read_csv(path, dtype={"image_id": str}, keep_default_na=False)


def rows_of(image_ids: Sequence[str], all_ids: Sequence[str]) -> np.ndarray:
    """The row of each of ``image_ids`` among a split's ids (``dataset["train_ids"]``)."""
    row = {image_id: i for i, image_id in enumerate(np.asarray(all_ids).tolist())}
    try:
        return np.array([row[str(i)] for i in image_ids], dtype=np.int64)
    except KeyError as missing:
        raise ValueError(f"image id {missing} is not in the data set") from None


def labels_file_rows(path: str | os.PathLike, empty: str, headers=(HEADER,)):
    """The rows of a labels file: ``(line number, fields)``, each field stripped, blank
    lines skipped. Refused with the file and line named: an empty file (``empty`` says
    what was expected), a header not among ``headers``, a row of another width."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        raise LabelsFileError(f"{path}: {empty}")
    rows = list(csv.reader(io.StringIO(text)))
    header = tuple(cell.strip() for cell in rows[0])
    if header not in headers:
        expected = " or ".join(repr(",".join(h)) for h in headers)
        raise LabelsFileError(f"{path}:1: wrong header {','.join(rows[0])!r}; expected {expected}")
    for line_no, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise LabelsFileError(
                f"{path}:{line_no}: expected {len(header)} fields ({','.join(header)}), "
                f"got {len(row)}: {row}"
            )
        yield line_no, tuple(cell.strip() for cell in row)


def check_row(path, line_no: int, image_id: str, label: str, seen: dict, class_index) -> None:
    """Refuse an image a labels file names twice, and a class not in the class list
    (``class_index``; None: any class)."""
    if image_id in seen:
        raise LabelsFileError(
            f"{path}:{line_no}: duplicate image id {image_id!r} (first on line {seen[image_id]})"
        )
    if class_index is not None and label not in class_index:
        raise LabelsFileError(
            f"{path}:{line_no}: class {label!r} is not one of {list(class_index)}"
        )


def read_labels(
    path: str | os.PathLike, expected_ids: Sequence, class_names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Parse and validate a labels file; return ``(image_ids, class_indices)``.

    ``expected_ids`` are the images that were selected for labelling (their ids as in
    the selection file): every one must be labelled exactly once, and no other. The
    returned arrays follow ``expected_ids``; ids are text.
    """
    path = Path(path)
    class_index = {name: i for i, name in enumerate(class_names)}
    expected = [str(i) for i in expected_ids]
    expected_set = set(expected)
    seen: dict[str, int] = {}
    labels: dict[str, int] = {}
    empty = "the labels file is empty (expected header image_id,label)"
    for line_no, (image_id, label) in labels_file_rows(path, empty):
        if image_id not in expected_set:
            raise LabelsFileError(
                f"{path}:{line_no}: unknown image id {image_id!r}: it was not selected for "
                "labelling"
            )
        check_row(path, line_no, image_id, label, seen, class_index)
        seen[image_id] = line_no
        labels[image_id] = class_index[label]
    missing = [i for i in expected if i not in labels]
    if missing:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise LabelsFileError(f"{path}: {len(missing)} selected image(s) not labelled: {shown}")
    return np.array(expected, dtype=str), np.array([labels[i] for i in expected], dtype=np.int64)


def selection_labels(
    selection_path: str | os.PathLike, labels_path: str | os.PathLike, dataset: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A selection's labels file read against the selection: ``(image_ids, class
    indices, rows)``, the rows being the images' rows in the data set (``dataset`` with
    ``train_ids`` and ``class_names``)."""
    selection = read_selection(selection_path)
    ids, labels = read_labels(labels_path, selection.image_id, dataset["class_names"].tolist())
    return ids, labels, rows_of(ids, dataset["train_ids"])


# ---------------------------------------------------------------- label quality tables
# A quality table (``label_quality.csv``) has a row per given label; its ``similar`` cell
# holds the most similar labelled images' ids as a JSON list, nearest first: an image id
# is a path in an image folder and may hold spaces, commas or quotes.


def similar_cell(image_ids: Sequence) -> str:
    """A quality table's ``similar`` cell: the image ids as a JSON list."""
    return json.dumps([str(image_id) for image_id in image_ids], ensure_ascii=False)


def similar_ids(cell: str) -> list[str]:
    """The image ids of a quality table's ``similar`` cell."""
    return json.loads(cell)


def listed(table: pd.DataFrame) -> pd.DataFrame:
    """The review list: the listed rows of a quality table, most suspicious first."""
    return table[table.listed].sort_values("rank")


def still_to_review(table: pd.DataFrame, ids) -> pd.DataFrame:
    """The review list's rows (most suspicious first) of the images ``ids`` (those the
    labels store has no reviewed label for)."""
    review = listed(table)
    return review[review.image_id.isin(list(ids))]


def read_quality_table(path: str | os.PathLike) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={"image_id": str, "similar": str}, keep_default_na=False)
    for column in ("listed", "wrong"):  # booleans, as CSV writes them
        if column in table:
            table[column] = table[column].astype(str) == "True"
    return table
