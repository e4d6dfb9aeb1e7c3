"""Classifiers trained on a labelled set, saved in skops format (no pickle on load)."""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.base import ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from clusterprop.io import atomic_path


def logistic_regression(seed: int, C: float = 1.0, max_iter: int = 5000, tol: float = 1e-3):
    """Multinomial logistic regression with lbfgs (the reference's classifier).

    The reference used scikit-learn's old one-vs-rest default; scikit-learn now fits
    the multinomial (softmax) model, which is what we use.
    """
    return LogisticRegression(C=C, max_iter=max_iter, tol=tol, solver="lbfgs", random_state=seed)


CLASSIFIERS = {"logistic_regression": logistic_regression}


def make_classifier(name: str, seed: int, params: dict[str, Any]) -> ClassifierMixin:
    if name not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {name!r}; known: {sorted(CLASSIFIERS)}")
    return CLASSIFIERS[name](seed=seed, **params)


def fit(model: ClassifierMixin, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Fit in place; return fit seconds, iterations and whether it converged."""
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X, y)
    n_iter = getattr(model, "n_iter_", None)
    return {
        "fit_seconds": round(time.perf_counter() - start, 3),
        "n_iter": int(np.max(n_iter)) if n_iter is not None else None,
        "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
    }


def save_model(model: ClassifierMixin, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        sio.dump(model, tmp)


def load_model(path: str | os.PathLike) -> ClassifierMixin:
    """Load a skops file; refuses any type outside skops' trusted scikit-learn set."""
    return sio.load(path)
