"""Summary of all evaluated models: metrics table, comparison with the reference, plots."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from clusterprop.io import atomic_path  # noqa: E402

#: Columns that identify a model, in table order; ``seed`` varies within a group.
KEY_COLUMNS = ["dataset", "embedding", "selection", "n_labels", "propagation"]
METRIC_COLUMNS = [
    "accuracy",
    "macro_f1",
    "n_train_labels",
    "propagated_label_accuracy",
    "training_label_accuracy",
]
# Fit times stay in each model's metrics.json: they vary from run to run, and the
# summary table is byte-identical across runs of one config.

#: The reference study (Fashion-MNIST, raw pixels, logistic regression, one seed).
REFERENCE = [
    ("LR on all 60,000 labels", "all", 60000, "none", 84.10),
    ("LR on 300 'random' labels (the first 300 images)", "random", 300, "none", 77.76),
    ("LR on k=50 cluster representatives", "representative", 50, "none", 66.28),
    ("LR on k=100 cluster representatives", "representative", 100, "none", 70.46),
    ("LR on k=200 cluster representatives", "representative", 200, "none", 76.73),
    ("LR on k=300 cluster representatives", "representative", 300, "none", 76.22),
    ("k=300, label propagated to the whole cluster", "representative", 300, "all", 77.09),
    (
        "k=300, propagated to the 75% closest to the centroid",
        "representative",
        300,
        "closest:75",
        77.05,
    ),
]
REFERENCE_DATASET, REFERENCE_EMBEDDING, REFERENCE_N_TRAIN = "fashion-mnist", "raw", 60000


def metrics_table(records: Iterable[dict]) -> pd.DataFrame:
    """One row per evaluated model and seed; parameters flattened into ``param.*``."""
    rows = []
    for record in records:
        row = {key: record[key] for key in [*KEY_COLUMNS, "seed"]}
        row.update({key: record.get(key) for key in METRIC_COLUMNS})
        row.update(_flatten(record.get("params", {}), "param"))
        rows.append(row)
    table = pd.DataFrame(rows)
    table = table.sort_values(
        ["dataset", "embedding", "selection", "n_labels", "propagation", "seed"],
        key=_sort_key,
        kind="stable",
    )
    return table.reset_index(drop=True)


_ORDER = {
    "selection": {"all": 0, "representative": 1, "random": 2},
    "propagation": {"none": 0, "all": 1},
}


def _sort_key(column: pd.Series) -> pd.Series:
    order = _ORDER.get(column.name)
    if order is None:
        return column
    # unknown values (closest:P) sort after the known ones, by their spelling
    return column.map(lambda value: (order.get(value, len(order)), str(value)))


def _flatten(tree: dict, prefix: str) -> dict:
    flat = {}
    for key, value in sorted(tree.items()):
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        else:
            flat[name] = value if not isinstance(value, list) else ",".join(map(str, value))
    return flat


def aggregate(table: pd.DataFrame) -> pd.DataFrame:
    """Mean, sample standard deviation and count over seeds for each model."""
    grouped = table.groupby(KEY_COLUMNS, sort=False, dropna=False)
    out = grouped.agg(
        n_seeds=("seed", "nunique"),
        accuracy_mean=("accuracy", "mean"),
        accuracy_std=("accuracy", "std"),
        macro_f1_mean=("macro_f1", "mean"),
        n_train_labels=("n_train_labels", "mean"),
        propagated_label_accuracy_mean=("propagated_label_accuracy", "mean"),
        propagated_label_accuracy_std=("propagated_label_accuracy", "std"),
    )
    return out.reset_index()


def _pct(mean: float, std: float | None = None) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "–"
    if std is None or math.isnan(std):
        return f"{100 * mean:.2f}%"
    return f"{100 * mean:.2f} ± {100 * std:.2f}%"


def reference_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """The reference study's rows beside ours (raw pixels on Fashion-MNIST only)."""
    rows = []
    for label, selection, n_labels, propagation, ref in REFERENCE:
        match = summary[
            (summary.dataset == REFERENCE_DATASET)
            & (summary.embedding == REFERENCE_EMBEDDING)
            & (summary.selection == selection)
            & (summary.n_labels == n_labels)
            & (summary.propagation == propagation)
        ]
        ours = match.iloc[0] if len(match) else None
        rows.append(
            {
                "experiment": label,
                "reference": f"{ref:.2f}%",
                "ours (mean ± std)": "not run"
                if ours is None
                else _pct(ours.accuracy_mean, ours.accuracy_std),
                "seeds": 0 if ours is None else int(ours.n_seeds),
                "difference (points)": "–"
                if ours is None
                else f"{100 * ours.accuracy_mean - ref:+.2f}",
            }
        )
    return pd.DataFrame(rows)


