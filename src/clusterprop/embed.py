"""Embeddings: image arrays -> feature matrices. One function per method in EMBEDDERS.

An embedder takes the training and test images and the method's parameters and
returns ``(train_features, test_features)`` as float32 arrays. Anything it fits is
fitted on the training images only. Adding a method is adding a function here and
its name to the config schema's ``embeddings`` enum.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.decomposition import PCA

Embedder = Callable[..., tuple[np.ndarray, np.ndarray]]


def scale_pixels(images: np.ndarray) -> np.ndarray:
    """Images to float32 rows in [0, 1]: uint8 is divided by 255, floats are kept."""
    flat = images.reshape(len(images), -1)
    if flat.dtype == np.uint8:
        return flat.astype(np.float32) / np.float32(255)
    return flat.astype(np.float32)


def raw(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw pixels scaled to [0, 1], flattened (the reference study's features)."""
    return scale_pixels(train), scale_pixels(test)


def pca(
    train: np.ndarray, test: np.ndarray, n_components: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled pixels projected on their first principal components (fitted on train).

    The covariance eigendecomposition is exact and deterministic: no seed needed.
    """
    X_train, X_test = scale_pixels(train), scale_pixels(test)
    if not 1 <= n_components <= min(X_train.shape):
        raise ValueError(
            f"pca: n_components={n_components} must be in [1, {min(X_train.shape)}] "
            f"for {X_train.shape[0]} training images of {X_train.shape[1]} pixels"
        )
    model = PCA(n_components=n_components, svd_solver="covariance_eigh").fit(X_train)
    return (
        model.transform(X_train).astype(np.float32),
        model.transform(X_test).astype(np.float32),
    )


EMBEDDERS: dict[str, Embedder] = {"raw": raw, "pca": pca}


def embed(
    method: str, train: np.ndarray, test: np.ndarray, params: dict[str, Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    if method not in EMBEDDERS:
        raise ValueError(f"unknown embedding method {method!r}; known: {sorted(EMBEDDERS)}")
    return EMBEDDERS[method](train, test, **(params or {}))
