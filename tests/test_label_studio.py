"""A team labels in a real Label Studio: the workflow's selection goes out as a project
file, two annotators label it through Label Studio's API (one disagreement, one
cancelled annotation), its JSON export comes back as labels; the review list goes out
with the given labels as annotations and the suggestions as predictions, a reviewer
corrects them, and the CSV export of the review takes the run to its end. The server
runs from its own virtual environment (README), on 127.0.0.1, with an SQLite folder,
and is stopped by its process id."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterprop.data import FASHION_MNIST_CLASSES
from clusterprop.labelling import label_studio
from clusterprop.labelling.store import read_store
from conftest import PERSON_CONFIG, REPO, method
from workflow_helpers import copy_workflow, snakemake

pytestmark = [pytest.mark.slow, pytest.mark.label_studio]

LABEL_STUDIO = Path(
    os.environ.get("CLUSTERPROP_LABEL_STUDIO", REPO / ".venv-label-studio/bin/label-studio")
)
TOKEN = "clusterprop-test-token-0123456789"
TEAM_CONFIG = {
    **PERSON_CONFIG,
    "methods": [method("by a team, spread", "hog_pca", "centroid", "spread", [40])],
    # at the end, the 50 images the best model is least sure of, to correct
    "label_studio": {"prelabels": {"source": "predictions", "count": 50}},
}
DIR = "hog_pca/centroid-k40/seed0"
TASKS = f"results/fashion-mnist/labelling/{DIR}/label-studio/tasks.json"
REVIEW = "results/fashion-mnist/reviews/hog_pca/centroid-k40/person/seed0"
STORE = "labels/fashion-mnist/team"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP port listens on (/proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # LISTEN
                found.add(address)
    return found


class LabelStudio:
    """The server's API, as the workflow's user's script or a person's browser would
    use it (legacy token auth, switched on at start)."""

    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}"

    def call(self, method: str, path: str, body=None, raw: bool = False):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Token {TOKEN}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=120) as response:
            payload = response.read()
        return payload if raw else json.loads(payload or b"null")

    def up(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def project(self, title: str, label_config: str) -> int:
        made = self.call("POST", "/api/projects", {"title": title, "label_config": label_config})
        return made["id"]

    def import_tasks(self, project: int, tasks_file: Path) -> dict:
        return self.call(
            "POST", f"/api/projects/{project}/import", json.loads(tasks_file.read_text())
        )

    def tasks(self, project: int) -> list[dict]:
        listing = self.call("GET", f"/api/tasks?project={project}&page_size=1000&fields=all")
        return listing["tasks"]

    def annotate(self, task: int, user: int, label: str, cancelled: bool = False) -> dict:
        result = label_studio.choice_result(label)
        body = {"completed_by": user, "result": result, "was_cancelled": cancelled}
        return self.call("POST", f"/api/tasks/{task}/annotations/", body)

    def correct(self, annotation: int, label: str) -> dict:
        result = label_studio.choice_result(label)
        return self.call("PATCH", f"/api/annotations/{annotation}/", {"result": result})

    def export(self, project: int, kind: str) -> bytes:
        return self.call("GET", f"/api/projects/{project}/export?exportType={kind}", raw=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Label Studio started on a free port of 127.0.0.1 (not yet up: the workflow's
    first run goes on meanwhile), stopped by its process id."""
    if not LABEL_STUDIO.exists():
        pytest.fail(
            f"{LABEL_STUDIO} not found: python3.11 -m venv .venv-label-studio && "
            ".venv-label-studio/bin/pip install -r requirements-label-studio.txt (README)"
        )
    home = tmp_path_factory.mktemp("label_studio")
    documents = tmp_path_factory.mktemp("documents")
    port = free_port()
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(home),
        "LOCAL_FILES_SERVING_ENABLED": "true",
        "LOCAL_FILES_DOCUMENT_ROOT": str(documents),
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
    }
    command = [str(LABEL_STUDIO), "start", "--no-browser", "--internal-host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(home / "data")]
    command += ["--username", "a@example.com", "--password", "clusterprop-a"]
    command += ["--user-token", TOKEN, "--enable-legacy-api-token"]
    log = open(home / "server.log", "w")  # noqa: SIM115 (open while the server runs)
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield process, LabelStudio(port), port, home, documents
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def api(server):
    process, client, port, home, _ = server
    deadline = time.monotonic() + 300
    while not client.up():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("Label Studio did not start:\n" + (home / "server.log").read_text()[-3000:])
        time.sleep(1)
    return client, port


@pytest.fixture(scope="module")
def waiting(server, tmp_path_factory, fashion_dir):
    workdir = copy_workflow(tmp_path_factory.mktemp("team"))
    result = snakemake(workdir, "--cores", "2", config=TEAM_CONFIG)
    return workdir, result.stdout + result.stderr


def truth_of(workdir: Path) -> dict[str, str]:
    data = np.load(workdir / "results/fashion-mnist/data/dataset.npz")
    return {
        str(i): FASHION_MNIST_CLASSES[c]
        for i, c in zip(data["train_ids"], data["y_train"], strict=True)
    }


def other(label: str) -> str:
    return FASHION_MNIST_CLASSES[(FASHION_MNIST_CLASSES.index(label) + 1) % 10]


def test_the_server_listens_on_loopback_only(api):
    _, port = api
    addresses = listening_addresses(port)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, and nothing else


def test_an_image_folder_is_served_from_where_it_lies(server, api, fashion):
    """Tasks of an image folder inside the document root point at its files (a name
    with a space and a '#'), and Label Studio serves them from a local storage."""
    from PIL import Image

    documents = server[4]
    client, _ = api
    ids = ["train/Coat/IMG 0001.png", "train/Bag/#2.png"]
    for n, image_id in enumerate(ids):
        (documents / "pile" / image_id).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(fashion["X_train"][n]).save(documents / "pile" / image_id)
    folder = str(documents / "pile")
    images = label_studio.task_images(None, ids, folder, str(documents))
    tasks = label_studio.labelling_tasks(images, ids, ["f0", "f1"], "photos")
    (documents / "tasks.json").write_text(label_studio.tasks_json(tasks))
    project = client.project("photos", label_studio.label_config(["Coat", "Bag"]))
    client.call(
        "POST", "/api/storages/localfiles", {"project": project, "path": folder, "title": "pile"}
    )
    assert client.import_tasks(project, documents / "tasks.json")["task_count"] == 2
    for task in client.tasks(project):
        served = client.call("GET", task["data"]["image"], raw=True)
        assert served == (documents / "pile" / task["data"]["image_id"]).read_bytes()


def test_the_waiting_run_writes_a_label_studio_project(waiting):
    workdir, output = waiting
    assert "With a team: import the label-studio/tasks.json" in output
    tasks = json.loads((workdir / TASKS).read_text())
    assert len(tasks) == 40
    data = tasks[0]["data"]
    assert data["image"].startswith("data:image/png;base64,")
    assert {"image_id", "fingerprint", "dataset", "kind"} <= set(data)
    config = (workdir / TASKS).with_name("label_config.xml").read_text()
    assert all(f'"{name}"' in config for name in FASHION_MNIST_CLASSES)


@pytest.fixture(scope="module")
def labelled(waiting, api):
    """Two annotators label the selection in Label Studio (annotator a every image,
    a sixth of them wrong; annotator b five images, one of them otherwise than a, and
    one more cancelled); its JSON export is saved in the labels store; the run goes on
    to the review."""
    workdir, _ = waiting
    client, _ = api
    truth = truth_of(workdir)
    config = (workdir / TASKS).with_name("label_config.xml").read_text()
    project = client.project("clusterprop selection", config)
    imported = client.import_tasks(project, workdir / TASKS)
    assert imported["task_count"] == 40
    second = client.call(
        "POST",
        "/api/users",
        {"username": "b", "email": "b@example.com", "password": "clusterprop-b"},
    )["id"]
    first = client.call("GET", "/api/current-user/whoami")["id"]
    tasks = client.tasks(project)
    given = {}
    for n, task in enumerate(tasks):
        image = task["data"]["image_id"]
        given[image] = other(truth[image]) if n % 6 == 0 else truth[image]
        client.annotate(task["id"], first, given[image])
    disputed = tasks[1]["data"]["image_id"]
    for task in tasks[1:5]:
        image = task["data"]["image_id"]
        label = other(truth[image]) if image == disputed else truth[image]
        client.annotate(task["id"], second, label)
    client.annotate(tasks[5]["id"], second, other(truth[tasks[5]["data"]["image_id"]]), True)
    store = workdir / STORE
    store.mkdir(parents=True, exist_ok=True)
    exports = {kind: client.export(project, kind) for kind in ("JSON", "JSON_MIN", "CSV")}
    (store / "selection.json").write_bytes(exports["JSON"])
    result = snakemake(workdir, "--cores", "2", config=TEAM_CONFIG)
    return workdir, result.stdout + result.stderr, given, disputed, exports, project


def test_json_json_min_and_csv_exports_give_the_same_labels(labelled, tmp_path):
    workdir, _, given, disputed, exports, _ = labelled
    read = {}
    for kind, suffix in (("JSON", "json"), ("JSON_MIN", "json"), ("CSV", "csv")):
        path = tmp_path / f"{kind}.{suffix}"
        path.write_bytes(exports[kind])
        facts = read_store([str(path)], FASHION_MNIST_CLASSES, dataset="fashion-mnist")
        read[kind] = {f.image_id: (f.label, f.fingerprint, f.votes) for f in facts}
    assert read["JSON"] == read["JSON_MIN"] == read["CSV"]
    assert {i: label for i, (label, _, _) in read["JSON"].items()} == given
    # the disagreement: one vote each, the earlier annotation's label (a tie)
    assert sorted(n for _, n in read["JSON"][disputed][2]) == [1, 1]


def test_the_export_labels_the_selection_with_agreement_recorded(labelled):
    workdir, output, given, disputed, _, _ = labelled
    labels = pd.read_csv(labels_dir(workdir, "person") / "labels.csv", dtype=str)
    assert dict(zip(labels.image_id, labels.label, strict=True)) == given
    agreement = pd.read_csv(
        labels_dir(workdir, "person") / "agreement.csv", dtype={"image_id": str}
    )
    row = agreement.set_index("image_id").loc[disputed]
    assert row.annotations == 2 and row.agreement == 0.5
    assert (agreement.annotations == 2).sum() == 4  # b's cancelled annotation is not one
    assert "1 image(s) whose annotations disagree" in output
    assert "Waiting for a person: 1 reviewed labels file(s) are missing" in output


def labels_dir(workdir: Path, labelling: str) -> Path:
    return workdir / f"results/fashion-mnist/labels/hog_pca/centroid-k40/{labelling}/seed0"


def test_the_review_goes_out_with_given_labels_and_suggestions_and_ends_the_run(labelled, api):
    workdir, _, given, _, _, _ = labelled
    client, _ = api
    truth = truth_of(workdir)
    tasks_file = workdir / REVIEW / "label-studio/tasks.json"
    tasks = json.loads(tasks_file.read_text())
    quality = pd.read_csv(workdir / REVIEW / "label_quality.csv", dtype={"image_id": str})
    listed = quality[quality.listed.astype(str) == "True"]
    assert 0 < len(tasks) == len(listed) <= 8  # at most a fifth of 40
    for item in tasks:
        (annotation,) = item["annotations"]
        (suggestion,) = item["predictions"]
        image = item["data"]["image_id"]
        assert annotation["result"][0]["value"]["choices"] == [given[image]]
        assert 0 <= suggestion["score"] <= 1
    project = client.project(
        "clusterprop review", tasks_file.with_name("label_config.xml").read_text()
    )
    assert client.import_tasks(project, tasks_file)["annotation_count"] == len(tasks)
    reviewer = client.call("GET", "/api/current-user/whoami")["id"]
    remote = client.tasks(project)
    for n, task in enumerate(remote):
        image = task["data"]["image_id"]
        if n == 0:  # a second reviewer's own annotation, beside the given one
            client.annotate(task["id"], reviewer, truth[image])
        elif given[image] != truth[image]:  # the others correct the given label in place
            (imported,) = client.call("GET", f"/api/tasks/{task['id']}/annotations/")
            client.correct(imported["id"], truth[image])
    (workdir / STORE / "review.csv").write_bytes(client.export(project, "CSV"))
    person_files = {p: p.read_bytes() for p in (workdir / STORE).iterdir()}
    result = snakemake(workdir, "--cores", "2", config=TEAM_CONFIG)
    said = result.stdout + result.stderr
    assert "Waiting for a person" not in said
    after = pd.read_csv(labels_dir(workdir, "person-reviewed") / "labels.csv", dtype=str)
    after = dict(zip(after.image_id, after.label, strict=True))
    for image in listed.image_id:
        assert after[image] == truth[image]
    metrics = pd.read_csv(workdir / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    assert metrics.labelling.tolist() == ["person-reviewed"]
    assert {p: p.read_bytes() for p in (workdir / STORE).iterdir()} == person_files
    prelabels = json.loads(
        (workdir / "results/fashion-mnist/summary/default/label-studio/prelabels.json").read_text()
    )
    assert len(prelabels) == 50
    assert not {item["data"]["image_id"] for item in prelabels} & set(given)
    scores = [item["predictions"][0]["score"] for item in prelabels]
    assert scores == sorted(scores) and 0 < scores[0] <= scores[-1] <= 1
