import numpy as np
import pytest

from clusterprop.labelling.files import (
    LabelsFileError,
    format_labels,
    read_labels,
    rows_of,
    true_classes,
)

CLASSES = ["T-shirt/top", "Trouser", "Bag"]


def write(tmp_path, text):
    path = tmp_path / "labels.csv"
    path.write_text(text)
    return path


def test_oracle_file_round_trips(tmp_path):
    y_train = np.array([2, 0, 1, 1, 0])
    rows = np.array([3, 0, 4])
    text = format_labels(rows.astype(str), true_classes(y_train, rows), CLASSES)
    assert text == "image_id,label\n3,Trouser\n0,Bag\n4,T-shirt/top\n"
    ids, labels = read_labels(write(tmp_path, text), [3, 0, 4], CLASSES)
    assert ids.tolist() == ["3", "0", "4"]
    assert labels.tolist() == [1, 2, 0]
    assert rows_of(ids, np.arange(5).astype(str)).tolist() == [3, 0, 4]


def test_paths_as_image_ids_round_trip(tmp_path):
    ids = ["train/Bag/a, b.png", "train/Trouser/0001.png"]
    text = format_labels(ids, [2, 1], CLASSES)
    assert text.splitlines()[1] == '"train/Bag/a, b.png",Bag'
    read_ids, labels = read_labels(write(tmp_path, text), ids, CLASSES)
    assert read_ids.tolist() == ids and labels.tolist() == [2, 1]
    with pytest.raises(ValueError, match="the oracle needs true labels"):
        true_classes(np.array([2, -1]), np.array([0, 1]))
    with pytest.raises(ValueError, match="image id 'x.png' is not in the data set"):
        rows_of(["x.png"], ids)


def test_rows_in_any_order_follow_the_selection(tmp_path):
    path = write(tmp_path, "image_id,label\n0,Bag\n3,Trouser\n")
    ids, labels = read_labels(path, [3, 0], CLASSES)
    assert ids.tolist() == ["3", "0"] and labels.tolist() == [1, 2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "labels file is empty"),
        ("id,class\n3,Bag\n", ":1: wrong header"),
        ("image_id,label\n3,Bag\n7,Bag\n0,Bag\n", ":3: unknown image id '7'"),
        (
            "image_id,label\n3,Bag\n3,Trouser\n0,Bag\n",
            ":3: duplicate image id '3' .first on line 2",
        ),
        ("image_id,label\n3,Bag\n", r"1 selected image\(s\) not labelled: 0"),
        ("image_id,label\n3,Shoe\n0,Bag\n", ":2: class 'Shoe' is not one of"),
        ("image_id,label\nthree,Bag\n0,Bag\n", ":2: unknown image id 'three'"),
        ("image_id,label\n3,Bag,extra\n0,Bag\n", ":2: expected 2 fields"),
    ],
)
def test_malformed_labels_files_name_the_line(tmp_path, text, message):
    with pytest.raises(LabelsFileError, match=message):
        read_labels(write(tmp_path, text), [3, 0], CLASSES)
