"""The experiment grid: which models a config asks for and where their files live.

A config lists *methods*; a method is one way to get a model from a label budget:
an embedding, a selection (which images a person labels), a propagation (how their
labels reach other images) and a classifier, run at each of its budgets and seeds.
Pure functions of the (validated) config, used by the rule files to expand targets and
by the rules' input and params functions (``inputs``, ``params``), and by tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from clusterprop.labelling.kinds import ORACLE, PERSON, TRUTH, Labelling, parse_labelling
from clusterprop.propagate import Strategy, parse_strategy
from clusterprop.registry import lookup
from clusterprop.select import SELECTIONS
from clusterprop.train import CLASSIFIERS
from clusterprop.workflow import paths

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
    #: the data set's name (config ``dataset.name``): every path lies under it
    dataset: str
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
    #: who gave the labels and what became of them (``labellings``, path spelling)
    labelling: str = ORACLE

    @property
    def selection_slug(self) -> str:
        return selection_slug(self.selection, self.budget)

    @property
    def wildcards(self) -> dict:
        return {
            "dataset": self.dataset,
            "embedding": self.embedding,
            "selection": self.selection_slug,
            "labelling": self.labelling,
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
    """One point of a method's curve: the method's name, a budget, a seed, its model.
    A model that nothing random goes into (``seed_free``) is the first seed's, shared
    by every seed's point."""

    method: str
    experiment: Experiment
    seed: int


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


def oracle_settings(config: dict, method: dict) -> dict:
    """The oracle a method's labels come from: the config's ``oracle`` with the
    method's own ``oracle`` settings over it."""
    return {**config["oracle"], **method.get("oracle", {})}


def method_labelling(config: dict, method: dict) -> Labelling:
    """Who labels a method's selections, and whether the labels are reviewed or treated
    as suspicious (``review`` and ``robust``, the method's or the config's) when the
    labeller can err."""
    if method["selection"] == ALL:
        return Labelling(TRUTH)
    if config["labelling"] == PERSON:
        labelling = Labelling(PERSON)
    else:
        oracle = oracle_settings(config, method)
        rate = float(oracle["error_rate"])
        labelling = Labelling(ORACLE, rate, oracle["mistakes"] if rate else None)
    if not labelling.can_err:
        return labelling
    return replace(
        labelling,
        reviewed=method.get("review", config["review"]["enabled"]),
        robust=method.get("robust", False),
    )


def seed_free(config: dict, method: dict) -> bool:
    """Whether nothing random goes into a method's models: every label true (selection
    ``all``), no propagation, and a classifier that fits the same way whatever the seed
    (not a network, which starts from random weights, and no ``max_train`` draw).
    Its model is then trained once, with the first seed, for every seed."""
    classifier = config["classifiers"][method["classifier"]]
    return (
        method["selection"] == ALL
        and not parse_strategy(method.get("propagation", "none")).entry.random
        and not is_network(config, method["classifier"])
        and classifier.get("max_train") is None
    )


def runs(config: dict) -> list[Run]:
    """Every (method, budget, seed) the config asks for, in config order."""
    out = []
    for method in config["methods"]:
        strategy = parse_strategy(method.get("propagation", "none"))
        rounds = method.get("rounds", 1) if is_network(config, method["classifier"]) else None
        labelling = method_labelling(config, method).slug
        shared_seed = config["seeds"][0] if seed_free(config, method) else None
        for budget in method_budgets(method):
            for seed in config["seeds"]:
                experiment = Experiment(
                    config["dataset"]["name"],
                    method["embedding"],
                    method["selection"],
                    budget,
                    strategy,
                    method["classifier"],
                    seed if shared_seed is None else shared_seed,
                    rounds,
                    labelling,
                )
                out.append(Run(method["name"], experiment, seed))
    return out


def experiments(config: dict) -> list[Experiment]:
    """All models the config asks for, each once (methods may share models), stable order."""
    return list(dict.fromkeys(run.experiment for run in runs(config)))


def given_labelling(experiment: Experiment) -> str:
    """The labels of an experiment's selection as the labeller gave them (path spelling)."""
    return parse_labelling(experiment.labelling).as_given.slug


# ---------------------------------------------------------------- labelling by a person


def selections_to_label(config: dict) -> list[dict]:
    """Wildcards (dataset, embedding, selection, seed) of every selection a person labels."""
    keys = dict.fromkeys(
        (e.embedding, e.selection_slug, e.seed) for e in experiments(config) if e.selection != ALL
    )
    dataset = config["dataset"]["name"]
    return [
        {"dataset": dataset, "embedding": m, "selection": s, "seed": seed} for m, s, seed in keys
    ]


def selections_to_review(config: dict) -> list[dict]:
    """Wildcards (dataset, embedding, selection, seed) of every selection whose labels a
    person reviews (labelling person, a method with review on)."""
    reviewed = {
        (e.embedding, e.selection_slug, e.seed)
        for e in experiments(config)
        if parse_labelling(e.labelling).labeller == PERSON and parse_labelling(e.labelling).reviewed
    }
    return [
        w
        for w in selections_to_label(config)
        if (w["embedding"], w["selection"], w["seed"]) in reviewed
    ]


def run_wildcards(config: dict) -> dict:
    """The data set's name and the run's (config ``run``): where its summary lives."""
    return {"dataset": config["dataset"]["name"], "run": config["run"]}


def person_labels_path(labels_dir: str, **wildcards) -> str:
    """Where the workflow suggests a person saves the labels file of one selection
    (``wildcards``: dataset, embedding, selection, seed)."""
    return paths.PERSON_LABELS.format(labels_dir=labels_dir, **wildcards)


def person_reviewed_labels_path(labels_dir: str, **wildcards) -> str:
    """Where it suggests a person saves a selection's reviewed labels file."""
    return paths.PERSON_REVIEWED_LABELS.format(labels_dir=labels_dir, **wildcards)


def as_given(wildcards) -> dict:
    """A job's wildcards with the labels as the labeller gave them (before a review or
    a robust treatment)."""
    labelling = parse_labelling(wildcards["labelling"]).as_given.slug
    return {**wildcards, "labelling": labelling}
