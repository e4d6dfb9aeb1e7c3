"""Embeddings (hog, chains), the neighbour graph, typicality and label spreading, on real
Fashion-MNIST images."""

import numpy as np
import pytest
from skimage.feature import hog as skimage_hog

from clusterprop.embed import EMBEDDINGS, embed, is_sharded, joined_parts, shard_rows
from clusterprop.io import save_npz
from clusterprop.labelling.quality import out_of_fold_probabilities
from clusterprop.neighbours import (
    among_anchors,
    anchor_graph,
    choose_anchors,
    connectivity_graph,
    gathered,
    nearest_anchors,
    nearest_neighbours,
    off_anchors,
    recall,
    typicality,
)
from clusterprop.propagate import spread, training_set_stats
from clusterprop.select import most_typical, representatives
from clusterprop.spreading import SpreadingGraph, equal_class_shares, spread_distributions
from conftest import TINY_CONFIG
from workflow_helpers import copy_workflow, snakemake


@pytest.fixture(scope="module")
def images(fashion):
    return {
        "train": fashion["X_train"][:2000],
        "y_train": fashion["y_train"][:2000].astype(np.int64),
        "test": fashion["X_test"][:300],
    }


@pytest.fixture(scope="module")
def hog_features(images):
    return embed("hog", images["train"], images["test"], {}, n_jobs=2)


@pytest.fixture(scope="module")
def hog_spreading(hog_features):
    """The spreading settings over the 10-NN graph of the 2,000 images' HOG features."""
    indices, _ = nearest_neighbours(hog_features[0], 10)
    return {"neighbours": {"indices": indices}, "n_neighbors": 10}


def forty_given(seed):
    """40 of the 2,000 images, drawn with ``seed``, as a person's labelled ones."""
    return np.sort(np.random.default_rng(seed).choice(2000, 40, replace=False))


def test_hog_is_scikit_image_hog_and_independent_of_processes(images, hog_features):
    train, test = hog_features
    assert train.shape == (2000, 1296) and test.shape == (300, 1296)
    assert train.dtype == np.float32
    expected = skimage_hog(
        images["train"][7], orientations=9, pixels_per_cell=(4, 4), cells_per_block=(2, 2)
    )
    np.testing.assert_allclose(train[7], expected, rtol=1e-6)
    one_process, _ = embed("hog", images["train"][:50], images["test"][:5], {}, n_jobs=1)
    np.testing.assert_array_equal(one_process, train[:50])


