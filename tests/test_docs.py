"""The README and docs/ stay honest: every relative link reaches a file (and a heading,
where it names one), and every config they show validates as the workflow would."""

import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from clusterprop import folders
from clusterprop.workflow.config import check
from conftest import REPO
from workflow_helpers import merged_config

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
#: [text](target) and ![alt](target), the target up to a space or ')'
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
HEREDOC = re.compile(r"cat > (\S+\.yaml) <<'YAML'\n(.*?)^YAML$", re.MULTILINE | re.DOTALL)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())  # a '#' in a code block is no heading
    return {anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def relative_links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text())
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+://|mailto:", t)]


def config_blocks(page: Path) -> list[tuple[str, str]]:
    """(name, YAML) of every config the page shows: ```yaml blocks and the
    ``cat > NAME.yaml <<'YAML'`` overlays inside shell blocks."""
    blocks = []
    for language, body in FENCE.findall(page.read_text()):
        if language == "yaml":
            blocks.append((f"{page.name}: yaml block", body))
        blocks += [(f"{page.name}: {name}", overlay) for name, overlay in HEREDOC.findall(body)]
    return blocks


def test_the_readme_is_a_front_page():
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 250
    assert len(PAGES) >= 10  # the details live in docs/


def test_every_relative_link_reaches_a_file_and_its_heading():
    broken = []
    for page in PAGES:
        for target in relative_links(page):
            path, _, fragment = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target} (no file)")
            elif fragment and file.suffix == ".md" and fragment not in anchors(file):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_every_docs_page_is_linked_from_the_readme():
    linked = {
        (REPO / target.partition("#")[0]).resolve() for target in relative_links(REPO / "README.md")
    }
    assert [p.name for p in PAGES[1:] if p.resolve() not in linked] == []


def test_the_link_check_finds_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title), [gone](missing.md), [no heading](#nothing)\n")
    assert relative_links(page) == ["#title", "missing.md", "#nothing"]
    assert anchors(page) == {"title"}
    assert anchor("A network on the images (cnn)") == "a-network-on-the-images-cnn"


def photo_folder(root: Path, fashion, layout: dict):
    """A few real images where a shown config's folder data set points."""
    path = root / layout["path"]
    for i in range(12):
        image = fashion["X_train"][i]
        if layout.get("color") == "rgb":
            image = np.stack([image] * 3, axis=-1)
        (path / "train").mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(path / "train" / f"IMG_{i:04d}.png")


CONFIGS = [block for page in PAGES for block in config_blocks(page)]


def test_the_pages_show_configs():
    names = [name for name, _ in CONFIGS]
    assert "README.md: photos.yaml" in names and "network.md: yaml block" in names
    assert len(CONFIGS) >= 5


@pytest.mark.parametrize("name, text", CONFIGS, ids=[name for name, _ in CONFIGS])
def test_every_config_shown_validates(name, text, fashion, tmp_path, monkeypatch):
    overlay = yaml.safe_load(text)
    dataset = overlay.get("dataset", {})
    if dataset.get("format") == "folder":
        monkeypatch.chdir(tmp_path)
        photo_folder(tmp_path, fashion, dataset)
        folders.scan.cache_clear()
    check(merged_config(overlay))


def test_the_map_of_the_code_names_modules_that_exist():
    """docs/extending.md's layout names every module of the package, and only those."""
    text = (REPO / "docs/extending.md").read_text()
    layout = text[text.index("## Layout") : text.index("## Code versions")]
    named = set(re.findall(r"`([a-z_]+\.py)`", layout))
    package = REPO / "src/clusterprop"
    modules = {path.name for path in package.rglob("*.py")}
    assert named <= modules, named - modules
    assert modules - named <= {"__init__.py"}, modules - named
