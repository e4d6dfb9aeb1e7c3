"""A labeller that makes mistakes, the out-of-fold label quality that finds them, the
review (a person's file, or a simulated reviewer), and what the grid makes of them."""

import re

import numpy as np
import pandas as pd
import pytest

from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.labelling.files import (
    LabelsFileError,
    listed,
    read_quality_table,
    similar_cell,
    similar_ids,
)
from clusterprop.labelling.kinds import parse_labelling, slug_pattern
from clusterprop.labelling.oracle import (
    FASHION_MNIST_ALIKE,
    REVIEW_STREAM,
    group_indices,
    labeller_labels,
    mistaken_labels,
)
from clusterprop.labelling.quality import (
    fold_of,
    out_of_fold_probabilities,
    quality_table,
    review_list,
)
from clusterprop.labelling.review import labelling_record, robust_labels, simulated_review
from clusterprop.labelling.store import Pile, read_store, resolve, reviewed_labels_from
from clusterprop.neighbours import nearest_neighbours
from clusterprop.propagate import spread
from clusterprop.spreading import spread_distributions
from clusterprop.summarize import mistakes_markdown
from clusterprop.workflow import grid, params
from clusterprop.workflow.config import ConfigError, check
from conftest import method
from workflow_helpers import merged_config

CLASSES = list(FASHION_MNIST_CLASSES)
GROUPS = group_indices(FASHION_MNIST_ALIKE, CLASSES)


# ---------------------------------------------------------------- the labeller


@pytest.mark.parametrize("kind", ["uniform", "alike", "ambiguous"])
def test_a_labeller_errs_on_exactly_its_share_the_same_way_for_a_seed(kind):
    truth = np.arange(300) % 10
    ambiguity = np.random.default_rng(0).dirichlet(np.ones(10), size=300)
    settings = dict(error_rate=0.1, kind=kind, n_classes=10, alike_groups=GROUPS)
    labels = mistaken_labels(truth, seed=3, ambiguity=ambiguity, **settings)
    wrong = labels != truth
    # alike: only the 240 images of the eight grouped classes can be mistaken
    assert wrong.sum() == 30
    assert (labels == mistaken_labels(truth, seed=3, ambiguity=ambiguity, **settings)).all()
    assert (labels != mistaken_labels(truth, seed=4, ambiguity=ambiguity, **settings)).any()
    review = mistaken_labels(truth, seed=3, ambiguity=ambiguity, stream=REVIEW_STREAM, **settings)
    assert (review != labels).any()  # a reviewer's second look is another draw
    assert set(np.unique(labels)) <= set(range(10))


def test_alike_mistakes_stay_within_their_group():
    truth = np.arange(1000) % 10
    labels = mistaken_labels(truth, error_rate=0.16, kind="alike", seed=0, n_classes=10,
                             alike_groups=GROUPS)  # fmt: skip
    group_of = {c: i for i, group in enumerate(GROUPS) for c in group}
    wrong = np.flatnonzero(labels != truth)
    assert len(wrong) == 160
    assert all(group_of[truth[i]] == group_of[labels[i]] for i in wrong)
    trouser, bag = CLASSES.index("Trouser"), CLASSES.index("Bag")
    assert not np.isin(truth[wrong], [trouser, bag]).any()  # in no group: never mistaken


def test_ambiguous_mistakes_follow_the_model_towards_its_most_likely_other_class():
    truth = np.zeros(200, dtype=int)
    ambiguity = np.zeros((200, 3))
    ambiguity[:100] = [1.0, 0.0, 0.0]  # sure of the true class: never mistaken
    ambiguity[100:] = [0.4, 0.1, 0.5]  # more likely class 2 than the true class 0
    labels = mistaken_labels(truth, error_rate=0.25, kind="ambiguous", seed=0, n_classes=3,
                             ambiguity=ambiguity)  # fmt: skip
    wrong = np.flatnonzero(labels != truth)
    assert len(wrong) == 50 and (wrong >= 100).all() and (labels[wrong] == 2).all()


