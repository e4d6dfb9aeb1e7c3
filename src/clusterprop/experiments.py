"""The experiment grid: which models a config asks for, and where their files live.

A config lists *methods*; a method is one way to get a model from a label budget:
an embedding, a selection (which images a person labels), a propagation (how their
labels reach other images) and a classifier, run at each of its budgets and seeds.
Pure functions of the (validated) config, used by ``rules/common.smk`` to expand
targets and by tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clusterprop.propagate import Strategy, parse_strategy

#: How the labelled images are chosen (the schema's ``selection`` enum): centroid and
#: typical take one image per K-Means cluster (k = budget); random draws the budget
#: uniformly; all takes every one.
CLUSTER_SELECTIONS = ("centroid", "typical")
SELECTION_PATTERN = r"(?:centroid|typical)-k\d+|random-n\d+|all"
_SELECTION = re.compile(rf"^(?:{SELECTION_PATTERN})$")


@dataclass(frozen=True)
class Experiment:
    embedding: str
    #: centroid, typical, random or all
    selection: str
    #: labels a person gives (k for cluster selections, N for random); None for all
    budget: int | None
    propagation: Strategy
    #: name of an entry of the config's ``classifiers``
    classifier: str
    seed: int

    @property
    def selection_slug(self) -> str:
        return selection_slug(self.selection, self.budget)

    def path(self, stage: str, filename: str) -> str:
        """Files of models and metrics (they depend on the classifier)."""
        return (
            f"results/{stage}/{self.embedding}/{self.selection_slug}/"
            f"{self.propagation.slug}/{self.classifier}/seed{self.seed}/{filename}"
        )

    @property
    def uses_clusters(self) -> bool:
        return self.selection in CLUSTER_SELECTIONS


@dataclass(frozen=True)
class Run:
    """One point of a method's curve: the method's name, a budget, a seed, its model."""

    method: str
    experiment: Experiment


def selection_slug(selection: str, budget: int | None) -> str:
    if selection in CLUSTER_SELECTIONS:
        return f"{selection}-k{budget}"
    if selection == "random":
        return f"random-n{budget}"
    if selection == "all":
        return "all"
    raise ValueError(f"unknown selection {selection!r}")


def parse_selection_slug(slug: str) -> tuple[str, int | None]:
    """``centroid-k300`` -> ("centroid", 300); ``all`` -> ("all", None)."""
    if not _SELECTION.match(slug):
        raise ValueError(f"not a selection: {slug!r}")
    if slug == "all":
        return "all", None
    kind, budget = slug.split("-")
    return kind, int(budget[1:])


def method_budgets(method: dict) -> list[int | None]:
    return [None] if method["selection"] == "all" else list(method["budgets"])


def runs(config: dict) -> list[Run]:
    """Every (method, budget, seed) the config asks for, in config order."""
    out = []
    for method in config["methods"]:
        strategy = parse_strategy(method.get("propagation", "none"))
        for budget in method_budgets(method):
            for seed in config["seeds"]:
                experiment = Experiment(
                    method["embedding"],
                    method["selection"],
                    budget,
                    strategy,
                    method["classifier"],
                    seed,
                )
                out.append(Run(method["name"], experiment))
    return out


def experiments(config: dict) -> list[Experiment]:
    """All models the config asks for, each once (methods may share models), stable order."""
    return list(dict.fromkeys(run.experiment for run in runs(config)))
