"""The workflow's figures: accuracy against labels, a confusion matrix, image grids.

Written through ``io.atomic_path``: a figure is either complete or absent.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from clusterprop.io import atomic_path  # noqa: E402


def plot_accuracy_vs_labels(summary: pd.DataFrame, path: str) -> None:
    """Test accuracy against labels a person gave: one line per method with a band of
    ± one standard deviation over seeds; random-label methods dashed; methods that use
    every label as horizontal ceiling lines."""
    fig, ax = plt.subplots(figsize=(9, 6))
    curves = summary[summary.selection != "all"]
    budgets = sorted(curves.n_labels.unique())
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (method, curve) in enumerate(curves.groupby("method", sort=False)):
        curve = curve.sort_values("n_labels")
        colour = colours[index % len(colours)]
        mean = 100 * curve.accuracy_mean
        std = 100 * curve.accuracy_std.fillna(0)
        random = (curve.selection == "random").all()
        ax.plot(
            curve.n_labels,
            mean,
            marker="o",
            markersize=4,
            color=colour,
            linestyle="--" if random else "-",
            label=method,
        )
        ax.fill_between(curve.n_labels, mean - std, mean + std, color=colour, alpha=0.18)
    # black and thin, each ceiling its own pattern: dotted, dash-dot, dashed, dash-dot-dot
    ceiling_styles = [":", "-.", "--", (0, (6, 2, 1, 2, 1, 2))]
    ceilings = summary[summary.selection == "all"]
    for index, (_, full) in enumerate(ceilings.iterrows()):
        ax.axhline(
            100 * full.accuracy_mean,
            linestyle=ceiling_styles[index % len(ceiling_styles)],
            color="black",
            linewidth=1,
            label=f"ceiling, {full.method}: {100 * full.accuracy_mean:.1f}%",
        )
    if len(ceilings):  # axhline does not widen the axis: make room for every ceiling
        top = 100 * ceilings.accuracy_mean.max() + 1.5
        if np.isfinite(top) and top > ax.get_ylim()[1]:
            ax.set_ylim(top=top)
    ax.set_xscale("log")
    if budgets:
        ax.set_xticks(budgets, [str(b) for b in budgets])
    ax.minorticks_off()
    ax.set_xlabel("labels a person gave")
    ax.set_ylabel("test accuracy (%)")
    n_seeds = int(summary.n_seeds.max()) if len(summary) else 0
    ax.set_title(f"Test accuracy against labelling budget (mean ± std over {n_seeds} seeds)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    _save(fig, path, dpi=120)


def plot_confusion(matrix: Sequence[Sequence[int]], class_names, title: str, path: str) -> None:
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(7, 6))
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    ax.set_yticks(range(len(class_names)), class_names)
    for (i, j), count in np.ndenumerate(matrix):
        colour = "white" if count > matrix.max() / 2 else "black"
        ax.text(j, i, str(count), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    _save(fig, path, dpi=120)


def plot_image_grid(
    images: np.ndarray, captions: Sequence[str], title: str, path: str, columns: int = 20
) -> None:
    """A grid of images with a caption under each (the labelled representatives, the
    images to label). Long captions (image files' paths) wrap, and each cell is tall
    enough for its lines, so that no two captions overlap."""
    captions = [_wrapped(caption) for caption in captions]
    lines = max((caption.count("\n") + 1 for caption in captions), default=1)
    rows = max(1, math.ceil(len(images) / columns))
    columns = min(columns, max(1, len(images)))
    # One picture of every image, each in a cell an inch wide with its caption's lines
    # above it, drawn once: hundreds of axes (their titles, tight_layout) took 10 s for 300.
    images = np.asarray(images)
    if len(images) == 0:
        plot_message(title, path)
        return
    height, width = images.shape[1:3]
    pad = max(1, width // 10)
    caption_rows = math.ceil(0.1 * lines / 0.95 * (height + pad))
    cell_height, cell_width = height + pad + caption_rows, width + pad
    ink = images.ndim == 3  # grey-scale as ink on paper (dark background shown white)
    blank = 0 if ink else (255 if images.dtype == np.uint8 else 1.0)
    mosaic = np.full(
        (rows * cell_height, columns * cell_width, *images.shape[3:]), blank, images.dtype
    )
    for i, image in enumerate(images):
        top = (i // columns) * cell_height + caption_rows + pad // 2
        left = (i % columns) * cell_width + pad // 2
        mosaic[top : top + height, left : left + width] = image
    title_inches = 0.5
    figure_height = rows * (0.95 + 0.1 * lines) + title_inches
    fig = plt.figure(figsize=(columns * 1.0, figure_height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1 - title_inches / figure_height))
    ax.imshow(mosaic, cmap="gray_r" if ink else None, interpolation="nearest", aspect="auto")
    ax.axis("off")
    for i, caption in enumerate(captions):
        x = (i % columns) * cell_width + cell_width / 2 - 0.5
        y = (i // columns) * cell_height + caption_rows - 0.5
        ax.text(x, y, caption, ha="center", va="bottom", fontsize=6)
    fig.suptitle(title, y=1 - 0.1 / figure_height, va="top")
    _save(fig, path, dpi=100)


def _wrapped(caption: str, width: int = 16) -> str:
    """A caption in lines of at most ``width`` characters (a path breaks anywhere)."""
    return "\n".join(
        part
        for line in caption.split("\n")
        for part in (textwrap.wrap(line, width, break_long_words=True) or [""])
    )


def _save(fig, path: str, dpi: int) -> None:
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format=Path(path).suffix.lstrip(".") or "png")
    finally:
        plt.close(fig)


def plot_message(text: str, path: str) -> None:
    """A figure that says why there is nothing to plot."""
    fig, ax = plt.subplots(figsize=(7, 2.5))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=10)
    _save(fig, path, dpi=100)