def test_a_perfect_oracle_and_bad_settings():
    truth = np.arange(10)
    assert (labeller_labels(truth, {"error_rate": 0.0}, 0, CLASSES) == truth).all()
    with pytest.raises(ValueError, match="error_rate must be in"):
        mistaken_labels(truth, error_rate=1.0, kind="uniform", seed=0, n_classes=10)
    with pytest.raises(ValueError, match="need the model's probabilities"):
        mistaken_labels(truth, error_rate=0.5, kind="ambiguous", seed=0, n_classes=10)
    with pytest.raises(ValueError, match="unknown classes"):
        group_indices([["Shirt", "Blouse"]], CLASSES)


# ---------------------------------------------------------------- labellings in paths


def test_labelling_spellings_round_trip():
    for slug in ["truth", "oracle", "person", "person-reviewed", "oracle-alike10",
                 "oracle-ambiguous16.5-reviewed", "oracle-uniform5-robust",
                 "person-reviewed-robust"]:  # fmt: skip
        assert re.fullmatch(slug_pattern(), slug)
        assert parse_labelling(slug).slug == slug
    spec = parse_labelling("oracle-alike10-reviewed")
    assert (spec.error_rate, spec.mistakes, spec.treatment) == (0.1, "alike", "reviewed")
    assert spec.as_given.slug == "oracle-alike10" and spec.can_err
    both = parse_labelling("person-reviewed-robust")
    assert both.treatment == "reviewed + robust" and both.before_robust.slug == "person-reviewed"
    assert not parse_labelling("oracle").can_err
    for bad in ["oracle-alike", "person-alike10", "person-robust-reviewed", "nobody"]:
        assert not re.fullmatch(slug_pattern(), bad)
        with pytest.raises(ValueError, match="not a labelling"):
            parse_labelling(bad)


def errs(name, **keys):
    return {**method(name, "raw", "centroid", "spread", [50]), **keys}


def test_each_method_gets_its_labelling():
    config = merged_config(
        {
            "seeds": [0],
            "methods": [
                method("perfect", "raw", "centroid", "all", [50]),
                errs("reviewed", oracle={"error_rate": 0.1, "mistakes": "alike"}),
                errs("as given", oracle={"error_rate": 0.1, "mistakes": "alike"}, review=False),
                errs("robust", oracle={"error_rate": 0.05}, review=False, robust=True),
                errs("both", oracle={"error_rate": 0.05}, robust=True),
                method("all", "raw", "all"),
            ],
        }
    )
    check(config)
    assert [e.labelling for e in grid.experiments(config)] == [
        "oracle",  # a perfect oracle: nothing to review
        "oracle-alike10-reviewed",
        "oracle-alike10",
        "oracle-uniform5-robust",
        "oracle-uniform5-reviewed-robust",
        "truth",
    ]
    assert grid.experiments(config)[1].metrics == (
        "results/fashion-mnist/metrics/raw/centroid-k50/oracle-alike10-reviewed/spread/lr/seed0/metrics.json"
    )
    config["labelling"] = "person"
    config["methods"] = [method("by hand", "raw", "centroid", "all", [50])]
    assert [e.labelling for e in grid.experiments(config)] == ["person-reviewed"]
    config["review"]["enabled"] = False
    assert [e.labelling for e in grid.experiments(config)] == ["person"]


@pytest.mark.parametrize(
    "keys, message",
    [
        ({"labelling": "person", "oracle": {"error_rate": 0.1}}, r"\.oracle: oracle settings need"),
        ({"propagation": "all", "robust": True, "robust_action": "weight"}, r"weight needs a"),
        ({"alike_groups": [["Shirt", "Blouse"]]}, r"oracle\.alike_groups: unknown classes"),
    ],
)
def test_bad_labelling_settings_are_refused_naming_the_key(keys, message):
    keys = dict(keys)
    overlay = {"labelling": keys.pop("labelling", "oracle")}
    if "robust_action" in keys:
        overlay["robust"] = {"action": keys.pop("robust_action")}
    if "alike_groups" in keys:
        overlay["oracle"] = {"alike_groups": keys.pop("alike_groups")}
    overlay["methods"] = [{**method("m", "raw", "centroid", keys.pop("propagation", "spread"),
                                    [50]), **keys}]  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        check(merged_config(overlay))


