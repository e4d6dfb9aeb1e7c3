"""Code versions that cannot be forgotten (clusterprop.workflow.code_versions): each
stage's code hash is recorded beside its version; a change to a stage's code without a
new record fails here, a reworded comment or docstring does not."""

import shutil

import pytest

from clusterprop.workflow.code_versions import changed_stages, stage_files, stage_hashes
from clusterprop.workflow.versions import STAGE_CODE, STAGE_VERSIONS
from conftest import REPO

HOW = (
    "the code of stage(s) {stages} changed since their record in "
    "src/clusterprop/workflow/versions.py. If what a stage writes changes, bump its "
    "STAGE_VERSIONS number (its jobs and everything after them rerun); for a change "
    "that writes the same (a refactor), leave the number. Either way, paste the "
    "STAGE_CODE that `PYTHONPATH=src python -m clusterprop.workflow.code_versions` prints."
)


def test_every_stage_code_is_recorded_as_committed():
    changed = changed_stages(STAGE_CODE)
    assert changed == [], HOW.format(stages=", ".join(changed))


def test_every_stage_with_a_version_has_code_and_a_record():
    assert set(stage_hashes()) == set(STAGE_VERSIONS) == set(STAGE_CODE)


def test_a_stage_code_is_its_scripts_and_the_modules_they_import():
    files = {
        stage: {str(p.relative_to(REPO)) for p in paths} for stage, paths in stage_files().items()
    }
    assert {
        "scripts/select.py",
        "src/clusterprop/select.py",
        "src/clusterprop/neighbours.py",
    } <= files["select"]
    # through a module that imports another (label_quality -> quality -> spreading)
    assert "src/clusterprop/spreading.py" in files["review"]
    # the pages' template is code of the stages that make pages
    assert "src/clusterprop/labelling/templates/labelling.html" in files["label"]
    # a rule of two stages (train: train and evaluate) is code of both
    assert "scripts/train.py" in files["train"] and "scripts/train.py" in files["evaluate"]
    assert "src/clusterprop/select.py" not in files["cluster"]


@pytest.fixture
def repo_copy(tmp_path):
    for name in ("rules", "scripts", "src"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_a_changed_stage_module_without_a_new_record_fails(repo_copy):
    module = repo_copy / "src/clusterprop/select.py"
    text = module.read_text()
    assert "def random_picks(n_images: int, n: int, seed: int)" in text
    # what a selection takes changes (its version would be bumped; its record must be)
    module.write_text(text.replace("seed: int) ->", "seed: int = 1) ->", 1))
    assert changed_stages(STAGE_CODE, repo_copy) == ["select"]


def test_a_changed_template_or_shared_module_flags_every_stage_that_uses_it(repo_copy):
    template = repo_copy / "src/clusterprop/labelling/templates/labelling.html"
    template.write_text(template.read_text().replace("<body", "<body data-x", 1))
    changed = changed_stages(STAGE_CODE, repo_copy)
    assert {"label", "review"} <= set(changed)  # the labelling and review pages
    using = {stage for stage, paths in stage_files(repo_copy).items() if template in paths}
    assert set(changed) == using and "cluster" not in using


def test_comments_docstrings_and_layout_change_no_hash(repo_copy):
    module = repo_copy / "src/clusterprop/select.py"
    text = module.read_text()
    edited = text.replace('"""Choosing which', '"""Choosing, reworded, which', 1)
    edited = edited.replace("\n\n\ndef ", "\n\n\n# a comment\ndef ", 1) + "\n\n"
    module.write_text(edited)
    assert edited != text
    assert changed_stages(STAGE_CODE, repo_copy) == []
