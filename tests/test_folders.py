"""Image folders (dataset.format: folder), on real images: a Fashion-MNIST subset written
as PNG (and a few JPEG) files by the tests, and colour photographs that scikit-image
ships, cropped to mixed sizes."""

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from clusterprop import folders
from clusterprop.data import FASHION_MNIST_CLASSES, DataError
from clusterprop.embed import embed
from clusterprop.evaluate import classification_metrics, predictions_table
from clusterprop.formats import read_source
from clusterprop.labelling.files import format_labels
from clusterprop.labelling.pages import png_data_uri
from clusterprop.propagate import TrainingSet, training_set_stats
from clusterprop.summarize import model_to_show
from clusterprop.workflow.config import ConfigError, check
from conftest import TINY_CONFIG
from workflow_helpers import copy_workflow, merged_config, planned_jobs, rules_of, snakemake

#: Fashion-MNIST's class names as folder names ("T-shirt/top" cannot be one).
FOLDER_CLASSES = [name.replace("/", "-") for name in FASHION_MNIST_CLASSES]
PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"]


def fashion_folder(root: Path, fashion, n_train=300, n_test=100, jpeg=0) -> Path:
    """The first images of Fashion-MNIST as PNG files in class folders (the last
    ``jpeg`` training images as JPEG)."""
    folders.write(
        root, "train", fashion["X_train"][: n_train - jpeg], fashion["y_train"], FOLDER_CLASSES
    )
    if jpeg:
        rows = range(n_train - jpeg, n_train)
        for row in rows:
            folder = root / "train" / FOLDER_CLASSES[fashion["y_train"][row]]
            Image.fromarray(fashion["X_train"][row]).save(folder / f"{row:05d}.jpg", quality=95)
    if n_test:
        folders.write(root, "test", fashion["X_test"][:n_test], fashion["y_test"], FOLDER_CLASSES)
    return root


def photo_crops(root: Path, n: int, seed: int = 0) -> list[str]:
    """``n`` crops of mixed sizes (16 to 48 pixels a side) from scikit-image's colour
    photographs, straight into ``root/train/`` (no labels), a space in their names as in
    many people's files (``crop 0001.png``); returns each crop's photo."""
    import skimage

    rng = np.random.default_rng(seed)
    photos = [
        np.asarray(Image.open(Path(skimage.data_dir) / name).convert("RGB")) for name in PHOTOS
    ]
    (root / "train").mkdir(parents=True, exist_ok=True)
    sources = []
    for i in range(n):
        which = int(rng.integers(len(photos)))
        photo = photos[which]
        height, width = rng.integers(16, 49, size=2)
        top = int(rng.integers(photo.shape[0] - height))
        left = int(rng.integers(photo.shape[1] - width))
        crop = photo[top : top + height, left : left + width]
        suffix = ".jpg" if i % 5 == 0 else ".png"
        Image.fromarray(crop).save(root / "train" / f"crop {i:04d}{suffix}", quality=95)
        sources.append(PHOTOS[which].split(".")[0])
    return sources


@pytest.fixture(scope="module")
def png_folder(tmp_path_factory, fashion):
    root = fashion_folder(tmp_path_factory.mktemp("fashion_png"), fashion, jpeg=5)
    (root / "train" / "notes.txt").write_text("not an image")
    (root / "train" / "Bag" / ".DS_Store").write_bytes(b"\0\1")
    return root


def folder_config(root: Path, **dataset) -> dict:
    return merged_config({"dataset": {"format": "folder", "path": str(root), **dataset}})


def test_scan_finds_classes_ids_in_sorted_order_and_ignores_other_files(png_folder):
    layout = folders.scan(png_folder)
    assert layout.labelled and layout.class_names == sorted(FOLDER_CLASSES)
    assert list(layout.train.ids) == sorted(layout.train.ids) and len(layout.train.ids) == 300
    assert layout.train.ids[0].startswith("train/Ankle boot/")
    assert sorted(layout.train.ignored) == ["train/Bag/.DS_Store", "train/notes.txt"]
    assert len(layout.test.ids) == 100


