import numpy as np
import pytest

from clusterprop.labels import LabelsFileError, oracle_labels, read_labels

CLASSES = ["T-shirt/top", "Trouser", "Bag"]


def write(tmp_path, text):
    path = tmp_path / "labels.csv"
    path.write_text(text)
    return path


def test_oracle_file_round_trips(tmp_path):
    y_train = np.array([2, 0, 1, 1, 0])
    text = oracle_labels(np.array([3, 0, 4]), y_train, CLASSES)
    assert text == "image_id,label\n3,Trouser\n0,Bag\n4,T-shirt/top\n"
    ids, labels = read_labels(write(tmp_path, text), [3, 0, 4], CLASSES)
    assert ids.tolist() == [3, 0, 4]
    assert labels.tolist() == [1, 2, 0]


def test_rows_in_any_order_follow_the_selection(tmp_path):
    path = write(tmp_path, "image_id,label\n0,Bag\n3,Trouser\n")
    ids, labels = read_labels(path, [3, 0], CLASSES)
    assert ids.tolist() == [3, 0] and labels.tolist() == [1, 2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "labels file is empty"),
        ("id,class\n3,Bag\n", ":1: wrong header"),
        ("image_id,label\n3,Bag\n7,Bag\n0,Bag\n", ":3: unknown image id 7"),
        ("image_id,label\n3,Bag\n3,Trouser\n0,Bag\n", ":3: duplicate image id 3 .first on line 2"),
        ("image_id,label\n3,Bag\n", r"1 selected image\(s\) not labelled: 0"),
        ("image_id,label\n3,Shoe\n0,Bag\n", ":2: class 'Shoe' is not one of"),
        ("image_id,label\nthree,Bag\n0,Bag\n", ":2: image_id 'three' is not an integer"),
        ("image_id,label\n3,Bag,extra\n0,Bag\n", ":2: expected 2 fields"),
    ],
)
def test_malformed_labels_files_name_the_line(tmp_path, text, message):
    with pytest.raises(LabelsFileError, match=message):
        read_labels(write(tmp_path, text), [3, 0], CLASSES)
