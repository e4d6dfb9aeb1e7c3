"""Checks on the config that JSON-schema cannot express; run before any job.

The schema (``schemas/config.schema.yaml``) describes every key's type and default.
Which names a method, an embedding or a classifier may use, and which parameters each
of them takes, come from the stages' registries and are checked here, so that adding a
method to a registry needs no edit of the schema's lists.
"""

from __future__ import annotations

import sys
from pathlib import Path

from clusterprop import folders, network
from clusterprop.embed import EMBEDDINGS
from clusterprop.errors import DataError
from clusterprop.formats import FORMATS
from clusterprop.propagate import PROPAGATIONS, parse_strategy
from clusterprop.select import SELECTIONS
from clusterprop.train import CLASSIFIERS, COMMON_CLASSIFIER_PARAMS
from clusterprop.workflow.grid import ALL, is_network, is_per_cluster, selection_names


class ConfigError(ValueError):
    """The config is refused; ``problems`` holds one line per problem, key first."""

    def __init__(self, message: str, problems=()):
        super().__init__(message)
        self.problems = list(problems)


def in_key_order(value):
    """``value`` with the keys of every dict in it sorted (list items keep their order).

    Snakemake tells a changed job by its params' repr, in which a dict's key order
    shows; the workflow puts its config in this one order, so the same settings
    written in another order (a config overlay merges keys in the order it meets them;
    the schema's defaults come last) rerun nothing.
    """
    if isinstance(value, dict):
        return {key: in_key_order(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [in_key_order(item) for item in value]
    return value


def known_n_train(config: dict) -> int | None:
    """Training-set size when it is known before reading the data."""
    dataset = config["dataset"]
    if dataset["n_train"] is not None:
        return dataset["n_train"]
    entry = FORMATS[dataset["format"]]
    if entry.n_train is not None:
        return entry.n_train
    if entry.image_files:
        layout = folder_layout(config)
        return None if layout is None else len(layout.train.ids)
    return None


def folder_layout(config: dict):
    """The image folder's layout (``folders.scan``, cached), or None when the config
    does not read a folder or the folder is unusable (reported by ``check``)."""
    dataset = config["dataset"]
    if not FORMATS[dataset["format"]].image_files or not dataset["path"]:
        return None
    try:
        return folders.scan(dataset["path"])
    except (DataError, OSError):
        return None


def needs_true_labels(config: dict) -> list[str]:
    """What in the config needs the pool's true labels: the oracle, and the baselines
    (selection all, and selections that draw at random, which a person would not label
    for their own sake)."""
    needs = ["labelling: oracle"] if config["labelling"] == "oracle" else []
    for method in config["methods"]:
        selection = method["selection"]
        entry = SELECTIONS.get(selection)
        if selection == ALL or (entry is not None and entry.random):
            needs.append(f"methods ({method['name']}): selection {selection}")
    return needs


def check(config: dict) -> None:
    """Raise ``ConfigError`` listing every problem, each naming its key."""
    problems = _dataset_problems(config) + _embedding_problems(config)
    problems += _classifier_problems(config) + _method_problems(config)
    problems += _network_problems(config) + _oracle_problems(config)
    problems += _label_studio_problems(config)
    graph_size = config["neighbours"]["n_neighbors"]
    for section in _sections_on_the_graph():
        if config[section]["n_neighbors"] > graph_size:
            problems.append(
                f"{section}.n_neighbors: {config[section]['n_neighbors']} is more than the "
                f"neighbour graph holds (neighbours.n_neighbors: {graph_size})"
            )
    if config["spreading"].get("anchor_neighbors", 5) > graph_size:
        problems.append(
            f"spreading.anchor_neighbors: {config['spreading']['anchor_neighbors']} is more "
            f"than the neighbour graph holds (neighbours.n_neighbors: {graph_size})"
        )
    n_train = known_n_train(config)
    if n_train is not None and config.get("shards", 1) > n_train:
        problems.append(f"shards: {config['shards']} parts of {n_train} training images")
    if problems:
        raise ConfigError("invalid config:\n  - " + "\n  - ".join(problems), problems)


def _label_studio_problems(config: dict) -> list[str]:
    """Label Studio serves an image folder's files from its document root: the folder
    must lie inside it."""
    root, dataset = config["label_studio"]["document_root"], config["dataset"]
    if root is None:
        return []
    if not Path(root).is_dir():
        return [f"label_studio.document_root: {root} is not a directory"]
    if FORMATS[dataset["format"]].image_files and dataset["path"]:
        folder = Path(dataset["path"]).resolve()
        if not folder.is_relative_to(Path(root).resolve()):
            return [
                f"label_studio.document_root: the image folder {dataset['path']} is not "
                f"inside {root}, so Label Studio cannot serve its files: name a folder "
                "that holds it"
            ]
    return []


def _sections_on_the_graph() -> list[str]:
    """Config sections of registered methods that read the neighbour graph."""
    entries = [*SELECTIONS.values(), *PROPAGATIONS.values()]
    return list(
        dict.fromkeys(e.settings for e in entries if e.settings and "neighbours" in e.needs)
    )


def _registered(where: str, spec: dict, key: str, registry: dict, what: str, common=()):
    """The registry entry ``spec[key]`` names, and the problems of ``spec``: an unknown
    name, a parameter the entry does not take (``common`` ones every entry takes), or a
    required one missing."""
    method = spec[key]
    entry = registry.get(method)
    if entry is None:
        return None, [f"{where}.{key}: unknown {what} {method!r} (known: {', '.join(registry)})"]
    given = [name for name in spec if name not in (key, *common)]
    problems = [
        f"{where}.{name}: not a parameter of {method} (its parameters: "
        f"{', '.join(entry.params) or 'none'})"
        for name in given
        if name not in entry.params
    ]
    required = getattr(entry, "required", ())
    problems += [f"{where}.{name}: required by {method}" for name in required if name not in spec]
    return entry, problems


def _dataset_problems(config: dict) -> list[str]:
    """The data set's section: what its format refuses (``formats.FORMATS``), settings
    of image folders given for another format, and an unlabelled image folder's needs."""
    dataset = config["dataset"]
    entry = FORMATS[dataset["format"]]
    if entry.image_files:
        return entry.problems(dataset) or _unlabelled_folder_problems(config)
    problems = []
    if dataset.get("image_size") is not None:
        problems.append("dataset.image_size: only for format folder")
    if dataset.get("color", "gray") != "gray":
        problems.append("dataset.color: only for format folder")
    return problems + entry.problems(dataset)


def _unlabelled_folder_problems(config: dict) -> list[str]:
    """An image folder without class folders: the classes a person may choose are
    listed in the config, and nothing asks for true labels."""
    dataset = config["dataset"]
    layout = folders.scan(dataset["path"])
    if layout.labelled:
        return []
    problems = []
    if not dataset["class_names"]:
        problems.append(
            f"dataset.class_names: {dataset['path']}/train has no class folders, so the "
            "classes a person may choose must be listed here"
        )
    problems += [
        f"{need}: needs true labels, and {dataset['path']}/train has none (no class "
        "folders); use labelling: person with a cluster selection"
        for need in needs_true_labels(config)
    ]
    return problems


def _embedding_problems(config: dict) -> list[str]:
    problems = []
    embeddings = config["embeddings"]
    if not embeddings:
        problems.append("embeddings: at least one embedding is needed")
    for name, spec in embeddings.items():
        entry, entry_problems = _registered(
            f"embeddings.{name}", spec, "method", EMBEDDINGS, "embedding method"
        )
        problems += entry_problems
        if entry is None:
            continue
        if spec.get("input") is not None and not entry.chains:
            continue  # reported above: input is not one of its parameters
        upstream, seen = spec.get("input"), [name]
        while upstream is not None:
            if upstream not in embeddings:
                problems.append(f"embeddings.{name}.input: no embedding named {upstream!r}")
                break
            if upstream in seen:
                problems.append(f"embeddings.{name}.input: a cycle ({' -> '.join(seen)})")
                break
            seen.append(upstream)
            upstream = embeddings[upstream].get("input")
    return problems


def _classifier_problems(config: dict) -> list[str]:
    problems = []
    for name, spec in config["classifiers"].items():
        where = f"classifiers.{name}"
        entry, entry_problems = _registered(
            where, spec, "name", CLASSIFIERS, "classifier", COMMON_CLASSIFIER_PARAMS
        )
        if entry is not None and entry.network:
            # the schema fills in the common parameters' defaults: refuse only real values
            entry_problems += [
                f"{where}.{key}: not for a network (it learns from the images)"
                for key, default in (("standardize", False), ("max_train", None))
                if spec.get(key, default) != default
            ]
        problems += entry_problems
        if entry is not None and entry.check is not None and not entry_problems:
            values = {k: v for k, v in spec.items() if k not in ("name", *COMMON_CLASSIFIER_PARAMS)}
            problems += [f"{where}.{problem}" for problem in entry.check(values)]
    return problems


def _network_problems(config: dict) -> list[str]:
    """Networks need PyTorch: refused at once, with the install command, when it is
    missing; self-training rounds need a network and labels a person gave."""
    problems = []
    users = []
    for index, method in enumerate(config["methods"]):
        where = f"methods[{index}] ({method['name']})"
        network_method = is_network(config, method["classifier"])
        if network_method:
            users.append(where)
        rounds = method.get("rounds", 1)
        if rounds > 1 and not network_method:
            problems.append(
                f"{where}.rounds: self-training rounds need a network classifier (cnn), "
                f"not {method['classifier']!r}"
            )
        elif rounds > 1 and method["selection"] == ALL:
            problems.append(f"{where}.rounds: selection all has every label; no rounds")
    missing = network.missing_modules() if users else []
    if missing:
        problems.append(
            f"{users[0]}.classifier: the cnn classifier needs {', '.join(missing)}, which "
            f"this Python ({sys.executable}) cannot import; install it with: "
            f"{network.INSTALL_COMMAND}"
        )
    return problems


def _method_problems(config: dict) -> list[str]:
    problems = []
    n_train = known_n_train(config)
    names = [method["name"] for method in config["methods"]]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"methods: the name {name!r} is used more than once")
    for index, method in enumerate(config["methods"]):
        where = f"methods[{index}] ({method['name']})"
        if method["embedding"] not in config["embeddings"]:
            problems.append(
                f"{where}.embedding: no embedding named {method['embedding']!r} "
                f"(embeddings: {sorted(config['embeddings'])})"
            )
        if method["classifier"] not in config["classifiers"]:
            problems.append(
                f"{where}.classifier: no classifier named {method['classifier']!r} "
                f"(classifiers: {sorted(config['classifiers'])})"
            )
        try:
            strategy = parse_strategy(method.get("propagation", "none"))
        except ValueError as exc:
            problems.append(f"{where}.propagation: {exc}")
            strategy = None
        selection = method["selection"]
        if selection not in selection_names():
            problems.append(
                f"{where}.selection: unknown selection {selection!r} "
                f"(known: {', '.join(selection_names())})"
            )
            continue
        if selection == ALL:
            if "budgets" in method:
                problems.append(f"{where}.budgets: selection all uses every label, no budgets")
            if strategy is not None and strategy.kind != "none":
                problems.append(f"{where}.propagation: selection all has nothing to propagate")
            problems += [
                f"{where}.{key}: selection all uses the data set's own labels, no labeller"
                for key in ("oracle", "review", "robust")
                if key in method
            ]
            continue
        problems += _labelling_problems(config, method, where, strategy)
        if "budgets" not in method:
            problems.append(f"{where}.budgets: required for selection {selection}")
            continue
        if strategy is not None and strategy.uses_clusters and not is_per_cluster(selection):
            per_cluster = [name for name, entry in SELECTIONS.items() if entry.per_cluster]
            problems.append(
                f"{where}.propagation: {strategy.name} propagates within clusters and needs "
                f"a selection of one image per cluster ({' or '.join(per_cluster)}), "
                f"not {selection}"
            )
        if n_train is not None:
            too_large = [b for b in method["budgets"] if b > n_train]
            if too_large:
                problems.append(
                    f"{where}.budgets: {too_large} larger than the training set ({n_train} images)"
                )
        if method.get("compare_with") is not None and method["compare_with"] not in names:
            problems.append(f"{where}.compare_with: no method named {method['compare_with']!r}")
    return problems


def _labelling_problems(config: dict, method: dict, where: str, strategy) -> list[str]:
    """A method's labeller, review and robust treatment."""
    problems = []
    if "oracle" in method and config["labelling"] != "oracle":
        problems.append(f"{where}.oracle: oracle settings need labelling: oracle")
    if (
        method.get("robust")
        and config["robust"]["action"] == "weight"
        and strategy is not None
        and not strategy.entry.weighted
    ):
        problems.append(
            f"{where}.robust: robust.action weight needs a propagation that weighs its "
            f"labels (spread), not {strategy.name}"
        )
    return problems


def _oracle_problems(config: dict) -> list[str]:
    """The oracle's look-alike groups name classes of the data set."""
    groups = config["oracle"]["alike_groups"]
    names = config["dataset"]["class_names"]
    if groups is None:
        return []
    known = FORMATS[config["dataset"]["format"]].class_names
    if names is None and known is not None:
        names = list(known)
    layout = folder_layout(config)
    if names is None and layout is not None and layout.labelled:
        names = layout.class_names
    if names is None:
        return []
    unknown = sorted({name for group in groups for name in group} - set(names))
    return (
        [f"oracle.alike_groups: unknown classes {unknown} (classes: {list(names)})"]
        if unknown
        else []
    )


# ---------------------------------------------------------------- the schema, briefly
