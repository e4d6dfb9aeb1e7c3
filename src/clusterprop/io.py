"""Artifact I/O that never leaves a half-written file under its final name."""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

#: Errors of the file system (not of, say, a network) that writing an artifact can meet.
_FILE_SYSTEM_ERRORS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EEXIST,
    errno.ENOENT,
    errno.EIO,
}


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success.

    The temporary file (``.NAME.partial.SUFFIX``, hidden, same directory so the rename is
    atomic, same suffix for libraries that look at it) is removed on any exception, so
    ``path`` only ever holds a complete file. A job killed mid-write leaves at most the
    temporary file, which its rerun overwrites. Write errors (disk full, permissions)
    are re-raised naming the artifact.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        if exc.errno not in _FILE_SYSTEM_ERRORS:  # e.g. a network error while downloading
            raise
        raise OSError(exc.errno, f"could not write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | os.PathLike, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=_json_default) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def save_npz(path: str | os.PathLike, *, compressed: bool = False, **arrays: Any) -> None:
    """Save arrays to ``path`` atomically (``.npz``)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            (np.savez_compressed if compressed else np.savez)(handle, **arrays)


def save_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, array)


@contextlib.contextmanager
def open_npz_files(named_paths: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Open ``.npz`` artifacts by name; each array is read when first indexed (a
    selection that needs only the labels never decompresses the images)."""
    with contextlib.ExitStack() as stack:
        yield {
            name: stack.enter_context(np.load(path, allow_pickle=False))
            for name, path in named_paths.items()
        }


def load_npz(path: str | os.PathLike, *keys: str, mmap: bool = False) -> dict[str, np.ndarray]:
    """Arrays of an ``.npz`` file: the named ones only (cheaper), or all of them.

    ``mmap``: the arrays stored uncompressed are memory-mapped (read only), so that
    indexing a few rows of the images reads only those rows from disk; compressed ones
    are read whole, as without it."""
    with np.load(path, allow_pickle=False) as data:
        keys = keys or tuple(data.files)
        if not mmap:
            return {key: data[key] for key in keys}
        mapped = _stored_members(path, keys)
        return {key: mapped[key] if key in mapped else data[key] for key in keys}


def _stored_members(path: str | os.PathLike, keys: tuple[str, ...]) -> dict[str, np.memmap]:
    """Memory maps of the uncompressed ``.npy`` members ``keys`` of a zip (``.npz``)."""
    import struct
    import zipfile

    mapped = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as handle:
        for key in keys:
            info = archive.getinfo(f"{key}.npy")
            if info.compress_type != zipfile.ZIP_STORED:
                continue
            # a member's data follows its local header: 30 bytes, its name, an extra field
            handle.seek(info.header_offset)
            header = handle.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            version = np.lib.format.read_magic(handle)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0}.get(
                version, np.lib.format.read_array_header_2_0
            )
            shape, fortran_order, dtype = read_header(handle)
            if dtype.hasobject or not shape or 0 in shape:
                continue
            mapped[key] = np.memmap(
                path,
                dtype=dtype,
                mode="r",
                offset=handle.tell(),
                shape=shape,
                order="F" if fortran_order else "C",
            )
    return mapped
