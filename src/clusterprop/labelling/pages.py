"""A person labels the selected images: the labelling page (and the review page, the
same page for a review).

The page is one self-contained HTML file (images embedded as data URIs, no server,
works offline). It writes the labels file in the oracle's format with each image's
content fingerprint beside its label (``labels_store``).
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

TEMPLATE = Path(__file__).parent / "templates" / "labelling.html"


def load_for_labelling(dataset_path: str | os.PathLike) -> dict[str, np.ndarray]:
    """What a page or a Label Studio project of some training images needs of the
    prepared data set (memory-mapped): the images, their ids and fingerprints, the
    class names."""
    from clusterprop.io import load_npz

    keys = ("X_train", "train_ids", "train_fingerprints", "class_names")
    return load_npz(dataset_path, *keys, mmap=True)


def png_data_uri(image: np.ndarray) -> str:
    """A grey-scale ``(h, w)`` or colour ``(h, w, 3)`` image (uint8, or floats in
    [0, 1]) as a PNG data URI."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.clip(np.rint(array * 255), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def original_data_uri(path: str | os.PathLike, longest: int = 512) -> str:
    """An image file as a person knows it, scaled to fit ``longest`` pixels (never up),
    as a data URI (JPEG for photographs, PNG otherwise)."""
    photo = Path(path).suffix.lower() in (".jpg", ".jpeg")
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        image = image.convert("L" if image.mode in ("1", "L") else "RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG" if photo else "PNG", quality=90)
    kind = "jpeg" if photo else "png"
    return f"data:image/{kind};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def labelling_page(
    images: np.ndarray,
    image_ids: Sequence[int],
    class_names: Sequence[str],
    *,
    title: str,
    labels_path: str,
    review: Sequence[dict] | None = None,
    fingerprints: Sequence[str] | None = None,
    originals: Sequence[str] | None = None,
    note: str = "",
) -> str:
    """The HTML labelling page for ``images`` (in selection order).

    With ``review`` (one dict per image: ``given`` and ``suggested`` class indices,
    ``similar``: a list of (image, class index) pairs), it is a review page: each image
    shows the label given, the label the other labels suggest and the most similar
    labelled images; the person keeps or corrects each label. ``fingerprints`` go into
    the exported file with the labels (``labels_store``); with ``originals`` (the image
    files of an image folder) the page shows each file as it is, scaled to fit, and the
    model's input on demand.
    """
    if len(images) != len(image_ids):
        raise ValueError("one image per image id is needed")
    items = [
        {"id": str(image_id), "src": png_data_uri(image)}
        for image_id, image in zip(image_ids, images, strict=True)
    ]
    for n, item in enumerate(items):
        if fingerprints is not None:
            item["fingerprint"] = str(fingerprints[n])
        if originals is not None:
            item["input"], item["src"] = item["src"], original_data_uri(originals[n])
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
        "__TITLE__": html.escape(title + (f" {note}" if note else "")),
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
