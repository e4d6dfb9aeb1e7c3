"""labelling: person, end to end: the run stops at the labelling pages; a bad labels file
is refused before any job; a labels file with mistakes in it (written by the test) stops
the run at a review page that lists most of them; a bad reviewed file is refused; the
reviewed file continues the run from the labels on, and the person's files are only
ever read."""

import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.labelling.files import format_labels
from conftest import PERSON_CONFIG
from workflow_helpers import build_report, copy_workflow, planned_jobs, rules_of, snakemake

pytestmark = pytest.mark.slow


DIR = "hog_pca/centroid-k60/seed0"
PAGE = f"results/fashion-mnist/labelling/{DIR}/labelling.html"
LABELS = "labels/fashion-mnist/hog_pca/centroid-k60/seed0.csv"
REVIEWED = "labels/fashion-mnist/hog_pca/centroid-k60/seed0-reviewed.csv"
REVIEW = "results/fashion-mnist/reviews/hog_pca/centroid-k60/person/seed0"


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
    assert not (workdir / "results/fashion-mnist/labels").exists()
    assert not (workdir / "results/fashion-mnist/models").exists()


def test_a_rerun_says_what_it_waits_for_also_with_nothing_to_do(waiting):
    workdir, _ = waiting
    stray = workdir / "labels" / "seed0.csv"  # saved in the wrong place
    stray.write_text("image_id,label\n")
    try:
        result = snakemake(workdir, "--cores", "2", config=PERSON_CONFIG)
        said = result.stdout + result.stderr
    finally:
        stray.unlink()
    assert "Nothing to be done" in said
    assert "Waiting for a person: 1 labels file(s) are missing" in said
    assert (
        f"open {PAGE} (label 60 image(s))" in said and f"save its labels file as {LABELS}" in said
    )
    assert (
        "labels/seed0.csv is not in a data set's folder: move it into labels/fashion-mnist/" in said
    )
    assert (workdir / LABELS).parent.is_dir()  # the folder to save into is there


def selected(workdir):
    selection = pd.read_csv(workdir / f"results/fashion-mnist/selections/{DIR}/selection.csv")
    truth = np.load(workdir / "results/fashion-mnist/data/dataset.npz")["y_train"][
        selection.image_id
    ]
    return selection.image_id.to_numpy(), truth


def slips(ids, truth) -> dict[int, int]:
    """A person's slips: eight images (every seventh) given the class of the next digit
    key (T-shirt/top 0 -> Trouser 1, ..., Ankle boot 9 -> T-shirt/top 0)."""
    rows = list(range(0, len(ids), 7))[:8]
    return {int(ids[row]): (int(truth[row]) + 1) % 10 for row in rows}


def test_bad_labels_file_is_refused_before_any_job(waiting, tmp_path):
    workdir, _ = waiting
    ids, truth = selected(workdir)
    lines = format_labels(ids, truth, FASHION_MNIST_CLASSES).splitlines(keepends=True)
    path = workdir / LABELS
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_text(lines[0] + lines[1] + lines[1] + "".join(lines[3:]))
        result = snakemake(workdir, "-n", config=PERSON_CONFIG, check=False)
        assert result.returncode != 0
        said = result.stdout + result.stderr
        assert re.search(rf"labels: .*seed0.csv:3: duplicate image id '{ids[0]}'", said)
        assert "Building DAG" not in said and len(said.strip().splitlines()) <= 6
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def labelled(waiting):
    """The person's labels file, eight of its sixty labels wrong: the run goes on to
    the review page and stops there."""
    workdir, _ = waiting
    ids, truth = selected(workdir)
    wrong = slips(ids, truth)
    given = np.array([wrong.get(int(i), c) for i, c in zip(ids, truth, strict=True)])
    path = workdir / LABELS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(format_labels(ids, given, FASHION_MNIST_CLASSES))
    result = snakemake(workdir, "--cores", "2", config=PERSON_CONFIG)
    output = result.stdout + result.stderr
    return workdir, ran_rules(output), output, wrong, path


def ran_rules(output: str):
    """How many jobs of each rule a run's output says it ran."""
    return Counter(re.findall(r"^(?:local)?(?:rule|checkpoint) (\w+):$", output, re.M))


