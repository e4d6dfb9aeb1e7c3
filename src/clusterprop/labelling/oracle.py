"""A labeller that makes mistakes, for benchmarks: what the oracle says when it is told
to be wrong at a rate.

Three kinds of mistake (config ``oracle: {error_rate: R, mistakes: KIND}``):

- ``uniform``: the wrong class is any other class, each as likely;
- ``alike``: the wrong class is another of the image's group of look-alike classes (for
  Fashion-MNIST: the tops, T-shirt/top, Pullover, Dress, Coat and Shirt; the footwear,
  Sandal, Sneaker and Ankle boot); images of classes in no group are never mistaken;
- ``ambiguous``: instance-dependent: the more ambiguous an image is for a model trained
  on every true label (``ambiguity``: one minus that model's probability of the true
  class), the likelier a mistake, and the wrong class is the image's most likely other
  class under that model.

Of ``n`` images exactly ``round(R * n)`` are mistaken (fewer under ``alike`` when fewer
images belong to a group), so that the share of wrong labels is R for every seed. The
images are drawn with the seed: uniformly for ``uniform`` and ``alike``, with chances
proportional to their ambiguity for ``ambiguous`` (weighted draws without
replacement). Deterministic for a seed and a stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MISTAKE_KINDS = ("uniform", "alike", "ambiguous")

#: Fashion-MNIST's groups of classes that look alike (by class name)
FASHION_MNIST_ALIKE = (
    ("T-shirt/top", "Pullover", "Dress", "Coat", "Shirt"),
    ("Sandal", "Sneaker", "Ankle boot"),
)

#: random streams of one seed: the labeller's first labels, and a reviewer's second look
LABELLING_STREAM, REVIEW_STREAM = 1, 2


def group_indices(groups: Sequence[Sequence[str]], class_names: Sequence[str]) -> list[list[int]]:
    """Groups of class names as groups of class indices (unknown names refused)."""
    index = {name: i for i, name in enumerate(class_names)}
    unknown = [name for group in groups for name in group if name not in index]
    if unknown:
        raise ValueError(f"alike groups name unknown classes {unknown}; classes: {class_names}")
    return [[index[name] for name in group] for group in groups]


def mistaken_labels(
    true_classes: np.ndarray,
    *,
    error_rate: float,
    kind: str,
    seed: int,
    n_classes: int,
    stream: int = LABELLING_STREAM,
    alike_groups: Sequence[Sequence[int]] | None = None,
    ambiguity: np.ndarray | None = None,
) -> np.ndarray:
    """The labels a labeller who errs at ``error_rate`` gives images of ``true_classes``.

    ``alike_groups``: lists of class indices (kind ``alike``). ``ambiguity``: the
    probabilities, one row per image, of a model trained on every true label (kind
    ``ambiguous``).
    """
    true_classes = np.asarray(true_classes, dtype=np.int64)
    if not 0 <= error_rate < 1:
        raise ValueError(f"error_rate must be in [0, 1), got {error_rate}")
    if kind not in MISTAKE_KINDS:
        raise ValueError(f"unknown kind of mistake {kind!r}; known: {', '.join(MISTAKE_KINDS)}")
    labels = true_classes.copy()
    n_mistakes = round(error_rate * len(labels))
    if n_mistakes == 0:
        return labels
    rng = np.random.default_rng([seed, stream])
    if kind == "uniform":
        chosen = np.sort(rng.choice(len(labels), n_mistakes, replace=False))
        shift = rng.integers(1, n_classes, size=len(chosen))  # any class but the true one
        labels[chosen] = (true_classes[chosen] + shift) % n_classes
    elif kind == "alike":
        if alike_groups is None:
            raise ValueError("mistakes 'alike' need groups of look-alike classes")
        group_of = {cls: group for group in alike_groups if len(group) > 1 for cls in group}
        eligible = np.flatnonzero([cls in group_of for cls in true_classes.tolist()])
        chosen = np.sort(rng.choice(eligible, min(n_mistakes, len(eligible)), replace=False))
        for row in chosen.tolist():
            others = [c for c in group_of[int(true_classes[row])] if c != true_classes[row]]
            labels[row] = others[int(rng.integers(len(others)))]
    else:
        if ambiguity is None or len(ambiguity) != len(labels):
            raise ValueError("mistakes 'ambiguous' need the model's probabilities of each image")
        probabilities = np.asarray(ambiguity, dtype=np.float64)
        rows = np.arange(len(labels))
        weight = 1.0 - probabilities[rows, true_classes] + 1e-9  # every image can be wrong
        draw = rng.choice(len(labels), n_mistakes, replace=False, p=weight / weight.sum())
        chosen = np.sort(draw)
        others = probabilities[chosen].copy()
        others[np.arange(len(chosen)), true_classes[chosen]] = -np.inf
        labels[chosen] = others.argmax(axis=1)
    return labels


def labeller_labels(
    true_classes: np.ndarray,
    oracle: dict,
    seed: int,
    class_names: Sequence[str],
    ambiguity: np.ndarray | None = None,
    *,
    stream: int = LABELLING_STREAM,
) -> np.ndarray:
    """What an oracle with the settings ``oracle`` (``experiments.labeller_params``:
    error_rate, and mistakes and alike_groups by class name when it errs) says."""
    if not oracle["error_rate"]:
        return np.asarray(true_classes, dtype=np.int64).copy()
    groups = oracle.get("alike_groups")
    return mistaken_labels(
        true_classes,
        error_rate=oracle["error_rate"],
        kind=oracle["mistakes"],
        seed=seed,
        n_classes=len(class_names),
        stream=stream,
        alike_groups=group_indices(groups, class_names) if groups else None,
        ambiguity=ambiguity,
    )


def ambiguity_model(images: np.ndarray, y_true: np.ndarray) -> tuple[np.ndarray, float]:
    """The model ``ambiguous`` mistakes follow, and how often it is right on the images
    it was fitted on: logistic regression on the raw pixels (scaled to [0, 1]), fitted on
    every true training label; returns its class probabilities of every image
    (float32). Raw pixels, not the workflow's embedding, so that the mistakes do not
    follow the very features that are used to find them; a linear model on 60,000
    images barely overfits (86.8% right on them, 84.3% on the test images), so its
    probabilities on the images it was fitted on rank their ambiguity as held-out ones
    would."""
    from sklearn.linear_model import LogisticRegression

    from clusterprop.embed import scale_pixels

    y_true = np.asarray(y_true)
    if np.any(y_true < 0):
        raise ValueError(
            "ambiguous mistakes need a model of the true labels; some images have none"
        )
    X = scale_pixels(images)
    model = LogisticRegression(C=1.0, max_iter=5000, tol=1e-3).fit(X, y_true)
    probabilities = np.zeros((len(X), int(y_true.max()) + 1), dtype=np.float32)
    probabilities[:, model.classes_] = model.predict_proba(X)
    return probabilities, float(model.score(X, y_true))
