import copy

import pytest
import yaml

from clusterprop.config import ConfigError, check
from clusterprop.experiments import experiments, parse_selection_slug
from conftest import REPO


@pytest.fixture
def config():
    return yaml.safe_load((REPO / "config.yaml").read_text())


def test_default_config_reproduces_the_reference_grid(config):
    grid = experiments(config)
    per_seed = [e for e in grid if e.seed == 0]
    names = {(e.selection, e.budget, e.propagation.name) for e in per_seed}
    assert names == {
        *(("representative", k, "none") for k in (50, 100, 200, 300)),
        ("representative", 300, "all"),
        ("representative", 300, "closest:75"),
        *(("random", k, "none") for k in (50, 100, 200, 300)),
        ("all", None, "none"),
    }
    assert len(grid) == 5 * 11
    assert per_seed[0].path("metrics", "m.json") == (
        "results/metrics/raw/representative-k50/none/seed0/m.json"
    )


def test_selection_slugs():
    assert parse_selection_slug("representative-k300") == ("representative", 300)
    assert parse_selection_slug("random-n50") == ("random", 50)
    assert parse_selection_slug("all") == ("all", None)
    with pytest.raises(ValueError):
        parse_selection_slug("random-300")


def test_check_accepts_default(config):
    check(config)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["clustering"].update(k=[50, 70000]), r"clustering.k: k=\[70000\] larger"),
        (lambda c: c["dataset"].update(n_train=100), r"clustering.k: k=\[200, 300\] larger"),
        (lambda c: c["propagation"].update(strategies=["closest:150"]), "P must be in"),
        (lambda c: c["dataset"].update(format="npz"), "dataset.path: required"),
        (lambda c: c["dataset"].update(path="/nonexistent"), "is not a directory"),
    ],
)
def test_check_names_the_key(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError, match=message):
        check(bad)
