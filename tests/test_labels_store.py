"""A person's labels store: facts about images that outlive a selection (by content
fingerprint), grown piles, files saved in the wrong place; the selection that prefers
labelled images; short config errors."""

import numpy as np
import pandas as pd
import pytest

from clusterprop.data import source_conflict, source_record
from clusterprop.fingerprints import pixel_fingerprints
from clusterprop.labelling.files import LabelsFileError
from clusterprop.labelling.store import Pile, free_path, read_facts, read_store, resolve
from clusterprop.select import prefer_labelled, representatives
from clusterprop.workflow.person import stray_labels_files
from clusterprop.workflow.schema import schema_problems
from workflow_helpers import REPO, copy_workflow, snakemake


@pytest.fixture
def pile(fashion):
    images = fashion["X_train"][:300]
    return images, [f"train/{i:05d}.png" for i in range(300)], pixel_fingerprints(images)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_a_label_follows_its_image_through_a_rename_and_a_grown_pile(tmp_path, pile):
    images, ids, prints = pile
    given = write(
        tmp_path / "a.csv",
        f"image_id,label,fingerprint\n{ids[3]},Coat,{prints[3]}\n{ids[7]},Bag,{prints[7]}\n"
        f"gone.png,Bag,{'0' * 16}\n",
    )
    plain = write(tmp_path / "b.csv", f"image_id,label\n{ids[9]},Shirt\n")
    # the pile grows at its front and image 3's file is renamed
    grown_ids = ["train/new.png", *ids]
    grown_ids[4] = "train/renamed.png"
    grown = Pile(grown_ids, ["f" * 16, *prints])
    resolved = resolve(read_store([given, plain]), grown)
    assert {row: fact.label for row, fact in resolved.given.items()} == {
        4: "Coat",
        8: "Bag",
        10: "Shirt",
    }
    assert [fact.image_id for fact in resolved.unused] == ["gone.png"]  # counted, not refused


def test_reviewed_labels_outrank_given_ones_and_later_files_win(tmp_path, pile):
    _, ids, prints = pile
    first = write(tmp_path / "1.csv", f"image_id,label\n{ids[0]},Coat\n{ids[1]},Bag\n")
    second = write(tmp_path / "2.csv", f"image_id,label\n{ids[1]},Shirt\n")
    review = write(tmp_path / "1-reviewed.csv", f"image_id,label\n{ids[0]},Pullover\n")
    resolved = resolve(read_store(sorted([first, second, review])), Pile(ids, prints))
    assert resolved.label(0).label == "Pullover" and resolved.as_given(0).label == "Coat"
    assert resolved.label(1).label == "Shirt" and len(resolved.conflicts) == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("id,label\n1,Coat\n", "wrong header"),
        ("image_id,label\n1,Coat,x\n", r":2: expected 2 fields"),
        ("image_id,label\n1,Coat\n1,Bag\n", r":3: duplicate image id '1'"),
        ("image_id,label\n1,Cat\n", r":2: class 'Cat' is not one of"),
    ],
)
def test_a_malformed_store_file_is_refused_naming_file_and_line(tmp_path, text, message):
    path = write(tmp_path / "x.csv", text)
    with pytest.raises(LabelsFileError, match=message):
        read_facts(path, ["Coat", "Bag"])


def test_a_new_file_never_takes_the_name_of_one_that_is_there(tmp_path):
    write(tmp_path / "seed0.csv", "x")
    write(tmp_path / "seed0-2.csv", "x")
    write(tmp_path / "seed0-reviewed.csv", "x")
    assert free_path(tmp_path / "seed0.csv") == str(tmp_path / "seed0-3.csv")
    assert free_path(tmp_path / "seed0-reviewed.csv") == str(tmp_path / "seed0-2-reviewed.csv")
    assert free_path(tmp_path / "seed1.csv") == str(tmp_path / "seed1.csv")


def test_a_selection_prefers_a_labelled_image_near_the_centroid():
    assignments = np.array([0, 0, 0, 0, 1, 1, 1])
    distances = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    labelled = np.array([False, False, True, False, False, False, False])
    chosen = representatives(assignments, distances)
    near = prefer_labelled(chosen, assignments, distances, labelled, closest=3)
    assert near.image_id.tolist() == [2, 4] and near.reused.tolist() == [True, False]
    far = prefer_labelled(chosen, assignments, distances, labelled, closest=2)
    assert far.image_id.tolist() == [0, 4] and not far.reused.any()
    assert isinstance(near, pd.DataFrame) and list(near.columns)[:3] == list(chosen.columns)