@pytest.mark.parametrize(
    "settings",
    [{}, {"orientations": 7, "pixels_per_cell": 5, "cells_per_block": 3}, {"cells_per_block": 1}],
)
def test_the_batched_hog_gives_scikit_images_features_on_real_grey_images(images, settings):
    batched, batched_test = embed("hog", images["train"][:300], images["test"][:20], settings)
    one_by_one = embed(
        "hog", images["train"][:300], images["test"][:20], {**settings, "backend": "scikit-image"}
    )
    np.testing.assert_allclose(batched, one_by_one[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(batched_test, one_by_one[1], rtol=1e-6, atol=1e-7)


def test_the_batched_hog_gives_scikit_images_features_on_float_images(images):
    """A data set of floats in [0, 1] (an npz): scikit-image computes float32 images'
    gradients in float32, and so does the batched HOG."""
    for dtype in (np.float32, np.float64):
        pixels = (images["train"][:200] / 255).astype(dtype)
        batched, _ = embed("hog", pixels, pixels[:2], {})
        one_by_one, _ = embed("hog", pixels, pixels[:2], {"backend": "scikit-image"})
        np.testing.assert_allclose(batched, one_by_one, rtol=1e-6, atol=1e-7)


def test_the_batched_hog_is_the_same_whatever_its_threads_and_chunks(images, hog_features):
    from clusterprop.hog import hog_features as batched

    two_threads = batched(images["train"], threads=2, chunk=300)
    np.testing.assert_array_equal(two_threads, hog_features[0])
    np.testing.assert_array_equal(batched(images["train"][:700], chunk=7), two_threads[:700])


def test_the_batched_hog_gives_scikit_images_features_on_colour_photographs():
    """Crops of scikit-image's colour photographs (the strongest channel's gradient at
    each pixel), and a photo scaled down whole."""
    import skimage
    from PIL import Image

    rng = np.random.default_rng(0)
    crops = []
    for name in ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg"]:
        photo = np.asarray(Image.open(f"{skimage.data_dir}/{name}").convert("RGB"))
        crops.append(np.asarray(Image.fromarray(photo).resize((48, 40))))
        for _ in range(10):
            top = int(rng.integers(photo.shape[0] - 40))
            left = int(rng.integers(photo.shape[1] - 48))
            crops.append(photo[top : top + 40, left : left + 48])
    crops = np.stack(crops)
    batched, _ = embed("hog", crops, crops[:2], {})
    one_by_one, _ = embed("hog", crops, crops[:2], {"backend": "scikit-image"})
    assert batched.shape == (44, 9 * 11 * 2 * 2 * 9)
    np.testing.assert_allclose(batched, one_by_one, rtol=1e-6, atol=1e-7)


def test_hog_parameters_and_refusals(images):
    small, _ = embed("hog", images["train"][:10], images["test"][:2], {"pixels_per_cell": 7})
    assert small.shape == (10, 3 * 3 * 2 * 2 * 9)
    with pytest.raises(ValueError, match="does not fit in 28x28"):
        embed("hog", images["train"][:2], images["test"][:2], {"pixels_per_cell": 16})
    with pytest.raises(ValueError, match="needs images"):
        embed("hog", images["train"][:2].reshape(2, -1), images["test"][:2].reshape(2, -1))


def test_embedding_registry_dispatch(images):
    assert list(EMBEDDINGS) == ["raw", "pca", "hog"]
    assert [e.chains for e in EMBEDDINGS.values()] == [False, True, False]
    assert [e.parallel for e in EMBEDDINGS.values()] == [False, False, True]
    train, test = embed("raw", images["train"][:5], images["test"][:2])
    assert train.shape == (5, 784) and train.max() <= 1.0 and test.dtype == np.float32
    # a chain's ``input`` names where the features came from; the function never sees it
    chained, _ = embed("pca", train, test, {"n_components": 2, "input": "raw"})
    assert chained.shape == (5, 2)
    with pytest.raises(ValueError, match="unknown embedding method 'sift'; known: raw, pca, hog"):
        embed("sift", train, test)


def test_pca_chained_on_hog_is_fitted_on_train(hog_features):
    train, test = hog_features
    reduced_train, reduced_test = embed("pca", train, test, {"n_components": 20})
    assert reduced_train.shape == (2000, 20) and reduced_test.shape == (300, 20)
    np.testing.assert_allclose(reduced_train.mean(axis=0), 0, atol=1e-4)  # centred on train
    assert abs(reduced_test.mean(axis=0)).max() > 1e-3  # ... not on test


def test_ivf_search_finds_nearly_the_exact_graph_and_the_same_graph_again(hog_features):
    features = embed("pca", hog_features[0], hog_features[1], {"n_components": 50})[0]
    exact, exact_distances = nearest_neighbours(features, 20)
    ivf = {"search": "ivf", "ivf_list_size": 64, "ivf_probes": 8}  # 32 lists for 2,000
    indices, distances = nearest_neighbours(features, 20, **ivf)
    assert indices.shape == distances.shape == (2000, 20)
    assert not (indices == np.arange(2000)[:, None]).any()  # never its own neighbour
    assert (np.diff(distances, axis=1) >= -1e-5).all()
    assert recall(indices, exact) >= 0.95
    assert recall(exact, exact) == 1.0
    found = np.take_along_axis(exact, np.argsort(exact_distances, axis=1), axis=1)
    hit = indices[:, 0] == found[:, 0]  # where the nearest agree, so do their distances
    np.testing.assert_allclose(distances[hit, 0], exact_distances[hit, 0], rtol=1e-4)
    # fewer probes find less; the same settings give the same graph, whatever the threads
    fewer, _ = nearest_neighbours(features, 20, **{**ivf, "ivf_probes": 1})
    assert recall(fewer, exact) < recall(indices, exact)
    again, again_distances = nearest_neighbours(features, 20, **ivf, threads=2)
    np.testing.assert_array_equal(again, indices)
    np.testing.assert_array_equal(again_distances, distances)
    # auto: exact up to its size, IVF above
    auto, _ = nearest_neighbours(features, 20, search="auto", exact_up_to=2000)
    np.testing.assert_array_equal(auto, exact)
    auto, _ = nearest_neighbours(features, 20, **{**ivf, "search": "auto", "exact_up_to": 1999})
    np.testing.assert_array_equal(auto, indices)
    with pytest.raises(ValueError, match="unknown neighbour search 'hnsw'"):
        nearest_neighbours(features, 20, search="hnsw")


@pytest.fixture(scope="module")
def hog_pca50(hog_features):
    return embed("pca", hog_features[0], hog_features[1], {"n_components": 50})[0]


def test_up_to_anchors_images_the_graph_is_the_nearest_neighbour_graph(hog_pca50):
    indices, distances, anchors = anchor_graph(hog_pca50, 20, anchors=2000)
    exact, exact_distances = nearest_neighbours(hog_pca50, 20)
    np.testing.assert_array_equal(indices, exact)
    np.testing.assert_array_equal(distances, exact_distances)
    np.testing.assert_array_equal(anchors, np.arange(2000))


def test_above_anchors_every_image_links_to_its_nearest_anchors(hog_pca50):
    indices, distances, anchors = anchor_graph(hog_pca50, 20, anchors=500, anchor_seed=1)
    assert len(anchors) == len(np.unique(anchors)) == 500
    assert (np.diff(anchors) > 0).all()
    assert np.isin(indices, anchors).all()  # every link ends at an anchor
    assert not (indices == np.arange(2000)[:, None]).any()  # never its own neighbour
    assert (np.diff(distances, axis=1) >= 0).all()
    # an anchor's row: its nearest other anchors; any other image's: its nearest anchors
    among, _ = nearest_neighbours(hog_pca50[anchors], 20)
    np.testing.assert_array_equal(indices[anchors], anchors[among])
    for image in (0, 1, 777, 1999):
        if image in anchors:
            continue
        to_anchors = np.linalg.norm(hog_pca50[anchors] - hog_pca50[image], axis=1)
        np.testing.assert_array_equal(indices[image], anchors[np.argsort(to_anchors)[:20]])
        np.testing.assert_allclose(distances[image], np.sort(to_anchors)[:20], rtol=1e-4)
    again = anchor_graph(hog_pca50, 20, anchors=500, anchor_seed=1)
    np.testing.assert_array_equal(again[0], indices)
    other = anchor_graph(hog_pca50, 20, anchors=500, anchor_seed=2)[2]
    assert len(np.intersect1d(other, anchors)) < 250  # another seed, another sample
    # the IVF queries: nearly the exact links, the same again whatever the threads and blocks
    ivf = {"anchors": 500, "anchor_seed": 1, "search": "ivf", "ivf_list_size": 32}
    found, _, ivf_anchors = anchor_graph(hog_pca50, 20, **ivf, ivf_probes=8)
    np.testing.assert_array_equal(ivf_anchors, anchors)
    assert recall(found, indices) >= 0.95
    blocks, _, _ = anchor_graph(hog_pca50, 20, **ivf, ivf_probes=8, threads=2, query_block=300)
    np.testing.assert_array_equal(blocks, found)
    fewer, _, _ = anchor_graph(hog_pca50, 20, **ivf, ivf_probes=2)
    assert recall(fewer, indices) < recall(found, indices)


def test_an_embedding_in_parts_is_the_embedding_in_one(images, hog_features, tmp_path):
    assert [shard_rows(10, i, 3) for i in range(3)] == [slice(0, 3), slice(3, 6), slice(6, 10)]
    with pytest.raises(ValueError, match="shard 3 of 3"):
        shard_rows(10, 3, 3)
    # in whole blocks of 4 rows (the last one short): 3 blocks in 2 parts, or in 4
    assert [shard_rows(10, i, 2, block=4) for i in range(2)] == [slice(0, 4), slice(4, 10)]
    assert [shard_rows(10, i, 4, 4) for i in range(4)] == [
        slice(0, 0),
        slice(0, 4),
        slice(4, 8),
        slice(8, 10),
    ]
    paths = []
    for shard in range(3):
        train = images["train"][shard_rows(2000, shard, 3)]
        test = images["test"][shard_rows(300, shard, 3)]
        paths.append(tmp_path / f"{shard}.npz")
        save_npz(paths[-1], **dict(zip(("train", "test"), embed("hog", train, test), strict=True)))
    joined = joined_parts(paths)
    for part, whole in zip(joined, hog_features, strict=True):
        np.testing.assert_array_equal(part, whole)
    # only a method that embeds each image on its own, from the images, and only above 1
    assert is_sharded({"method": "hog"}, 2) and is_sharded({"method": "raw"}, 2)
    assert not is_sharded({"method": "hog"}, 1)
    assert not is_sharded({"method": "pca", "n_components": 5}, 2)
    save_npz(tmp_path / "other.npz", train=np.zeros((2, 3), np.float32), test=np.zeros((1, 3)))
    with pytest.raises(ValueError, match="features of different shapes"):
        joined_parts([paths[0], tmp_path / "other.npz"])


def test_the_neighbour_graph_in_parts_is_the_graph_in_one(hog_pca50):
    search = {"search": "ivf", "ivf_list_size": 32, "ivf_probes": 8}
    whole = anchor_graph(hog_pca50, 20, anchors=500, anchor_seed=1, **search)
    anchors = choose_anchors(2000, 500, 1)
    np.testing.assert_array_equal(anchors, whole[2])
    np.testing.assert_array_equal(choose_anchors(400, 500, 1), np.arange(400))
    among = among_anchors(hog_pca50, anchors, 20, **search)
    parts = []
    for shard in range(3):
        rows = off_anchors(2000, anchors, shard, 3)
        parts.append((rows, *nearest_anchors(hog_pca50, anchors, rows, 20, **search)))
    assert sum(len(rows) for rows, _, _ in parts) == 1500
    indices, distances = gathered(2000, anchors, among, parts)
    np.testing.assert_array_equal(indices, whole[0])
    np.testing.assert_array_equal(distances, whole[1])
    # every image an anchor: the parts hold no queries
    assert [len(off_anchors(400, np.arange(400), shard, 2)) for shard in range(2)] == [0, 0]
    with pytest.raises(ValueError, match="cover 500 images not at all and 0 more than once"):
        gathered(2000, anchors, among, parts[1:])
    with pytest.raises(ValueError, match="cover 0 images not at all and 500 more than once"):
        gathered(2000, anchors, among, [*parts, parts[0]])


def test_spreading_over_anchors_reaches_every_image(hog_pca50, images):
    y = images["y_train"]
    indices, distances, anchors = anchor_graph(hog_pca50, 20, anchors=1000)
    given = forty_given(3)
    assert 5 < np.isin(given, anchors).sum() < 35  # given labels on anchors and off them
    everyone = {"indices": indices, "anchors": np.arange(2000)}
    # every image an anchor: the spreading of the graph without any
    np.testing.assert_array_equal(
        spread(given, y[given], neighbours=everyone, balance_classes=True).labels,
        spread(given, y[given], neighbours={"indices": indices}, balance_classes=True).labels,
    )
    neighbours = {"indices": indices, "anchors": anchors}
    graph = SpreadingGraph.of(neighbours, 20, anchor_neighbors=3)
    assert graph.matrix.shape == (1000, 1000)
    # a label given to an anchor starts on it; one given to another image, on its 3
    # nearest anchors, a third each
    on, off = given[np.isin(given, anchors)][0], given[~np.isin(given, anchors)][0]
    seeds = graph.seeds(np.array([on, off]), np.array([0, 1]), 1.0, 2)
    assert seeds[graph.position[on], 0] == 1 and seeds[:, 0].sum() == 1
    np.testing.assert_allclose(seeds[graph.position[indices[off, :3]], 1], 1 / 3)
    assert seeds[:, 1].sum() == pytest.approx(1)
    # an image that is not an anchor takes its nearest anchor's distribution
    classes, distributions = spread_distributions(
        given, y[given], neighbours=neighbours, anchor_neighbors=1
    )
    off_anchor = np.setdiff1d(np.arange(2000), anchors)
    np.testing.assert_array_equal(distributions[off_anchor], distributions[indices[off_anchor, 0]])
    np.testing.assert_allclose(distributions.sum(axis=1), 1)  # every image reached
    result = spread(given, y[given], neighbours=neighbours, balance_classes=True)
    np.testing.assert_array_equal(result.labels[given], y[given])
    assert (result.labels[off_anchor] == y[off_anchor]).mean() > 0.6
    # label quality over the anchors: one distribution per given label
    quality = out_of_fold_probabilities(
        given,
        y[given],
        neighbours=neighbours,
        n_classes=10,
        folds=5,
        seed=0,
        spreading={"n_neighbors": 20, "alpha": 0.9, "max_iter": 100, "anchor_neighbors": 3},
    )
    assert quality.shape == (40, 10)
    np.testing.assert_allclose(quality.sum(axis=1), 1)
    assert (quality.argmax(axis=1) == y[given]).mean() > 0.5


@pytest.mark.slow
def test_the_neighbours_rule_searches_as_configured(tmp_path, fashion_dir):
    workdir = copy_workflow(tmp_path)
    ivf = {"search": "ivf", "ivf_list_size": 64, "ivf_probes": 4, "ivf_seed": 3}
    anchors = {"anchors": 500, "anchor_seed": 4}
    target = "results/fashion-mnist/neighbours/raw/neighbours.npz"
    config = {**TINY_CONFIG, "neighbours": {**ivf, **anchors}}
    snakemake(workdir, "--cores", "1", target, config=config)
    graph = np.load(workdir / target)
    features = np.load(workdir / "results/fashion-mnist/embeddings/raw/train.npy")
    expected = anchor_graph(features, 20, **ivf, **anchors)
    np.testing.assert_array_equal(graph["indices"], expected[0])
    np.testing.assert_array_equal(graph["anchors"], expected[2])
    assert len(graph["anchors"]) == 500 < len(features)
    exact = anchor_graph(features, 20, **anchors, search="exact")[0]
    assert 0.5 < recall(graph["indices"], exact) < 1.0  # IVF links, not the exact ones


def test_neighbour_graph_and_typicality(hog_features, images):
    features = hog_features[0]
    indices, distances = nearest_neighbours(features, 10)
    assert indices.shape == distances.shape == (2000, 10)
    assert not (indices == np.arange(2000)[:, None]).any()  # never its own neighbour
    assert (np.diff(distances, axis=1) >= 0).all()
    brute = np.linalg.norm(features[5] - features, axis=1)
    brute[5] = np.inf
    np.testing.assert_array_equal(indices[5], np.argsort(brute, kind="stable")[:10])
    # a real graph on HOG features: most neighbours share the class
    assert (images["y_train"][indices[:, :5]] == images["y_train"][:, None]).mean() > 0.7
    graph = connectivity_graph(indices, 5)
    assert graph.shape == (2000, 2000) and graph.nnz == 2000 * 5
    scores = typicality(distances, 10)
    assert scores[np.argmin(distances.mean(axis=1))] == scores.max()
    with pytest.raises(ValueError, match="graph holds 10"):
        typicality(distances, 20)


def test_most_typical_per_cluster():
    assignments = np.array([0, 0, 1, 1, 1])
    distances = np.array([0.1, 0.3, 0.2, 0.4, 0.9])
    scores = np.array([1.0, 5.0, 2.0, 2.0, 1.0])
    chosen = most_typical(assignments, distances, scores)
    # cluster 1: images 2 and 3 tie on typicality -> the lower id
    assert chosen.image_id.tolist() == [1, 2]
    assert chosen.distance.tolist() == [0.3, 0.2]
    assert representatives(assignments, distances).image_id.tolist() == [0, 2]


def test_spreading_follows_the_graph():
    # two rings of five images, no edge between them; one labelled image in each
    ring = [[(i + 1) % 5, (i - 1) % 5] for i in range(5)]
    indices = np.array(ring + [[5 + a, 5 + b] for a, b in ring])
    result = spread(
        np.array([0, 7]), np.array([3, 8]), neighbours={"indices": indices}, n_neighbors=2
    )
    assert result.labels.tolist() == [3] * 5 + [8] * 5
    assert result.given.tolist() == [i in (0, 7) for i in range(10)]


def test_spreading_on_real_images(hog_spreading, images):
    y = images["y_train"]
    given = forty_given(0)
    result = spread(given, y[given], **hog_spreading)
    assert result.image_ids.tolist() == list(range(2000))
    assert result.given.sum() == 40 and (result.labels[given] == y[given]).all()
    stats = training_set_stats(result, y)
    assert stats["n_propagated"] == 1960
    assert stats["propagated_label_accuracy"] > 0.5  # 40 labels, 10 classes: chance is 0.1
    again = spread(given, y[given], **hog_spreading)
    np.testing.assert_array_equal(again.labels, result.labels)


def test_equal_class_shares():
    distributions = np.array([[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.3, 0.7], [0.0, 0.0]])
    shares = equal_class_shares(distributions)
    # four images reached: two per class; each row still a distribution; the unreached stays 0
    np.testing.assert_allclose(shares.sum(axis=0), [2, 2], rtol=1e-8)
    np.testing.assert_allclose(shares[:4].sum(axis=1), 1)
    assert shares[4].tolist() == [0, 0]
    # the image in between goes to the class that held too few; the others stay
    assert distributions.argmax(axis=1)[:4].tolist() == [0, 0, 0, 1]
    assert shares.argmax(axis=1)[:4].tolist() == [0, 0, 1, 1]
    # already equal shares are left as they are
    even = np.array([[0.7, 0.3], [0.3, 0.7]])
    np.testing.assert_allclose(equal_class_shares(even), even)
    with pytest.raises(ValueError, match="non-negative"):
        equal_class_shares(-even)


def test_balanced_spreading_on_real_images(hog_spreading, images):
    y = images["y_train"]
    given = forty_given(0)
    plain = spread(given, y[given], **hog_spreading)
    balanced = spread(given, y[given], **hog_spreading, balance_classes=True)
    assert (balanced.labels[given] == y[given]).all()
    assert balanced.given.tolist() == plain.given.tolist()
    # the classes among the given labels (9 here: no bag) get nearer equal sizes
    classes = np.unique(y[given])
    equal_size = 2000 / len(classes)
    plain_counts = np.bincount(plain.labels, minlength=10)[classes]
    balanced_counts = np.bincount(balanced.labels, minlength=10)[classes]
    assert np.abs(balanced_counts - equal_size).sum() < np.abs(plain_counts - equal_size).sum() / 2
    assert set(balanced.labels) == set(classes)
    assert training_set_stats(balanced, y)["propagated_label_accuracy"] > 0.5


def test_symmetric_graph_spreading_on_real_images(hog_spreading, images):
    y = images["y_train"]
    given = forty_given(1)
    directed = spread(given, y[given], **hog_spreading)
    symmetric = spread(given, y[given], **hog_spreading, symmetric_graph=True)
    assert (symmetric.labels[given] == y[given]).all()
    assert symmetric.given.tolist() == directed.given.tolist()
    # the graph differs (a kNN graph of real images is far from symmetric), so do labels
    assert (symmetric.labels != directed.labels).sum() > 10
    assert training_set_stats(symmetric, y)["propagated_label_accuracy"] > 0.5


def test_symmetric_graph_links_an_image_to_those_that_list_it():
    # image 0's own two neighbours are images 5 and 6 (group 4-6, given class 1), but
    # all of group 1-3 (given class 0) list image 0 among theirs
    indices = np.array([[5, 6], [2, 0], [3, 0], [1, 0], [5, 6], [4, 6], [4, 5]])
    settings = {"neighbours": {"indices": indices}, "n_neighbors": 2}
    given, labels = np.array([1, 4]), np.array([0, 1])
    directed = spread(given, labels, **settings)
    symmetric = spread(given, labels, **settings, symmetric_graph=True)
    assert directed.labels.tolist() == [1, 0, 0, 0, 1, 1, 1]  # only its own links count
    assert symmetric.labels.tolist() == [0, 0, 0, 0, 1, 1, 1]  # three links to two
