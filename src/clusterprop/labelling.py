"""A person labels the selected images: the labelling page, its contact sheet, where
the person's labels file goes, and a check of a person's labels against their
neighbours'.

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
from clusterprop.experiments import person_labels_path, selections_to_label
from clusterprop.io import load_npz
from clusterprop.labels import LabelsFileError, read_labels, read_selection
from clusterprop.neighbours import nearest_neighbours, neighbour_vote

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
) -> str:
    """The HTML labelling page for ``images`` (in selection order)."""
    if len(images) != len(image_ids):
        raise ValueError("one image per image id is needed")
    items = [
        {"id": str(image_id), "src": png_data_uri(image)}
        for image_id, image in zip(image_ids, images, strict=True)
    ]
    replacements = {
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


def disagreements(
    features: np.ndarray,
    image_ids: np.ndarray,
    labels: np.ndarray,
    n_neighbors: int = 3,
) -> pd.DataFrame:
    """Labelled images whose ``n_neighbors`` most similar labelled images (in the
    embedding) all carry one other label: candidates for a second look.

    ``features`` are the labelled images' rows, in the order of ``image_ids``.
    Returns image_id, label, neighbours_label (class indices) and the neighbours' ids.
    """
    columns = ["image_id", "label", "neighbours_label", "neighbour_ids"]
    n = len(image_ids)
    if n <= n_neighbors:
        return pd.DataFrame(columns=columns)
    indices, _ = nearest_neighbours(features, n_neighbors)  # the nearest *other* ones
    majority, share = neighbour_vote(indices, np.asarray(labels), np.arange(n), n_neighbors)
    flagged = np.flatnonzero((share == 1.0) & (majority != labels))
    return pd.DataFrame(
        {
            "image_id": np.asarray(image_ids)[flagged],
            "label": np.asarray(labels)[flagged],
            "neighbours_label": majority[flagged],
            "neighbour_ids": [" ".join(str(image_ids[j]) for j in indices[i]) for i in flagged],
        },
        columns=columns,
    )


def person_labels_problems(config: dict) -> list[str]:
    """Check every person's labels file that is there against its selection (the
    Snakefile does this once, before any job runs): one message per bad file."""
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
    return problems
