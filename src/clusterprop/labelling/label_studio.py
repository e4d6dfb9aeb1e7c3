"""Label Studio projects for a team: the tasks of a selection, of a review list or of
pre-labels, and the labelling config they are labelled with.

Each task carries the workflow's image id, the image's content fingerprint and the data
set's name, so that an export maps back to the pile by image id (never by an upload
path: ``label_studio_exports``). Its image is embedded (a data URI) or, when the config
names a document root that Label Studio serves local files from, a local-files URL
(nothing is uploaded: a pile of a million images stays where it is).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import quoteattr

#: the Choices control's name: an export's class column (JSON-MIN, CSV) has this name
CONTROL = "label"
#: the Image object's name, and the task data's key of the image
IMAGE = "image"
#: what a task is for (task data ``kind``): an export of review tasks holds reviewed labels
LABEL, REVIEW, PRELABEL = "label", "review", "prelabel"
MODEL_VERSION = "clusterprop"
LOCAL_FILES_URL = "/data/local-files/?d="


def label_config(class_names: Sequence[str], *, review: bool = False, small: bool = False) -> str:
    """The labelling config: the image and one choice among the class names (digit keys
    for the first ten). A review shows the label as given and the suggestion beside it.
    ``small`` images (Fashion-MNIST's 28 pixels) are shown larger without smoothing."""
    size = ' width="336px" smoothing="false"' if small else ' maxWidth="720px"'
    lines = ["<View>", f'  <Image name="{IMAGE}" value="${IMAGE}" zoom="true"{size}/>']
    if review:
        lines.append('  <Header value="$hint" size="5"/>')
    lines.append(
        f'  <Choices name="{CONTROL}" toName="{IMAGE}" choice="single-radio" '
        'showInline="true" required="true">'
    )
    for n, name in enumerate(class_names):
        hotkey = f' hotkey="{n}"' if n < 10 else ""
        lines.append(f"    <Choice value={quoteattr(str(name))}{hotkey}/>")
    lines += ["  </Choices>", "</View>", ""]
    return "\n".join(lines)


def local_files_url(path: str | os.PathLike, document_root: str | os.PathLike) -> str:
    """The URL Label Studio serves an image file at, from its local-files document root
    (LOCAL_FILES_DOCUMENT_ROOT); refused for a file outside it."""
    path, root = Path(path).resolve(), Path(document_root).resolve()
    try:
        relative = path.relative_to(root)
    except ValueError:
        raise ValueError(f"{path} is not inside label_studio.document_root {root}") from None
    return LOCAL_FILES_URL + quote(relative.as_posix())


def task_images(
    pixels, ids: Sequence[str], folder: str | None, document_root: str | None
) -> list[str]:
    """Each task's image: a local-files URL of an image folder's file inside the
    document root, else the file (scaled to fit 512 pixels) or the pixels embedded."""
    from clusterprop.labelling.pages import original_data_uri, png_data_uri

    if folder is None:
        return [png_data_uri(image) for image in pixels]
    files = [Path(folder) / str(i) for i in ids]
    if document_root is not None:
        return [local_files_url(path, document_root) for path in files]
    return [original_data_uri(path) for path in files]


def is_small(pixels) -> bool:
    """Images too small to see at their size (Fashion-MNIST's 28 pixels)."""
    return pixels.shape[1] <= 64


def choice_result(label: str) -> list[dict]:
    """An annotation's (or a prediction's) result: one choice."""
    return [
        {
            "from_name": CONTROL,
            "to_name": IMAGE,
            "type": "choices",
            "value": {"choices": [str(label)]},
        }
    ]


def task(image: str, image_id: str, fingerprint: str, dataset: str, kind: str, **data: str) -> dict:
    """One task: the image (a URL or data URI) and what maps it back to the pile."""
    return {
        "data": {
            IMAGE: image,
            "image_id": str(image_id),
            "fingerprint": str(fingerprint),
            "dataset": dataset,
            "kind": kind,
            **data,
        }
    }


def tasks_json(tasks: list[dict]) -> str:
    """Tasks as Label Studio imports them: a JSON list, one task per line."""
    lines = ",\n".join(json.dumps(item, sort_keys=True) for item in tasks)
    return f"[\n{lines}\n]\n"


def prediction(label: str, score: float | None = None, model_version: str = MODEL_VERSION):
    out = {"model_version": model_version, "result": choice_result(label)}
    if score is not None:
        out["score"] = round(float(score), 4)
    return out


def labelling_tasks(images: Sequence[str], ids, fingerprints, dataset: str) -> list[dict]:
    """A selection's tasks: one per image still without a label."""
    return [
        task(image, i, f, dataset, LABEL)
        for image, i, f in zip(images, ids, fingerprints, strict=True)
    ]


def review_tasks(images: Sequence[str], ids, fingerprints, dataset: str, table) -> list[dict]:
    """A review list's tasks (``table``: its rows of the label quality table, most
    suspicious first): the label as given is the task's annotation, the label the
    others suggest a prediction whose score is how doubtful the given label is
    (1 - its quality: sort by it to see the most suspicious first)."""
    out = []
    rows = zip(images, ids, fingerprints, table.itertuples(), strict=True)
    for image, image_id, print_, row in rows:
        hint = f"given: {row.label}; the other labels suggest: {row.suggested_label}"
        item = task(image, image_id, print_, dataset, REVIEW, given_label=row.label, hint=hint)
        item["annotations"] = [{"result": choice_result(row.label), "ground_truth": False}]
        item["predictions"] = [prediction(row.suggested_label, 1 - float(row.quality))]
        out.append(item)
    return out


def prelabel_tasks(
    images: Sequence[str], ids, fingerprints, dataset: str, labels, scores, source: str
) -> list[dict]:
    """Pre-labels: each image with a label to correct (a model's prediction with its
    probability, or a propagated label) as a prediction."""
    out = []
    for image, image_id, print_, label, score in zip(
        images, ids, fingerprints, labels, scores, strict=True
    ):
        item = task(image, image_id, print_, dataset, PRELABEL)
        item["predictions"] = [prediction(label, score, f"{MODEL_VERSION}-{source}")]
        out.append(item)
    return out


def read_predictions(path: str | os.PathLike):
    """A model's predictions table (``evaluate.predictions_table``), blanks as ""."""
    import pandas as pd

    return pd.read_csv(path, dtype={"image_id": str}, keep_default_na=False)


def to_prelabel(table, count: int, source: str):
    """The training images to pre-label (rows of a predictions table, none a person
    labelled), with the pre-label and its score: the model's prediction and its
    probability (``source`` predictions), or the propagated label (``propagated``, only
    images with one, no score). Every such image (``count`` 0), or the ``count`` the
    model is least sure of, least sure first."""
    train = table[(table.split == "train") & (table.given_label == "")]
    if source == "propagated":
        train = train[train.propagated_label != ""]
    confidence = "probability" if (train.probability != "").all() else "score"
    train = train.assign(confidence=train[confidence].astype(float))
    ordered = train.sort_values(["confidence", "image_id"], kind="stable")
    chosen = ordered if count == 0 else ordered.head(count)
    label = chosen.propagated_label if source == "propagated" else chosen.predicted_label
    probable = source == "predictions" and confidence == "probability"
    score = chosen.confidence.tolist() if probable else [None] * len(chosen)
    return chosen.image_id.tolist(), label.tolist(), score
