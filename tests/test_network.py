"""The network classifier (cnn): the network itself on real images, saving without
pickle, its config checks, and self-training rounds as workflow jobs."""

import json

import numpy as np
import pytest
import torch
import yaml

from clusterprop import network, summarize
from clusterprop.io import load_npz, read_json
from clusterprop.network import NetworkSettings
from clusterprop.workflow import grid, inputs, params, targets
from clusterprop.workflow.config import ConfigError, check
from conftest import REPO, method
from workflow_helpers import copy_workflow, merged_config, planned_jobs, rules_of, snakemake

CLASSES = [str(c) for c in range(10)]
#: small and quick: a few seconds per epoch on a few thousand images
SMALL_NET = {
    "channels": [8, 16, 16],
    "epochs": 4,
    "batch_size": 32,
    "learning_rate": 0.03,
    "threads": 1,
    "warm_start_epochs": 2,
    "warm_start_learning_rate": 0.01,
}


@pytest.fixture(scope="module")
def images(fashion):
    return {
        "X_train": fashion["X_train"][:2000],
        "y_train": fashion["y_train"][:2000].astype(np.int64),
        "X_test": fashion["X_test"][:500],
        "y_test": fashion["y_test"][:500].astype(np.int64),
    }


@pytest.fixture(scope="module")
def trained(images):
    return network.train_network(
        images["X_train"],
        images["y_train"],
        NetworkSettings(**SMALL_NET),
        seed=0,
        class_names=CLASSES,
        log=lambda message: None,
    )


def test_the_network_learns_fashion_mnist(trained, images):
    model, fit_record = trained
    accuracy = (model.predict(images["X_test"]) == images["y_test"]).mean()
    assert accuracy > 0.6, accuracy  # 10 classes: chance is 0.1
    assert fit_record["n_iter"] == 4 and len(fit_record["epoch_losses"]) == 4
    assert fit_record["epoch_losses"][-1] < fit_record["epoch_losses"][0]
    features, probabilities = model.features_and_probabilities(images["X_test"][:7])
    assert features.shape == (7, 16) and features.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


def test_training_is_deterministic_and_the_seed_matters(trained, images):
    def weights(seed):
        model, _ = network.train_network(
            images["X_train"],
            images["y_train"],
            NetworkSettings(**SMALL_NET),
            seed=seed,
            class_names=CLASSES,
            log=lambda message: None,
        )
        return model.module.state_dict()

    first = trained[0].module.state_dict()
    again, other = weights(0), weights(1)
    assert all(torch.equal(first[name], again[name]) for name in first)
    assert not torch.equal(first["head.weight"], other["head.weight"])


def test_saved_network_loads_without_pickle(trained, images, tmp_path, monkeypatch):
    model, _ = trained
    weights, spec = tmp_path / "model.safetensors", tmp_path / "model.json"
    network.save_network(model, weights, spec)
    assert weights.read_bytes()[8:9] == b"{"  # safetensors: a length, then a JSON header

    def no_pickle(*args, **kwargs):
        raise AssertionError("torch.load (pickle) was called")

    monkeypatch.setattr(torch, "load", no_pickle)
    loaded = network.load_network(weights, spec)
    np.testing.assert_array_equal(
        loaded.predict_proba(images["X_test"]), model.predict_proba(images["X_test"])
    )
    description = read_json(spec)
    assert description["architecture"] == {
        "channels": [8, 16, 16],
        "in_channels": 1,
        "n_classes": 10,
    }
    assert len(description["preprocessing"]["mean"]) == 1


def test_loading_refuses_a_file_that_is_not_ours(trained, tmp_path):
    model, _ = trained
    weights, spec = tmp_path / "model.safetensors", tmp_path / "model.json"
    network.save_network(model, weights, spec)
    spec.write_text(json.dumps({**read_json(spec), "format": "something-else"}))
    with pytest.raises(ValueError, match="not a clusterprop CNN description"):
        network.load_network(weights, spec)
    network.save_network(model, weights, spec)
    broken = read_json(spec)
    broken["architecture"]["channels"] = [8, 16, 32]
    spec.write_text(json.dumps(broken))
    with pytest.raises(RuntimeError, match="size mismatch"):
        network.load_network(weights, spec)