def test_alike_without_groups_becomes_ambiguous():
    config = merged_config({"dataset": {"class_names": None}})
    assert params.labeller_params(config, "oracle-alike10")["alike_groups"] == [
        list(g) for g in FASHION_MNIST_ALIKE
    ]
    config["dataset"] = {**config["dataset"], "format": "npz", "class_names": ["a", "b"]}
    assert params.labeller_params(config, "oracle-alike10") == {
        "error_rate": 0.1,
        "mistakes": "ambiguous",
        "alike_groups": None,
    }


# ---------------------------------------------------------------- finding the mistakes


@pytest.fixture(scope="module")
def pool(fashion_subset):
    """3,000 real images in 30 principal components of their pixels, their 20-NN graph,
    and 150 of them labelled (15 of each class), 15 of those with look-alike mistakes."""
    from clusterprop.embed import pca

    features, _ = pca(fashion_subset["X_train"], fashion_subset["X_test"], n_components=30)
    indices, _ = nearest_neighbours(features, 20)
    y = fashion_subset["y_train"]
    given = np.concatenate([np.flatnonzero(y == c)[:15] for c in range(10)])
    truth = y[given]
    labels = mistaken_labels(truth, error_rate=0.1, kind="alike", seed=0, n_classes=10,
                             alike_groups=GROUPS)  # fmt: skip
    return {"features": features, "neighbours": {"indices": indices}, "y": y,
            "given": given, "truth": truth, "labels": labels}  # fmt: skip


SPREADING = {"n_neighbors": 20, "alpha": 0.9, "max_iter": 100, "balance_classes": False,
             "symmetric_graph": False}  # fmt: skip
REVIEW = {"folds": 10, "score": "self_confidence", "max_share": 0.2, "threshold": None,
          "n_similar": 3}  # fmt: skip


def test_own_spreading_is_scikit_learns_to_the_last_bit(pool):
    from sklearn.semi_supervised import LabelSpreading

    from clusterprop.neighbours import connectivity_graph

    graph = connectivity_graph(pool["neighbours"]["indices"], 20)
    partial = np.full(len(pool["y"]), -1)
    partial[pool["given"]] = pool["labels"]
    model = LabelSpreading(kernel=lambda X, Y: graph, alpha=0.9, max_iter=100)
    model.fit(np.zeros((len(partial), 1)), partial)
    classes, distributions = spread_distributions(
        pool["given"], pool["labels"], neighbours=pool["neighbours"]
    )
    assert (classes == model.classes_).all()
    assert np.array_equal(distributions, model.label_distributions_)
    # weights 1 are scikit-learn's; weight 0 is no label at all
    ones = spread_distributions(pool["given"], pool["labels"], neighbours=pool["neighbours"],
                                weights=np.ones(len(pool["given"])))[1]  # fmt: skip
    assert np.array_equal(ones, distributions)
    weights = np.ones(len(pool["given"]))
    weights[0] = 0.0
    dropped = spread(pool["given"][1:], pool["labels"][1:], neighbours=pool["neighbours"])
    weighted = spread(pool["given"], pool["labels"], neighbours=pool["neighbours"],
                      weights=weights)  # fmt: skip
    others = np.setdiff1d(np.arange(len(pool["y"])), pool["given"][:1])
    assert (dropped.labels[others] == weighted.labels[others]).mean() > 0.999


def test_folds_are_near_equal_and_drawn_with_the_seed():
    fold = fold_of(23, 10, seed=0)
    assert sorted(np.bincount(fold)) == [2] * 7 + [3] * 3
    assert (fold != fold_of(23, 10, seed=1)).any()
    assert (fold == fold_of(23, 10, seed=0)).all()


