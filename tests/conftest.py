import shutil
from pathlib import Path

import numpy as np
import pytest

from clusterprop.data import SYSTEM_FASHION_MNIST_DIR, find_idx_files, load_idx_dataset
from workflow_helpers import copy_workflow, snakemake

REPO = Path(__file__).resolve().parents[1]

#: The workflow on a real subset: two embeddings, two k, propagation at one k, two seeds.
SMALL_CONFIG = {
    "dataset": {"n_train": 5000, "n_test": 1000},
    "embeddings": {"raw": {"method": "raw"}, "pca": {"method": "pca", "n_components": 30}},
    "seeds": [0, 1],
    "clustering": {"k": [10, 20]},
    "propagation": {"k": [20], "strategies": ["all", "closest:75"]},
}


#: The smallest run that still has every stage: for runs that are repeated.
TINY_CONFIG = {
    "dataset": {"n_train": 2000, "n_test": 500},
    "seeds": [0, 1],
    "clustering": {"k": [10]},
    "propagation": {"k": [10], "strategies": ["all"]},
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
