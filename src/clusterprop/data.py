"""Obtain, verify and decode image data sets (Fashion-MNIST, IDX directories, .npz;
image folders in ``folders``)."""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clusterprop.errors import DataError
from clusterprop.fingerprints import pixel_fingerprints
from clusterprop.io import atomic_path

logger = logging.getLogger(__name__)

FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
#: Debian's ``dataset-fashion-mnist`` package installs the original files here.
SYSTEM_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
#: Environment variables that stand for the two places above: a site's own mirror of
#: the four files, and where another system keeps them (the tests play a machine
#: without the data set with them).
URL_VARIABLE = "CLUSTERPROP_FASHION_MNIST_URL"
SYSTEM_DIR_VARIABLE = "CLUSTERPROP_FASHION_MNIST_SYSTEM_DIR"
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


@dataclass(frozen=True)
class IdxFile:
    role: str
    name: str
    #: MD5 of the gzipped file as published by Zalando Research.
    md5_gz: str
    #: MD5 of the decompressed file, also published; it identifies a repacked copy
    #: (Debian recompresses the files, which changes the gzip header, not the data).
    md5_raw: str


FASHION_MNIST_FILES = (
    IdxFile(
        "X_train",
        "train-images-idx3-ubyte.gz",
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    ),
    IdxFile(
        "y_train",
        "train-labels-idx1-ubyte.gz",
        "25c81989df183df01b3e8a0aad5dffbe",
        "9018921c3c673c538a1fc5bad174d6f9",
    ),
    IdxFile(
        "X_test",
        "t10k-images-idx3-ubyte.gz",
        "bef4ecab320f06d8554ea6380940ec79",
        "8181f5470baa50b63fa0f6fddb340f0a",
    ),
    IdxFile(
        "y_test",
        "t10k-labels-idx1-ubyte.gz",
        "bb300cfdad3c16e7a12a480ee83cd310",
        "15d484375f8d13e6eb1aabb0c3f46965",
    ),
)
IDX_NAMES = {f.role: f.name.removesuffix(".gz") for f in FASHION_MNIST_FILES}

# IDX type codes (third byte of the magic number) -> big-endian numpy dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


# --------------------------------------------------------------------------- IDX


def decode_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of one (decompressed) IDX file into an array.

    Checks the magic number, the dimensions and that the length matches exactly.
    """
    if len(data) < 4:
        raise DataError(f"{name}: too short for an IDX header ({len(data)} bytes)")
    zero1, zero2, type_code, ndim = data[0], data[1], data[2], data[3]
    if zero1 != 0 or zero2 != 0 or type_code not in _IDX_DTYPES:
        raise DataError(
            f"{name}: wrong magic number 0x{data[:4].hex()} (expected 0x0000TTDD with "
            f"type code TT in {sorted(hex(c) for c in _IDX_DTYPES)})"
        )
    if ndim == 0:
        raise DataError(f"{name}: IDX header declares 0 dimensions")
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DataError(f"{name}: truncated IDX header ({len(data)} of {header_len} bytes)")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[type_code]
    expected = header_len + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        kind = "truncated" if len(data) < expected else "has trailing bytes"
        raise DataError(
            f"{name}: {kind}: {len(data)} bytes, but the header's dimensions {dims} need {expected}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(dims)
    return array.astype(dtype.newbyteorder("="))


def read_maybe_gzipped(path: str | os.PathLike) -> bytes:
    """Read a file, decompressing it when it is gzipped (detected by its magic bytes)."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise DataError(f"{path}: corrupt or truncated gzip file ({exc})") from exc


def read_idx(path: str | os.PathLike) -> np.ndarray:
    return decode_idx(read_maybe_gzipped(path), name=str(path))


