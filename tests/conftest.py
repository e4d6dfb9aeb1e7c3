from pathlib import Path

import numpy as np
import pytest

from clusterprop.data import SYSTEM_FASHION_MNIST_DIR, find_idx_files, load_idx_dataset

REPO = Path(__file__).resolve().parents[1]


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
