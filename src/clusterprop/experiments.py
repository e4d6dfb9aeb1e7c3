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
from dataclasses import dataclass, replace

from clusterprop import paths
from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.labellings import ORACLE, PERSON, TRUTH, Labelling, parse_labelling
from clusterprop.mistakes import FASHION_MNIST_ALIKE
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


def runs(config: dict) -> list[Run]:
    """Every (method, budget, seed) the config asks for, in config order."""
    out = []
    for method in config["methods"]:
        strategy = parse_strategy(method.get("propagation", "none"))
        rounds = method.get("rounds", 1) if is_network(config, method["classifier"]) else None
        labelling = method_labelling(config, method).slug
        for budget in method_budgets(method):
            for seed in config["seeds"]:
                experiment = Experiment(
                    config["dataset"]["name"],
                    method["embedding"],
                    method["selection"],
                    budget,
                    strategy,
                    method["classifier"],
                    seed,
                    rounds,
                    labelling,
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
    return dict(config["clustering"])


def neighbours_params(config: dict) -> dict:
    return dict(config["neighbours"])


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


def alike_groups(config: dict) -> list[list[str]] | None:
    """The groups of look-alike classes an oracle's ``alike`` mistakes stay within: the
    config's, else Fashion-MNIST's for a data set with its classes, else None (an
    oracle then makes ``ambiguous`` mistakes instead)."""
    if config["oracle"]["alike_groups"] is not None:
        return [list(group) for group in config["oracle"]["alike_groups"]]
    dataset = config["dataset"]
    names = dataset["class_names"]
    if dataset["format"] == "fashion-mnist" or names == list(FASHION_MNIST_CLASSES):
        return [list(group) for group in FASHION_MNIST_ALIKE]
    return None


def labeller_params(config: dict, labelling: str) -> dict:
    """What an oracle's labels depend on: its error rate and the kind of its mistakes
    (``alike`` without groups of look-alike classes becomes ``ambiguous``)."""
    spec = parse_labelling(labelling)
    if spec.labeller != ORACLE or spec.error_rate == 0:
        return {"error_rate": 0.0}
    kind, groups = spec.mistakes, None
    if kind == "alike":
        groups = alike_groups(config)
        kind = "alike" if groups else "ambiguous"
    return {"error_rate": spec.error_rate, "mistakes": kind, "alike_groups": groups}


def review_params(config: dict) -> dict:
    """What the label quality scores and the review list depend on (not whether a
    review is on: that is in the labelling's path spelling)."""
    review = {key: value for key, value in config["review"].items() if key != "enabled"}
    return {"review": review, "spreading": dict(config["spreading"])}


def labelling_provenance(config: dict, labelling: str) -> dict:
    """Who gave the labels (the oracle's settings), and the review or treatment after."""
    spec = parse_labelling(labelling)
    provenance = {"labelling": labelling, "labeller": spec.labeller}
    if spec.labeller == ORACLE:
        provenance["oracle"] = labeller_params(config, labelling)
    if spec.reviewed or spec.robust:  # both rank the labels by the same quality
        provenance["review"] = review_params(config)
    if spec.robust:
        provenance["robust"] = dict(config["robust"])
    return provenance


def training_set_provenance(
    config: dict, embedding: str, selection: str, labelling: str, propagation: str
):
    """What produced a labelled set (``selection``, ``labelling`` and ``propagation`` in
    path spelling), recorded with it and with every metric after it."""
    kind, budget = parse_selection_slug(selection)
    strategy = parse_strategy(propagation)
    provenance = {
        "dataset": dataset_params(config),
        "embedding": embedding_provenance(config, embedding),
        "selection": kind,
        "budget": budget,
        "propagation": strategy.name,
        **labelling_provenance(config, labelling),
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


def given_labelling(experiment: Experiment) -> str:
    """The labels of an experiment's selection as the labeller gave them (path spelling)."""
    return parse_labelling(experiment.labelling).as_given.slug


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


def wants_predictions(config: dict) -> bool:
    """Every model's predictions: asked for, or for an image folder, or for pre-labels
    (label_studio.prelabels, made from the best model's)."""
    wanted = config["predictions"]
    if config["label_studio"]["prelabels"]["source"] != "none":
        return True
    return wanted == "always" or (wanted == "auto" and config["dataset"]["format"] == "folder")


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
