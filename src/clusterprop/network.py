"""A convolutional network trained on the images with the propagated labels (PyTorch).

The ``cnn`` classifier of ``train.CLASSIFIERS``. Unlike the other classifiers it learns
from the images themselves, not from an embedding's features; the embedding still
drives clustering, selection and propagation. Its pooled features (the input of the
linear head) give the k-nearest-neighbour graph of self-training rounds
(``self_training_labels``).

A trained network is two files, neither of them a pickle: the weights as safetensors,
and a JSON file with the architecture, the preprocessing and the class names.
``load_network`` reads them back. PyTorch and safetensors are needed by the CNN jobs
only (``requirements-cnn.txt``); this module imports them inside its functions.
"""

from __future__ import annotations

import importlib.util
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from clusterprop.io import atomic_path, read_json, write_json

#: What the CNN jobs need beyond the workflow's requirements, and how to install it.
REQUIRED_MODULES = ("torch", "safetensors")
INSTALL_COMMAND = "pip install -r requirements-cnn.txt"
SPEC_FORMAT = "clusterprop-cnn"
SPEC_VERSION = 1
DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("fp32", "bf16")


@dataclass(frozen=True)
class NetworkSettings:
    """The ``cnn`` classifier's parameters (config ``classifiers: NAME: {name: cnn,
    ...}``), with their defaults."""

    #: output channels of the 3x3 convolutions (each followed by BatchNorm and ReLU); a
    #: 2x2 max-pool follows every second one except the last; then global average
    #: pooling and a linear head
    channels: Sequence[int] = (32, 32, 64, 64, 128)
    epochs: int = 3
    batch_size: int = 256
    #: the peak of the one-cycle schedule (AdamW)
    learning_rate: float = 3e-3
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    #: augmentation: random horizontal flips, and random shifts and scalings of up to
    #: this fraction of the image size (0 = none)
    flip: bool = True
    jitter: float = 0.05
    #: CPU threads (fixed, so that the same config gives the same numbers)
    threads: int = 2
    #: auto = a CUDA GPU where there is one, else the CPU
    device: str = "auto"
    #: bf16 = convolutions in bfloat16 (weights stay float32): about twice as fast on
    #: CPUs with AVX512-BF16 or AMX and on recent GPUs, much slower on CPUs without
    precision: str = "fp32"
    #: self-training rounds after the first: start from the previous round's weights
    #: and train ``warm_start_epochs`` more at a peak of ``warm_start_learning_rate``
    #: (instead of a new network from random weights with ``epochs``, ``learning_rate``)
    warm_start: bool = True
    warm_start_epochs: int = 1
    warm_start_learning_rate: float = 1e-3

    def __post_init__(self):
        object.__setattr__(self, "channels", tuple(int(c) for c in self.channels))


#: The settings that act on the rounds after the first only (round 1's jobs do not get
#: them, so that changing them reruns those rounds only).
LATER_ROUND_SETTINGS = ("warm_start", "warm_start_epochs", "warm_start_learning_rate")


def warm_started(settings: NetworkSettings, round_number: int) -> bool:
    """Whether that round starts from the previous round's network."""
    return round_number > 1 and settings.warm_start


def round_settings(settings: NetworkSettings, round_number: int) -> NetworkSettings:
    """The settings one round trains with: a warm-started round (after the first, with
    ``warm_start``) takes ``warm_start_epochs`` and ``warm_start_learning_rate``."""
    if warm_started(settings, round_number):
        return replace(
            settings,
            epochs=settings.warm_start_epochs,
            learning_rate=settings.warm_start_learning_rate,
        )
    return settings


def cnn(seed: int, **params) -> NetworkSettings:
    """The registry's function for ``cnn``: its settings (trained by ``train_network``)."""
    return NetworkSettings(**params)


def settings_problems(params: dict) -> list[str]:
    """What is wrong with a ``cnn`` classifier's parameter values (beyond their types,
    which the schema checks)."""
    settings = NetworkSettings(**params)
    problems = []
    if not settings.channels or min(settings.channels) < 1:
        problems.append("channels: at least one layer, each with at least one channel")
    for name in ("epochs", "batch_size", "threads", "warm_start_epochs"):
        if getattr(settings, name) < 1:
            problems.append(f"{name}: must be at least 1")
    for name in ("learning_rate", "warm_start_learning_rate"):
        if getattr(settings, name) <= 0:
            problems.append(f"{name}: must be positive")
    if not 0 <= settings.label_smoothing < 1:
        problems.append("label_smoothing: must be in [0, 1)")
    if not 0 <= settings.jitter < 0.5:
        problems.append("jitter: must be in [0, 0.5)")
    if settings.device not in DEVICES:
        problems.append(f"device: {settings.device!r} is not one of {', '.join(DEVICES)}")
    if settings.precision not in PRECISIONS:
        problems.append(f"precision: {settings.precision!r} is not one of {', '.join(PRECISIONS)}")
    return problems


