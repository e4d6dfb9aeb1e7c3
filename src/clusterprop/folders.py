"""Image folders: a directory of image files in, the workflow's arrays out.

Layout (``dataset.format: folder``): ``DIR/train/`` holds the pool, ``DIR/test/`` is
optional. Inside each, either one subfolder per class (ImageFolder: the folder name is
the class, sorted names give the class order; files may sit in deeper subfolders) or
the image files directly (no labels). Any file Pillow recognises by its extension is an
image; other files (``.txt``, ``.DS_Store``) are ignored and counted. An image's id is
its path relative to ``DIR`` (``train/Bag/0001.png``), and images are in sorted id
order, so ids are stable across runs.

``scan`` reads only the directory tree (fast, at config time); ``manifest_digest``
fingerprints every image file's path, size and modification time, which the data rule
takes as a parameter, so that adding, removing or changing a file reruns the workflow
from the data stage and nothing else does; ``read`` decodes the images in parallel.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from clusterprop.errors import DataError

SPLITS = ("train", "test")


@cache
def image_extensions() -> frozenset[str]:
    """File name extensions of every format Pillow reads (lower case, with the dot)."""
    from PIL import Image

    Image.init()
    return frozenset(ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN)


@dataclass(frozen=True)
class Split:
    """The image files of one split: ids relative to the root, and their class folder
    names (None throughout for an unlabelled split)."""

    name: str
    ids: tuple[str, ...]
    classes: tuple[str | None, ...]
    #: files that are not images, skipped (relative paths)
    ignored: tuple[str, ...] = field(default=())

    @property
    def labelled(self) -> bool:
        return bool(self.classes) and self.classes[0] is not None


@dataclass(frozen=True)
class Layout:
    root: Path
    train: Split
    test: Split | None

    @property
    def labelled(self) -> bool:
        return self.train.labelled

    @property
    def class_names(self) -> list[str] | None:
        """Sorted class folder names of ``train/`` (None: an unlabelled pool)."""
        return sorted(set(self.train.classes)) if self.labelled else None


def _is_image(name: str) -> bool:
    """A file Pillow reads, by its extension; hidden files (``.DS_Store``) never are.
    (String operations, no ``Path``: a million files are scanned in seconds.)"""
    return os.path.splitext(name)[1].lower() in image_extensions() and not name.startswith(".")


def _relative(path: str, root: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def _images_below(directory: Path, root: Path) -> tuple[list[str], list[str]]:
    """Image files and other files anywhere below ``directory``, relative to ``root``,
    sorted; hidden directories are not entered."""
    images, others = [], []
    for current, subdirs, files in os.walk(directory):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        prefix = _relative(current, root) + "/"  # once a folder, not once a file
        for name in files:
            (images if _is_image(name) else others).append(prefix + name)
    return sorted(images), sorted(others)


def _scan_split(root: Path, name: str) -> Split:
    directory = root / name
    entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    class_dirs = [e for e in entries if e.is_dir() and not e.name.startswith(".")]
    loose_images, loose_others = [], []
    prefix = _relative(str(directory), root) + "/"
    for entry in entries:
        if entry.is_file():
            target = loose_images if _is_image(entry.name) else loose_others
            target.append(prefix + entry.name)
    if not class_dirs:  # unlabelled: the images sit directly in the split's folder
        if not loose_images:
            raise DataError(f"{directory}: no image files (and no class folders)")
        return Split(name, tuple(loose_images), (None,) * len(loose_images), tuple(loose_others))
    if loose_images:
        raise DataError(
            f"{directory}: holds both class folders ({class_dirs[0].name}/, ...) and image "
            f"files ({loose_images[0]}, ...); put every image in a class folder, or none"
        )
    ids, classes, ignored = [], [], list(loose_others)
    for class_dir in class_dirs:
        images, others = _images_below(Path(class_dir.path), root)
        if not images:
            raise DataError(f"{class_dir.path}: class folder {class_dir.name!r} has no images")
        ids += images
        classes += [class_dir.name] * len(images)
        ignored += others
    return Split(name, tuple(ids), tuple(classes), tuple(ignored))


@cache
def scan(root: str | os.PathLike) -> Layout:
    """The layout of an image folder, from its directory tree only (no file is read).

    Raises ``DataError`` naming the folder for: no ``train/``, an empty ``train/`` or
    class folder, class folders mixed with loose images, a class of ``test/`` that
    ``train/`` does not have, and one split labelled while the other is not.
    """
    root = Path(root)
    if not (root / "train").is_dir():
        raise DataError(f"{root}: no train/ folder (the pool of images to learn from)")
    train = _scan_split(root, "train")
    test = _scan_split(root, "test") if (root / "test").is_dir() else None
    if test is not None:
        if test.labelled and not train.labelled:
            raise DataError(f"{root}/test: has class folders but train/ has none")
        if test.labelled:
            unknown = sorted(set(test.classes) - set(train.classes))
            if unknown:
                raise DataError(
                    f"{root}/test: class folder(s) {unknown} are not classes of train/ "
                    f"({sorted(set(train.classes))})"
                )
    return Layout(root, train, test)


def manifest_digest(layout: Layout) -> str:
    """A fingerprint of every image file: path, size and modification time (what make
    and rsync compare; 70,000 files take a fraction of a second, a million 3.3 s)."""
    digest = hashlib.sha256()
    root = str(layout.root)
    for split in (layout.train, layout.test):
        if split is None:
            continue
        lines = []
        for image_id in split.ids:
            status = os.stat(f"{root}/{image_id}")
            lines.append(f"{image_id}\t{status.st_size}\t{status.st_mtime_ns}\n")
        digest.update("".join(lines).encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- decoding


def _decode(path: Path, mode: str, size: tuple[int, int] | None):
    """One image as a uint8 array in ``mode`` (L or RGB), padded to ``size`` (width,
    height) if given, and its file's content fingerprint; or None and the error message
    if the file cannot be decoded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    from clusterprop.fingerprints import fingerprint

    try:
        content = path.read_bytes()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            image = image.convert(mode)
    except UnidentifiedImageError:
        return None, "UnidentifiedImageError: not an image file Pillow can read"
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    except Image.DecompressionBombError as exc:
        return None, str(exc)
    if size is not None and image.size != size:
        image = ImageOps.pad(image, size, method=Image.Resampling.LANCZOS, color=0)
    return np.asarray(image, dtype=np.uint8), fingerprint(content)