def test_a_label_never_vouches_for_itself(pool):
    """Out of fold: an image's own label is not among the labels spread to it, so a
    lone image of a class gets no probability for it."""
    given, labels = pool["given"][:31].copy(), pool["labels"][:31].copy()
    labels[0] = 9  # the only label of class 9
    probabilities = out_of_fold_probabilities(
        given, labels, neighbours=pool["neighbours"], n_classes=10, folds=31, seed=0,
        spreading=SPREADING,
    )  # fmt: skip
    assert probabilities[0, 9] == 0 and np.allclose(probabilities.sum(axis=1), 1)


def test_the_review_list_holds_most_mistakes(pool):
    table = quality_table(
        pool["given"].astype(str), pool["given"], pool["labels"],
        neighbours=pool["neighbours"], features=pool["features"], class_names=CLASSES,
        seed=0, review=REVIEW, spreading=SPREADING, truth=pool["truth"],
    )  # fmt: skip
    review = listed(table)
    assert len(review) == 30 and review["rank"].tolist() == list(range(1, 31))
    assert table.wrong.sum() == 15
    # chance would put 3 of the 15 mistakes on a list of a fifth of the labels
    assert review.wrong.sum() >= 10, review.wrong.sum()
    assert table.similar.map(similar_ids).map(len).eq(3).all()
    assert (table.quality.between(0, 1)).all()


def test_similar_images_keep_ids_with_spaces_commas_and_quotes(pool, tmp_path):
    # an image folder's ids are paths: "train/Ankle boot/IMG 0001.png" once broke the
    # review page, which split the similar images' ids at spaces
    ids = np.array(
        [f'train/{CLASSES[c]}/IMG {i:04d}, "a"é.png' for i, c in enumerate(pool["truth"])]
    )
    table = quality_table(
        ids, pool["given"], pool["labels"],
        neighbours=pool["neighbours"], features=pool["features"], class_names=CLASSES,
        seed=0, review=REVIEW, spreading=SPREADING,
    )  # fmt: skip
    path = tmp_path / "label_quality.csv"
    path.write_text(table.to_csv(index=False))  # as the label_quality rule writes it
    read = read_quality_table(path)
    assert read.image_id.tolist() == ids.tolist()
    similar = read.similar.map(similar_ids)
    assert similar.map(len).eq(3).all() and set(sum(similar, [])) <= set(ids)
    assert (similar.map(lambda others: others[0]) != read.image_id).all()  # not itself
    plain = quality_table(
        pool["given"].astype(str), pool["given"], pool["labels"],
        neighbours=pool["neighbours"], features=pool["features"], class_names=CLASSES,
        seed=0, review=REVIEW, spreading=SPREADING,
    )  # fmt: skip
    # the same images, named otherwise: the same similar images
    row_of = dict(zip(ids, plain.image_id, strict=True))
    assert [[row_of[i] for i in others] for others in similar] == [
        similar_ids(cell) for cell in plain.similar
    ]


def test_review_list_share_and_threshold():
    quality = np.array([0.9, 0.1, 0.5, 0.05, 0.7])
    assert review_list(quality, max_share=0.4).tolist() == [3, 1]
    assert review_list(quality, max_share=0.5).tolist() == [3, 1, 2]  # rounded up
    assert review_list(quality, max_share=1.0, threshold=0.2).tolist() == [3, 1]


# ---------------------------------------------------------------- reviews


def quality_rows(tmp_path):
    table = pd.DataFrame(
        {
            "image_id": ["a", "b", "c", "d"],
            "label": ["Shirt", "Coat", "Bag", "Coat"],
            "suggested_label": ["T-shirt/top", "Coat", "Bag", "Pullover"],
            "quality": [0.1, 0.9, 0.8, 0.2],
            "rank": [1, 4, 3, 2],
            "listed": [True, False, False, True],
            "similar": [similar_cell(o) for o in ("bc", "ac", "ab", "ab")],
            "wrong": [True, False, False, False],
        }
    )
    path = tmp_path / "label_quality.csv"
    table.to_csv(path, index=False)
    return read_quality_table(path)


