"""Labels files: what a person (or the oracle standing in for one) says each image is.

Format: CSV, UTF-8, header ``image_id,label``, one row per selected image, ``label``
being a class name exactly as in the data set's class list.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HEADER = ("image_id", "label")


class LabelsFileError(ValueError):
    """A labels file is malformed; the message names the file and line."""


def format_labels(image_ids: Sequence[int], class_indices: Sequence[int], class_names) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for image_id, cls in zip(image_ids, class_indices, strict=True):
        writer.writerow((int(image_id), class_names[int(cls)]))
    return buffer.getvalue()


def oracle_labels(image_ids: np.ndarray, y_train: np.ndarray, class_names) -> str:
    """The labels file a perfect annotator would write: the true classes."""
    return format_labels(image_ids, y_train[np.asarray(image_ids, dtype=np.int64)], class_names)


def read_labels(
    path: str | os.PathLike, expected_ids: Sequence[int], class_names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Parse and validate a labels file; return ``(image_ids, class_indices)``.

    ``expected_ids`` are the images that were selected for labelling: every one must be
    labelled exactly once, and no other. The returned arrays follow ``expected_ids``.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        raise LabelsFileError(f"{path}: the labels file is empty (expected header image_id,label)")
    rows = list(csv.reader(io.StringIO(text)))
    header = tuple(cell.strip() for cell in rows[0])
    if header != HEADER:
        raise LabelsFileError(
            f"{path}:1: wrong header {','.join(rows[0])!r}; expected {','.join(HEADER)!r}"
        )
    class_index = {name: i for i, name in enumerate(class_names)}
    expected = {int(i) for i in expected_ids}
    seen: dict[int, int] = {}
    labels: dict[int, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise LabelsFileError(
                f"{path}:{line_no}: expected 2 fields (image_id,label), got {len(row)}: {row}"
            )
        raw_id, label = row[0].strip(), row[1].strip()
        try:
            image_id = int(raw_id)
        except ValueError:
            raise LabelsFileError(
                f"{path}:{line_no}: image_id {raw_id!r} is not an integer"
            ) from None
        if image_id not in expected:
            raise LabelsFileError(
                f"{path}:{line_no}: unknown image id {image_id}: it was not selected for labelling"
            )
        if image_id in seen:
            raise LabelsFileError(
                f"{path}:{line_no}: duplicate image id {image_id} (first on line {seen[image_id]})"
            )
        if label not in class_index:
            raise LabelsFileError(
                f"{path}:{line_no}: class {label!r} is not one of {list(class_names)}"
            )
        seen[image_id] = line_no
        labels[image_id] = class_index[label]
    missing = sorted(expected - set(labels))
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        raise LabelsFileError(f"{path}: {len(missing)} selected image(s) not labelled: {shown}")
    ids = np.array([int(i) for i in expected_ids], dtype=np.int64)
    return ids, np.array([labels[i] for i in ids], dtype=np.int64)
