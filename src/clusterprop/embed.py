"""Embeddings: image arrays -> feature matrices. ``EMBEDDINGS`` at the end is the
stage's registry (``registry.Embedding``).

An embedding's function takes the training and test images (or, for a step of a chain,
the features of the embedding named in ``input``) and the method's parameters and
returns ``(train_features, test_features)`` as float32 arrays. Anything it fits is
fitted on the training images only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clusterprop.io import load_npz
from clusterprop.registry import Embedding, lookup, table

# scikit-learn, scikit-image and joblib are imported where used: the Snakefile reads
# this registry at every start, and most jobs never compute an embedding.


def scale_pixels(images: np.ndarray) -> np.ndarray:
    """Images to float32 rows in [0, 1]: uint8 is divided by 255, floats are kept (float32
    ones as they are, not copied: a memory-mapped input embedding stays mapped)."""
    flat = images.reshape(len(images), -1)
    if flat.dtype == np.uint8:
        return flat.astype(np.float32) / np.float32(255)
    return np.asarray(flat, dtype=np.float32)


def raw(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw pixels scaled to [0, 1], flattened (the reference study's features)."""
    return scale_pixels(train), scale_pixels(test)


def pca(
    train: np.ndarray, test: np.ndarray, n_components: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled pixels (or an input embedding's features) projected on their first
    principal components, fitted on the training rows.

    The covariance eigendecomposition is exact and deterministic: no seed needed.
    """
    from sklearn.decomposition import PCA

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


#: how ``hog`` computes: ``numpy``, many images at once (clusterprop.hog, the same
#: features to float tolerance), or ``scikit-image``, its ``hog`` one image at a time
HOG_BACKENDS = ("numpy", "scikit-image")


def hog(
    train: np.ndarray,
    test: np.ndarray,
    orientations: int = 9,
    pixels_per_cell: int = 4,
    cells_per_block: int = 2,
    backend: str = "numpy",
    n_jobs: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Histograms of oriented gradients (scikit-image's ``hog``, L2-Hys block norm).

    Nothing is fitted. With the defaults a 28x28 image gives 6x6 blocks of 2x2 cells of
    9 orientations: 1,296 features. Colour images ``(n, h, w, 3)`` give as many: at each
    pixel the gradient is taken from the channel where it is strongest (scikit-image's
    ``channel_axis``, as in Dalal and Triggs). ``backend``: ``HOG_BACKENDS``. The images
    are split over ``n_jobs`` threads (numpy) or processes (scikit-image); the result
    does not depend on it.
    """
    from clusterprop.hog import hog_features

    if train.ndim not in (3, 4) or test.ndim != train.ndim:
        raise ValueError(
            "hog: needs images (n, height, width[, 3]), not feature rows (hog takes no input)"
        )
    if backend not in HOG_BACKENDS:
        raise ValueError(f"hog: unknown backend {backend!r}: {', '.join(HOG_BACKENDS)}")
    height, width = train.shape[1:3]
    if pixels_per_cell * cells_per_block > min(height, width):
        raise ValueError(
            f"hog: a block of {cells_per_block}x{cells_per_block} cells of "
            f"{pixels_per_cell} pixels does not fit in {height}x{width} images"
        )
    settings = {
        "orientations": orientations,
        "pixels_per_cell": pixels_per_cell,
        "cells_per_block": cells_per_block,
    }
    if backend == "numpy":  # threads over chunks of images, into one array
        return tuple(hog_features(images, **settings, threads=n_jobs) for images in (train, test))

    from joblib import Parallel, delayed

    def describe(images: np.ndarray) -> np.ndarray:
        chunks = np.array_split(images, max(1, min(len(images), 4 * n_jobs)))
        parts = Parallel(n_jobs=n_jobs)(delayed(_hog_rows)(chunk, settings) for chunk in chunks)
        return np.concatenate(parts)

    return describe(train), describe(test)


def _hog_rows(images: np.ndarray, settings: dict) -> np.ndarray:
    from skimage.feature import hog as skimage_hog

    cell, block = settings["pixels_per_cell"], settings["cells_per_block"]
    return np.stack(
        [
            skimage_hog(
                image,
                orientations=settings["orientations"],
                pixels_per_cell=(cell, cell),
                cells_per_block=(block, block),
                channel_axis=-1 if images.ndim == 4 else None,
            )
            for image in images
        ]
    ).astype(np.float32)


#: The embedding methods an entry of the config's ``embeddings`` can name.
EMBEDDINGS = table(
    Embedding("raw", raw, per_image=True),
    Embedding(
        "pca", pca, params=("n_components", "input"), required=("n_components",), chains=True
    ),
    Embedding(
        "hog",
        hog,
        params=("orientations", "pixels_per_cell", "cells_per_block", "backend"),
        parallel=True,
        per_image=True,
    ),
)


def embed(
    method: str,
    train: np.ndarray,
    test: np.ndarray,
    params: dict[str, Any] | None = None,
    n_jobs: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    entry = lookup(EMBEDDINGS, method, "embedding method")
    params = dict(params or {})
    params.pop("input", None)  # which features arrive as train and test: the rule's concern
    if entry.parallel:
        params["n_jobs"] = n_jobs
    if len(test) == 0:  # no test set: embed one training image in its place, keep none
        train_features, test_features = entry.function(train, train[:1], **params)
        return train_features, test_features[:0]
    return entry.function(train, test, **params)


def shard_rows(n: int, shard: int, shards: int, block: int = 1) -> slice:
    """The rows of part ``shard`` of ``n`` split into ``shards`` near-equal parts, in
    order (``shard`` counts from 0); with ``block``, the parts are made of whole blocks
    of that many rows (the last block may be short), so a part may be empty."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} of {shards}: expected 0 <= shard < shards")
    blocks = -(-n // block)
    return slice(
        min(n, shard * blocks // shards * block), min(n, (shard + 1) * blocks // shards * block)
    )


def is_sharded(spec: dict[str, Any], shards: int) -> bool:
    """Whether an embedding (its config entry) is computed in ``shards`` parts: only
    a method that embeds each image on its own, from the images, and only above 1."""
    entry = lookup(EMBEDDINGS, spec["method"], "embedding method")
    return shards > 1 and entry.per_image and spec.get("input") is None


def joined_parts(paths: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The training and test features of an embedding's parts (uncompressed ``.npz``
    files of ``train`` and ``test`` rows, in order), joined into one array each; the
    parts are memory-mapped, so no part is held twice."""
    parts = [load_npz(path, "train", "test", mmap=True) for path in paths]
    kinds = {(p["train"].shape[1:], p["test"].shape[1:], p["train"].dtype) for p in parts}
    if len(kinds) != 1:
        raise ValueError(f"the parts {paths} hold features of different shapes")
    return tuple(np.concatenate([part[key] for part in parts]) for key in ("train", "test"))