def _decode_chunk(root: Path, ids, mode: str, size):
    return [_decode(root / image_id, mode, size) for image_id in ids]


def decode_all(
    root: Path, ids, *, color: str, image_size, n_jobs: int = 1
) -> tuple[list, list[tuple[str, str]]]:
    """Decode ``ids`` (paths below ``root``) over ``n_jobs`` processes; returns the
    arrays (None where a file failed) and (id, error) for each file that failed."""
    from joblib import Parallel, delayed

    mode = {"gray": "L", "rgb": "RGB"}[color]
    size = None if image_size is None else (int(image_size[1]), int(image_size[0]))
    chunks = [list(c) for c in np.array_split(np.array(ids, dtype=object), max(1, 8 * n_jobs))]
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_decode_chunk)(root, chunk, mode, size) for chunk in chunks if len(chunk)
    )
    decoded = [item for part in parts for item in part]
    failed = [(i, what) for i, (array, what) in zip(ids, decoded, strict=True) if array is None]
    return [array for array, _ in decoded], failed, [what for _, what in decoded]


def image_size_of(spec) -> tuple[int, int] | None:
    """``dataset.image_size`` as (height, width): an integer is a square."""
    if spec is None:
        return None
    if isinstance(spec, int):
        return spec, spec
    return int(spec[0]), int(spec[1])


