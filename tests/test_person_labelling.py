"""labelling: person, end to end: the run stops at the labelling pages, a bad labels
file is refused before any job, a good one continues the run from the labels on."""

import re

import numpy as np
import pandas as pd
import pytest

from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.labels import format_labels
from conftest import method
from workflow_helpers import build_report, copy_workflow, planned_jobs, rules_of, snakemake

pytestmark = pytest.mark.slow


PERSON_CONFIG = {
    "dataset": {"n_train": 2000, "n_test": 500},
    "seeds": [0],
    "methods": [method("representatives + whole cluster", "raw", "centroid", "all", [60])],
    "labelling": "person",
}
PAGE = "results/labelling/raw/centroid-k60/seed0/labelling.html"
LABELS = "labels/raw/centroid-k60/seed0.csv"


@pytest.fixture(scope="module")
def waiting(tmp_path_factory, fashion_dir):
    """A person-labelling run that stopped for its labels."""
    workdir = copy_workflow(tmp_path_factory.mktemp("person"))
    result = snakemake(workdir, "--cores", "2", config=PERSON_CONFIG)
    return workdir, result.stdout + result.stderr


def test_run_stops_at_the_labelling_page_and_says_where_the_labels_go(waiting):
    workdir, output = waiting
    assert "Waiting for a person: 1 labels file(s) are missing" in output
    assert f"open {PAGE}" in output and f"save its labels file as {LABELS}" in output
    html = (workdir / PAGE).read_text()
    assert html.count("data:image/png;base64,") == 60
    assert (workdir / PAGE).with_name("contact_sheet.png").stat().st_size > 10_000
    assert not (workdir / "results/labels").exists()
    assert not (workdir / "results/models").exists()


def person_file(workdir, wrong: dict[int, str] | None = None) -> tuple[str, pd.DataFrame]:
    selection = pd.read_csv(workdir / "results/selections/raw/centroid-k60/seed0/selection.csv")
    dataset = np.load(workdir / "results/data/dataset.npz")
    ids = selection.image_id.to_numpy()
    names = [FASHION_MNIST_CLASSES[c] for c in dataset["y_train"][ids]]
    for image_id, name in (wrong or {}).items():
        names[ids.tolist().index(image_id)] = name
    text = format_labels(
        ids, [FASHION_MNIST_CLASSES.index(n) for n in names], FASHION_MNIST_CLASSES
    )
    return text, selection


def test_bad_labels_file_is_refused_before_any_job(waiting, tmp_path):
    workdir, _ = waiting
    text, selection = person_file(workdir)
    lines = text.splitlines(keepends=True)
    path = workdir / LABELS
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_text(lines[0] + lines[1] + lines[1] + "".join(lines[3:]))
        result = snakemake(workdir, "-n", config=PERSON_CONFIG, check=False)
        first = selection.image_id[0]
        assert result.returncode != 0
        assert re.search(
            rf"a labels file is invalid.*seed0.csv:3: duplicate image id '{first}'",
            result.stdout + result.stderr,
            re.S,
        )
    finally:
        path.unlink()


def test_labels_file_continues_the_run_downstream_only(waiting):
    workdir, _ = waiting
    text, selection = person_file(workdir)
    # a person's slip: an image of the most common labelled class called a Bag
    truth = pd.Series([line.split(",")[1] for line in text.splitlines()[1:]])
    common = truth.value_counts().index[0]
    slipped = int(selection.image_id[truth[truth == common].index[0]])
    if common == "Bag":
        pytest.fail("pick another class for the slip")
    text, _ = person_file(workdir, {slipped: "Bag"})
    path = workdir / LABELS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    before = path.stat().st_mtime_ns

    jobs = rules_of(planned_jobs(workdir, PERSON_CONFIG))
    assert not {"embed", "cluster", "select", "prepare_dataset", "labelling_page"} & set(jobs)
    assert jobs["import_person_labels"] == 1 and jobs["train"] == 1

    result = snakemake(workdir, "--cores", "2", config=PERSON_CONFIG)
    assert "Waiting for a person" not in result.stdout + result.stderr
    assert path.read_text() == text and path.stat().st_mtime_ns == before  # never written
    assert (workdir / "results/labels/raw/centroid-k60/seed0/labels.csv").read_text() == text
    metrics = pd.read_csv(workdir / "results/summary/metrics.tsv", sep="\t")
    assert metrics["param.labelling"].tolist() == ["person"]
    flagged = pd.read_csv(workdir / "results/label_checks/raw/centroid-k60/seed0/disagreements.csv")
    assert slipped in flagged.image_id.tolist()
    assert flagged.set_index("image_id").loc[slipped, "label"] == "Bag"


def test_report_has_the_labelling_pages_and_label_checks(waiting, tmp_path):
    workdir, _ = waiting
    if not (workdir / "results/summary/metrics.tsv").exists():
        pytest.skip("needs the completed run of the test before")
    html = build_report(workdir, PERSON_CONFIG, tmp_path)
    for name in [
        "labelling.html",
        "contact_sheet.png",
        "raw-centroid-k60-seed0.png",
        "ablation.md",
    ]:
        assert name in html, name
    assert "Labels to look at again" in html