def test_any_image_size_and_channel_count(fashion):
    """Colour images of another size (as image folders bring): 3 channels, 20 x 24."""
    gray = fashion["X_train"][:300, 4:24, 2:26]
    colour = np.stack([gray, 255 - gray, gray // 2], axis=-1)
    model, _ = network.train_network(
        colour,
        fashion["y_train"][:300].astype(np.int64),
        NetworkSettings(channels=[4, 4, 8], epochs=1, batch_size=50, threads=1),
        seed=0,
        class_names=CLASSES,
        log=lambda message: None,
    )
    assert model.spec["architecture"]["in_channels"] == 3
    assert model.spec["preprocessing"]["image_shape"] == [20, 24, 3]
    assert model.predict_proba(colour[:5]).shape == (5, 10)


def test_bf16_precision_trains_and_predicts_in_float32_outputs(images):
    model, fit_record = network.train_network(
        images["X_train"][:500],
        images["y_train"][:500],
        NetworkSettings(**{**SMALL_NET, "epochs": 1, "precision": "bf16"}),
        seed=0,
        class_names=CLASSES,
        log=lambda message: None,
    )
    features, probabilities = model.features_and_probabilities(images["X_test"][:10])
    assert features.dtype == np.float32 and probabilities.dtype == np.float32
    assert model.spec["precision"] == "bf16"


def test_batches_leave_out_a_last_batch_of_one_image():
    assert network.batch_plan(512, 256) == 2
    assert network.batch_plan(513, 256) == 2
    assert network.batch_plan(514, 256) == 3
    assert network.batch_plan(50, 256) == 1
    with pytest.raises(ValueError, match="at least 2 training images"):
        network.batch_plan(1, 256)


def test_a_warm_start_begins_from_the_given_network(trained, images):
    model, _ = trained
    accuracy = (model.predict(images["X_test"]) == images["y_test"]).mean()
    barely = NetworkSettings(**{**SMALL_NET, "epochs": 1, "learning_rate": 1e-6})

    def accuracy_after(start_from):
        continued, _ = network.train_network(
            images["X_train"],
            images["y_train"],
            barely,
            seed=1,
            class_names=CLASSES,
            start_from=start_from,
            log=lambda message: None,
        )
        return (continued.predict(images["X_test"]) == images["y_test"]).mean()

    # a step too small to learn anything keeps what the start had learnt; from random
    # weights the same step stays near chance
    assert accuracy_after(model) > accuracy - 0.05
    assert accuracy_after(None) < 0.4
    other = NetworkSettings(**{**SMALL_NET, "channels": [8, 16, 32]})
    with pytest.raises(ValueError, match="another architecture"):
        network.train_network(
            images["X_train"][:64],
            images["y_train"][:64],
            other,
            seed=0,
            class_names=CLASSES,
            start_from=model,
        )


def test_a_warm_started_round_takes_its_own_epochs_and_learning_rate():
    settings = NetworkSettings(**SMALL_NET)
    assert network.round_settings(settings, 1) == settings
    later = network.round_settings(settings, 2)
    assert (later.epochs, later.learning_rate) == (2, 0.01)
    assert later.channels == settings.channels
    cold = NetworkSettings(**{**SMALL_NET, "warm_start": False})
    assert network.round_settings(cold, 3) == cold


def test_rounds_and_seeds_draw_differently():
    seeds = {network.round_seed(seed, r) for seed in range(5) for r in range(1, 4)}
    assert len(seeds) == 15


# ---------------------------------------------------------------- config


def cnn_overlay(**method_changes):
    return {
        "classifiers": {"cnn": {"name": "cnn", **SMALL_NET}},
        "methods": [
            {**method("cnn", "raw", "centroid", "all", [50], classifier="cnn"), **method_changes}
        ],
    }


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        (cnn_overlay(rounds=2, classifier="lr"), r"rounds: self-training rounds need a network"),
        (
            {
                **cnn_overlay(rounds=2, selection="all"),
                "methods": [{**method("cnn", "raw", "all", classifier="cnn"), "rounds": 2}],
            },
            "selection all has every label; no rounds",
        ),
        (
            {"classifiers": {"cnn": {"name": "cnn", "standardize": True}}},
            "classifiers.cnn.standardize: not for a network",
        ),
        (
            {"classifiers": {"cnn": {"name": "cnn", "C": 1.0}}},
            r"classifiers.cnn.C: not a parameter of cnn \(its parameters: channels, ",
        ),
        (
            {"classifiers": {"cnn": {"name": "cnn", "channels": []}}},
            "should be non-empty|too short",
        ),
        ({"classifiers": {"cnn": {"name": "cnn", "precision": "fp8"}}}, "is not one of"),
        ({"classifiers": {"cnn": {"name": "cnn", "device": "tpu"}}}, "is not one of"),
        (
            {"classifiers": {"cnn": {"name": "cnn", "warm_start_epochs": 0}}},
            "warm_start_epochs.*minimum|less than the minimum",
        ),
    ],
)
def test_bad_network_config_is_refused_naming_the_key(overlay, message):
    from snakemake.exceptions import WorkflowError

    with pytest.raises((WorkflowError, ConfigError), match=message):
        check(merged_config(overlay))


