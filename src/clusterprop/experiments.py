"""The experiment grid: which models a config asks for, where their files live, and
what each job is given.

A config lists *methods*; a method is one way to get a model from a label budget:
an embedding, a selection (which images a person labels), a propagation (how their
labels reach other images) and a classifier, run at each of its budgets and seeds.
Pure functions of the (validated) config, used by the rule files to expand targets and
fill params, and by tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from clusterprop import paths
from clusterprop.network import NetworkSettings, settings_record
from clusterprop.propagate import Strategy, parse_strategy
from clusterprop.registry import lookup, settings_of
from clusterprop.select import SELECTIONS
from clusterprop.train import CLASSIFIERS

#: The selection that takes every training image's true label (the ceiling); it has
#: no budget, no registry function and its own rule.
ALL = "all"


def selection_names() -> list[str]:
    """Every selection a method can name (the registry's, then ``all``)."""
    return [*SELECTIONS, ALL]


def selection_pattern(*, with_all: bool = True) -> str:
    """A regular expression for selections' path spellings (a wildcard's)."""
    patterns = [entry.slug_pattern for entry in SELECTIONS.values()]
    return "|".join([*patterns, ALL] if with_all else patterns)


def cluster_selection_pattern() -> str:
    """Path spellings of the selections that take one image per cluster."""
    return "|".join(e.slug_pattern for e in SELECTIONS.values() if e.per_cluster)


def is_per_cluster(selection: str) -> bool:
    return selection != ALL and SELECTIONS[selection].per_cluster


@dataclass(frozen=True)
class Experiment:
    embedding: str
    #: the name of a registered selection, or ``all``
    selection: str
    #: labels a person gives (k for cluster selections, N otherwise); None for all
    budget: int | None
    propagation: Strategy
    #: name of an entry of the config's ``classifiers``
    classifier: str
    seed: int
    #: self-training rounds of a network classifier (its model is the last round's);
    #: None for the other classifiers
    rounds: int | None = None

    @property
    def selection_slug(self) -> str:
        return selection_slug(self.selection, self.budget)

    @property
    def wildcards(self) -> dict:
        return {
            "embedding": self.embedding,
            "selection": self.selection_slug,
            "propagation": self.propagation.slug,
            "classifier": self.classifier,
            "seed": self.seed,
        }

    @property
    def metrics(self) -> str:
        if self.rounds is not None:
            return self.round_metrics(self.rounds)
        return paths.METRICS.format(**self.wildcards)

    def round_metrics(self, round_number: int) -> str:
        """A network's metrics after one of its self-training rounds."""
        return paths.NETWORK_METRICS.format(**self.wildcards, round=round_number)

    @property
    def predictions(self) -> str:
        if self.rounds is not None:
            return paths.NETWORK_PREDICTIONS.format(**self.wildcards, round=self.rounds)
        return paths.PREDICTIONS.format(**self.wildcards)

    @property
    def uses_clusters(self) -> bool:
        return is_per_cluster(self.selection)


@dataclass(frozen=True)
class Run:
    """One point of a method's curve: the method's name, a budget, a seed, its model."""

    method: str
    experiment: Experiment


def selection_slug(selection: str, budget: int | None) -> str:
    if selection == ALL:
        return ALL
    return lookup(SELECTIONS, selection, "selection").slug(budget)


def parse_selection_slug(slug: str) -> tuple[str, int | None]:
    """``centroid-k300`` -> ("centroid", 300); ``all`` -> ("all", None)."""
    if not re.fullmatch(selection_pattern(), slug):
        raise ValueError(f"not a selection: {slug!r}")
    if slug == ALL:
        return ALL, None
    kind, _, budget = slug.rpartition("-")
    return kind, int(budget[1:])


def is_network(config: dict, classifier: str) -> bool:
    """Whether the config's classifier of that name is a network (``cnn``)."""
    spec = config["classifiers"].get(classifier)
    entry = CLASSIFIERS.get(spec["name"]) if spec else None
    return bool(entry and entry.network)


def classifier_pattern(config: dict, *, network: bool) -> str:
    """A regular expression for the config's network (or other) classifiers' names:
    the two kinds have rules of their own."""
    names = [
        re.escape(name) for name in config["classifiers"] if is_network(config, name) == network
    ]
    return "|".join(names) if names else "(?!)"


def method_budgets(method: dict) -> list[int | None]:
    return [None] if method["selection"] == ALL else list(method["budgets"])


def runs(config: dict) -> list[Run]:
    """Every (method, budget, seed) the config asks for, in config order."""
    out = []
    for method in config["methods"]:
        strategy = parse_strategy(method.get("propagation", "none"))
        rounds = method.get("rounds", 1) if is_network(config, method["classifier"]) else None
        for budget in method_budgets(method):
            for seed in config["seeds"]:
                experiment = Experiment(
                    method["embedding"],
                    method["selection"],
                    budget,
                    strategy,
                    method["classifier"],
                    seed,
                    rounds,
                )
                out.append(Run(method["name"], experiment))
    return out


def experiments(config: dict) -> list[Experiment]:
    """All models the config asks for, each once (methods may share models), stable order."""
    return list(dict.fromkeys(run.experiment for run in runs(config)))


# ---------------------------------------------------------------- what jobs are given


def dataset_params(config: dict) -> dict:
    """Everything that decides the prepared data set (the display name does not)."""
    return {key: value for key, value in config["dataset"].items() if key != "name"}


def embedding_provenance(config: dict, name: str) -> dict:
    """An embedding's spec with the specs it is computed from, innermost last."""
    spec = dict(config["embeddings"][name])
    if spec.get("input") is not None:
        spec["input"] = {spec["input"]: embedding_provenance(config, spec["input"])}
    return spec


def clustering_params(config: dict) -> dict:
    return {key: config["clustering"][key] for key in ("n_init", "max_iter", "tol", "algorithm")}


def neighbours_params(config: dict) -> dict:
    return {"n_neighbors": config["neighbours"]["n_neighbors"]}


def classifier_params(config: dict, classifier: str) -> dict:
    """A classifier's settings as its jobs take them; a network's with every default
    filled in (a changed default reruns its jobs)."""
    params = dict(config["classifiers"][classifier])
    name = params.pop("name")
    settings = {
        "name": name,
        "standardize": params.pop("standardize", False),
        "max_train": params.pop("max_train", None),
        "params": params,
    }
    if is_network(config, classifier):
        settings["params"] = settings_record(NetworkSettings(**params))
    return settings


def training_set_provenance(config: dict, embedding: str, selection: str, propagation: str):
    """What produced a labelled set (``selection`` and ``propagation`` in path spelling),
    recorded with it and with every metric after it."""
    kind, budget = parse_selection_slug(selection)
    strategy = parse_strategy(propagation)
    provenance = {
        "dataset": dataset_params(config),
        "embedding": embedding_provenance(config, embedding),
        "selection": kind,
        "budget": budget,
        "propagation": strategy.name,
        "labelling": config["labelling"],
    }
    entries = [strategy.entry] if kind == ALL else [SELECTIONS[kind], strategy.entry]
    needs = {need for entry in entries for need in entry.needs}
    if "clusters" in needs:
        provenance["clustering"] = clustering_params(config)
    for entry in entries:
        if entry.settings:
            provenance[entry.settings] = settings_of(entry, config)
    if "neighbours" in needs:
        provenance["neighbours"] = neighbours_params(config)
    return provenance


# ---------------------------------------------------------------- summary


def summary_runs(config: dict) -> list[dict]:
    """Which metrics file is which method's point, for the summary."""
    return [
        {
            "method": run.method,
            "budget": run.experiment.budget,
            "seed": run.experiment.seed,
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
                    "seed": experiment.seed,
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
    """One grid of labelled images per cluster selection, for the first seed."""
    seed = config["seeds"][0]
    grids = [
        paths.REPRESENTATIVES_GRID.format(
            embedding=e.embedding, selection=e.selection_slug, seed=seed
        )
        for e in experiments(config)
        if e.uses_clusters and e.seed == seed
    ]
    return list(dict.fromkeys(grids))


# ---------------------------------------------------------------- labelling by a person


def selections_to_label(config: dict) -> list[dict]:
    """Wildcards (embedding, selection, seed) of every selection a person labels."""
    keys = dict.fromkeys(
        (e.embedding, e.selection_slug, e.seed) for e in experiments(config) if e.selection != ALL
    )
    return [{"embedding": m, "selection": s, "seed": seed} for m, s, seed in keys]


def person_labels_path(labels_dir: str, embedding: str, selection: str, seed: int) -> str:
    """Where the workflow expects a person's labels file for one selection."""
    return paths.PERSON_LABELS.format(
        labels_dir=labels_dir, embedding=embedding, selection=selection, seed=seed
    )


def labelling_pages(config: dict) -> list[str]:
    return [
        template.format(**wildcards)
        for wildcards in selections_to_label(config)
        for template in (paths.LABELLING_PAGE, paths.CONTACT_SHEET)
    ]


def label_check_grids(config: dict) -> list[str]:
    return [paths.LABEL_CHECKS_GRID.format(**w) for w in selections_to_label(config)]


def missing_person_labels(config: dict) -> list[tuple[str, str]]:
    """(page, expected labels file) for each selection still waiting for a person."""
    if config["labelling"] != "person":
        return []
    missing = []
    for wildcards in selections_to_label(config):
        path = person_labels_path(config["labels_dir"], **wildcards)
        if not Path(path).exists():
            missing.append((paths.LABELLING_PAGE.format(**wildcards), path))
    return missing


def wants_predictions(config: dict) -> bool:
    wanted = config["predictions"]
    return wanted == "always" or (wanted == "auto" and config["dataset"]["format"] == "folder")


def predictions_of(config: dict) -> dict[str, str]:
    """Each model's predictions.csv by its metrics file, when the config asks for them."""
    if not wants_predictions(config):
        return {}
    return {e.metrics: e.predictions for e in experiments(config)}


def predictions(config: dict) -> list[str]:
    """Every model's predictions.csv and the summary's copy of the best one's."""
    files = list(predictions_of(config).values())
    return [*files, paths.BEST_PREDICTIONS] if files else []


def targets(config: dict, missing_labels: list) -> list[str]:
    """Everything, or, while a person's labels files are missing, the labelling pages
    (the run stops there and says what to label)."""
    outputs = [*paths.SUMMARY.values(), *representative_grids(config), *predictions(config)]
    if config["labelling"] == "person":
        if missing_labels:
            return labelling_pages(config)
        return [*outputs, *labelling_pages(config), *label_check_grids(config)]
    return outputs


def waiting_for_labels_message(missing_labels: list[tuple[str, str]]) -> str:
    pages = "\n".join(
        f"  open {page}\n    save its labels file as {path}" for page, path in missing_labels
    )
    return (
        f"\nWaiting for a person: {len(missing_labels)} labels file(s) are missing.\n"
        f"{pages}\nThen run snakemake again: it continues from the labels.\n"
    )
