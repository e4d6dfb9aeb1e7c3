"""Summary of all evaluated models: metrics table, comparison with the reference,
ablation. The plots are in ``plots``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

#: Columns that identify a point of a method's curve; ``seed`` varies within a group.
KEY_COLUMNS = [
    "dataset",
    "method",
    "embedding",
    "selection",
    "labelling",
    "n_labels",
    "propagation",
    "classifier",
]
METRIC_COLUMNS = [
    "accuracy",
    "macro_f1",
    "n_train_labels",
    "propagated_label_accuracy",
    "training_label_accuracy",
    # what the labeller got wrong, and what a review caught (review.labelling_record)
    "given_labels_wrong",
    "given_labels_wrong_after_review",
    "review_share",
    "mistakes_listed",
]
# Fit times stay in each model's metrics.json: they vary from run to run, and the
# summary table is byte-identical across runs of one config.

#: The reference study (Fashion-MNIST, raw pixels, logistic regression, one seed):
#: (row, selection, labels, propagation, test accuracy %).
REFERENCE = [
    ("LR on all 60,000 labels", "all", 60000, "none", 84.10),
    ("LR on 300 'random' labels (the first 300 images)", "random", 300, "none", 77.76),
    ("LR on k=50 cluster representatives", "centroid", 50, "none", 66.28),
    ("LR on k=100 cluster representatives", "centroid", 100, "none", 70.46),
    ("LR on k=200 cluster representatives", "centroid", 200, "none", 76.73),
    ("LR on k=300 cluster representatives", "centroid", 300, "none", 76.22),
    ("k=300, label propagated to the whole cluster", "centroid", 300, "all", 77.09),
    (
        "k=300, propagated to the 75% closest to the centroid",
        "centroid",
        300,
        "closest:75",
        77.05,
    ),
]
REFERENCE_DATASET, REFERENCE_EMBEDDING, REFERENCE_N_TRAIN = "fashion-mnist", "raw", 60000
REFERENCE_CLASSIFIER = "logistic_regression"


def metrics_table(runs: Iterable[dict], records: dict[str, dict]) -> pd.DataFrame:
    """One row per method, budget and seed, in the order of ``runs``; parameters
    flattened into ``param.*``.

    ``runs`` are dicts with method, budget, seed and metrics (a path); ``records``
    maps each path to its metrics.json content.
    """
    rows = []
    for run in runs:
        record = records[run["metrics"]]
        row = {"dataset": record["dataset"], "method": run["method"]}
        row.update({key: record[key] for key in KEY_COLUMNS[2:]})
        row["seed"] = run["seed"]
        row.update({key: record.get(key) for key in METRIC_COLUMNS})
        row.update(_flatten(record.get("params", {}), "param"))
        rows.append(row)
    table = pd.DataFrame(rows)
    order = {name: i for i, name in enumerate(dict.fromkeys(table.method))}
    table = table.sort_values(
        ["method", "n_labels", "seed"],
        key=lambda column: column.map(order) if column.name == "method" else column,
        kind="stable",
    )
    return table.reset_index(drop=True)


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
    """Mean, sample standard deviation and count over seeds for each method and budget."""
    grouped = table.groupby(KEY_COLUMNS, sort=False, dropna=False)
    out = grouped.agg(
        n_seeds=("seed", "nunique"),
        accuracy_mean=("accuracy", "mean"),
        accuracy_std=("accuracy", "std"),
        macro_f1_mean=("macro_f1", "mean"),
        n_train_labels=("n_train_labels", "mean"),
        propagated_label_accuracy_mean=("propagated_label_accuracy", "mean"),
        propagated_label_accuracy_std=("propagated_label_accuracy", "std"),
        given_labels_wrong=("given_labels_wrong", "mean"),
        given_labels_wrong_after_review=("given_labels_wrong_after_review", "mean"),
        review_share=("review_share", "mean"),
        mistakes_listed=("mistakes_listed", "mean"),
        classifier_kind=("param.classifier.name", "first"),
        classifier_standardize=("param.classifier.standardize", "first"),
    )
    return out.reset_index()


def _pct(mean: float, std: float | None = None) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "–"
    if std is None or math.isnan(std):
        return f"{100 * mean:.2f}%"
    return f"{100 * mean:.2f} ± {100 * std:.2f}%"


def reference_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """The reference study's rows beside ours (raw pixels, plain LR, Fashion-MNIST only)."""
    rows = []
    for label, selection, n_labels, propagation, ref in REFERENCE:
        match = summary[
            (summary.dataset == REFERENCE_DATASET)
            & (summary.embedding == REFERENCE_EMBEDDING)
            & (summary.selection == selection)
            & (summary.n_labels == n_labels)
            & (summary.propagation == propagation)
            & summary.labelling.isin(["oracle", "truth"])  # no labeller that errs
            & (summary.classifier_kind == REFERENCE_CLASSIFIER)
            & ~summary.classifier_standardize.fillna(False).astype(bool)
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
    """``tables.md``: the reference comparison, then every method at every budget."""
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
            "method": summary.method,
            "embedding": summary.embedding,
            "selection": summary.selection,
            "labelling": summary.labelling,
            "labels given": summary.n_labels,
            "propagation": summary.propagation,
            "classifier": summary.classifier,
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
    parts += [
        f"## All methods on {', '.join(summary.dataset.unique())} (mean ± sample std over seeds)",
        "",
        ours.to_markdown(index=False),
        "",
    ]
    return "\n".join(parts)


def rounds_table(round_runs: Iterable[dict], records: dict[str, dict]) -> pd.DataFrame:
    """Accuracy per self-training round: for each method with rounds and each budget,
    each round's labels (share correct) and test accuracy, mean ± std over seeds."""
    rows = [
        {
            "method": run["method"],
            "n_labels": run["budget"],
            "round": run["round"],
            "seed": run["seed"],
            "labels_correct": records[run["metrics"]]["training_label_accuracy"],
            "accuracy": records[run["metrics"]]["accuracy"],
        }
        for run in round_runs
    ]
    if not rows:
        return pd.DataFrame()
    grouped = pd.DataFrame(rows).groupby(["method", "n_labels", "round"], sort=False)
    out = grouped.agg(
        labels_correct=("labels_correct", "mean"),
        labels_correct_std=("labels_correct", "std"),
        accuracy=("accuracy", "mean"),
        accuracy_std=("accuracy", "std"),
        seeds=("seed", "nunique"),
    ).reset_index()
    return pd.DataFrame(
        {
            "method": out.method,
            "labels given": out.n_labels,
            "round": out["round"],
            "training labels correct": [
                _pct(m, s) for m, s in zip(out.labels_correct, out.labels_correct_std, strict=True)
            ],
            "test accuracy": [
                _pct(m, s) for m, s in zip(out.accuracy, out.accuracy_std, strict=True)
            ],
            "seeds": out.seeds,
        }
    )


def rounds_markdown(table: pd.DataFrame) -> str:
    """The accuracy-per-round section of ``tables.md`` (empty without rounds)."""
    if table.empty:
        return ""
    return "\n".join(
        [
            "",
            "## Self-training rounds (mean ± sample std over seeds)",
            "",
            "Round 1 learns from the propagated labels; each later round from the labels "
            "a person gave, spread over the previous round's network features.",
            "",
            table.to_markdown(index=False),
            "",
        ]
    )


def ablation_table(
    summary: pd.DataFrame, methods: Sequence[dict], budgets: Sequence[int]
) -> pd.DataFrame:
    """What each piece adds: each method's accuracy at ``budgets`` and its gain over the
    method it is compared with (its ``compare_with``, else the method listed before it).

    ``methods`` are the config's methods in order (name, embedding, selection,
    propagation, classifier, compare_with). Methods that use every label are the
    ceiling: listed with their accuracy, compared with nothing.
    """
    by_method = {name: group for name, group in summary.groupby("method", sort=False)}
    rows, previous = [], None
    for method in methods:
        group = by_method.get(method["name"])
        if group is None:
            continue
        row = {
            "method": method["name"],
            "embedding": method["embedding"],
            "selection": method["selection"],
            "propagation": method["propagation"],
            "classifier": method["classifier"],
        }
        if method["selection"] == "all":
            full = group.iloc[0]
            for budget in budgets:
                row[f"{budget} labels"] = f"all: {_pct(full.accuracy_mean, full.accuracy_std)}"
                row[f"gain at {budget}"] = "–"
            row["compared with"] = "–"
            rows.append(row)
            continue
        baseline = method.get("compare_with") or previous
        for budget in budgets:
            point = group[group.n_labels == budget]
            if point.empty:
                row[f"{budget} labels"], row[f"gain at {budget}"] = "not run", "–"
                continue
            point = point.iloc[0]
            cell = _pct(point.accuracy_mean, point.accuracy_std)
            if not math.isnan(point.propagated_label_accuracy_mean):
                cell += f" (propagated labels {_pct(point.propagated_label_accuracy_mean)})"
            row[f"{budget} labels"] = cell
            row[f"gain at {budget}"] = _gain(by_method.get(baseline), point, budget)
        row["compared with"] = baseline or "–"
        rows.append(row)
        previous = method["name"]
    return pd.DataFrame(rows)


def _gain(baseline: pd.DataFrame | None, point: pd.Series, budget: int) -> str:
    if baseline is None:
        return "–"
    match = baseline[baseline.n_labels == budget]
    if match.empty:
        return "–"
    return f"{100 * (point.accuracy_mean - match.iloc[0].accuracy_mean):+.2f}"


def ablation_markdown(
    summary: pd.DataFrame, methods: Sequence[dict], budgets: Sequence[int]
) -> str:
    table = ablation_table(summary, methods, budgets)
    return "\n".join(
        [
            "# Ablation: what each piece adds",
            "",
            f"Test accuracy (mean ± sample std over seeds) at {', '.join(map(str, budgets))} "
            "labels a person gave; in brackets, how many propagated training labels are "
            "correct. Gain: points over the method in 'compared with'.",
            "",
            table.to_markdown(index=False, disable_numparse=True) if len(table) else "(none)",
            "",
        ]
    )


def best_label_efficient_model(records: Sequence[dict]) -> dict:
    """The most accurate model trained on fewer labels than the full training set
    (ties: the lower seed, then the earlier record)."""
    candidates = [r for r in records if r["selection"] != "all"] or list(records)
    return max(reversed(candidates), key=lambda r: (r["accuracy"], -r["seed"]))


def model_to_show(records: dict[str, dict]) -> str:
    """The metrics file of the model whose predictions the summary shows: the most
    accurate one trained on fewer than all labels, or, with no test accuracy, the one
    given the most labels (first seed, first listed)."""
    if any(r["accuracy"] is not None for r in records.values()):
        best = best_label_efficient_model(list(records.values()))
        return next(path for path, record in records.items() if record is best)
    candidates = [p for p, r in records.items() if r["selection"] != "all"] or list(records)
    return max(reversed(candidates), key=lambda p: (records[p]["n_labels"], -records[p]["seed"]))


def has_accuracy(table: pd.DataFrame) -> bool:
    """Whether any model could be scored (a labelled test set exists)."""
    return bool(table.accuracy.notna().any())


NO_TEST_ACCURACY = (
    "No test accuracy: the data set has no labelled test images (an image folder without "
    "test/, or with a test/ that has no class folders), so no model can be scored. What "
    "is known is below: the labels a person gave, how many training labels each method "
    "made of them and of which classes, and, per model, a label for every image in "
    "results/predictions/."
)


def label_counts_table(runs: Iterable[dict], records: dict[str, dict]) -> pd.DataFrame:
    """Labels per class in each method's training set (mean over seeds), from the
    training-set statistics in each model's record."""
    rows = []
    for run in runs:
        record = records[run["metrics"]]
        rows.append(
            {
                "method": run["method"],
                "labels given": record["n_labels"],
                "seed": run["seed"],
                "training labels": record["n_train_labels"],
                **record.get("label_counts", {}),
            }
        )
    table = pd.DataFrame(rows)
    grouped = table.drop(columns="seed").groupby(["method", "labels given"], sort=False)
    return grouped.mean().round().astype(int).reset_index()


def no_accuracy_markdown(runs: Iterable[dict], records: dict[str, dict]) -> str:
    """``tables.md`` when no model can be scored."""
    counts = label_counts_table(list(runs), records)
    return "\n".join(
        [
            "# Results",
            "",
            NO_TEST_ACCURACY,
            "",
            "## Training labels per class (mean over seeds)",
            "",
            counts.to_markdown(index=False),
            "",
        ]
    )


def mistakes_markdown(summary: pd.DataFrame) -> str:
    """``mistakes.md``: for each method line (embedding, selection, propagation,
    classifier) labelled by more than one labeller, test accuracy by labeller (error
    kind and rate), budget and treatment (as given, robust, reviewed, reviewed +
    robust: those the config ran); with the share of the wrong labels on the review
    list and the list's size as a share of the labels (means over seeds and budgets of
    the reviewed runs)."""
    from clusterprop.labelling.kinds import parse_labelling

    parts = ["# Labelling mistakes", ""]
    rows = summary[summary.labelling != "truth"].copy()
    specs = [parse_labelling(slug) for slug in rows.labelling]
    rows["labeller"] = [spec.as_given.slug for spec in specs]
    rows["treatment"] = [spec.treatment for spec in specs]
    order = ["as given", "robust", "reviewed", "reviewed + robust"]
    line = ["embedding", "selection", "propagation", "classifier"]
    tables = 0
    for key, group in rows.groupby(line, sort=False):
        if group.labeller.nunique() < 2:
            continue
        tables += 1
        budgets = sorted(group.n_labels.unique())
        treatments = [t for t in order if t in set(group.treatment)]
        cells = []
        for labeller, by_labeller in group.groupby("labeller", sort=False):
            spec = parse_labelling(labeller)
            if not spec.can_err:
                name = "no mistakes"
            elif spec.labeller == "oracle":
                name = f"{spec.mistakes} {100 * spec.error_rate:g}%"
            else:
                name = spec.labeller
            row = {"labeller": name}
            for budget in budgets:
                for treatment in treatments:
                    # a labeller without mistakes has nothing to review: one model
                    wanted = treatment if spec.can_err else "as given"
                    point = by_labeller[
                        (by_labeller.n_labels == budget) & (by_labeller.treatment == wanted)
                    ]
                    row[f"{budget}: {treatment}"] = (
                        _pct(point.accuracy_mean.iloc[0], point.accuracy_std.iloc[0])
                        if len(point)
                        else "–"
                    )
            reviewed = by_labeller[by_labeller.review_share.notna()]
            row["mistakes listed"] = _pct(reviewed.mistakes_listed.mean()) if len(reviewed) else "–"
            row["review size"] = _pct(reviewed.review_share.mean()) if len(reviewed) else "–"
            cells.append(row)
        parts += [
            "## " + ", ".join(f"{name} {value}" for name, value in zip(line, key, strict=True)),
            "",
            "Test accuracy, mean ± sample std over seeds, at each budget: the labels as "
            "given; with the robust treatment of the least trustworthy (no person); after "
            "one review; after the review and the robust treatment. Mistakes listed: the "
            "share of the wrong labels on the review list; review size: the list's share "
            "of the labels.",
            "",
            pd.DataFrame(cells).to_markdown(index=False, disable_numparse=True),
            "",
        ]
    if not tables:
        parts += ["No method line is labelled by more than one labeller.", ""]
    return "\n".join(parts)