def test_labels_with_mistakes_stop_at_a_review_page_that_lists_most_of_them(labelled):
    workdir, jobs, output, wrong, _ = labelled
    # the selection is made again (it prefers labelled images: the same 60), nothing above
    assert not {"embed", "cluster", "prepare_dataset", "labelling_page"} & set(jobs)
    assert jobs["import_person_labels"] == 1 and jobs["label_quality"] == 1
    assert jobs["review_page"] == 1 and "train" not in jobs
    assert "Waiting for a person: 1 reviewed labels file(s) are missing" in output
    assert f"open {REVIEW}/review.html" in output and REVIEWED in output
    quality = pd.read_csv(workdir / f"{REVIEW}/label_quality.csv")
    review = quality[quality.listed]
    assert len(review) == 12  # a fifth of the 60 labels
    caught = set(review.image_id) & set(wrong)
    assert len(caught) >= 5, (sorted(caught), sorted(wrong))  # chance: 1.6 of the 8
    html = (workdir / f"{REVIEW}/review.html").read_text()
    assert html.count('"given":') == 12 and "the others suggest" in html
    assert not (workdir / "results/fashion-mnist/models").exists()


def test_bad_reviewed_file_is_refused_before_any_job(labelled):
    workdir, _, _, _, _ = labelled
    quality = pd.read_csv(workdir / f"{REVIEW}/label_quality.csv", dtype={"image_id": str})
    listed = quality[quality.listed.astype(str) == "True"].iloc[0]
    path = workdir / REVIEWED
    try:
        path.write_text(f"image_id,label\n{listed.image_id},Sandals\n")
        result = snakemake(workdir, "-n", config=PERSON_CONFIG, check=False)
        assert result.returncode != 0
        assert re.search(
            r"labels: .*seed0-reviewed\.csv:2: class 'Sandals' is not one of",
            result.stdout + result.stderr,
        )
    finally:
        path.unlink()


def test_the_reviewed_file_continues_the_run_downstream_only(labelled):
    workdir, _, _, wrong, labels_path = labelled
    ids, truth = selected(workdir)
    true_of = dict(zip(ids.tolist(), truth.tolist(), strict=True))
    quality = pd.read_csv(workdir / f"{REVIEW}/label_quality.csv")
    review = quality[quality.listed]
    # the person corrects every listed label (the mistakes among them; the others kept)
    path = workdir / REVIEWED
    path.write_text(
        format_labels(review.image_id, [true_of[i] for i in review.image_id], FASHION_MNIST_CLASSES)
    )
    labels_text, before = labels_path.read_text(), labels_path.stat().st_mtime_ns
    reviewed_text, reviewed_before = path.read_text(), path.stat().st_mtime_ns

    jobs = rules_of(planned_jobs(workdir, PERSON_CONFIG))
    # the pages are made once more, with every image, for the report
    assert not {"import_person_labels", "label_quality", "embed", "select"} & set(jobs)
    assert jobs["import_reviewed_labels"] == 1 and jobs["propagate_labels"] == 1

    result = snakemake(workdir, "--cores", "2", config=PERSON_CONFIG)
    assert "Waiting for a person" not in result.stdout + result.stderr
    # the person's files are only read
    assert labels_path.read_text() == labels_text and labels_path.stat().st_mtime_ns == before
    assert path.read_text() == reviewed_text and path.stat().st_mtime_ns == reviewed_before
    metrics = pd.read_csv(workdir / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    (row,) = metrics.itertuples()
    caught = len(set(review.image_id) & set(wrong))
    assert row.labelling == "person-reviewed"
    assert row.given_labels_wrong == pytest.approx(8 / 60)
    assert row.given_labels_wrong_after_review == pytest.approx((8 - caught) / 60)
    assert row.mistakes_listed == pytest.approx(caught / 8)
    assert row.review_share == pytest.approx(12 / 60)


def test_report_has_the_labelling_and_review_pages(labelled, tmp_path):
    workdir = labelled[0]
    if not (workdir / "results/fashion-mnist/summary/default/metrics.tsv").exists():
        pytest.skip("needs the completed run of the test before")
    html = build_report(workdir, PERSON_CONFIG, tmp_path)
    for name in ["labelling.html", "contact_sheet.png", "review.html", "review_sheet.png"]:
        assert name in html, name
    assert "Labels to look at again" in html
