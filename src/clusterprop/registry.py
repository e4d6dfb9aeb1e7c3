"""The workflow's extension points: one registry per stage.

Each stage module keeps a table of its methods, built from the entry types below:
``formats.FORMATS``, ``embed.EMBEDDINGS``, ``select.SELECTIONS``,
``propagate.PROPAGATIONS`` and ``train.CLASSIFIERS``. An entry names the function, the
config parameters it takes, the upstream artifacts it needs and whether it draws random
numbers. Everything else is
derived from these tables: the names the config accepts and each method's allowed
parameters (``workflow.config.check``), the wildcard patterns and path spellings
(``workflow.grid``), the inputs a rule asks Snakemake for (``workflow.inputs``) and the
scripts' dispatch. README "Extending" walks through adding an entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Embedding:
    """A feature space. ``function(train, test, **params)`` returns float32
    ``(train_features, test_features)``; anything it fits is fitted on ``train``."""

    name: str
    function: Callable[..., tuple[Any, Any]]
    #: config keys it takes (besides ``method``), and those it cannot do without
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    #: True: may take another embedding's features (config ``input:``) instead of images
    chains: bool = False
    #: True: splits its work over processes, takes ``n_jobs`` (the rule's threads)
    parallel: bool = False
    #: True: each image's features depend on that image alone (nothing is fitted), so
    #: the images can be embedded in parts (config ``shards``) and the parts joined
    per_image: bool = False
    random: bool = False


@dataclass(frozen=True)
class Selection:
    """Which training images a person labels. ``function(budget=, seed=, **needs,
    **settings)`` returns a DataFrame with an ``image_id`` column (more columns are
    kept in the selection file), one row per image to label, in labelling order."""

    name: str
    function: Callable[..., Any]
    #: artifacts (keys of ``workflow.inputs.ARTIFACTS``) the function takes as keyword arguments
    needs: tuple[str, ...]
    #: config section whose values are passed as keyword arguments (None: none)
    settings: str | None = None
    #: one image per K-Means cluster with k = budget: clusters are computed for it, and
    #: propagations within clusters apply. Path spelling NAME-kBUDGET, else NAME-nBUDGET.
    per_cluster: bool = False
    #: draws images with the seed itself (cluster selections vary with the seed through
    #: K-Means only)
    random: bool = False

    @property
    def budget_letter(self) -> str:
        return "k" if self.per_cluster else "n"

    def slug(self, budget: int) -> str:
        return f"{self.name}-{self.budget_letter}{budget}"

    @property
    def slug_pattern(self) -> str:
        return rf"{re.escape(self.name)}-{self.budget_letter}\d+"


@dataclass(frozen=True)
class Propagation:
    """How the given labels reach other training images. ``function(given_ids,
    given_labels, **needs, [argument=value,] **settings)`` returns a
    ``propagate.TrainingSet``."""

    name: str
    function: Callable[..., Any]
    needs: tuple[str, ...] = ()
    settings: str | None = None
    #: a numeric argument written into the method's name: config ``NAME:VALUE``, path
    #: ``NAMEVALUE`` (``closest:75`` -> ``closest75``), passed as this keyword
    argument: str | None = None
    #: refuses a bad argument value: returns a message, or None when it is fine
    check_argument: Callable[[float], str | None] | None = None
    random: bool = False
    #: takes ``weights``, how much each given label counts (robust: weight)
    weighted: bool = False

    @property
    def uses_clusters(self) -> bool:
        return "clusters" in self.needs


@dataclass(frozen=True)
class Classifier:
    """A classifier. ``function(seed, **params)`` returns an unfitted scikit-learn
    estimator, which also takes ``standardize`` and ``max_train``; or, for a ``network``,
    its settings: a network learns from the images (``network.train_network``), has
    rules of its own and may run self-training rounds."""

    name: str
    function: Callable[..., Any]
    params: tuple[str, ...] = ()
    random: bool = False
    network: bool = False
    #: refuses bad parameter values: returns a list of messages (empty when fine)
    check: Callable[[dict], list[str]] | None = None


@dataclass(frozen=True)
class DatasetFormat:
    """A way a data set is given (config ``dataset.format``). ``read(inputs, source,
    n_jobs=, log=)`` returns the data set's arrays (``data.prepare_dataset``'s) from the
    files ``source_files(dataset, download_dir)`` names (the data rule's inputs: the
    config's ``dataset`` section and where downloads go); ``problems(dataset)`` refuses
    a section that cannot be read, one message each."""

    name: str
    read: Callable[..., dict]
    source_files: Callable[[dict, str], dict[str, str]]
    problems: Callable[[dict], list[str]]
    #: the images are files of their own (an image folder): the pages show the files,
    #: predictions are written by default and Label Studio may serve them
    image_files: bool = False
    #: class names known before the data is read (None: read with the data)
    class_names: tuple[str, ...] | None = None
    #: training images known before the data is read (None: counted when read)
    n_train: int | None = None
    #: a fingerprint of the files, a parameter of the data rule, for a format whose
    #: files are not the rule's inputs (an image folder's many files)
    files_digest: Callable[[dict], str] | None = None
    #: for a format whose files may be missing or downloaded: ``unavailable(dataset,
    #: download_dir)`` gives the lines that say what is missing and the ways out (empty
    #: when the files are there or can be downloaded); asked once, before any job
    unavailable: Callable[[dict, str], list[str]] | None = None


def table(*entries):
    """A registry: entries by name, in the order given (names must be unique)."""
    registry = {entry.name: entry for entry in entries}
    if len(registry) != len(entries):
        raise ValueError("two registry entries share a name")
    return registry


def lookup(registry: Mapping, name: str, what: str):
    """The entry called ``name``, or a ValueError that lists the known names."""
    if name not in registry:
        raise ValueError(f"unknown {what} {name!r}; known: {', '.join(registry)}")
    return registry[name]


def settings_of(entry, config: Mapping) -> dict:
    """The config section an entry takes its settings from (empty if none)."""
    return dict(config[entry.settings]) if entry.settings else {}
