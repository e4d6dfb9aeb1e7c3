"""Images' content fingerprints: what a person's labels are keyed by beside the image
ids (``labelling.store``), so that a label follows its image when the pile grows or a
file is renamed. Written by the data stage for every image."""

from __future__ import annotations

import hashlib

import numpy as np

#: hexadecimal digits of an image's fingerprint (64 bits)
FINGERPRINT_DIGITS = 16


def fingerprint(content: bytes) -> str:
    """An image's content fingerprint: the file's bytes (an image folder) or its pixels."""
    return hashlib.blake2b(content, digest_size=FINGERPRINT_DIGITS // 2).hexdigest()


def pixel_fingerprints(images: np.ndarray) -> np.ndarray:
    """One fingerprint per image of an array of images (``(n, ...)`` uint8)."""
    images = np.ascontiguousarray(images)
    return np.array([fingerprint(image.tobytes()) for image in images], dtype=str)