def read(
    root: str | os.PathLike,
    *,
    color: str = "gray",
    image_size=None,
    on_bad_image: str = "refuse",
    class_names: list[str] | None = None,
    n_jobs: int = 1,
    log=None,
) -> dict[str, np.ndarray]:
    """Decode an image folder into the workflow's arrays: ``X_train`` ``(n, h, w)``
    (gray) or ``(n, h, w, 3)`` (rgb) uint8, ``y_train`` (class index, -1 where there is
    no label), ``train_ids``, the same for test (empty without ``test/``) and
    ``class_names``.

    A file that cannot be decoded is refused with its path (``on_bad_image: refuse``)
    or skipped and listed in ``log`` (``skip``). Without ``image_size`` every image must
    have the size of the first; with it, each image is scaled to fit inside, keeping its
    aspect ratio, and padded with black to exactly that size.
    """
    layout = scan(root)
    size = image_size_of(image_size)
    log = log or (lambda message: None)
    if layout.labelled:
        if class_names is not None and list(class_names) != layout.class_names:
            raise DataError(
                f"{layout.root}: dataset.class_names {list(class_names)} differ from the "
                f"class folders {layout.class_names}; leave class_names out"
            )
        class_names = layout.class_names
    elif not class_names:
        raise DataError(f"{layout.root}/train: no class folders: set dataset.class_names")
    out: dict[str, np.ndarray] = {}
    shape = None
    for name in SPLITS:
        split = getattr(layout, name)
        if split is None:
            out[f"X_{name}"], out[f"y_{name}"], out[f"{name}_ids"] = None, [], []
            out[f"{name}_fingerprints"] = []
            continue
        if split.ignored:
            log(f"{name}: {len(split.ignored)} file(s) that are not images ignored")
        arrays, failed, prints = decode_all(
            layout.root, split.ids, color=color, image_size=size, n_jobs=n_jobs
        )
        if failed and on_bad_image == "refuse":
            shown = "\n  ".join(f"{layout.root / i}: {e}" for i, e in failed[:10])
            raise DataError(
                f"{len(failed)} image file(s) cannot be decoded (dataset.on_bad_image: skip "
                f"leaves them out):\n  {shown}"
            )
        for image_id, error in failed:
            log(f"skipped {layout.root / image_id}: {error}")
        keep = [i for i, array in enumerate(arrays) if array is not None]
        if not keep:
            raise DataError(f"{layout.root}/{name}: no image could be decoded")
        shapes = Counter(arrays[i].shape for i in keep)
        if shape is None:
            shape = arrays[keep[0]].shape
        odd = [i for i in keep if arrays[i].shape != shape]
        if odd:
            raise DataError(
                f"{layout.root / split.ids[odd[0]]}: {_size(arrays[odd[0]].shape)} but "
                f"{layout.root / split.ids[keep[0]]} is {_size(shape)} ({len(shapes)} sizes "
                "in all): set dataset.image_size to bring them to one size"
            )
        index = {c: i for i, c in enumerate(class_names)}
        out[f"X_{name}"] = np.stack([arrays[i] for i in keep])
        out[f"y_{name}"] = [index[split.classes[i]] if split.labelled else -1 for i in keep]
        out[f"{name}_ids"] = [split.ids[i] for i in keep]
        out[f"{name}_fingerprints"] = [prints[i] for i in keep]
        log(f"{name}: {len(keep)} images of {_size(shape)}")
    if out["X_test"] is None:
        out["X_test"] = np.zeros((0, *shape), dtype=np.uint8)
    for name in SPLITS:
        out[f"y_{name}"] = np.asarray(out[f"y_{name}"], dtype=np.int64)
        out[f"{name}_ids"] = np.asarray(out[f"{name}_ids"], dtype=str)
        out[f"{name}_fingerprints"] = np.asarray(out[f"{name}_fingerprints"], dtype=str)
    out["class_names"] = np.asarray(class_names, dtype=str)
    return out


def _size(shape) -> str:
    return f"{shape[1]}x{shape[0]}" + (f"x{shape[2]}" if len(shape) == 3 else "")


def write(
    root: str | os.PathLike,
    split: str,
    images: np.ndarray,
    labels: np.ndarray | None,
    class_names: list[str] | None,
    *,
    suffix: str = ".png",
) -> list[str]:
    """Write images as files into ``root/split/`` (one folder per class, or directly
    without labels), named by their row number; returns their ids. For tests and the
    reading benchmark: Fashion-MNIST as an image folder."""
    from PIL import Image

    ids, digits = [], max(5, len(str(len(images) - 1)))
    for row, image in enumerate(images):
        folder = Path(split) if labels is None else Path(split) / class_names[int(labels[row])]
        image_id = (folder / f"{row:0{digits}d}{suffix}").as_posix()
        (Path(root) / folder).mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.asarray(image, dtype=np.uint8)).save(Path(root) / image_id)
        ids.append(image_id)
    return ids