def find_idx_files(directory: str | os.PathLike) -> dict[str, Path]:
    """The four MNIST-format files in ``directory``, gzipped or not, keyed by role."""
    directory = Path(directory)
    found, missing = {}, []
    for role, stem in IDX_NAMES.items():
        for candidate in (directory / f"{stem}.gz", directory / stem):
            if candidate.is_file():
                found[role] = candidate
                break
        else:
            missing.append(f"{stem}[.gz]")
    if missing:
        raise DataError(f"{directory}: missing IDX file(s): {', '.join(missing)}")
    return found


# --------------------------------------------------------------------------- MD5


def md5_of(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def verify_fashion_mnist_file(path: str | os.PathLike, spec: IdxFile) -> None:
    """Refuse ``path`` unless it is the published file (or a recompressed copy of it)."""
    raw = Path(path).read_bytes()
    got = md5_of(raw)
    if got == spec.md5_gz:
        return
    try:
        content_md5 = md5_of(read_maybe_gzipped(path))
    except DataError:
        content_md5 = None
    if content_md5 == spec.md5_raw:
        return
    raise DataError(
        f"{path}: MD5 mismatch for {spec.name}: got {got}, expected {spec.md5_gz} "
        f"(or decompressed content {spec.md5_raw}); the file is corrupt or not "
        "the published Fashion-MNIST"
    )


def fashion_mnist_url(filename: str = "") -> str:
    """Where the published files are downloaded from (a mirror's, where one is set)."""
    base = os.environ.get(URL_VARIABLE) or FASHION_MNIST_URL
    return base.rstrip("/") + "/" + filename


def system_fashion_mnist_dir() -> str:
    return os.environ.get(SYSTEM_DIR_VARIABLE) or SYSTEM_FASHION_MNIST_DIR


def resolve_fashion_mnist_dir(configured: str | None, system_dir: str | None = None) -> Path | None:
    """Where to read Fashion-MNIST from: the configured directory, else the system copy.

    Returns None when neither exists, meaning: download it.
    """
    if configured:
        return Path(configured)
    system = Path(system_dir or system_fashion_mnist_dir())
    if all((system / f.name).is_file() for f in FASHION_MNIST_FILES):
        return system
    return None


def download_problem(url: str, timeout: float = 10.0, opener: Callable = urllib.request.urlopen):
    """Why ``url`` cannot be downloaded now (a few words), or None when its server
    answers (an HTTP error too: the download job then says what it was)."""
    try:
        with opener(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None
    except OSError as exc:  # urllib's URLError, timeouts, refused connections
        reason = getattr(exc, "reason", None) or exc
        return str(getattr(reason, "strerror", None) or reason)


def fashion_mnist_unavailable(
    configured: str | None, download_dir: str, problem: Callable = download_problem
) -> list[str]:
    """What a person reads when the four files are neither where the config says
    (``dataset.path``), nor the system copy, nor already downloaded into
    ``download_dir``, and cannot be downloaded either (``problem(url)`` says why, None
    when it can): what is missing and the ways out, a few lines; empty when all is there."""
    names = [f.name for f in FASHION_MNIST_FILES]
    if configured:
        missing = [name for name in names if not (Path(configured) / name).is_file()]
        if not missing:
            return []
        said = f"dataset.path: {configured} lacks {', '.join(missing)}"
        place = f"into {configured}/ (dataset.path)"
    else:
        if resolve_fashion_mnist_dir(None) is not None:
            return []
        missing = [name for name in names if not (Path(download_dir) / name).is_file()]
        reason = problem(fashion_mnist_url(missing[0])) if missing else None
        if reason is None:
            return []
        said = (
            f"Fashion-MNIST is not on this machine and could not be downloaded from "
            f"{fashion_mnist_url()} ({reason})"
        )
        place = downloads_place(download_dir)
    return [f"data: {said}.", *ways_to_fashion_mnist(place), "Nothing was run."]


def downloads_place(download_dir: str) -> str:
    return f"into {download_dir}/ here, or a folder of yours named by dataset.path"


def ways_to_fashion_mnist(place: str) -> list[str]:
    """The two ways to give the workflow Fashion-MNIST without a download; ``place``:
    where the files can be put by hand."""
    names = [f.name for f in FASHION_MNIST_FILES]
    return [
        "Either way below gives the workflow the data set; then run snakemake again.",
        f"  1. Debian's package, which puts the four files in {SYSTEM_FASHION_MNIST_DIR}:",
        "       apt-get update && apt-get install -y dataset-fashion-mnist",
        "  2. The four original files, copied from a machine that has them,",
        f"     {place}:",
        "       " + "  ".join(names[:2]),
        "       " + "  ".join(names[2:]),
        "     (they are checked against the published MD5 sums).",
    ]


# --------------------------------------------------------------------------- download


def download(
    url: str,
    dest: str | os.PathLike,
    verify: Callable[[Path], None],
    *,
    attempts: int = 3,
    timeout: float = 60.0,
    opener: Callable = urllib.request.urlopen,
) -> None:
    """Download ``url`` to ``dest`` with progress in the log, verified before it lands.

    A cut-off or corrupt download is retried; after ``attempts`` failures a
    ``DataError`` names the problem. ``dest`` only ever appears complete and verified.
    """
    last_error: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            with atomic_path(dest) as tmp:
                _fetch(url, tmp, timeout, opener)
                verify(tmp)
            return
        except (OSError, DataError) as exc:
            last_error = exc
            logger.warning("download %s failed (attempt %d/%d): %s", url, attempt, attempts, exc)
            time.sleep(min(2**attempt, 10) if attempt < attempts else 0)
    raise DataError(f"could not download {url} after {attempts} attempts: {last_error}")


def _fetch(url: str, dest: Path, timeout: float, opener: Callable) -> None:
    with opener(url, timeout=timeout) as response, open(dest, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        done, next_report = 0, 0.0
        while chunk := response.read(1 << 16):
            out.write(chunk)
            done += len(chunk)
            if total and done / total >= next_report:
                logger.info("%s: %5.1f%% of %.1f MB", url, 100 * done / total, total / 1e6)
                next_report += 0.1
        if total and done != total:
            raise DataError(f"{url}: connection closed after {done} of {total} bytes")


# --------------------------------------------------------------------------- data sets


def load_idx_dataset(files: dict[str, str | os.PathLike]) -> dict[str, np.ndarray]:
    """Decode the four IDX files given by role (X_train, y_train, X_test, y_test)."""
    return {role: read_idx(files[role]) for role in IDX_NAMES}


def load_npz_dataset(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a ``.npz`` with X_train, y_train, X_test, y_test (and optional class_names)."""
    if not zipfile.is_zipfile(path):
        raise DataError(f"{path}: not a .npz file (no zip archive; truncated, or another format)")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise DataError(f"{path}: corrupt .npz file ({type(exc).__name__}: {exc})") from exc
    missing = [key for key in IDX_NAMES if key not in arrays]
    if missing:
        raise DataError(f"{path}: missing array(s) {missing}; found {sorted(arrays)}")
    return arrays


def prepare_dataset(
    arrays: dict[str, np.ndarray],
    *,
    class_names: list[str] | None = None,
    n_train: int | None = None,
    n_test: int | None = None,
    source: str = "",
) -> dict[str, np.ndarray]:
    """Validate a data set and return it in the workflow's canonical form.

    Images become ``(n, height, width)`` arrays, labels int64 in ``[0, n_classes)``;
    ``n_train``/``n_test`` keep only the first images of each split.
    """
    out: dict[str, np.ndarray] = {}
    for split in ("train", "test"):
        X, y = np.asarray(arrays[f"X_{split}"]), np.asarray(arrays[f"y_{split}"])
        if X.ndim != 3:
            raise DataError(f"{source}: X_{split} must be (n, height, width), got {X.shape}")
        if y.ndim != 1 or len(y) != len(X):
            raise DataError(
                f"{source}: y_{split} must be 1-d with one label per image: "
                f"{y.shape} labels for {len(X)} images"
            )
        if not np.issubdtype(y.dtype, np.integer):
            raise DataError(f"{source}: y_{split} must hold integers, got {y.dtype}")
        if X.dtype != np.uint8:
            if not np.issubdtype(X.dtype, np.floating):
                raise DataError(f"{source}: X_{split} must be uint8 or float, got {X.dtype}")
            if X.size and (np.nanmin(X) < 0 or np.nanmax(X) > 1 or np.isnan(X).any()):
                raise DataError(f"{source}: float X_{split} must lie in [0, 1]")
        out[f"X_{split}"], out[f"y_{split}"] = X, y.astype(np.int64)
        out[f"{split}_ids"] = np.arange(len(y)).astype(str)  # an image's id: its row number
    out = limit_splits(out, n_train, n_test, source)
    if out["X_train"].shape[1:] != out["X_test"].shape[1:]:
        raise DataError(
            f"{source}: train images {out['X_train'].shape[1:]} and test images "
            f"{out['X_test'].shape[1:]} differ in size"
        )
    labels = np.concatenate([out["y_train"], out["y_test"]])
    if labels.size and labels.min() < 0:
        raise DataError(f"{source}: negative class label {labels.min()}")
    if class_names is None and "class_names" in arrays:
        class_names = [str(c) for c in arrays["class_names"]]
    n_classes = int(labels.max()) + 1 if class_names is None else len(class_names)
    if class_names is None:
        class_names = [str(c) for c in range(n_classes)]
    if labels.max() >= n_classes:
        raise DataError(
            f"{source}: label {labels.max()} but only {n_classes} class names {class_names}"
        )
    if len(set(class_names)) != len(class_names):
        raise DataError(f"{source}: class names are not unique: {class_names}")
    out["class_names"] = np.array(class_names, dtype=str)
    # what a person's labels are keyed by (clusterprop.labelling.store), beside the ids
    out["train_fingerprints"] = pixel_fingerprints(out["X_train"])
    return out


def limit_splits(arrays: dict, n_train: int | None, n_test: int | None, source: str) -> dict:
    """Keep the first ``n_train`` training and ``n_test`` test images (and their labels
    and ids)."""
    out = dict(arrays)
    for split, limit in (("train", n_train), ("test", n_test)):
        if limit is None:
            continue
        if limit > len(out[f"X_{split}"]):
            raise DataError(
                f"{source}: n_{split}={limit} but the split has {len(out[f'X_{split}'])} images"
            )
        for key in (f"X_{split}", f"y_{split}", f"{split}_ids", f"{split}_fingerprints"):
            if key in out:
                out[key] = out[key][:limit]
    return out


def find_spec(path: str | os.PathLike) -> IdxFile:
    """The published Fashion-MNIST file that ``path`` is named after."""
    name = Path(path).name
    for spec in FASHION_MNIST_FILES:
        if spec.name == name:
            return spec
    raise DataError(f"{path}: not a Fashion-MNIST file name")


def source_record(source: dict) -> dict:
    """What makes a data set the one its name stands for: its format and where it is
    read from (an absolute path; None for the default Fashion-MNIST lookup). More images
    in the same place is the same data set, grown."""
    path = source.get("path")
    return {"format": source["format"], "path": None if path is None else os.path.abspath(path)}


def source_conflict(name: str, source: dict, recorded: dict | None) -> str | None:
    """Why ``source`` may not take the data set name ``name``, whose results were made
    from ``recorded`` (``source_record``); None when it may."""
    if recorded is None or recorded == source_record(source):
        return None
    where = recorded["path"] or "the default Fashion-MNIST files"
    return (
        f"dataset.name: {name!r} is the name of another data set ({recorded['format']} "
        f"from {where}): its results are under results/{name}/. Give this data set a "
        "name of its own (dataset.name), or remove results/" + name + "/ to reuse it"
    )