def test_png_pixels_equal_the_idx_input_and_jpeg_is_close(png_folder, fashion):
    messages = []
    data = read_source({}, {"format": "folder", "path": str(png_folder)}, log=messages.append)
    assert data["X_train"].shape == (300, 28, 28) and data["X_train"].dtype == np.uint8
    assert any("2 file(s) that are not images ignored" in m for m in messages)
    names = data["class_names"].tolist()
    for image, label, image_id in zip(
        data["X_train"], data["y_train"], data["train_ids"], strict=True
    ):
        row = int(Path(image_id).stem)
        assert names[label] == FOLDER_CLASSES[fashion["y_train"][row]]
        difference = np.abs(image.astype(int) - fashion["X_train"][row]).max()
        if image_id.endswith(".png"):
            assert difference == 0, image_id
        else:  # JPEG is lossy
            assert (
                difference < 60 and np.abs(image.astype(int) - fashion["X_train"][row]).mean() < 3
            )
    assert data["test_ids"][0].startswith("test/") and len(data["y_test"]) == 100


def test_decoding_on_two_processes_equals_one(png_folder):
    layout = folders.scan(png_folder)
    one, _, _ = folders.decode_all(png_folder, layout.train.ids[:40], color="gray", image_size=None)
    two, _, _ = folders.decode_all(
        png_folder, layout.train.ids[:40], color="gray", image_size=None, n_jobs=2
    )
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


def test_colour_images_of_mixed_sizes_are_padded_keeping_their_aspect(tmp_path):
    photo_crops(tmp_path, 12)
    with pytest.raises(
        DataError, match=r"crop \d+\.(png|jpg): \d+x\d+x3 but .* set dataset.image_size"
    ):
        folders.read(tmp_path, color="rgb", class_names=["a", "b"])
    data = folders.read(tmp_path, color="rgb", image_size=32, class_names=["a", "b"])
    assert data["X_train"].shape == (12, 32, 32, 3)
    assert (data["y_train"] == -1).all() and len(data["X_test"]) == 0
    assert data["X_test"].shape == (0, 32, 32, 3)
    # a 16-pixel-high, 48-wide crop fills the width; the rows above and below are black
    wide = Image.fromarray(np.full((16, 48, 3), 200, dtype=np.uint8))
    wide.save(tmp_path / "train" / "wide.png")
    folders.scan.cache_clear()
    data = folders.read(tmp_path, color="rgb", image_size=[24, 24], class_names=["a", "b"])
    padded = data["X_train"][data["train_ids"].tolist().index("train/wide.png")]
    assert (padded[:8] == 0).all() and (padded[-8:] == 0).all() and (padded[8:16] == 200).all()
    gray = folders.read(tmp_path, color="gray", image_size=24, class_names=["a", "b"])
    assert gray["X_train"].shape == (13, 24, 24)


