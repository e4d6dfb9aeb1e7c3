import shutil
from pathlib import Path

import numpy as np
import pytest

from clusterprop.data import SYSTEM_FASHION_MNIST_DIR, find_idx_files, load_idx_dataset
from workflow_helpers import copy_workflow, run_environment, snakemake

REPO = Path(__file__).resolve().parents[1]

#: Test files that share a session-scoped run (a fixture below) go to one pytest-xdist
#: worker, so that the run is made once; every other file is a work unit of its own, so
#: that its module-scoped runs are made once too (pytest -n 2, pyproject.toml).
SHARED_RUNS = {
    "test_reruns": "small_run",
    "test_workflow": "small_run",
    "test_reproducibility": "tiny_run",
    "test_slurm": "tiny_run",
}


#: The work units that take longest (their runs), started first so that neither worker is
#: left with one of them at the end; the others follow in file order.
LONGEST_FIRST = ["small_run", "tiny_run", "test_network", "test_folders", "test_person_labelling"]


def work_unit(module: str) -> str:
    return SHARED_RUNS.get(module, module)


def pytest_collection_modifyitems(items):
    """Tests of the longest work units first (a stable sort: a file's order is kept)."""

    def rank(item) -> int:
        unit = work_unit(item.path.stem)
        return LONGEST_FIRST.index(unit) if unit in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


def pytest_xdist_make_scheduler(config, log):
    """Files to workers by ``SHARED_RUNS`` (xdist's own ``loadgroup`` marks do not group
    under pytest 9.2: the node id they rename is computed since)."""
    from xdist.scheduler import LoadScopeScheduling

    class SharedRunScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(Path(nodeid.split("::")[0]).stem)

    return SharedRunScheduling(config, log)


def method(name, embedding, selection, propagation="none", budgets=None, classifier="lr"):
    entry = {
        "name": name,
        "embedding": embedding,
        "selection": selection,
        "propagation": propagation,
        "classifier": classifier,
    }
    if budgets is not None:
        entry["budgets"] = budgets
    return entry


#: The workflow on a real subset, two seeds. raw: the reference study's methods;
#: hog_pca (a chain: hog, then pca): typicality, spreading and a second classifier.
SMALL_CONFIG = {
    "dataset": {"n_train": 5000, "n_test": 1000},
    "embeddings": {
        "raw": {"method": "raw"},
        "hog": {"method": "hog"},
        "hog_pca": {"method": "pca", "input": "hog", "n_components": 30},
    },
    "classifiers": {
        "lr": {"name": "logistic_regression", "C": 1.0, "max_iter": 5000, "tol": 0.001},
        "svm": {"name": "svm_rbf", "standardize": True, "C": 10.0, "max_train": 2000},
    },
    "seeds": [0, 1],
    "methods": [
        method("representatives", "raw", "centroid", budgets=[10, 20]),
        method("representatives + whole cluster", "raw", "centroid", "all", [20]),
        method("representatives + closest 75%", "raw", "centroid", "closest:75", [20]),
        method("random labels", "raw", "random", budgets=[10, 20]),
        method("all labels", "raw", "all"),
        method("hog: representatives", "hog_pca", "centroid", budgets=[10, 20]),
        method("hog: + spreading", "hog_pca", "centroid", "spread", [20]),
        method("hog: + svm", "hog_pca", "centroid", "spread", [20], classifier="svm"),
        method("hog: typical + spreading", "hog_pca", "typical", "spread", [20]),
        method("hog: random labels", "hog_pca", "random", budgets=[10, 20]),
        method("hog: all labels", "hog_pca", "all"),
    ],
    "summary": {"ablation_budgets": [20]},
}


#: The smallest run that still has every stage: for runs that are repeated.
TINY_CONFIG = {
    "dataset": {"n_train": 2000, "n_test": 500},
    "seeds": [0, 1],
    "methods": [
        method("representatives", "raw", "centroid", budgets=[10]),
        method("representatives + whole cluster", "raw", "centroid", "all", [10]),
        method("random labels", "raw", "random", budgets=[10]),
        method("all labels", "raw", "all"),
    ],
}


#: A person labels one selection of HOG-PCA features (the pages, the store, the review).
#: The review's figures in its tests are of the selection scikit-learn's K-Means makes
#: (the default's, faiss's, picks other images).
PERSON_CONFIG = {
    "dataset": {"n_train": 2000, "n_test": 500},
    "clustering": {"algorithm": "elkan"},
    "embeddings": {
        "hog": {"method": "hog"},
        "hog_pca": {"method": "pca", "input": "hog", "n_components": 30},
    },
    "seeds": [0],
    "methods": [method("by hand, spread", "hog_pca", "centroid", "spread", [60])],
    "labelling": "person",
}


@pytest.fixture(scope="session")
def fashion_dir() -> Path:
    directory = Path(SYSTEM_FASHION_MNIST_DIR)
    if not directory.is_dir():
        pytest.fail(
            f"{directory} is missing: install the real data with "
            "'apt-get install -y dataset-fashion-mnist' (see README)"
        )
    return directory


@pytest.fixture(scope="session")
def fashion(fashion_dir) -> dict[str, np.ndarray]:
    """The real Fashion-MNIST, decoded."""
    return load_idx_dataset(find_idx_files(fashion_dir))


@pytest.fixture(scope="session")
def fashion_subset(fashion) -> dict[str, np.ndarray]:
    """The first 3,000 training and 1,000 test images, as float32 pixel rows."""
    return {
        "X_train": fashion["X_train"][:3000].reshape(3000, -1).astype(np.float32) / 255,
        "y_train": fashion["y_train"][:3000].astype(np.int64),
        "X_test": fashion["X_test"][:1000].reshape(1000, -1).astype(np.float32) / 255,
        "y_test": fashion["y_test"][:1000].astype(np.int64),
    }


@pytest.fixture(scope="session")
def small_run(tmp_path_factory, fashion_dir) -> Path:
    """A completed run of SMALL_CONFIG in a copy of the workflow. Do not modify it:
    tests that change files work on ``clone_of_small_run``."""
    workdir = copy_workflow(tmp_path_factory.mktemp("small_run"))
    snakemake(workdir, "--cores", "2", config=SMALL_CONFIG)
    return workdir


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory, fashion_dir) -> Path:
    """A clean local run of TINY_CONFIG on two cores, to compare other runs with."""
    workdir = copy_workflow(tmp_path_factory.mktemp("tiny_run"))
    snakemake(workdir, "--cores", "2", config=TINY_CONFIG)
    return workdir


@pytest.fixture
def clone_of_small_run(small_run, tmp_path) -> Path:
    """A copy of the completed run (code, results, Snakemake's records, times kept)."""
    return Path(shutil.copytree(small_run, tmp_path / "clone", symlinks=True))


@pytest.fixture(scope="session")
def run_environment_snakemake(tmp_path_factory) -> str:
    """``snakemake`` of a virtual environment made from requirements.txt alone (the
    README's run set-up: no test requirements, no PyTorch)."""
    return str(run_environment(tmp_path_factory.mktemp("run_venv")))
