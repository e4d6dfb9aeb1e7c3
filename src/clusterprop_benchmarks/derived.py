"""Bigger piles derived from Fashion-MNIST for the scale benchmarks: the originals, then
shifted, mirrored and contrast-scaled copies that keep their labels (``scale``,
and the folder and CNN-epoch benchmarks of ``timing``)."""

from __future__ import annotations

import numpy as np

#: the shifts of the copies, one each, in turn: every (dy, dx) of -2..2 but none
SHIFTS = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if (dy, dx) != (0, 0)]


def derived_copy(images: np.ndarray, copy: int, rng: np.random.Generator) -> np.ndarray:
    """Copy number ``copy`` (0, 1, ...) of ``images`` (n, height, width) uint8: shifted by
    its own (dy, dx) of ``SHIFTS`` (zero fill), mirrored left-right if ``copy`` is odd,
    and each image's contrast scaled by a factor drawn from 0.6 to 1.0. The labels stay
    the images' own."""
    if copy >= len(SHIFTS):
        raise ValueError(f"at most {len(SHIFTS)} copies of each image, not {copy + 1}")
    dy, dx = SHIFTS[copy]
    height, width = images.shape[1:]
    shifted = np.zeros_like(images)
    shifted[:, max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = images[
        :, max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)
    ]
    if copy % 2:
        shifted = shifted[:, :, ::-1]
    factors = rng.uniform(0.6, 1.0, size=(len(images), 1, 1)).astype(np.float32)
    return np.round(shifted * factors).astype(np.uint8)


def derived_training_set(
    images: np.ndarray, labels: np.ndarray, size: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``size`` training images and their labels: the originals first, then whole copies
    in turn (``derived_copy``), the last cut to fit; 25 x the originals at most. The same
    arguments, the same set."""
    if size < 1:
        raise ValueError(f"a derived set needs at least one image, not {size}")
    rng = np.random.default_rng(seed)
    parts, kept, copy = [images[:size]], min(size, len(images)), 0
    while kept < size:
        part = derived_copy(images[: size - kept], copy, rng)
        parts.append(part)
        kept += len(part)
        copy += 1
    repeats = -(-size // len(images))
    return np.concatenate(parts), np.tile(labels, repeats)[:size]
