"""A person labels the selected images: the labelling page (and the review page, the
same page for a review), its contact sheet, and the checks of a person's files.

The page is one self-contained HTML file (images embedded as PNG data URIs, no
server, works offline). It writes the labels file in exactly the oracle's format
(``labels.format_labels``).
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from clusterprop import paths
from clusterprop.experiments import (
    person_labels_path,
    person_reviewed_labels_path,
    selections_to_label,
    selections_to_review,
)
from clusterprop.io import load_npz
from clusterprop.labellings import PERSON
from clusterprop.labels import LabelsFileError, read_labels, read_selection
from clusterprop.review import listed, read_quality_table, read_reviewed_labels

TEMPLATE = Path(__file__).parent / "templates" / "labelling.html"


def png_data_uri(image: np.ndarray) -> str:
    """A grey-scale ``(h, w)`` or colour ``(h, w, 3)`` image (uint8, or floats in
    [0, 1]) as a PNG data URI."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.clip(np.rint(array * 255), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def labelling_page(
    images: np.ndarray,
    image_ids: Sequence[int],
    class_names: Sequence[str],
    *,
    title: str,
    labels_path: str,
    review: Sequence[dict] | None = None,
) -> str:
    """The HTML labelling page for ``images`` (in selection order).

    With ``review`` (one dict per image: ``given`` and ``suggested`` class indices,
    ``similar``: a list of (image, class index) pairs), it is a review page: each image
    shows the label given, the label the other labels suggest and the most similar
    labelled images; the person keeps or corrects each label.
    """
    if len(images) != len(image_ids):
        raise ValueError("one image per image id is needed")
    items = [
        {"id": str(image_id), "src": png_data_uri(image)}
        for image_id, image in zip(image_ids, images, strict=True)
    ]
    if review is not None:
        for item, extra in zip(items, review, strict=True):
            item["given"] = int(extra["given"])
            item["suggested"] = int(extra["suggested"])
            item["similar"] = [
                {"id": str(other_id), "src": png_data_uri(other), "label": int(label)}
                for other_id, other, label in extra["similar"]
            ]
    heading = "Review" if review is not None else "Label"
    instructions = (
        "Each image's label may be wrong: keep it (Enter, or the button) or pick the right "
        "class (click it or press its digit key)."
        if review is not None
        else "Pick the class of each image: click a class or press its digit key."
    )
    replacements = {
        "__HEADING__": heading,
        "__INSTRUCTIONS__": instructions,
        "__TITLE__": html.escape(title),
        "__LABELS_PATH__": html.escape(labels_path),
        # JSON inside <script>: "</" must not close the element
        "__CLASSES__": _script_json(list(class_names)),
        "__ITEMS__": _script_json(items),
        "__FILE_NAME__": _script_json(Path(labels_path).name),
        "__STORAGE_KEY__": _script_json(labels_path),
    }
    page = TEMPLATE.read_text(encoding="utf-8")
    for placeholder, value in replacements.items():
        page = page.replace(placeholder, value)
    return page


def _script_json(value) -> str:
    return json.dumps(value).replace("</", "<\\/")


def person_labels_problems(config: dict) -> list[str]:
    """Check every person's labels file and reviewed labels file that is there against
    its selection and review list (the Snakefile does this once, before any job runs):
    one message per bad file."""
    if config["labelling"] != "person" or not Path(paths.DATASET).exists():
        return []
    class_names, problems = None, []
    for wildcards in selections_to_label(config):
        labels_file = person_labels_path(config["labels_dir"], **wildcards)
        selection = Path(paths.SELECTION.format(**wildcards))
        if not Path(labels_file).exists() or not selection.exists():
            continue
        if class_names is None:
            class_names = load_npz(paths.DATASET, "class_names")["class_names"].tolist()
        try:
            read_labels(labels_file, read_selection(selection).image_id, class_names)
        except LabelsFileError as error:
            problems.append(str(error))
    for wildcards in selections_to_review(config):
        reviewed = person_reviewed_labels_path(config["labels_dir"], **wildcards)
        quality = Path(paths.LABEL_QUALITY.format(**wildcards, labelling=PERSON))
        if not Path(reviewed).exists() or not quality.exists():
            continue
        if class_names is None:
            class_names = load_npz(paths.DATASET, "class_names")["class_names"].tolist()
        try:
            reviewed_labels(reviewed, read_quality_table(quality), class_names)
        except LabelsFileError as error:
            problems.append(str(error))
    return problems


def reviewed_labels(path, quality: pd.DataFrame, class_names: Sequence[str]) -> dict[str, int]:
    """A person's reviewed labels file read against the labels' quality table (the
    labels as given, and which of them are on the review list)."""
    index = {name: i for i, name in enumerate(class_names)}
    pairs = zip(quality.image_id, quality.label, strict=True)
    given = {image_id: index[label] for image_id, label in pairs}
    return read_reviewed_labels(path, given, listed(quality).image_id.tolist(), class_names)