def tables_markdown(summary: pd.DataFrame) -> str:
    """``tables.md``: the reference comparison, then every model of this run."""
    parts = ["# Results", ""]
    ref = reference_rows(summary)
    if (ref.seeds > 0).any():
        parts += [
            "## The reference study beside this run",
            "",
            "Reference: one seed, logistic regression on raw pixels/255, Fashion-MNIST "
            "(its 'random' 300 were the first 300 images; ours are drawn anew per seed).",
            "",
            ref.to_markdown(index=False, disable_numparse=True),
            "",
        ]
    ours = pd.DataFrame(
        {
            "dataset": summary.dataset,
            "embedding": summary.embedding,
            "selection": summary.selection,
            "labels given": summary.n_labels,
            "propagation": summary.propagation,
            "training labels": summary.n_train_labels.round().astype("Int64"),
            "propagated labels correct": [
                _pct(m, s)
                for m, s in zip(
                    summary.propagated_label_accuracy_mean,
                    summary.propagated_label_accuracy_std,
                    strict=True,
                )
            ],
            "test accuracy": [
                _pct(m, s) for m, s in zip(summary.accuracy_mean, summary.accuracy_std, strict=True)
            ],
            "macro F1": [_pct(m) for m in summary.macro_f1_mean],
            "seeds": summary.n_seeds,
        }
    )
    parts += ["## All models (mean ± sample std over seeds)", "", ours.to_markdown(index=False), ""]
    return "\n".join(parts)


def strategy_label(selection: str, propagation: str) -> str:
    if selection == "representative":
        return "representatives" if propagation == "none" else f"representatives + {propagation}"
    return selection


def plot_accuracy_vs_labels(summary: pd.DataFrame, path: str) -> None:
    """Test accuracy against labels a person gave, one line per strategy, error bars = std."""
    fig, ax = plt.subplots(figsize=(7.5, 5))
    budgets = sorted(summary.loc[summary.selection != "all", "n_labels"].unique())
    line = 0
    for embedding, per_embedding in summary.groupby("embedding", sort=False):
        curves = per_embedding[per_embedding.selection != "all"]
        for (selection, propagation), curve in curves.groupby(
            ["selection", "propagation"], sort=False
        ):
            curve = curve.sort_values("n_labels")
            # nudge each line sideways a little so that points at one budget stay apart
            nudge = 1 + 0.015 * (line - 1)
            line += 1
            ax.errorbar(
                curve.n_labels * nudge,
                100 * curve.accuracy_mean,
                yerr=100 * curve.accuracy_std.fillna(0),
                marker="o",
                capsize=3,
                label=f"{embedding}: {strategy_label(selection, propagation)}",
            )
        for _, full in per_embedding[per_embedding.selection == "all"].iterrows():
            ax.axhline(
                100 * full.accuracy_mean,
                linestyle="--",
                color="grey",
                label=f"{embedding}: all {int(full.n_train_labels)} labels",
            )
    ax.set_xscale("log")
    ax.set_xticks(budgets, [str(b) for b in budgets])
    ax.minorticks_off()
    ax.set_xlabel("labels a person gave")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Test accuracy against labelling budget (mean ± std over seeds)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
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
    """A grid of images with a caption under each (the labelled representatives)."""
    rows = max(1, math.ceil(len(images) / columns))
    columns = min(columns, max(1, len(images)))
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * 0.9, rows * 1.05 + 0.5), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, caption in zip(axes.flat, images, captions, strict=False):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(caption, fontsize=6)
    fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path, dpi=100)


def _save(fig, path: str, dpi: int) -> None:
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format=Path(path).suffix.lstrip(".") or "png")
    finally:
        plt.close(fig)


def best_label_efficient_model(records: Sequence[dict]) -> dict:
    """The most accurate model trained on fewer labels than the full training set."""
    candidates = [r for r in records if r["selection"] != "all"] or list(records)
    return max(candidates, key=lambda r: (r["accuracy"], -r["seed"]))