def test_a_network_without_pytorch_is_refused_with_the_install_command(monkeypatch):
    config = merged_config(cnn_overlay())
    monkeypatch.setattr(network, "missing_modules", lambda: ["torch"])
    with pytest.raises(ConfigError, match=r"needs torch.*pip install -r requirements-cnn.txt"):
        check(config)
    # a config without a network does not need it
    check(merged_config({}))


def test_network_experiments_end_at_their_last_round():
    config = merged_config(cnn_overlay(rounds=3))
    check(config)
    (experiment,) = [e for e in grid.experiments(config) if e.seed == 0]
    assert experiment.rounds == 3
    assert (
        experiment.metrics
        == "results/fashion-mnist/metrics/raw/centroid-k50/oracle/all/cnn/seed0/round3/metrics.json"
    )
    assert grid.classifier_pattern(config, network=True) == "cnn"
    assert grid.classifier_pattern(config, network=False) == "lr"
    wildcards = {**experiment.wildcards, "round": "1"}
    assert inputs.network_training_set(config, wildcards)["training_set"] == (
        "results/fashion-mnist/training_sets/raw/centroid-k50/oracle/all/seed0/training_set.npz"
    )
    wildcards["round"] = "3"
    assert inputs.network_training_set(config, wildcards)["training_set"] == (
        "results/fashion-mnist/training_sets/raw/centroid-k50/oracle/all/cnn/seed0/round3/training_set.npz"
    )
    assert inputs.previous_round(config, wildcards)["network_outputs"] == (
        "results/fashion-mnist/network_outputs/raw/centroid-k50/oracle/all/cnn/seed0/round2/outputs.npz"
    )
    settings = params.classifier_params(config, wildcards)
    assert settings["params"]["jitter"] == NetworkSettings().jitter  # defaults filled in
    assert "rounds" not in json.dumps(params.self_training_params(config, wildcards))
    # round 3 starts from round 2's network; round 1's settings leave out those of
    # later rounds, so changing them cannot rerun round 1
    assert inputs.network_inputs(config, wildcards)["start_weights"] == (
        "results/fashion-mnist/models/raw/centroid-k50/oracle/all/cnn/seed0/round2/model.safetensors"
    )
    assert params.network_params(config, wildcards)["params"]["warm_start_epochs"] == 2
    first = {**wildcards, "round": "1"}
    assert "start_weights" not in inputs.network_inputs(config, first)
    assert not set(network.LATER_ROUND_SETTINGS) & set(
        params.network_params(config, first)["params"]
    )
    assert params.self_training_params(config, wildcards)["network"]["params"]["epochs"] == 4
    cold = merged_config(cnn_overlay(rounds=3))
    cold["classifiers"]["cnn"]["warm_start"] = False
    assert "start_weights" not in inputs.network_inputs(cold, wildcards)


# ---------------------------------------------------------------- the workflow