def test_robust_treatments_and_the_record(tmp_path):
    table = quality_rows(tmp_path)
    assert listed(table).image_id.tolist() == ["a", "d"]
    keep, labels, _ = robust_labels(table, CLASSES, {"action": "drop", "max_share": 0.25})
    assert keep.tolist() == [False, True, True, True]
    _, labels, _ = robust_labels(table, CLASSES, {"action": "relabel", "max_share": 0.5})
    assert [CLASSES[c] for c in labels] == ["T-shirt/top", "Coat", "Bag", "Pullover"]
    _, _, weights = robust_labels(table, CLASSES, {"action": "weight", "max_share": 0.5})
    assert weights.tolist() == [0.1, 1.0, 1.0, 0.2]
    given = np.array([CLASSES.index(name) for name in table.label])
    truth = given.copy()
    truth[0] = CLASSES.index("T-shirt/top")
    after = simulated_review(given, np.array([0, 3]), np.array([truth[0], truth[3]]))
    record = labelling_record(given, after, truth, table)
    assert record == {
        "given_labels_wrong": 0.25,
        "given_labels_wrong_after_review": 0.0,
        "review_share": 0.5,
        "mistakes_listed": 1.0,
    }
    assert labelling_record(given, given, np.full(4, -1))["given_labels_wrong"] is None


def test_reviewed_labels_outrank_the_given_ones_and_every_listed_one_is_needed(tmp_path):
    table = quality_rows(tmp_path)
    ids = ["a", "b", "c", "d"]
    store = tmp_path / "labels"
    store.mkdir()
    # the listed images, one corrected and one kept, and an unlisted one corrected too
    (store / "x-reviewed.csv").write_text("image_id,label\na,T-shirt/top\nd,Coat\nb,Bag\n")
    pile = Pile(ids, None)
    resolved = resolve(read_store([str(store / "x-reviewed.csv")], CLASSES), pile)
    after, changed = reviewed_labels_from(resolved, table, pile, CLASSES)
    assert [CLASSES[c] for c in after] == ["T-shirt/top", "Bag", "Bag", "Coat"]
    assert changed == 2
    (store / "y-reviewed.csv").write_text("image_id,label\na,Shirt\n")
    partial = resolve(read_store([str(store / "y-reviewed.csv")], CLASSES), pile)
    with pytest.raises(LabelsFileError, match=r"1 image\(s\) of the review list .*: d"):
        reviewed_labels_from(partial, table, pile, CLASSES)


# ---------------------------------------------------------------- the summary's table


def test_the_mistakes_table_has_a_row_per_labeller_and_a_column_per_treatment():
    def point(labelling, n, accuracy, **extra):
        return {"dataset": "d", "method": labelling, "embedding": "e", "selection": "centroid",
                "labelling": labelling, "n_labels": n, "propagation": "spread",
                "classifier": "svm", "accuracy_mean": accuracy, "accuracy_std": 0.01,
                "mistakes_listed": extra.get("caught"),
                "review_share": extra.get("size")}  # fmt: skip

    summary = pd.DataFrame(
        [
            point("oracle", 300, 0.84),
            point("oracle-alike10", 300, 0.80),
            point("oracle-alike10-robust", 300, 0.82),
            point("oracle-alike10-reviewed", 300, 0.83, caught=0.9, size=0.2),
            point("truth", 60000, 0.85),
        ]
    )
    text = mistakes_markdown(summary)
    assert "## embedding e, selection centroid, propagation spread, classifier svm" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in row.split("|")[1:-1]] for row in rows]
    assert cells[0] == ["labeller", "300: as given", "300: robust", "300: reviewed",
                        "mistakes listed", "review size"]  # fmt: skip
    assert cells[1] == ["no mistakes"] + ["84.00 ± 1.00%"] * 3 + ["–", "–"]
    assert cells[2] == ["alike 10%", "80.00 ± 1.00%", "82.00 ± 1.00%", "83.00 ± 1.00%",
                        "90.00%", "20.00%"]  # fmt: skip
    assert "No method line" in mistakes_markdown(summary[summary.labelling == "oracle"])
