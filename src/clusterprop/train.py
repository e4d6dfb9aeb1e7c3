"""Classifiers trained on a labelled set, saved in skops format (no pickle on load).

``CLASSIFIERS`` is the stage's registry (``registry.Classifier``): each entry's function
takes the seed and the classifier's config parameters and returns an unfitted
scikit-learn estimator.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from clusterprop import network
from clusterprop.io import atomic_path
from clusterprop.registry import Classifier, lookup, table

if TYPE_CHECKING:
    from sklearn.base import ClassifierMixin

# scikit-learn and skops are imported where used: the Snakefile reads this registry at
# every start.


def logistic_regression(seed: int, C: float = 1.0, max_iter: int = 5000, tol: float = 1e-3):
    """Multinomial logistic regression with lbfgs (the reference's classifier).

    The reference used scikit-learn's old one-vs-rest default; scikit-learn now fits
    the multinomial (softmax) model, which is what we use.
    """
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=max_iter, tol=tol, solver="lbfgs", random_state=seed)


def svm_rbf(seed: int, C: float = 10.0, gamma: str | float = "scale"):
    """Kernel SVM with an RBF kernel (libsvm, one-vs-one). Its fit grows with the
    square of the training set: cap it with the classifier's ``max_train``."""
    from sklearn.svm import SVC

    return SVC(C=C, gamma=gamma, random_state=seed)


def knn(seed: int, n_neighbors: int = 10):
    """k-nearest-neighbour vote (distance-weighted); nothing is random."""
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=n_neighbors, weights="distance")


#: The classifiers an entry of the config's ``classifiers`` can name. Every one but the
#: network (``cnn``, ``clusterprop.network``) also takes ``standardize`` and
#: ``max_train`` (``make_classifier``, ``training_rows``).
CLASSIFIERS = table(
    Classifier("logistic_regression", logistic_regression, params=("C", "max_iter", "tol")),
    Classifier("svm_rbf", svm_rbf, params=("C", "gamma")),
    Classifier("knn", knn, params=("n_neighbors",)),
    Classifier(
        "cnn",
        network.cnn,
        params=tuple(network.NetworkSettings.__dataclass_fields__),
        network=True,
        check=network.settings_problems,
    ),
)
#: What every classifier except a network also takes.
COMMON_CLASSIFIER_PARAMS = ("standardize", "max_train")


def make_classifier(
    name: str, seed: int, params: dict[str, Any], scale_on: np.ndarray | None = None
) -> ClassifierMixin:
    """A classifier by name. With ``scale_on`` (every training image's features, labelled
    or not), a pipeline that first scales each feature to zero mean and unit variance
    as measured on those; ``fit`` then fits only the classifier. Scaling on the few
    labelled images alone would be noisy at small budgets."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    model = lookup(CLASSIFIERS, name, "classifier").function(seed=seed, **params)
    if scale_on is None:
        return model
    return Pipeline([("scale", StandardScaler().fit(scale_on)), ("classifier", model)])


def training_rows(n_rows: int, max_train: int | None, seed: int) -> np.ndarray:
    """Which rows of a training set to fit on: all, or ``max_train`` drawn with ``seed``
    (sorted), for classifiers whose fit is too slow on every propagated label."""
    if max_train is None or n_rows <= max_train:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=max_train, replace=False))


def fit(model: ClassifierMixin, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Fit in place; return fit seconds, iterations and whether it converged."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.pipeline import Pipeline

    start = time.perf_counter()
    if isinstance(model, Pipeline):  # the scaler is fitted already
        X, model = model[:-1].transform(X), model[-1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X, y)
    n_iter = getattr(model, "n_iter_", None)
    return {
        "fit_seconds": round(time.perf_counter() - start, 3),
        "n_iter": int(np.max(n_iter)) if n_iter is not None else None,
        "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
    }


class _NoPyTorch(importlib.abc.MetaPathFinder):
    """Makes ``torch`` unimportable while installed (see ``_skops_io``)."""

    def find_spec(self, name, path, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"{name} is not needed here", name=name)
        return None


def _skops_io():
    """``skops.io``, imported without PyTorch. At import skops lists scikit-learn's
    estimators, whose package walk imports every subpackage, PyTorch's array-API
    wrapper among them when PyTorch is installed (the CNN's requirements): 1.3 s of each
    train job's 2.5 s start (measured), and no scikit-learn model here needs PyTorch.
    Where PyTorch is loaded already, nothing changes."""
    if "skops.io" in sys.modules or "torch" in sys.modules:
        import skops.io as sio

        return sio
    blocker = _NoPyTorch()
    sys.meta_path.insert(0, blocker)
    try:
        import skops.io as sio
    finally:
        sys.meta_path.remove(blocker)
    return sio


def save_model(model: ClassifierMixin, path: str | os.PathLike) -> None:
    sio = _skops_io()
    with atomic_path(path) as tmp:
        sio.dump(model, tmp)


def load_model(path: str | os.PathLike) -> ClassifierMixin:
    """Load a skops file; refuses any type outside skops' trusted scikit-learn set."""
    return _skops_io().load(path)