NETWORK_CONFIG = {
    "dataset": {"n_train": 2000, "n_test": 500},
    "embeddings": {
        "hog": {"method": "hog"},
        "hog_pca": {"method": "pca", "input": "hog", "n_components": 30},
    },
    "classifiers": {"cnn": {"name": "cnn", **SMALL_NET}},
    "seeds": [0, 1],
    "methods": [
        method("spread", "hog_pca", "centroid", "spread", [30], classifier="cnn"),
        {
            **method("two rounds", "hog_pca", "centroid", "spread", [30], classifier="cnn"),
            "rounds": 2,
        },
        method("all labels", "hog_pca", "all", classifier="cnn"),
    ],
    "summary": {"ablation_budgets": [30]},
    "predictions": "always",
}


def with_cnn_setting(**changes) -> dict:
    """NETWORK_CONFIG with its cnn classifier's settings changed."""
    cnn = {**NETWORK_CONFIG["classifiers"]["cnn"], **changes}
    return {**NETWORK_CONFIG, "classifiers": {"cnn": cnn}}


@pytest.fixture(scope="module")
def network_run(tmp_path_factory, fashion_dir):
    workdir = copy_workflow(tmp_path_factory.mktemp("network_run"))
    snakemake(workdir, "--cores", "2", config=NETWORK_CONFIG)
    return workdir


@pytest.mark.slow
def test_two_rounds_end_to_end(network_run):
    base = network_run / "results/fashion-mnist"
    run = "hog_pca/centroid-k30/oracle/spread/cnn/seed0"
    for round_number in (1, 2):
        model = base / f"models/{run}/round{round_number}"
        assert (model / "model.safetensors").stat().st_size > 0
        loaded = network.load_network(model / "model.safetensors", model / "model.json")
        assert loaded.spec["class_names"][0] == "T-shirt/top"
        metrics = read_json(base / f"metrics/{run}/round{round_number}/metrics.json")
        assert metrics["round"] == round_number and metrics["n_labels"] == 30
        assert metrics["accuracy"] > 0.5
        outputs = load_npz(base / f"network_outputs/{run}/round{round_number}/outputs.npz")
        assert outputs["train_features"].shape == (2000, 16)
        assert outputs["test_probabilities"].shape == (500, 10)
        log = (
            network_run / f"logs/fashion-mnist/train_network/{run}/round{round_number}.log"
        ).read_text()
        epochs = 4 if round_number == 1 else 2  # round 2 continues round 1's network
        assert log.count("s elapsed") == epochs and f"epoch {epochs}/{epochs}: loss" in log
        assert ("starts from" in log) == (round_number == 2)
    # round 2 learnt from the 30 given labels spread over round 1's features
    round2 = read_json(base / f"training_sets/{run}/round2/training_set.json")
    assert round2["n_labels_given"] == 30 and round2["n_train_labels"] == 2000
    assert round2["params"]["self_training"]["round"] == 2
    given_round1 = load_npz(
        base / "training_sets/hog_pca/centroid-k30/oracle/spread/seed0/training_set.npz"
    )
    given_round2 = load_npz(base / f"training_sets/{run}/round2/training_set.npz")
    np.testing.assert_array_equal(given_round1["given"], given_round2["given"])
    assert not np.array_equal(given_round1["labels"], given_round2["labels"])
    predictions = (base / f"predictions/{run}/round2/predictions.csv").read_text().splitlines()
    assert len(predictions) == 1 + 2000 + 500
    summary = (base / "summary/default/metrics.tsv").read_text()
    assert "two rounds" in summary and "param.round" in summary


@pytest.mark.slow
def test_a_rerun_from_scratch_gives_the_same_numbers(network_run, tmp_path):
    again = copy_workflow(tmp_path / "again")
    snakemake(again, "--cores", "2", config=NETWORK_CONFIG)
    for name in ("metrics.tsv", "tables.md", "ablation.md"):
        assert (again / "results/fashion-mnist/summary/default" / name).read_bytes() == (
            network_run / "results/fashion-mnist/summary/default" / name
        ).read_bytes(), name


