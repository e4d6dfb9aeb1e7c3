"""The experiment grid: which models a config asks for, and where their files live.

Pure functions of the (validated) config, used by ``rules/common.smk`` to expand
targets and by tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clusterprop.propagate import Strategy, parse_strategy

SELECTION_PATTERN = r"representative-k\d+|random-n\d+|all"
_SELECTION = re.compile(rf"^(?:{SELECTION_PATTERN})$")


@dataclass(frozen=True)
class Experiment:
    embedding: str
    #: "representative" (cluster representatives), "random", or "all" (every true label)
    selection: str
    #: labels a person gives: k for representatives, N for random, None for all
    budget: int | None
    propagation: Strategy
    seed: int

    @property
    def selection_slug(self) -> str:
        return selection_slug(self.selection, self.budget)

    def path(self, stage: str, filename: str) -> str:
        return (
            f"results/{stage}/{self.embedding}/{self.selection_slug}/"
            f"{self.propagation.slug}/seed{self.seed}/{filename}"
        )


def selection_slug(selection: str, budget: int | None) -> str:
    if selection == "representative":
        return f"representative-k{budget}"
    if selection == "random":
        return f"random-n{budget}"
    if selection == "all":
        return "all"
    raise ValueError(f"unknown selection {selection!r}")


def parse_selection_slug(slug: str) -> tuple[str, int | None]:
    """``representative-k300`` -> ("representative", 300); ``all`` -> ("all", None)."""
    if not _SELECTION.match(slug):
        raise ValueError(f"not a selection: {slug!r}")
    if slug == "all":
        return "all", None
    kind, budget = slug.split("-")
    return kind, int(budget[1:])


def cluster_ks(config: dict) -> list[int]:
    """Every k that is clustered: the representative k list plus propagation's k list."""
    return sorted(set(config["clustering"]["k"]) | set(config["propagation"]["k"]))


def experiments(config: dict) -> list[Experiment]:
    """All models the config asks for, in a stable order."""
    none = Strategy("none")
    strategies = [parse_strategy(s) for s in config["propagation"]["strategies"]]
    grid: list[Experiment] = []
    for embedding in config["embeddings"]:
        for seed in config["seeds"]:
            for k in config["clustering"]["k"]:
                grid.append(Experiment(embedding, "representative", k, none, seed))
            for k in config["propagation"]["k"]:
                for strategy in strategies:
                    grid.append(Experiment(embedding, "representative", k, strategy, seed))
            if config["baselines"]["random"]:
                for n in cluster_ks(config):
                    grid.append(Experiment(embedding, "random", n, none, seed))
            if config["baselines"]["all_labels"]:
                grid.append(Experiment(embedding, "all", None, none, seed))
    # propagation "none" may be listed among the strategies too: keep each once
    return list(dict.fromkeys(grid))