def test_every_embedding_and_the_labelling_page_take_colour_images(tmp_path):
    photo_crops(tmp_path, 20)
    data = folders.read(tmp_path, color="rgb", image_size=28, class_names=["a", "b"])
    train, test = data["X_train"], data["X_test"]
    raw, _ = embed("raw", train, test)
    assert raw.shape == (20, 28 * 28 * 3)
    features, no_test = embed("hog", train, test)
    assert features.shape == (20, 1296) and no_test.shape == (0, 1296)
    reduced, _ = embed("pca", raw, raw[:0], {"n_components": 5})
    assert reduced.shape == (20, 5)
    assert png_data_uri(train[0]).startswith("data:image/png;base64,")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:8],  # the PNG signature and nothing after it
        lambda data: data[:60],  # cut off inside the image data
        lambda data: b"GIF89a" + data[6:],  # another format's header
    ],
)
def test_a_bad_image_is_refused_naming_it_or_skipped_and_listed(tmp_path, fashion, damage):
    root = fashion_folder(tmp_path / "f", fashion, n_train=120, n_test=0)
    victim = next(root.rglob("00100.png"))
    victim.write_bytes(damage(victim.read_bytes()))
    image_id = victim.relative_to(root).as_posix()
    with pytest.raises(DataError, match=rf"1 image file\(s\) cannot be decoded .*\n  .*{image_id}"):
        folders.read(root)
    log = []
    data = folders.read(root, on_bad_image="skip", log=log.append)
    assert len(data["X_train"]) == 119 and image_id not in data["train_ids"]
    assert any(f"skipped {victim}" in line for line in log)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: (root / "elsewhere").mkdir(), r"no train/ folder"),
        (lambda root: (root / "train").mkdir(), r"train: no image files"),
        (
            lambda root: [(root / "train/Bag").mkdir(parents=True), (root / "train/Coat").mkdir()],
            r"train/Bag: class folder 'Bag' has no images",
        ),
        (
            lambda root: [
                (root / "train/Bag").mkdir(parents=True),
                Image.new("L", (4, 4)).save(root / "train/Bag/a.png"),
                Image.new("L", (4, 4)).save(root / "train/b.png"),
            ],
            r"holds both class folders \(Bag/, ...\) and image files \(train/b.png, ...\)",
        ),
        (
            lambda root: [
                (root / "train/Bag").mkdir(parents=True),
                Image.new("L", (4, 4)).save(root / "train/Bag/a.png"),
                (root / "test/Sock").mkdir(parents=True),
                Image.new("L", (4, 4)).save(root / "test/Sock/a.png"),
            ],
            r"test: class folder\(s\) \['Sock'\] are not classes of train/ \(\['Bag'\]\)",
        ),
    ],
)
def test_bad_folders_are_refused_with_the_config_naming_the_folder(tmp_path, make, message):
    make(tmp_path)
    config = folder_config(tmp_path)
    with pytest.raises(ConfigError, match=rf"dataset.path: .*{message}"):
        check(config)


def test_an_unlabelled_pool_needs_class_names_a_person_and_cluster_selections(tmp_path):
    photo_crops(tmp_path, 10)
    config = folder_config(tmp_path)
    with pytest.raises(ConfigError) as refused:
        check(config)
    text = str(refused.value)
    assert "dataset.class_names: " in text and "has no class folders" in text
    assert "labelling: oracle: needs true labels" in text
    assert "methods (random labels): selection random: needs true labels" in text
    assert "methods (all labels): selection all: needs true labels" in text
    config = folder_config(tmp_path, class_names=["astronaut", "chelsea", "coffee", "rocket"])
    config.update(labelling="person")
    config["methods"] = [
        {"name": "by hand", "embedding": "raw", "selection": "centroid", "classifier": "lr",
         "propagation": "all", "budgets": [5]}
    ]  # fmt: skip
    check(config)
    config["methods"][0]["budgets"] = [11]
    with pytest.raises(ConfigError, match=r"budgets: \[11\] larger than the training set \(10"):
        check(config)


def test_options_of_folders_only_are_refused_elsewhere():
    config = merged_config({})
    config["dataset"].update(image_size=32, color="rgb")
    with pytest.raises(ConfigError, match="dataset.image_size: only for format folder"):
        check(config)


def test_the_manifest_changes_when_a_file_is_added_removed_or_changed(tmp_path, fashion):
    root = fashion_folder(tmp_path, fashion, n_train=40, n_test=10)

    def digest():
        folders.scan.cache_clear()
        return folders.manifest_digest(folders.scan(root))

    first = digest()
    assert digest() == first
    some = next((root / "train").rglob("*.png"))
    os.utime(some, ns=(some.stat().st_atime_ns, some.stat().st_mtime_ns + 10**9))
    changed = digest()
    assert changed != first
    Image.fromarray(fashion["X_train"][50]).save(root / "train/Bag/extra.png")
    added = digest()
    assert added not in (first, changed)
    (root / "train/Bag/extra.png").unlink()
    assert digest() == changed
    (root / "train/notes.txt").write_text("not an image: not in the manifest")
    assert digest() == changed


