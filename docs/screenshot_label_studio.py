"""Regenerate docs/label-studio.png: the workflow's project open in a real Label Studio.

Usage (needs .venv-label-studio from the README's test command, Debian's chromium and
chromium-driver, and selenium from requirements-dev.txt):
PYTHONPATH=src .venv/bin/python docs/screenshot_label_studio.py
It starts Label Studio on 127.0.0.1 with a throw-away SQLite folder, makes the labelling
tasks and label config of 50 real Fashion-MNIST images (the representatives of K-Means
with k=50 on raw pixels, seed 0) as the workflow does, creates a project from them
through the API, labels a few as a person would, opens the next task in headless
Chromium and takes the picture; then stops the server by its process id.
"""

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from clusterprop.cluster import kmeans
from clusterprop.data import (
    FASHION_MNIST_CLASSES,
    SYSTEM_FASHION_MNIST_DIR,
    find_idx_files,
    load_idx_dataset,
)
from clusterprop.embed import scale_pixels
from clusterprop.fingerprints import pixel_fingerprints
from clusterprop.labelling import label_studio
from clusterprop.select import representatives

REPO = Path(__file__).resolve().parents[1]
OUTPUT = Path(__file__).with_name("label-studio.png")
SERVER = REPO / ".venv-label-studio/bin/label-studio"
TOKEN, EMAIL, PASSWORD = "clusterprop-screenshot-token", "team@example.com", "clusterprop"

data = load_idx_dataset(find_idx_files(Path(SYSTEM_FASHION_MNIST_DIR)))
images = data["X_train"][:10000]
clusters = kmeans(scale_pixels(images), 50, seed=0)
ids = representatives(clusters.assignments, clusters.distances).image_id.to_numpy()
tasks = label_studio.labelling_tasks(
    label_studio.task_images(images[ids], ids, None, None),
    [str(i) for i in ids],
    pixel_fingerprints(images[ids]).tolist(),
    "fashion-mnist",
)
config = label_studio.label_config(FASHION_MNIST_CLASSES, small=True)


def call(url, method, path, body=None):
    request = urllib.request.Request(
        url + path, None if body is None else json.dumps(body).encode(), method=method
    )
    request.add_header("Authorization", f"Token {TOKEN}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"null")


with tempfile.TemporaryDirectory() as home, socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": home, "LATEST_VERSION_CHECK": "false"}
    command = [str(SERVER), "start", "--no-browser", "--internal-host", "127.0.0.1"]
    command += ["--port", str(port), "--username", EMAIL, "--password", PASSWORD]
    command += ["--user-token", TOKEN, "--enable-legacy-api-token"]
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/health", timeout=5)
                break
            except OSError:
                time.sleep(1)
        project = call(
            url,
            "POST",
            "/api/projects",
            {"title": "fashion-mnist raw centroid-k50 seed 0", "label_config": config},
        )["id"]
        call(url, "POST", f"/api/projects/{project}/import", tasks)
        listed = call(url, "GET", f"/api/tasks?project={project}&page_size=100")["tasks"]
        for task in listed[:6]:
            label = FASHION_MNIST_CLASSES[int(data["y_train"][int(task["data"]["image_id"])])]
            result = label_studio.choice_result(label)
            call(url, "POST", f"/api/tasks/{task['id']}/annotations/", {"result": result})
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--window-size=1300,900"):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.get(url + "/user/login/")
            driver.find_element(By.NAME, "email").send_keys(EMAIL)
            driver.find_element(By.NAME, "password").send_keys(PASSWORD)
            driver.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]").click()
            time.sleep(3)
            driver.get(f"{url}/projects/{project}/data?task={listed[6]['id']}")
            time.sleep(12)  # the data manager and the labelling interface load
            driver.save_screenshot(str(OUTPUT))
        finally:
            driver.quit()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
print(f"wrote {OUTPUT}")