def test_labels_saved_in_the_wrong_place_are_named_with_where_they_go(tmp_path):
    write(tmp_path / "labels" / "seed0.csv", "image_id,label\n")
    write(tmp_path / "labels" / "hog" / "centroid-k12" / "seed0.csv", "image_id,label\n")
    lines = stray_labels_files(tmp_path / "labels", "photos", ["hog", "raw"])
    assert len(lines) == 2
    assert "not in a data set's folder: move it into" in lines[0] and "labels/photos/" in lines[0]
    assert "old layout" in lines[1] and f"mv {tmp_path}/labels/hog" in lines[1]


def test_a_data_set_name_stands_for_one_source(tmp_path):
    recorded = source_record({"format": "folder", "path": str(tmp_path / "a")})
    assert (
        source_conflict("photos", {"format": "folder", "path": str(tmp_path / "a")}, recorded)
        is None
    )
    said = source_conflict("photos", {"format": "folder", "path": str(tmp_path / "b")}, recorded)
    assert "another data set" in said and "results/photos/" in said and "dataset.name" in said


def test_schema_problems_name_the_key_and_suggest_the_spelling():
    import yaml

    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
    problems = schema_problems({"labeling": "person", "dataset": {"image_size": 0}}, schema)
    assert problems == [
        "dataset.image_size: 0 is not allowed (allowed: null; integer >= 1; array)",
        "labeling: unknown key; did you mean 'labelling'?",
    ] or sorted(problems) == sorted(
        [
            "dataset.image_size: 0 is not allowed (allowed: null; integer >= 1; array)",
            "labeling: unknown key; did you mean 'labelling'?",
        ]
    )


MISTAKES = [
    ({"labeling": "person"}, "labeling: unknown key; did you mean 'labelling'"),
    ({"labelling": "persn"}, "labelling: 'persn' is not one of oracle, person"),
    ({"shards": 0}, "shards: 0 is less than the minimum"),
    ({"seeds": "zero"}, "seeds: 'zero' is not of type 'array'"),
    ({"predictions": "sometimes"}, "predictions: 'sometimes' is not one of auto, always, never"),
    ({"run": "a/b"}, "run: 'a/b' does not match"),
    ({"dataset": {"nam": "x"}}, "dataset.nam: unknown key; did you mean 'name'"),
    ({"dataset": {"image_size": 0}}, "dataset.image_size: 0 is not allowed"),
    ({"dataset": {"format": "folder", "path": "nowhere"}}, "dataset.path:"),
    ({"clustering": {"n_innit": 2}}, "clustering.n_innit: unknown key; did you mean 'n_init'"),
    ({"review": {"max_share": 2}}, "review.max_share: 2 is greater than the maximum"),
    (
        {
            "methods": [
                {
                    "name": "a",
                    "embedding": "rawx",
                    "selection": "centroid",
                    "classifier": "lr",
                    "budgets": [10],
                }
            ]
        },
        "methods[0] (a).embedding: no embedding named 'rawx'",
    ),  # fmt: skip
]


@pytest.mark.slow
def test_twelve_config_mistakes_each_say_key_and_problem_in_a_few_lines(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    for overlay, expected in MISTAKES:
        result = snakemake(workdir, "-n", config=overlay, check=False)
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        assert result.returncode != 0, overlay
        assert len(lines) <= 10, (overlay, lines)
        start = [line for line in lines if not line.startswith(("Using workflow", "Config file"))]
        assert start[0].startswith("config: ") and expected in start[0], (overlay, lines)


def test_contact_sheet_captions_wrap_so_long_image_ids_stay_readable():
    from clusterprop.plots import _wrapped

    caption = _wrapped("12: train/IMG_196497_007_a_long_name.jpg")
    assert max(len(line) for line in caption.splitlines()) <= 16
    assert caption.replace("\n", "") == "12: train/IMG_196497_007_a_long_name.jpg"  # all of it


def test_the_growth_benchmark_reads_what_a_run_says_it_waits_for():
    from clusterprop.labelling.pages import labelling_page
    from clusterprop.workflow.person import Waiting, waiting_message
    from clusterprop_benchmarks.growth import page_items, waiting_pages

    said = waiting_message(
        [Waiting("results/x/labelling/raw/centroid-k3/seed0/labelling.html", "l/x/a.csv", 2, 1)],
        "l",
        "x",
    )
    assert waiting_pages(said) == [
        {
            "page": "results/x/labelling/raw/centroid-k3/seed0/labelling.html",
            "asked": 2,
            "reused": 1,
            "save_as": "l/x/a.csv",
        }
    ]
    page = labelling_page(
        np.zeros((2, 4, 4), dtype=np.uint8),
        ["a</b", "c"],
        ["Coat", "Bag"],
        title="t",
        labels_path="l/x/a.csv",
        fingerprints=["f1", "f2"],
    )
    assert [(item["id"], item["fingerprint"]) for item in page_items(page)] == [
        ("a</b", "f1"),
        ("c", "f2"),
    ]
