"""Data set formats: how the data stage reads each way a data set is given (config
``dataset.format``). ``FORMATS`` at the end is the stage's registry
(``registry.DatasetFormat``): the data rule's inputs, the config checks, the reading
and what a format tells before the data is read all follow from its entry.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from clusterprop import folders
from clusterprop.data import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_FILES,
    fashion_mnist_unavailable,
    find_idx_files,
    limit_splits,
    load_idx_dataset,
    load_npz_dataset,
    prepare_dataset,
    resolve_fashion_mnist_dir,
    verify_fashion_mnist_file,
)
from clusterprop.errors import DataError
from clusterprop.registry import DatasetFormat, table

#: training images of the published Fashion-MNIST
FASHION_MNIST_N_TRAIN = 60000


def read_source(inputs: dict[str, str], source: dict, *, n_jobs: int = 1, log=None) -> dict:
    """Read, verify and validate the data set a config's ``dataset`` section names.

    ``inputs`` maps roles to files (fashion-mnist), ``idx_dir`` to a directory (idx),
    ``npz`` to a file (npz); an image folder (folder) is ``source["path"]``, decoded
    over ``n_jobs`` processes (``log`` takes what was skipped or ignored).
    """
    fmt = source["format"]
    if fmt not in FORMATS:
        raise DataError(f"unknown dataset format {fmt!r}")
    return FORMATS[fmt].read(inputs, source, n_jobs=n_jobs, log=log)


def _prepared(arrays: dict, source: dict, where: str, class_names=None) -> dict:
    return prepare_dataset(
        arrays,
        class_names=class_names or source.get("class_names"),
        n_train=source.get("n_train"),
        n_test=source.get("n_test"),
        source=str(where),
    )


# ---------------------------------------------------------------- fashion-mnist


def _read_fashion_mnist(inputs, source, *, n_jobs=1, log=None) -> dict:
    for spec in FASHION_MNIST_FILES:  # all four are checked before any is decoded
        verify_fashion_mnist_file(inputs[spec.role], spec)
    arrays = load_idx_dataset(inputs)
    names = source.get("class_names") or list(FASHION_MNIST_CLASSES)
    return _prepared(arrays, source, Path(inputs["X_train"]).parent, names)


def _fashion_mnist_files(dataset: dict, download_dir: str) -> dict[str, str]:
    """The four published files: in ``path``, else the system copy, else downloaded."""
    directory = resolve_fashion_mnist_dir(dataset["path"])
    if directory is None:
        directory = Path(download_dir)
    return {f.role: str(directory / f.name) for f in FASHION_MNIST_FILES}


def _fashion_mnist_unavailable(dataset: dict, download_dir: str) -> list[str]:
    return fashion_mnist_unavailable(dataset["path"], download_dir)


def _fashion_mnist_problems(dataset: dict) -> list[str]:
    problems = []
    if dataset["path"] and not Path(dataset["path"]).is_dir():
        problems.append(f"dataset.path: {dataset['path']} is not a directory")
    names = dataset["class_names"]
    if names is not None and len(names) != len(FASHION_MNIST_CLASSES):
        problems.append(
            f"dataset.class_names: Fashion-MNIST has {len(FASHION_MNIST_CLASSES)} classes, "
            f"got {len(names)} names"
        )
    if (dataset["n_train"] or 0) > FASHION_MNIST_N_TRAIN:
        problems.append(
            f"dataset.n_train: {dataset['n_train']} but Fashion-MNIST has "
            f"{FASHION_MNIST_N_TRAIN} training images"
        )
    return problems


# ---------------------------------------------------------------- idx, npz


def _read_idx(inputs, source, *, n_jobs=1, log=None) -> dict:
    where = inputs["idx_dir"]
    return _prepared(load_idx_dataset(find_idx_files(where)), source, where)


def _read_npz(inputs, source, *, n_jobs=1, log=None) -> dict:
    where = inputs["npz"]
    return _prepared(load_npz_dataset(where), source, where)


def _path_problems(dataset: dict) -> list[str]:
    if not dataset["path"]:
        return [f"dataset.path: required for format {dataset['format']!r}"]
    if not Path(dataset["path"]).exists():
        return [f"dataset.path: {dataset['path']} does not exist"]
    return []


def _npz_problems(dataset: dict) -> list[str]:
    problems = _path_problems(dataset)
    if not problems and not zipfile.is_zipfile(dataset["path"]):
        problems.append(
            f"dataset.path: {dataset['path']} is not a .npz file (no zip archive: "
            "truncated, or another format)"
        )
    return problems


# ---------------------------------------------------------------- folder


def _read_folder(inputs, source, *, n_jobs=1, log=None) -> dict:
    arrays = folders.read(
        source["path"],
        color=source.get("color", "gray"),
        image_size=source.get("image_size"),
        on_bad_image=source.get("on_bad_image", "refuse"),
        class_names=source.get("class_names"),
        n_jobs=n_jobs,
        log=log,
    )
    return limit_splits(arrays, source.get("n_train"), source.get("n_test"), source["path"])


def _folder_problems(dataset: dict) -> list[str]:
    """The folder and its class folders; what it means for the rest of the config is
    checked with the config (``workflow.config``)."""
    if not dataset["path"]:
        return ["dataset.path: required for format 'folder' (a directory with train/)"]
    if not Path(dataset["path"]).is_dir():
        return [f"dataset.path: {dataset['path']} is not a directory"]
    try:
        layout = folders.scan(dataset["path"])
    except DataError as error:
        return [f"dataset.path: {error}"]
    names = dataset["class_names"]
    if layout.labelled and names is not None and names != layout.class_names:
        return [
            f"dataset.class_names: {names} differ from the class folders "
            f"of {dataset['path']}/train {layout.class_names}; leave class_names out"
        ]
    return []


def _folder_digest(dataset: dict) -> str:
    """The fingerprint of an image folder's files (``folders.manifest_digest``): adding,
    removing or changing an image reruns from the data stage."""
    return folders.manifest_digest(folders.scan(dataset["path"]))


FORMATS = table(
    DatasetFormat(
        "fashion-mnist",
        _read_fashion_mnist,
        _fashion_mnist_files,
        _fashion_mnist_problems,
        class_names=FASHION_MNIST_CLASSES,
        n_train=FASHION_MNIST_N_TRAIN,
        unavailable=_fashion_mnist_unavailable,
    ),
    DatasetFormat(
        "idx", _read_idx, lambda dataset, _: {"idx_dir": dataset["path"]}, _path_problems
    ),
    DatasetFormat("npz", _read_npz, lambda dataset, _: {"npz": dataset["path"]}, _npz_problems),
    DatasetFormat(
        "folder",
        _read_folder,
        lambda dataset, _: {},  # its files are tracked by their fingerprint (files_digest)
        _folder_problems,
        image_files=True,
        files_digest=_folder_digest,
    ),
)