def missing_modules() -> list[str]:
    """The modules the CNN jobs need that this Python cannot import."""
    return [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]


# ---------------------------------------------------------------- the network


def build_network(channels: Sequence[int], in_channels: int, n_classes: int):
    """The CNN: ``body`` (convolutions to pooled features) and ``head`` (linear)."""
    from torch import nn

    layers: list[nn.Module] = []
    previous = in_channels
    for index, width in enumerate(channels):
        layers += [
            nn.Conv2d(previous, width, 3, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        ]
        if index % 2 == 1 and index < len(channels) - 1:
            layers.append(nn.MaxPool2d(2))
        previous = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.ModuleDict({"body": nn.Sequential(*layers), "head": nn.Linear(previous, n_classes)})


def as_channels_first(images: np.ndarray) -> np.ndarray:
    """(n, h, w) gray or (n, h, w, c) colour images as (n, c, h, w)."""
    if images.ndim == 3:
        return images[:, None, :, :]
    if images.ndim == 4:
        return np.ascontiguousarray(images.transpose(0, 3, 1, 2))
    raise ValueError(f"images of shape {images.shape}: expected (n, h, w) or (n, h, w, c)")


def channel_statistics(images: np.ndarray, chunk: int = 10000) -> tuple[list[float], list[float]]:
    """Per-channel mean and standard deviation of (n, c, h, w) images in [0, 1] (uint8
    images scaled by 1/255); the network's input normalisation, measured on the whole
    training pool."""
    n_channels = images.shape[1]
    total = np.zeros(n_channels)
    squares = np.zeros(n_channels)
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    for start in range(0, len(images), chunk):
        block = images[start : start + chunk].astype(np.float64) / scale
        total += block.sum(axis=(0, 2, 3))
        squares += (block**2).sum(axis=(0, 2, 3))
    count = len(images) * images.shape[2] * images.shape[3]
    mean = total / count
    std = np.sqrt(np.maximum(squares / count - mean**2, 1e-12))
    return [round(float(m), 6) for m in mean], [round(float(s), 6) for s in std]


@dataclass
class TrainedNetwork:
    """A network with its preprocessing: ``predict_proba``, ``predict`` and
    ``features_and_probabilities`` on images as the data set stores them (uint8, or
    floats in [0, 1]), like a scikit-learn classifier."""

    module: Any
    spec: dict
    device: str = "cpu"
    precision: str = "fp32"
    batch_size: int = 256
    classes_: np.ndarray = field(init=False)

    def __post_init__(self):
        self.classes_ = np.arange(len(self.spec["class_names"]))

    def _batches(self, images: np.ndarray):
        import torch

        mean, std = _normalisation(self.spec["preprocessing"], self.device)
        chw = as_channels_first(images)
        self.module.eval()
        with torch.no_grad(), _autocast(self.device, self.precision):
            for start in range(0, len(chw), self.batch_size):
                batch = torch.from_numpy(chw[start : start + self.batch_size]).to(self.device)
                batch = _channels_last((unit_range(batch) - mean) / std)
                yield self.module["body"](batch).float()

    def features_and_probabilities(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pooled features (float32, n x channels[-1]) and class probabilities."""
        import torch

        features, probabilities = [], []
        for pooled in self._batches(images):
            features.append(pooled.cpu().numpy())
            logits = self.module["head"](pooled).float()
            probabilities.append(torch.softmax(logits, 1).cpu().numpy())
        width = self.spec["architecture"]["channels"][-1]
        n_classes = len(self.classes_)
        return (
            np.concatenate(features) if features else np.zeros((0, width), np.float32),
            np.concatenate(probabilities) if probabilities else np.zeros((0, n_classes)),
        )

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        return self.features_and_probabilities(images)[1]

    def predict(self, images: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(images).argmax(axis=1)]


def unit_range(batch):
    """Images as float32 in [0, 1]: uint8 divided by 255; floats (a .npz data set may
    hold them, already in [0, 1]) as they are."""
    import torch

    return batch.float() / 255 if batch.dtype == torch.uint8 else batch.float()


def _autocast(device: str, precision: str):
    import torch

    return torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=precision == "bf16")


def _channels_last(batch):
    """Channels-last tensors: oneDNN's fast convolution layout on the CPU."""
    import torch

    return batch.contiguous(memory_format=torch.channels_last)


def _normalisation(preprocessing: dict, device: str):
    import torch

    shape = (1, -1, 1, 1)
    mean = torch.tensor(preprocessing["mean"], dtype=torch.float32, device=device).view(shape)
    std = torch.tensor(preprocessing["std"], dtype=torch.float32, device=device).view(shape)
    return mean, std


# ---------------------------------------------------------------- training


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device: cuda asked for, but PyTorch sees no CUDA GPU")
    return device


def make_deterministic(threads: int) -> None:
    """Fixed CPU threads and deterministic algorithms (CPU and CUDA)."""
    import torch

    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set in this process
        pass
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False


def augment(batch, generator, *, flip: bool, jitter: float):
    """Random horizontal flips and random shifts/scalings of up to ``jitter`` of the
    image size (bilinear, zero padding), drawn from ``generator``."""
    import torch
    import torch.nn.functional as F

    n = len(batch)
    if flip:
        flipped = torch.rand(n, generator=generator) < 0.5
        batch = torch.where(flipped[:, None, None, None].to(batch.device), batch.flip(3), batch)
    if jitter > 0:
        scale = 1 + jitter * (2 * torch.rand(n, generator=generator) - 1)
        shift = jitter * (2 * torch.rand(n, 2, generator=generator) - 1)
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = scale
        theta[:, 1, 1] = scale
        theta[:, :, 2] = 2 * shift  # affine_grid's coordinates span [-1, 1]
        grid = F.affine_grid(theta.to(batch.device), list(batch.shape), align_corners=False)
        batch = F.grid_sample(batch, grid, align_corners=False)
    return batch


def train_network(
    images: np.ndarray,
    labels: np.ndarray,
    settings: NetworkSettings,
    *,
    seed: int,
    class_names: Sequence[str],
    normalise_on: np.ndarray | None = None,
    start_from: TrainedNetwork | None = None,
    log: Callable[[str], None] = print,
) -> tuple[TrainedNetwork, dict]:
    """Train the CNN on ``images`` (n, h, w[, c]; uint8, or floats in [0, 1]) with
    integer ``labels``.

    ``normalise_on``: the images whose per-channel statistics normalise the input (the
    whole pool; default: ``images``). ``start_from``: a network of the same
    architecture, preprocessing and classes whose weights training starts from (a
    warm-started self-training round); default: random weights. Deterministic for a
    given seed, thread count and device. Logs each epoch's mean loss and elapsed time.
    Returns the network and a fit record (seconds, epochs, device, per-epoch losses).
    """
    import torch
    import torch.nn.functional as F

    make_deterministic(settings.threads)
    device = resolve_device(settings.device)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    chw = as_channels_first(images)
    mean, std = channel_statistics(
        as_channels_first(normalise_on) if normalise_on is not None else chw
    )
    spec = {
        "format": SPEC_FORMAT,
        "version": SPEC_VERSION,
        "architecture": {
            "channels": list(settings.channels),
            "in_channels": int(chw.shape[1]),
            "n_classes": len(class_names),
        },
        "preprocessing": {
            "image_shape": list(images.shape[1:]),
            "layout": "images (n, h, w) or (n, h, w, c), uint8 (divided by 255) or floats in "
            "[0, 1]; then (x - mean) / std per channel",
            "mean": mean,
            "std": std,
        },
        "class_names": list(class_names),
        "precision": settings.precision,
    }
    module = build_network(settings.channels, chw.shape[1], len(class_names))
    if start_from is not None:
        for part in ("architecture", "preprocessing", "class_names"):
            if start_from.spec[part] != spec[part]:
                raise ValueError(
                    f"cannot start from a network with another {part}: "
                    f"{start_from.spec[part]} (this one: {spec[part]})"
                )
        module.load_state_dict(start_from.module.state_dict(), strict=True)
    module = module.to(device, memory_format=torch.channels_last)
    network = TrainedNetwork(module, spec, device, settings.precision)
    optimiser = torch.optim.AdamW(
        module.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    batches = batch_plan(len(chw), settings.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=settings.learning_rate, total_steps=settings.epochs * batches
    )
    data = torch.from_numpy(chw)
    targets = torch.as_tensor(np.asarray(labels, dtype=np.int64))
    norm_mean, norm_std = _normalisation(spec["preprocessing"], device)
    start = time.perf_counter()
    losses = []
    for epoch in range(settings.epochs):
        module.train()
        order = torch.randperm(len(chw), generator=generator)
        total, seen = 0.0, 0
        for index in range(batches):
            rows = order[index * settings.batch_size : (index + 1) * settings.batch_size]
            batch = (unit_range(data[rows].to(device)) - norm_mean) / norm_std
            batch = augment(batch, generator, flip=settings.flip, jitter=settings.jitter)
            with _autocast(device, settings.precision):
                logits = module["head"](module["body"](_channels_last(batch)))
            loss = F.cross_entropy(
                logits.float(), targets[rows].to(device), label_smoothing=settings.label_smoothing
            )
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(rows)
            seen += len(rows)
        losses.append(round(total / seen, 6))
        log(
            f"epoch {epoch + 1}/{settings.epochs}: loss {losses[-1]:.4f}, "
            f"{time.perf_counter() - start:.1f} s elapsed ({device}, {settings.precision})"
        )
    fit_record = {
        "fit_seconds": round(time.perf_counter() - start, 3),
        "n_iter": settings.epochs,
        "converged": None,
        "device": device,
        "epoch_losses": losses,
    }
    return network, fit_record


def round_seed(seed: int, round_number: int) -> int:
    """The random seed of one round of one run: from the run's seed (the ``seed``
    wildcard) and the round, so rounds and runs draw differently."""
    return int(np.random.SeedSequence([seed, round_number]).generate_state(1)[0])


def batch_plan(n: int, batch_size: int) -> int:
    """Batches per epoch: a last batch of a single image is left out (BatchNorm cannot
    train on one image); every image is drawn in some epoch, the order changing."""
    if n < 2:
        raise ValueError(f"a network needs at least 2 training images, got {n}")
    batches = math.ceil(n / batch_size)
    if batches > 1 and n % batch_size == 1:
        batches -= 1
    return batches


# ---------------------------------------------------------------- saving and loading


def save_network(network: TrainedNetwork, weights_path, spec_path) -> None:
    """Weights as safetensors, the architecture and preprocessing as JSON."""
    from safetensors.torch import save_file

    state = {
        name: tensor.detach().cpu().contiguous()
        for name, tensor in network.module.state_dict().items()
    }
    with atomic_path(weights_path) as tmp:
        save_file(state, str(tmp), metadata={"format": SPEC_FORMAT})
    write_json(spec_path, network.spec)


def load_network(
    weights_path: str | Path, spec_path: str | Path, device: str = "cpu"
) -> TrainedNetwork:
    """A saved CNN, ready to predict: ``load_network("model.safetensors", "model.json")``.

    Reads no pickle: the JSON says how to build the network, safetensors holds only
    tensors (every expected one must be there, with its shape). ``device``: cpu, cuda
    or auto. It predicts in the precision it was trained in (the JSON's ``precision``).
    """
    import torch
    from safetensors.torch import load_file

    spec = read_json(spec_path)
    if spec.get("format") != SPEC_FORMAT or spec.get("version") != SPEC_VERSION:
        raise ValueError(
            f"{spec_path}: not a clusterprop CNN description (format {spec.get('format')!r}, "
            f"version {spec.get('version')!r})"
        )
    device = resolve_device(device)
    architecture = spec["architecture"]
    module = build_network(
        architecture["channels"], architecture["in_channels"], architecture["n_classes"]
    )
    module.load_state_dict(load_file(str(weights_path)), strict=True)
    module = module.to(device, memory_format=torch.channels_last)
    return TrainedNetwork(module, spec, device, spec["precision"])


# ---------------------------------------------------------------- self-training


def neighbour_graph(features: np.ndarray, n_neighbors: int) -> dict[str, np.ndarray]:
    """The k-nearest-neighbour graph of a round's features, as label spreading takes it."""
    from clusterprop.neighbours import nearest_neighbours

    indices, distances = nearest_neighbours(np.asarray(features, dtype=np.float32), n_neighbors)
    return {"indices": indices, "distances": distances}


def settings_record(settings: NetworkSettings) -> dict:
    return {**asdict(settings), "channels": list(settings.channels)}