@pytest.mark.slow
def test_a_third_round_runs_only_that_round(network_run):
    config = {**NETWORK_CONFIG, "methods": [dict(m) for m in NETWORK_CONFIG["methods"]]}
    config["methods"][1]["rounds"] = 3
    jobs_planned = planned_jobs(network_run, config)
    assert rules_of(jobs_planned) == {
        "self_training_labels": 2,
        "train_network": 2,
        "network_predictions": 2,
        "summarize": 1,
        "best_predictions": 1,
        "all": 1,
    }
    assert all("round3" in output for rule, output in jobs_planned if rule == "train_network")


@pytest.mark.slow
def test_a_network_setting_reruns_only_networks(network_run):
    config = with_cnn_setting(jitter=0.1)
    counts = rules_of(planned_jobs(network_run, config))
    assert counts["train_network"] == 6 and counts["self_training_labels"] == 2
    assert not {"prepare_dataset", "embed", "cluster", "propagate_labels"} & set(counts)


@pytest.mark.slow
def test_a_later_round_setting_reruns_only_later_rounds(network_run):
    config = with_cnn_setting(warm_start_epochs=3)
    jobs_planned = planned_jobs(network_run, config)
    assert rules_of(jobs_planned) == {
        "train_network": 2,
        "network_predictions": 2,
        "summarize": 1,
        "best_predictions": 1,
        "all": 1,
    }
    assert all("round2" in output for rule, output in jobs_planned if rule == "train_network")


@pytest.mark.slow
def test_without_pytorch_a_network_config_is_refused_before_any_job(
    run_environment_snakemake, tmp_path
):
    """In the README's run set-up (requirements.txt only: no PyTorch)."""
    workdir = copy_workflow(tmp_path / "workflow")
    result = snakemake(
        workdir,
        "--cores",
        "1",
        config=NETWORK_CONFIG,
        check=False,
        executable=run_environment_snakemake,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "needs torch" in output and "pip install -r requirements-cnn.txt" in output, output
    assert not (workdir / "results").exists()


def test_the_summary_has_every_round_of_methods_with_rounds():
    config = merged_config(NETWORK_CONFIG)
    rounds = targets.round_runs(config)
    assert [(r["method"], r["seed"], r["round"]) for r in rounds] == [
        ("two rounds", 0, 1),
        ("two rounds", 0, 2),
        ("two rounds", 1, 1),
        ("two rounds", 1, 2),
    ]
    assert rounds[0]["metrics"].endswith(
        "hog_pca/centroid-k30/oracle/spread/cnn/seed0/round1/metrics.json"
    )
    records = {
        run["metrics"]: {
            "training_label_accuracy": 0.8 + 0.05 * run["round"],
            "accuracy": 0.82 + 0.01 * run["round"] + 0.01 * run["seed"],
        }
        for run in rounds
    }
    table = summarize.rounds_table(rounds, records)
    assert table["round"].tolist() == [1, 2]
    assert table["training labels correct"].tolist() == ["85.00 ± 0.00%", "90.00 ± 0.00%"]
    assert table["test accuracy"].tolist() == ["83.50 ± 0.71%", "84.50 ± 0.71%"]
    assert "## Self-training rounds" in summarize.rounds_markdown(table)
    assert summarize.rounds_markdown(summarize.rounds_table([], {})) == ""


def test_float_images_in_the_unit_range_are_read_as_uint8_ones_are(trained, images):
    """A .npz data set may hold floats in [0, 1] instead of uint8."""
    model, _ = trained
    as_float = images["X_test"].astype(np.float32) / 255
    np.testing.assert_allclose(
        model.predict_proba(as_float), model.predict_proba(images["X_test"]), atol=1e-5
    )
    mean_uint8, _ = network.channel_statistics(network.as_channels_first(images["X_train"]))
    mean_float, _ = network.channel_statistics(
        network.as_channels_first(images["X_train"].astype(np.float32) / 255)
    )
    np.testing.assert_allclose(mean_uint8, mean_float, atol=1e-6)


def test_the_docs_network_example_is_a_valid_config():
    page = (REPO / "docs/network.md").read_text()
    example = yaml.safe_load(page.split("```yaml\n", 1)[1].split("```", 1)[0])
    config = merged_config(example)
    check(config)
    assert [m.get("rounds", 1) for m in config["methods"]] == [1, 2, 1]
    assert params.classifier_settings(config, "cnn")["params"] == network.settings_record(
        NetworkSettings()
    )
