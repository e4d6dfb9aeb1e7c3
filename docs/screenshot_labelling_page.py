"""Regenerate docs/labelling-page.png, the README's screenshot of a labelling page.

Usage (needs Debian's chromium and chromium-driver, and selenium from
requirements-dev.txt): PYTHONPATH=src .venv/bin/python docs/screenshot_labelling_page.py
It labels the first few of 50 real Fashion-MNIST images (the representatives of K-Means
with k=50 on raw pixels, seed 0) by key, as a person would, and takes the picture.
"""

import tempfile
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
from clusterprop.labelling.pages import labelling_page
from clusterprop.select import representatives

OUTPUT = Path(__file__).with_name("labelling-page.png")

data = load_idx_dataset(find_idx_files(Path(SYSTEM_FASHION_MNIST_DIR)))
images = data["X_train"][:10000]
clusters = kmeans(scale_pixels(images), 50, seed=0)
ids = representatives(clusters.assignments, clusters.distances).image_id.to_numpy()
html = labelling_page(
    images[ids],
    ids,
    list(FASHION_MNIST_CLASSES),
    title="50 images (raw, centroid-k50, seed 0)",
    labels_path="labels/raw/centroid-k50/seed0.csv",
)
with tempfile.TemporaryDirectory() as tmp:
    page = Path(tmp) / "labelling.html"
    page.write_text(html, encoding="utf-8")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1100,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.as_uri())
        body = driver.find_element(By.TAG_NAME, "body")
        truth = data["y_train"][ids]
        body.send_keys(*[str(int(label)) for label in truth[:7]])
        driver.save_screenshot(str(OUTPUT))
    finally:
        driver.quit()
print(f"wrote {OUTPUT}")