def test_no_accuracy_without_labelled_test_images_and_label_shares_only_where_known():
    assert classification_metrics(np.array([], int), np.array([], int), 3)["accuracy"] is None
    unlabelled = classification_metrics(np.array([-1, -1]), np.array([0, 1]), 3)
    assert unlabelled["accuracy"] is None and unlabelled["n_test"] == 2
    training_set = TrainingSet(np.arange(4), np.array([0, 1, 1, 2]), np.array([1, 0, 0, 0], bool))
    stats = training_set_stats(training_set, np.full(4, -1), ["a", "b", "c"])
    assert stats["propagated_label_accuracy"] is None and stats["given_label_accuracy"] is None
    assert stats["label_counts"] == {"a": 1, "b": 2, "c": 1}
    known = training_set_stats(training_set, np.array([0, 1, 2, 2]), ["a", "b", "c"])
    assert known["propagated_label_accuracy"] == pytest.approx(2 / 3)


def test_predictions_table_one_row_per_image():
    training_set = {
        "image_ids": np.array([0, 2, 3]),
        "labels": np.array([1, 1, 0]),
        "given": np.array([True, False, False]),
    }
    splits = {
        "train": {
            "ids": np.array(["train/a.png", "train/b.png", "train/c.png", "train/d.png"]),
            "predicted": np.array([1, 0, 1, 0]),
            "probability": np.array([0.9, 0.6, 0.7, 0.8]),
            "score": None,
        },
        "test": {
            "ids": np.array(["test/e.png"]),
            "predicted": np.array([1]),
            "probability": None,
            "score": np.array([2.5]),
        },  # fmt: skip
    }
    table = predictions_table(splits, training_set, ["cat", "dog"])
    assert table.image_id.tolist() == [*splits["train"]["ids"], "test/e.png"]
    assert table.split.tolist() == ["train"] * 4 + ["test"]
    assert table.given_label.tolist() == ["dog", "", "", "", ""]
    assert table.propagated_label.tolist() == ["", "", "dog", "cat", ""]
    assert table.predicted_label.tolist() == ["dog", "cat", "dog", "cat", "dog"]
    assert table.probability.iloc[0] == 0.9 and np.isnan(table.probability.iloc[4])
    assert table.score.iloc[4] == 2.5 and np.isnan(table.score.iloc[0])


# ---------------------------------------------------------------- the workflow on folders


@pytest.fixture(scope="module")
def tiny_png_folder(tmp_path_factory, fashion):
    """TINY_CONFIG's images (the first 2,000 training and 500 test images) as PNG files."""
    return fashion_folder(tmp_path_factory.mktemp("tiny_png"), fashion, n_train=2000, n_test=500)


