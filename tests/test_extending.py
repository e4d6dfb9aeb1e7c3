"""README "Extending": a selection is one function, one registry entry and its schema
parameters. Shown on a throwaway selection: in-process (config, wildcards, inputs,
provenance follow the registry), then for real in a copy of the workflow whose only
edits are those three."""

import re

import numpy as np
import pandas as pd
import pytest

from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.registry import Selection
from clusterprop.select import SELECTIONS
from clusterprop.workflow import grid, params, targets
from clusterprop.workflow.config import ConfigError, check
from clusterprop.workflow.inputs import artifact_paths
from conftest import method
from workflow_helpers import copy_workflow, merged_config, snakemake

# The throwaway selection: in each cluster, the member at a quantile of the distances
# to the centroid (0 = the centroid's nearest, as `centroid`; 1 = the farthest).
FUNCTION = '''

def member_at_quantile(*, budget, seed, clusters, quantile):
    """In each cluster, the member at ``quantile`` of the distances to the centroid."""
    assignments, distances = clusters["assignments"], clusters["distances"]
    rows = []
    for cluster in np.unique(assignments):
        members = np.flatnonzero(assignments == cluster)
        ordered = members[np.lexsort((members, distances[members]))]
        chosen = ordered[int(round(quantile * (len(ordered) - 1)))]
        rows.append({"image_id": int(chosen), "cluster": int(cluster),
                     "distance": float(distances[chosen])})
    return pd.DataFrame(rows)

'''
ENTRY = (
    '    Selection("quantile", member_at_quantile, needs=("clusters",), '
    'settings="quantile_selection", per_cluster=True),\n'
)
SCHEMA = """  quantile_selection:
    description: Selection 'quantile' - the member at this quantile of the distances.
    type: object
    additionalProperties: false
    default: {}
    properties:
      quantile:
        description: 0 = nearest the centroid, 1 = farthest.
        type: number
        minimum: 0
        maximum: 1
        default: 0.5
"""

TINY = {
    "dataset": {"n_train": 2000, "n_test": 500},
    "seeds": [0],
    "methods": [
        method("quantile + whole cluster", "raw", "quantile", "all", [10]),
        method("quantile only", "raw", "quantile", "none", [10]),
    ],
    "summary": {"ablation_budgets": [10]},
}


def default_config() -> dict:
    """The defaults with TINY merged in as --configfile does, then the throwaway
    selection's section (which the schema does not know yet)."""
    config = merged_config(TINY)
    config["quantile_selection"] = {"quantile": 0.5}
    return config


def test_a_registry_entry_is_all_the_workflow_needs_to_know(monkeypatch):
    config = default_config()
    with pytest.raises(ConfigError, match="unknown selection 'quantile'"):
        check(config)

    def member_at_quantile(*, budget, seed, clusters, quantile):
        raise AssertionError("not called here")

    entry = Selection(
        "quantile",
        member_at_quantile,
        needs=("clusters",),
        settings="quantile_selection",
        per_cluster=True,
    )
    monkeypatch.setitem(SELECTIONS, "quantile", entry)
    check(config)  # accepted, with a cluster propagation

    assert re.fullmatch(grid.selection_pattern(), "quantile-k10")
    assert re.fullmatch(grid.cluster_selection_pattern(), "quantile-k10")
    assert grid.parse_selection_slug("quantile-k10") == ("quantile", 10)
    assert artifact_paths(
        entry.needs, dataset="fashion-mnist", embedding="raw", budget=10, seed=0
    ) == {"clusters": "results/fashion-mnist/clusters/raw/k10/seed0/clusters.npz"}
    provenance = params.labelled_set_provenance(config, "raw", "quantile-k10", "oracle", "all")
    assert provenance["quantile_selection"] == {"quantile": 0.5}
    assert "clustering" in provenance and "neighbours" not in provenance
    assert targets.representative_grids(config) == [
        "results/fashion-mnist/summary/default/representatives/raw-quantile-k10-oracle-seed0.png"
    ]


@pytest.mark.slow
def test_a_throwaway_selection_runs_end_to_end(tmp_path, fashion):
    workdir = copy_workflow(tmp_path)
    select_py = workdir / "src/clusterprop/select.py"
    source = select_py.read_text()
    anchor = "#: The selections a method can name"
    source = source.replace(anchor, FUNCTION.lstrip("\n") + "\n" + anchor)
    table_end = source.rindex("\n)\n")  # the end of the SELECTIONS table
    source = source[:table_end] + "\n" + ENTRY.rstrip("\n") + source[table_end:]
    select_py.write_text(source)
    schema = workdir / "schemas/config.schema.yaml"
    schema_text = schema.read_text()
    schema.write_text(schema_text.replace("  summary:\n", SCHEMA + "  summary:\n", 1))

    config = {**TINY, "quantile_selection": {"quantile": 1.0}}
    snakemake(workdir, "--cores", "2", config=config)

    table = pd.read_csv(workdir / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    assert set(table.selection) == {"quantile"}
    assert (table["param.quantile_selection.quantile"] == 1.0).all()
    chosen = pd.read_csv(
        workdir / "results/fashion-mnist/selections/raw/quantile-k10/seed0/selection.csv"
    )
    clusters = np.load(workdir / "results/fashion-mnist/clusters/raw/k10/seed0/clusters.npz")
    distances, assignments = clusters["distances"], clusters["assignments"]
    for image_id, cluster in zip(chosen.image_id, chosen.cluster, strict=True):
        assert distances[image_id] == distances[assignments == cluster].max()
    labels = pd.read_csv(
        workdir / "results/fashion-mnist/labels/raw/quantile-k10/oracle/seed0/labels.csv"
    )
    y_train = fashion["y_train"][:2000]
    assert labels.label.tolist() == [FASHION_MNIST_CLASSES[c] for c in y_train[labels.image_id]]
    assert (
        workdir
        / "results/fashion-mnist/summary/default/representatives/raw-quantile-k10-oracle-seed0.png"
    ).exists()
