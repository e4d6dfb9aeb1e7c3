"""An oracle that errs, end to end on real images: its mistakes are cached in its labels
files, reviewed by a simulated reviewer or treated as suspicious, measured in every
metrics row and tabled in mistakes.md; review settings rerun only what follows them."""

import numpy as np
import pandas as pd
import pytest

from clusterprop.data import FASHION_MNIST_CLASSES
from conftest import method
from workflow_helpers import copy_workflow, planned_jobs, rules_of, snakemake

pytestmark = pytest.mark.slow


def errs(name, kind, **keys):
    return {
        **method(name, "hog_pca", "centroid", "spread", [40]),
        "oracle": {"error_rate": 0.1, "mistakes": kind},
        **keys,
    }


#: the figures below are of the selection scikit-learn's K-Means makes (as PERSON_CONFIG's)
CONFIG = {
    "dataset": {"n_train": 2000, "n_test": 500},
    "clustering": {"algorithm": "elkan"},
    "embeddings": {
        "hog": {"method": "hog"},
        "hog_pca": {"method": "pca", "input": "hog", "n_components": 30},
    },
    "seeds": [0],
    "methods": [
        method("no mistakes", "hog_pca", "centroid", "spread", [40]),
        errs("alike, as given", "alike", review=False),
        errs("alike, robust", "alike", review=False, robust=True),
        errs("alike, reviewed", "alike"),
        errs("alike, reviewed + robust", "alike", robust=True),
        errs("ambiguous, reviewed", "ambiguous"),
    ],
    "summary": {"ablation_budgets": [40]},
}
LABELS = "results/fashion-mnist/labels/hog_pca/centroid-k40/{}/seed0/labels.csv"


@pytest.fixture(scope="module")
def run(tmp_path_factory, fashion_dir):
    workdir = copy_workflow(tmp_path_factory.mktemp("mistakes"))
    snakemake(workdir, "--cores", "2", config=CONFIG)
    return workdir


def test_every_row_says_what_the_labeller_got_wrong_and_what_the_review_caught(run):
    metrics = pd.read_csv(
        run / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t"
    ).set_index("method")
    assert metrics.labelling.tolist() == [
        "oracle",
        "oracle-alike10",
        "oracle-alike10-robust",
        "oracle-alike10-reviewed",
        "oracle-alike10-reviewed-robust",
        "oracle-ambiguous10-reviewed",
    ]
    assert metrics.loc["no mistakes", "given_labels_wrong"] == 0
    errant = metrics.iloc[1:]
    assert (errant.given_labels_wrong == 0.1).all()  # 4 of the 40 labels
    as_given = errant[~errant.labelling.str.contains("reviewed")]
    assert (as_given.given_labels_wrong_after_review == 0.1).all()
    reviewed = errant[errant.labelling.str.contains("reviewed")]
    assert (reviewed.review_share == 0.2).all()  # 8 of 40 labels on the list
    assert (reviewed.given_labels_wrong_after_review < 0.1).all()
    assert reviewed.mistakes_listed.between(0, 1).all()
    assert metrics["param.oracle.mistakes"].tolist()[1:] == ["alike"] * 4 + ["ambiguous"]
    both = metrics.loc["alike, reviewed + robust"]
    assert (
        both.given_labels_wrong_after_review
        == metrics.loc["alike, reviewed"].loc["given_labels_wrong_after_review"]
    )  # the same review, then the robust treatment
    assert both["param.robust.action"] == "weight"
    table = (run / "results/fashion-mnist/summary/default/mistakes.md").read_text()
    for row in ["no mistakes", "alike 10%", "ambiguous 10%"]:
        assert f"| {row}" in table
    assert "40: robust" in table and "40: reviewed + robust" in table


def read_labels(run, labelling):
    return pd.read_csv(run / LABELS.format(labelling), dtype=str)


def test_the_mistakes_are_cached_in_the_labels_files_and_reviewed_within_the_list(run):
    dataset = np.load(run / "results/fashion-mnist/data/dataset.npz")
    perfect = read_labels(run, "oracle")
    truth = [FASHION_MNIST_CLASSES[c] for c in dataset["y_train"][perfect.image_id.astype(int)]]
    assert perfect.label.tolist() == truth
    alike = read_labels(run, "oracle-alike10")
    wrong = alike.label != perfect.label
    assert wrong.sum() == 4
    tops = {"T-shirt/top", "Pullover", "Dress", "Coat", "Shirt"}
    for given, true in zip(alike.label[wrong], perfect.label[wrong], strict=True):
        assert (given in tops) == (true in tops)  # a look-alike class
    reviewed = read_labels(run, "oracle-alike10-reviewed")
    quality = pd.read_csv(
        run
        / "results/fashion-mnist/reviews/hog_pca/centroid-k40/oracle-alike10/seed0"
        / "label_quality.csv",
        dtype={"image_id": str},
    )
    changed = set(reviewed.image_id[reviewed.label != alike.label])
    assert changed <= set(quality.image_id[quality.listed])  # only listed labels change
    assert (quality.wrong == wrong.to_numpy()).all()
    assert run.joinpath(
        "results/fashion-mnist/labellers/ambiguity.npz"
    ).is_file()  # ambiguous mistakes


def test_review_settings_rerun_the_review_and_what_follows_only(run):
    assert planned_jobs(run, CONFIG) == []
    changed = {**CONFIG, "review": {"max_share": 0.3}}
    jobs = rules_of(planned_jobs(run, changed))
    assert not {"label_with_oracle", "labeller_model", "cluster", "neighbours", "embed"} & set(jobs)
    # the labels of the two labellers that err and the reviewed ones a robust run
    # treats, and every reviewed or robust run after them (not the as-given one)
    assert jobs["label_quality"] == 3 and jobs["simulate_review"] == 2
    assert jobs["propagate_labels"] == 4 and jobs["train"] == 4
    oracle = {**CONFIG, "methods": CONFIG["methods"][:2]}
    oracle["methods"][1] = {**oracle["methods"][1], "oracle": {"error_rate": 0.05}}
    jobs = rules_of(planned_jobs(run, oracle))
    assert jobs["label_with_oracle"] == 1 and "cluster" not in jobs and "select" not in jobs