@pytest.mark.slow
def test_png_folder_run_agrees_with_the_idx_run(tiny_png_folder, tmp_path):
    """The same images from IDX files and from PNG folders: the folders list them in
    another order (by class folder), so K-Means starts differ; each method's mean accuracy
    over 4 seeds must agree within 3 standard errors. (TINY_CONFIG's random labels are
    left out: a random draw says nothing more about the two readers of one image set.)

    The all-labels LR has no spread over seeds: it is fitted to convergence here
    (tol 1e-6), so that both row orders reach the same optimum on any machine. At the
    default tol=1e-3 lbfgs stops at a point that depends on the row order and on the
    machine's floating-point path (0.2 and 0.6 points apart on two machines)."""
    seeds = {"seeds": [0, 1, 2, 3]}
    converged = {"name": "logistic_regression", "C": 1.0, "max_iter": 5000, "tol": 1e-6}
    methods = [
        {**m, "classifier": "lr_converged"} if m["selection"] == "all" else m
        for m in TINY_CONFIG["methods"]
        if m["selection"] != "random"
    ]
    both = {**TINY_CONFIG, **seeds, "classifiers": {"lr_converged": converged}, "methods": methods}
    idx_run = copy_workflow(tmp_path / "idx")
    snakemake(idx_run, "--cores", "2", config=both)
    workdir = copy_workflow(tmp_path / "wf")
    config = {**both, "dataset": {"format": "folder", "path": str(tiny_png_folder)}}
    snakemake(workdir, "--cores", "2", config=config)

    folder = pd.read_csv(workdir / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    idx = pd.read_csv(idx_run / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    keys = ["method", "n_labels"]
    ours = folder.groupby(keys).accuracy.agg(["mean", "std", "count"])
    theirs = idx.groupby(keys).accuracy.agg(["mean", "std", "count"])
    assert list(ours.index) == list(theirs.index) and (ours["count"] == 4).all()
    for key in ours.index:
        error = np.sqrt((ours.loc[key, "std"] ** 2 + theirs.loc[key, "std"] ** 2) / 4)
        difference = abs(ours.loc[key, "mean"] - theirs.loc[key, "mean"])
        # no spread (the converged LR): at most two of the 500 test images may differ
        # (the two optima agree to about 1e-3 in probability, float32's limit)
        assert difference <= max(3 * error, 0.005), (key, difference, error)

    predictions = pd.read_csv(
        workdir
        / "results/fashion-mnist/predictions/raw/centroid-k10/oracle/all/lr/seed0/predictions.csv",
        keep_default_na=False,
    )
    assert len(predictions) == 2500 and predictions.image_id.is_unique
    assert (predictions.split == "train").sum() == 2000
    assert all((tiny_png_folder / image_id).is_file() for image_id in predictions.image_id)
    given = predictions[predictions.given_label != ""]
    assert len(given) == 10  # the oracle's labels, under the images' folder names
    assert all(row.image_id.split("/")[1] == row.given_label for row in given.itertuples())

    # nothing changed: nothing to do; a changed image file: the data stage and after
    assert planned_jobs(workdir, config) == []
    some = next((tiny_png_folder / "train").rglob("*.png"))
    os.utime(some, ns=(some.stat().st_atime_ns, some.stat().st_mtime_ns + 10**9))
    folders.scan.cache_clear()
    rules = rules_of(planned_jobs(workdir, config))
    assert rules["prepare_dataset"] == 1 and rules["train"] == len(
        list((workdir / "results/fashion-mnist/metrics").rglob("metrics.json"))
    )


@pytest.mark.slow
def test_a_bad_image_stops_the_data_job_naming_it_and_leaves_nothing(tmp_path, fashion):
    root = fashion_folder(tmp_path / "images", fashion, n_train=200, n_test=50)
    victim = next(root.rglob("00042.png"))
    victim.write_bytes(victim.read_bytes()[:50])
    workdir = copy_workflow(tmp_path / "wf")
    config = {**TINY_CONFIG, "dataset": {"format": "folder", "path": str(root)}}
    result = snakemake(workdir, "--cores", "2", config=config, check=False)
    assert result.returncode != 0
    log = (workdir / "logs/fashion-mnist/prepare_dataset.log").read_text()
    assert "1 image file(s) cannot be decoded" in log and str(victim) in log
    assert "Traceback" not in log  # the person's data, not a bug
    said = result.stdout + result.stderr
    assert "data: 1 image file(s) cannot be decoded" in said and str(victim) in said
    assert not list((workdir / "results").rglob("*.npz"))
    # skipped instead: counted and named on the terminal, not only in the log
    skip = {**config, "dataset": {**config["dataset"], "on_bad_image": "skip"}}
    target = "results/fashion-mnist/data/dataset.npz"
    skipped = snakemake(workdir, "--cores", "2", target, config=skip)
    said = skipped.stdout + skipped.stderr
    assert "1 image file(s) could not be decoded and were skipped:" in said and str(victim) in said


@pytest.mark.slow
def test_an_unlabelled_colour_pool_goes_from_the_labelling_page_to_predictions(tmp_path):
    sources = photo_crops(tmp_path / "photos", 240)
    classes = ["astronaut", "chelsea", "coffee", "rocket"]
    workdir = copy_workflow(tmp_path / "wf")
    config = {
        "dataset": {
            "name": "photos",
            "format": "folder",
            "path": str(tmp_path / "photos"),
            "color": "rgb",
            "image_size": 32,
            "class_names": classes,
        },
        "embeddings": {"raw": {"method": "raw"}, "hog": {"method": "hog"}},
        "seeds": [0],
        "labelling": "person",
        "methods": [
            {
                "name": "by hand",
                "embedding": "hog",
                "selection": "centroid",
                "propagation": "all",
                "classifier": "lr",
                "budgets": [12],
            },
        ],  # fmt: skip
        "summary": {"ablation_budgets": [12]},
    }
    first = snakemake(workdir, "--cores", "2", config=config)
    assert "Waiting for a person: 1 labels file(s) are missing." in first.stdout + first.stderr
    page = workdir / "results/photos/labelling/hog/centroid-k12/seed0/labelling.html"
    assert page.is_file() and not (workdir / "results/photos/summary/default").exists()
    # the page shows each photograph as it is, the model's 32 x 32 input on demand
    html = page.read_text()
    assert html.count('"input": "data:image/png;base64,') == 12
    selection = pd.read_csv(
        workdir / "results/photos/selections/hog/centroid-k12/seed0/selection.csv", dtype=str
    )
    assert selection.image_id.str.fullmatch(r"train/crop \d{4}\.(png|jpg)").all()
    jpegs = int(selection.image_id.str.endswith(".jpg").sum())  # each crop as its file is
    assert html.count('"src": "data:image/jpeg;base64,') == jpegs
    assert html.count('"src": "data:image/png;base64,') == 12 - jpegs

    # the person: each selected crop's photograph
    truth = {f"train/crop {i:04d}": source for i, source in enumerate(sources)}
    given = [truth[image_id.rsplit(".", 1)[0]] for image_id in selection.image_id]
    labels_file = workdir / "labels/photos/hog/centroid-k12/seed0.csv"
    assert labels_file.parent.is_dir()  # the run made the folder the message names
    labels_file.write_text(
        format_labels(selection.image_id, [classes.index(g) for g in given], classes)
    )
    second = snakemake(workdir, "--cores", "2", config=config)
    assert "1 reviewed labels file(s) are missing" in second.stdout + second.stderr

    # the review: the page lists the 3 least trustworthy of the 12 labels; all kept
    quality = pd.read_csv(
        workdir / "results/photos/reviews/hog/centroid-k12/person/seed0/label_quality.csv",
        dtype=str,
    )
    review = quality[quality.listed == "True"]
    assert (
        len(review) == 3
        and (workdir / "results/photos/reviews/hog/centroid-k12/person/seed0/review.html").is_file()
    )
    reviewed_file = workdir / "labels/photos/hog/centroid-k12/seed0-reviewed.csv"
    reviewed_file.write_text(
        format_labels(review.image_id, [classes.index(g) for g in review.label], classes)
    )
    finished = snakemake(workdir, "--cores", "2", config=config)
    assert "Traceback" not in finished.stdout + finished.stderr  # no test images: no error

    predictions_file = (
        "results/photos/predictions/hog/centroid-k12/person-reviewed/all/lr/seed0/predictions.csv"
    )
    predictions = pd.read_csv(workdir / predictions_file, keep_default_na=False)
    assert len(predictions) == 240 and set(predictions.split) == {"train"}
    assert all((tmp_path / "photos" / image_id).is_file() for image_id in predictions.image_id)
    assert set(predictions.predicted_label) <= set(classes)
    by_id = predictions.set_index("image_id")
    assert by_id.loc[selection.image_id, "given_label"].tolist() == given
    assert (predictions.probability > 0).all()
    shown = workdir / "results/photos/summary/default/predictions.csv"
    assert shown.read_bytes() == (workdir / predictions_file).read_bytes()
    tables = (workdir / "results/photos/summary/default/tables.md").read_text()
    assert "No test accuracy" in tables and "astronaut" in tables
    assert (
        workdir / "results/photos/reviews/hog/centroid-k12/person/seed0/review_sheet.png"
    ).is_file()

    # the pile grows by 10% (24 more crops, the same 240 as they were): the labels given
    # are kept, the page asks only for selected images without one, nothing is refused
    more = photo_crops(tmp_path / "more", 24, seed=1)
    for i, path in enumerate(sorted((tmp_path / "more" / "train").iterdir())):
        path.rename(tmp_path / "photos" / "train" / f"new{i:03d}{path.suffix}")
    grown = snakemake(workdir, "--cores", "2", config=config)
    said = grown.stdout + grown.stderr
    asked = re.search(r"\(label (\d+) image\(s\); (\d+) already labelled, reused\)", said)
    assert asked, said
    new_selection = pd.read_csv(
        workdir / "results/photos/selections/hog/centroid-k12/seed0/selection.csv", dtype=str
    )
    already = set(selection.image_id) & set(new_selection.image_id)
    assert int(asked[2]) == len(already) >= 6 and int(asked[1]) == 12 - len(already)
    html = page.read_text()
    assert all(f'"id": "{image_id}"' not in html for image_id in already)
    assert labels_file.read_text() == format_labels(
        selection.image_id, [classes.index(g) for g in given], classes
    )  # the person's file, only read
    truth.update({f"train/new{i:03d}": source for i, source in enumerate(more)})
    missing = [i for i in new_selection.image_id if i not in already]
    later = [classes.index(truth[i.rsplit(".", 1)[0]]) for i in missing]
    (labels_file.parent / "later.csv").write_text(format_labels(missing, later, classes))
    after = snakemake(workdir, "--cores", "2", config=config)
    reviews_waiting = "Waiting for a person: 1 reviewed" in after.stdout + after.stderr
    assert "1 labels file(s) are missing" not in after.stdout + after.stderr

    # another data set in the same directory, then the first config again: nothing reruns
    other = {
        **TINY_CONFIG,
        "dataset": {"name": "tiny", **TINY_CONFIG["dataset"]},
        "methods": TINY_CONFIG["methods"][:1],
        "run": "oracle",
    }
    snakemake(workdir, "--cores", "2", config=other)
    assert (workdir / "results/tiny/summary/oracle/metrics.tsv").is_file()
    again = snakemake(workdir, "--cores", "2", config=config)
    said = again.stdout + again.stderr
    assert "Nothing to be done" in said
    assert ("Waiting for a person: 1 reviewed" in said) == reviews_waiting
    # a data set's name stands for one source: "tiny" is Fashion-MNIST's, not this folder's
    taken = {**config, "dataset": {**config["dataset"], "name": "tiny"}}
    refused = snakemake(workdir, "-n", config=taken, check=False)
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "dataset.name: 'tiny' is the name of another" in said


def test_the_summary_shows_the_best_label_efficient_model_or_the_most_labels():
    def record(selection, n_labels, seed, accuracy):
        return {"selection": selection, "n_labels": n_labels, "seed": seed, "accuracy": accuracy}

    scored = {
        "a": record("centroid", 10, 0, 0.60),
        "b": record("centroid", 20, 1, 0.70),
        "c": record("all", 2000, 0, 0.90),
    }
    assert model_to_show(scored) == "b"
    unscored = {key: {**value, "accuracy": None} for key, value in scored.items()}
    unscored["d"] = record("centroid", 20, 0, None)
    assert model_to_show(unscored) == "d"
