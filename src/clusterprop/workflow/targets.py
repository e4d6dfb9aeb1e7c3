"""What a finished run has (rule all's targets) and what the summary reads: every
model's metrics by method, budget, seed and round, the methods' pieces, the
representatives' grids and the predictions asked for."""

from __future__ import annotations

from clusterprop.formats import FORMATS
from clusterprop.workflow import paths
from clusterprop.workflow.grid import experiments, given_labelling, run_wildcards, runs


def summary_runs(config: dict) -> list[dict]:
    """Which metrics file is which method's point, for the summary."""
    return [
        {
            "method": run.method,
            "budget": run.experiment.budget,
            "seed": run.seed,
            "metrics": run.experiment.metrics,
        }
        for run in runs(config)
    ]


def round_runs(config: dict) -> list[dict]:
    """Each round of every method with more than one self-training round (method,
    budget, seed, round, metrics), for the summary's accuracy-per-round table."""
    out = []
    for run in runs(config):
        experiment = run.experiment
        if (experiment.rounds or 1) < 2:
            continue
        for round_number in range(1, experiment.rounds + 1):
            out.append(
                {
                    "method": run.method,
                    "budget": experiment.budget,
                    "seed": run.seed,
                    "round": round_number,
                    "metrics": experiment.round_metrics(round_number),
                }
            )
    return out


def summary_methods(config: dict) -> list[dict]:
    """Each method's pieces, in config order, for the ablation table and the plot."""
    return [
        {
            "name": method["name"],
            "embedding": method["embedding"],
            "selection": method["selection"],
            "propagation": method.get("propagation", "none"),
            "classifier": method["classifier"],
            "compare_with": method.get("compare_with"),
        }
        for method in config["methods"]
    ]


def representative_grids(config: dict) -> list[str]:
    """One grid of labelled images per cluster selection and labeller, first seed."""
    seed = config["seeds"][0]
    grids = [
        paths.REPRESENTATIVES_GRID.format(
            **run_wildcards(config),
            embedding=e.embedding,
            selection=e.selection_slug,
            labelling=given_labelling(e),
            seed=seed,
        )
        for e in experiments(config)
        if e.uses_clusters and e.seed == seed
    ]
    return list(dict.fromkeys(grids))


def wants_predictions(config: dict) -> bool:
    """Every model's predictions: asked for, or for an image folder, or for pre-labels
    (label_studio.prelabels, made from the best model's)."""
    wanted = config["predictions"]
    if config["label_studio"]["prelabels"]["source"] != "none":
        return True
    return wanted == "always" or (
        wanted == "auto" and FORMATS[config["dataset"]["format"]].image_files
    )


def predictions_of(config: dict) -> dict[str, str]:
    """Each model's predictions.csv by its metrics file, when the config asks for them."""
    if not wants_predictions(config):
        return {}
    return {e.metrics: e.predictions for e in experiments(config)}


def predictions(config: dict) -> list[str]:
    """Every model's predictions.csv and the summary's copy of the best one's."""
    files = list(predictions_of(config).values())
    return [*files, paths.BEST_PREDICTIONS.format(**run_wildcards(config))] if files else []


def targets(config: dict) -> list[str]:
    """Everything a finished run has: the summary, the representatives' grids and the
    predictions asked for (a person's run asks for its pages first: rules/common.smk)."""
    summary = [path.format(**run_wildcards(config)) for path in paths.SUMMARY.values()]
    if config["label_studio"]["prelabels"]["source"] != "none":
        summary += [
            p.format(**run_wildcards(config)) for p in (paths.PRELABELS, paths.PRELABELS_CONFIG)
        ]
    return [*summary, *representative_grids(config), *predictions(config)]
