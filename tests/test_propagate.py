import re

import numpy as np
import pytest

from clusterprop.propagate import (
    PROPAGATIONS,
    Strategy,
    n_closest,
    parse_strategy,
    propagate_labels,
    slug_pattern,
    training_set_stats,
)

# Two clusters: 0 has 4 members (ids 0-3), 1 has 5 (ids 4-8).
ASSIGNMENTS = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
DISTANCES = np.array([0.4, 0.1, 0.3, 0.2, 0.5, 0.05, 0.2, 0.2, 0.9])
REP_IDS, REP_LABELS = np.array([1, 5]), np.array([7, 3])


def propagate(strategy, ids, labels, assignments=None, distances=None):
    """The registry's dispatch, given the clusters as the workflow gives them."""
    artifacts = (
        {}
        if assignments is None
        else {"clusters": {"assignments": assignments, "distances": distances}}
    )
    return propagate_labels(strategy, ids, labels, artifacts)


def test_parse_strategy_spellings():
    assert parse_strategy("none") == Strategy("none")
    assert parse_strategy("closest:75") == Strategy("closest", 75.0)
    assert parse_strategy("closest75") == Strategy("closest", 75.0)
    assert parse_strategy("closest:12.5").slug == "closest12.5"
    assert parse_strategy("closest:75").name == "closest:75"
    for bad in ("closest:0", "closest:101", "nearest:5", "closest:", "All"):
        with pytest.raises(ValueError):
            parse_strategy(bad)


def test_none_keeps_the_given_labels_only():
    ts = propagate(Strategy("none"), REP_IDS, REP_LABELS)
    assert ts.image_ids.tolist() == [1, 5]
    assert ts.labels.tolist() == [7, 3]
    assert ts.given.all()


def test_all_propagates_to_whole_cluster():
    ts = propagate(Strategy("all"), REP_IDS, REP_LABELS, ASSIGNMENTS, DISTANCES)
    assert ts.image_ids.tolist() == list(range(9))
    assert ts.labels.tolist() == [7] * 4 + [3] * 5
    assert ts.given.tolist() == [i in (1, 5) for i in range(9)]


def test_closest_keeps_exactly_the_nearest_percent_per_cluster():
    ts = propagate(parse_strategy("closest:50"), REP_IDS, REP_LABELS, ASSIGNMENTS, DISTANCES)
    # cluster 0: ceil(2.0)=2 nearest -> ids 1 (0.1), 3 (0.2)
    # cluster 1: ceil(2.5)=3 nearest -> ids 5 (0.05), 6 and 7 (0.2, tie kept by id)
    assert ts.image_ids.tolist() == [1, 3, 5, 6, 7]
    assert ts.labels.tolist() == [7, 7, 3, 3, 3]


def test_closest_counts_on_real_sized_clusters():
    rng = np.random.default_rng(0)
    assignments = rng.integers(0, 30, size=3000)
    distances = rng.random(3000)
    reps = np.array(
        [
            np.flatnonzero(assignments == c)[np.argmin(distances[assignments == c])]
            for c in range(30)
        ]
    )
    ts = propagate(parse_strategy("closest:75"), reps, np.arange(30) % 10, assignments, distances)
    for cluster in range(30):
        members = np.flatnonzero(assignments == cluster)
        kept = np.intersect1d(ts.image_ids, members)
        assert len(kept) == n_closest(len(members), 75) == int(np.ceil(0.75 * len(members)))
        cutoff = np.sort(distances[members])[len(kept) - 1]
        assert distances[kept].max() == cutoff


def test_closest_100_equals_all():
    a = propagate(parse_strategy("closest:100"), REP_IDS, REP_LABELS, ASSIGNMENTS, DISTANCES)
    b = propagate(Strategy("all"), REP_IDS, REP_LABELS, ASSIGNMENTS, DISTANCES)
    assert a.image_ids.tolist() == b.image_ids.tolist()


def test_cluster_without_labelled_image_gets_no_labels():
    ts = propagate(Strategy("all"), np.array([5]), np.array([3]), ASSIGNMENTS, DISTANCES)
    assert ts.image_ids.tolist() == [4, 5, 6, 7, 8]


def test_training_set_stats_counts_correct_propagated_labels():
    ts = propagate(Strategy("all"), REP_IDS, REP_LABELS, ASSIGNMENTS, DISTANCES)
    y_true = np.array([7, 7, 1, 7, 3, 3, 3, 2, 2])
    stats = training_set_stats(ts, y_true)
    assert stats["n_labels_given"] == 2
    assert stats["n_train_labels"] == 9
    assert stats["propagated_label_accuracy"] == pytest.approx(4 / 7)
    assert stats["training_label_accuracy"] == pytest.approx(6 / 9)
    none = training_set_stats(propagate(Strategy("none"), REP_IDS, REP_LABELS), y_true)
    assert none["propagated_label_accuracy"] is None


def test_spread_strategy_spelling_and_inputs():
    strategy = parse_strategy("spread")
    assert strategy == Strategy("spread") and strategy.slug == "spread"
    assert strategy.uses_neighbours and not strategy.uses_clusters
    assert parse_strategy("all").uses_clusters and not parse_strategy("none").uses_clusters
    with pytest.raises(ValueError, match="propagation spread needs neighbours"):
        propagate(strategy, REP_IDS, REP_LABELS, ASSIGNMENTS, DISTANCES)
    with pytest.raises(ValueError, match="propagation all needs clusters"):
        propagate(parse_strategy("all"), REP_IDS, REP_LABELS)


def test_path_spellings_come_from_the_registry():
    pattern = slug_pattern()
    for good in ("none", "all", "spread", "closest75", "closest12.5"):
        assert re.fullmatch(pattern, good), good
    for bad in ("closest", "closest:75", "nearest", "spread1"):
        assert not re.fullmatch(pattern, bad), bad
    assert list(PROPAGATIONS) == ["none", "all", "closest", "spread"]
    assert [p.uses_clusters for p in PROPAGATIONS.values()] == [False, True, True, False]
