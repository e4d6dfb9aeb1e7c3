"""The workflow through a real (single-node, loopback) Slurm with profiles/slurm."""

import os
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from clusterprop.evaluate import prediction_part
from clusterprop.neighbours import anchor_graph
from clusterprop.train import load_model
from conftest import REPO, TINY_CONFIG, method
from workflow_helpers import copy_workflow, snakemake

pytestmark = [pytest.mark.slow, pytest.mark.slurm]


LOCAL_SLURM = REPO / "tests/slurm/local-slurm.sh"
LOCAL_RULES = {"summarize", "plot_representatives", "best_predictions"}
#: Two lines and one seed of the tiny run (a job costs 5-12 s through Slurm, mostly
#: start-up, so the run is kept to few), its big stages in two parts each (the raw
#: embedding; the neighbour graph over 1,500 anchors of the 2,000 images, for one method
#: more that spreads; every model's predictions): the tiny run's rows of the summary
#: must equal the local run's.
SHARED_LINES = ("representatives", "all labels")
SLURM_CONFIG = {
    **TINY_CONFIG,
    "seeds": [0],
    "shards": 2,
    "predictions": "always",
    "neighbours": {"anchors": 1500},
    "methods": [
        *(entry for entry in TINY_CONFIG["methods"] if entry["name"] in SHARED_LINES),
        method("representatives + spreading", "raw", "centroid", "spread", [10]),
    ],
}


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    missing = [
        tool for tool in ("slurmctld", "slurmd", "sbatch", "munged") if not shutil.which(tool)
    ]
    if missing:
        pytest.fail(f"{missing} not found: apt-get install -y slurm-wlm munge (see README)")
    state = tmp_path_factory.mktemp("slurm")
    started = subprocess.run(
        [str(LOCAL_SLURM), "start", str(state)], capture_output=True, text=True, timeout=120
    )
    if started.returncode != 0:
        pytest.fail(f"could not start Slurm:\n{started.stdout}\n{started.stderr}")
    try:
        yield state, {**os.environ, "SLURM_CONF": started.stdout.strip().splitlines()[-1]}
    finally:
        subprocess.run([str(LOCAL_SLURM), "stop", str(state)], timeout=60)


def test_jobs_run_through_slurm_and_match_a_local_run(slurm, tiny_run, tmp_path):
    state, env = slurm
    workdir = copy_workflow(tmp_path / "on_slurm")
    snakemake(
        workdir,
        "--profile",
        str(workdir / "profiles/slurm"),
        "--slurm-no-account",  # the test cluster has no accounts; a site sets its own
        "--slurm-init-seconds-before-status-checks",
        "1",
        "--seconds-between-status-checks",  # a site keeps the default (10 s)
        "2",
        config=SLURM_CONFIG,
        env=env,
    )
    job_ids = {}
    for log in (workdir / "logs/fashion-mnist").rglob("*.log"):
        parts = log.relative_to(workdir / "logs/fashion-mnist").parts
        rule = parts[0] if len(parts) > 1 else log.stem
        match = re.search(r"SLURM_JOB_ID=(\d+)", log.read_text())
        if rule in LOCAL_RULES:
            assert match is None, f"{log} ran through Slurm, but its rule is local"
        else:
            assert match, f"{log} did not run through Slurm"
            job_ids[str(log)] = match[1]
    # prepare, embed (2 parts, joined), the neighbour graph (the anchors', 2 parts of
    # queries, joined), cluster, the selection and its labels, 2 propagations, the
    # all-labels set, 3 models, their predictions (2 parts each, joined): every job but
    # the local summary, grid and copy of the best predictions
    assert len(job_ids) == 26
    parts = [
        log for log in job_ids if re.search("/(embed|predict)_shard/|/neighbour_queries/", log)
    ]
    assert len(parts) == 10
    records = (state / "jobcomp.txt").read_text()
    completed = set(re.findall(r"JobId=(\d+) .*JobState=COMPLETED", records))
    assert set(job_ids.values()) <= completed
    assert len(set(job_ids.values())) == len(job_ids)  # one Slurm job per workflow job
    on_slurm = pd.read_csv(workdir / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    local = pd.read_csv(tiny_run / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    local_seed0 = local[(local.seed == 0) & local.method.isin(SHARED_LINES)]
    local_seed0 = local_seed0.reset_index(drop=True)
    assert len(local_seed0) == 2 and len(on_slurm) == 3
    # (the spreading line's columns, empty in the others' rows, left out)
    shared = on_slurm[on_slurm.method.isin(local_seed0.method)].reset_index(drop=True)
    shared = shared[local_seed0.columns]
    pd.testing.assert_frame_equal(shared, local_seed0, check_exact=True)
    # the parts joined are what one job makes: the embedding, and the graph
    for name in ("train", "test"):
        joined = workdir / f"results/fashion-mnist/embeddings/raw/{name}.npy"
        assert joined.read_bytes() == (tiny_run / joined.relative_to(workdir)).read_bytes()
    graph = np.load(workdir / "results/fashion-mnist/neighbours/raw/neighbours.npz")
    features = np.load(workdir / "results/fashion-mnist/embeddings/raw/train.npy")
    indices, distances, anchors = anchor_graph(features, 20, anchors=1500, search="auto")
    np.testing.assert_array_equal(graph["anchors"], anchors)
    np.testing.assert_array_equal(graph["indices"], indices)
    np.testing.assert_array_equal(graph["distances"], distances)
    assert not list(workdir.glob("results/*/raw/**/shards/*"))  # the parts are gone
    # the predictions joined from two parts are each model's predictions of every image
    class_names = np.load(workdir / "results/fashion-mnist/data/dataset.npz")["class_names"]
    test_features = np.load(workdir / "results/fashion-mnist/embeddings/raw/test.npy")
    predictions = sorted(workdir.glob("results/fashion-mnist/predictions/**/predictions.csv"))
    assert len(predictions) == 3
    for path in predictions:
        table = pd.read_csv(path, keep_default_na=False)
        relative = path.parent.relative_to(workdir / "results/fashion-mnist/predictions")
        model = load_model(workdir / "results/fashion-mnist/models" / relative / "model.skops")
        in_one = prediction_part(model, features, test_features)  # as one job makes them
        for split in ("train", "test"):
            of_split = table[table.split == split]
            expected = class_names[in_one[f"{split}_predicted"]]
            np.testing.assert_array_equal(of_split.predicted_label, expected)
            # float32 probabilities, here with other BLAS threads than the job's
            np.testing.assert_allclose(
                of_split.probability, in_one[f"{split}_probability"], atol=1e-5
            )
