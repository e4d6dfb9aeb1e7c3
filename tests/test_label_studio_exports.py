"""Label Studio's files: the tasks and label config the workflow writes, and its exports
read back as labels (JSON, JSON-MIN, CSV; several annotations of an image; reviews),
each bad export refused with the file and the task named. The exports are hand-made in
Label Studio 1.23's shapes (tests/test_label_studio.py reads real ones)."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from clusterprop.labelling import label_studio
from clusterprop.labelling.files import LabelsFileError
from clusterprop.labelling.store import agreement_table, read_facts, read_store, store_files
from clusterprop.workflow.config import ConfigError, check
from workflow_helpers import merged_config

CLASSES = ["T-shirt/top", "Trouser", "Bag & co"]


def annotation(id_, label, user=1, cancelled=False):
    return {
        "id": id_,
        "completed_by": user,
        "result": [
            {
                "from_name": "label",
                "to_name": "image",
                "type": "choices",
                "value": {"choices": [label]},
            }
        ],
        "was_cancelled": cancelled,
    }


def data(image_id, kind="label", dataset="tiny", **extra):
    return {
        "image": "data:image/png;base64,AAAA",
        "image_id": image_id,
        "fingerprint": f"f{image_id}",
        "dataset": dataset,
        "kind": kind,
        **extra,
    }


def json_export(tasks):
    """``tasks``: (task id, data, annotations)."""
    return [
        {"id": task, "annotations": annotations, "data": payload, "predictions": []}
        for task, payload, annotations in tasks
    ]


def flat_records(tasks):
    """JSON-MIN (and CSV): one record per annotation that is not cancelled."""
    out = []
    for task, payload, annotations in tasks:
        for a in annotations:
            if a["was_cancelled"]:
                continue
            out.append(
                {
                    **payload,
                    "id": task,
                    "label": a["result"][0]["value"]["choices"][0],
                    "annotator": a["completed_by"],
                    "annotation_id": a["id"],
                    "created_at": "2026-12-04T18:57:44Z",
                    "lead_time": None,
                }
            )
    return out


def csv_export(records):
    columns = sorted({key for record in records for key in record})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)
    return buffer.getvalue()


TASKS = [
    (1, data("10"), [annotation(1, "Trouser")]),
    # two annotators disagree: a tie, the earlier annotation's label
    (2, data("11"), [annotation(3, "Bag & co", 2), annotation(2, "T-shirt/top")]),
    # two of three agree
    (
        3,
        data("12"),
        [annotation(4, "Trouser"), annotation(5, "Bag & co", 2), annotation(6, "Bag & co", 3)],
    ),
    # a cancelled annotation is no label
    (4, data("13"), [annotation(7, "Trouser", 2, cancelled=True), annotation(8, "T-shirt/top")]),
    # a task nobody labelled yet
    (5, data("14"), []),
]


@pytest.fixture
def exports(tmp_path):
    paths = {
        "json": tmp_path / "team.json",
        "json-min": tmp_path / "team-min.json",
        "csv": tmp_path / "team.csv",
    }
    paths["json"].write_text(json.dumps(json_export(TASKS)))
    paths["json-min"].write_text(json.dumps(flat_records(TASKS)))
    paths["csv"].write_text(csv_export(flat_records(TASKS)))
    return paths


def labels_of(path, **keywords):
    facts = read_facts(path, CLASSES, dataset="tiny", **keywords)
    return {f.image_id: (f.label, f.fingerprint, f.votes, f.task) for f in facts}


def test_the_three_export_formats_give_the_same_labels(exports):
    read = {kind: labels_of(path) for kind, path in exports.items()}
    assert read["json"] == read["json-min"] == read["csv"]
    labels = {image: label for image, (label, *_) in read["json"].items()}
    assert labels == {"10": "Trouser", "11": "T-shirt/top", "12": "Bag & co", "13": "T-shirt/top"}
    assert read["json"]["11"][2] == (("T-shirt/top", 1), ("Bag & co", 1))
    assert read["json"]["12"][1:] == ("f12", (("Bag & co", 2), ("Trouser", 1)), 3)
    assert read["json"]["13"][2] == (("T-shirt/top", 1),)  # the cancelled one is not a vote


def test_rules_for_several_annotations(exports):
    first = labels_of(exports["csv"], annotations="first")
    assert first["12"][0] == "Trouser" and first["11"][0] == "T-shirt/top"
    with pytest.raises(
        LabelsFileError, match=r"team\.json: task 2 \(image 11\): the annotations disagree"
    ):
        read_facts(exports["json"], CLASSES, annotations="refuse")


def test_agreement_is_recorded(exports):
    facts = read_facts(exports["json"], CLASSES)
    table = agreement_table([f.image_id for f in facts], facts, [f.label for f in facts])
    row = table.set_index("image_id").loc["12"]
    assert (row.annotations, row.agreement) == (3, pytest.approx(2 / 3, abs=1e-4))
    assert row.source.endswith("team.json (task 3)") and row.votes == "Bag & co: 2 | Trouser: 1"
    own = agreement_table(["7"], [None], ["Trouser"]).iloc[0]
    assert (own.annotations, own.agreement) == (1, 1.0)


def test_a_review_export_holds_reviewed_labels_and_the_given_annotation_yields(tmp_path):
    review = [
        # kept: the given label alone
        (1, data("10", "review", given_label="Trouser"), [annotation(1, "Trouser")]),
        # corrected in place
        (2, data("11", "review", given_label="Trouser"), [annotation(2, "Bag & co")]),
        # a reviewer's own annotation beside the given one, which no longer counts
        (
            3,
            data("12", "review", given_label="Trouser"),
            [annotation(3, "Trouser"), annotation(9, "Bag & co", 2)],
        ),
    ]
    path = tmp_path / "anything.csv"
    path.write_text(csv_export(flat_records(review)))
    facts = read_facts(path, CLASSES, dataset="tiny")
    assert all(f.reviewed for f in facts)
    assert {f.image_id: f.label for f in facts} == {
        "10": "Trouser",
        "11": "Bag & co",
        "12": "Bag & co",
    }


def refused(tmp_path, name, text, pattern, **keywords):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(LabelsFileError, match=pattern):
        read_facts(path, CLASSES, dataset="tiny", **keywords)


def test_bad_exports_are_refused_with_the_file_and_task_named(tmp_path, exports):
    refused(tmp_path, "empty.json", "", r"empty\.json: the export is empty")
    refused(tmp_path, "none.json", "[]", r"none\.json: the export holds no annotation")
    whole = exports["json"].read_text()
    refused(
        tmp_path, "cut.json", whole[: len(whole) // 2], r"cut\.json: not complete JSON .*truncated"
    )
    lines = exports["csv"].read_text().splitlines()
    cut = "\n".join(lines[:-1] + [lines[-1][: len(lines[-1]) * 2 // 3]]) + "\n"
    refused(
        tmp_path,
        "cut.csv",
        cut,
        r"cut\.csv:\d+: task 4: \d+ fields, the header has \d+ \(truncated",
    )
    by_hand = json_export([(7, {"image": "/data/upload/1/abc.png"}, [annotation(1, "Trouser")])])
    refused(tmp_path, "hand.json", json.dumps(by_hand), r"hand\.json: task 7 has no image_id")
    other = json_export([(8, data("10", dataset="photos"), [annotation(1, "Trouser")])])
    refused(
        tmp_path, "other.json", json.dumps(other), r"other\.json: task 8 is of data set 'photos'"
    )
    unknown = json_export([(9, data("10"), [annotation(1, "Sandal")])])
    refused(
        tmp_path,
        "unknown.json",
        json.dumps(unknown),
        r"unknown\.json: task 9: class 'Sandal' is not one of",
    )
    two = json_export([(3, data("10"), [annotation(1, "Trouser")])])
    two[0]["annotations"][0]["result"][0]["value"]["choices"].append("Bag & co")
    refused(tmp_path, "two.json", json.dumps(two), r"two\.json: task 3: one annotation chose")
    tasks_file = label_studio.tasks_json(label_studio.labelling_tasks(["x"], ["10"], ["f"], "tiny"))
    refused(
        tmp_path,
        "import.json",
        tasks_file,
        r"import\.json: task 1 has no id: this is a file to import",
    )
    no_column = csv_export([{"id": 1, "annotation_id": 1, "image_id": "10", "choice": "Trouser"}])
    refused(tmp_path, "renamed.csv", no_column, r"renamed\.csv: no 'label' column")


def test_the_store_reads_exports_beside_its_own_files(tmp_path, exports):
    store = tmp_path / "labels" / "tiny"
    (store / "team").mkdir(parents=True)
    (store / "team" / "export.json").write_text(exports["json"].read_text())
    (store / "mine.csv").write_text("image_id,label\n20,Trouser\n")
    files = store_files(tmp_path / "labels", "tiny")
    assert [f.rsplit("/", 1)[-1] for f in files] == ["mine.csv", "export.json"]
    facts = read_store(files, CLASSES, dataset="tiny")
    assert {f.image_id for f in facts} == {"20", "10", "11", "12", "13"}
    assert {f.where for f in facts if f.image_id == "20"} == {f"{store}/mine.csv:2"}


def test_the_label_config_offers_every_class_once(tmp_path):
    config = ET.fromstring(label_studio.label_config(CLASSES, review=True, small=True))
    (choices,) = config.iter("Choices")
    assert choices.get("name") == label_studio.CONTROL and choices.get("choice") == "single-radio"
    assert [c.get("value") for c in choices] == CLASSES
    assert config.find("Image").get("smoothing") == "false" and config.find("Header") is not None


def test_tasks_point_into_the_document_root_or_are_refused(tmp_path):
    root = tmp_path / "served"
    (root / "pile" / "a b").mkdir(parents=True)
    image = root / "pile" / "a b" / "c#1.jpg"
    assert label_studio.local_files_url(image, root) == "/data/local-files/?d=pile/a%20b/c%231.jpg"
    with pytest.raises(ValueError, match="is not inside label_studio.document_root"):
        label_studio.local_files_url(tmp_path / "elsewhere.jpg", root)


def test_review_tasks_carry_the_given_label_and_the_suggestion():
    table = pd.DataFrame(
        {"image_id": ["5"], "label": ["Trouser"], "suggested_label": ["Bag & co"], "quality": [0.1]}
    )
    (item,) = label_studio.review_tasks(["img"], ["5"], ["f5"], "tiny", table)
    assert item["data"]["kind"] == "review" and item["data"]["given_label"] == "Trouser"
    assert item["annotations"][0]["result"] == label_studio.choice_result("Trouser")
    assert item["predictions"][0]["result"] == label_studio.choice_result("Bag & co")
    assert item["predictions"][0]["score"] == pytest.approx(0.9)
    assert json.loads(label_studio.tasks_json([item])) == [item]


def test_prelabels_are_the_least_confident_images_without_a_person_label():
    table = pd.DataFrame(
        {
            "image_id": ["1", "2", "3", "4", "t1"],
            "split": ["train"] * 4 + ["test"],
            "given_label": ["Trouser", "", "", "", ""],
            "propagated_label": ["", "Bag & co", "", "Trouser", ""],
            "predicted_label": ["Trouser", "Bag & co", "Trouser", "T-shirt/top", "Trouser"],
            "probability": [0.1, 0.9, 0.5, 0.3, 0.01],
            "score": [""] * 5,
        }
    )
    assert label_studio.to_prelabel(table, 2, "predictions") == (
        ["4", "3"],
        ["T-shirt/top", "Trouser"],
        [0.3, 0.5],
    )
    assert label_studio.to_prelabel(table, 0, "propagated") == (
        ["4", "2"],
        ["Trouser", "Bag & co"],
        [None, None],
    )


def test_a_document_root_must_hold_the_image_folder(tmp_path):
    pile = tmp_path / "pile"
    (pile / "train").mkdir(parents=True)
    for name in ("x.png", "y.png"):
        (pile / "train" / name).write_bytes(b"")
    overlay = {
        "dataset": {"format": "folder", "path": str(pile), "class_names": ["a", "b"]},
        "labelling": "person",
        "label_studio": {"document_root": str(tmp_path / "nowhere")},
    }
    with pytest.raises(ConfigError) as refused_:
        check(merged_config(overlay))
    assert any(p.startswith("label_studio.document_root:") for p in refused_.value.problems)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    overlay["label_studio"]["document_root"] = str(elsewhere)
    with pytest.raises(ConfigError, match="is not inside"):
        check(merged_config(overlay))
