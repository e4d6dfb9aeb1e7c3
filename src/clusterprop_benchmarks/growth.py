"""The grown-pile benchmark: a person labels a pile, the pile grows, and the workflow
asks for labels again; how many, and what they cost in accuracy.

``PYTHONPATH=src python -m clusterprop_benchmarks growth [--cores N] [--directory DIR]
[--seeds S ...] [--before N]`` runs ``GROWTH_CONFIG`` (HOG-PCA50, centroids, balanced
spreading, LR, 300 labels) with ``labelling: person`` on the first ``--before`` (54,000)
Fashion-MNIST training images, a person simulated by labelling every image each page
asks for with its true label (the page's own items, written as its export would be);
then on all 60,000: once keeping the labels given (``DIR/kept``: the selection prefers
labelled images, the default), once with the same labels and ``prefer_labelled`` off
(``DIR/fresh``: a fresh selection, asking for each representative without a label).
It prints, per seed and in all, the labels asked for anew and the test accuracy of
both beside each other.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from clusterprop_benchmarks import REPO
from clusterprop_benchmarks.scale import SCALE_CONFIG

BUDGET = 300
#: the scale benchmark's method (HOG-PCA50, centroids, balanced spreading, LR) at 300
#: labels, labelled by a person (simulated), without a review
GROWTH_CONFIG = {
    **SCALE_CONFIG,
    "labelling": "person",
    "review": {"enabled": False},
    "methods": [{**SCALE_CONFIG["methods"][0], "budgets": [BUDGET]}],
    "summary": {"ablation_budgets": [BUDGET]},
}
#: what a run says of each page it waits on (person.waiting_message)
WAITING = re.compile(
    r"open (?P<page>\S+) \(label (?P<asked>\d+) image\(s\)(?:; (?P<reused>\d+) already "
    r"labelled, reused)?\)\n\s+save its labels file as (?P<save_as>\S+)"
)


def waiting_pages(output: str) -> list[dict]:
    """Each page a run's output says it waits on: page, labels asked, reused, file."""
    return [
        {
            "page": m["page"],
            "asked": int(m["asked"]),
            "reused": int(m["reused"] or 0),
            "save_as": m["save_as"],
        }
        for m in WAITING.finditer(output)
    ]


def page_items(html: str) -> list[dict]:
    """The images a labelling page asks for (its embedded items: id, fingerprint)."""
    match = re.search(r"^const ITEMS = (.*);$", html, re.M)
    return json.loads(match[1].replace("<\\/", "</"))


def label_like_the_page(workdir: Path, page: dict, truth: dict[str, str]) -> int:
    """The simulated person: every image the page asks for, labelled with its true
    class, saved where the run said, as the page's export (with fingerprints)."""
    items = page_items((workdir / page["page"]).read_text())
    lines = ["image_id,label,fingerprint"]
    lines += [f"{item['id']},{truth[item['id']]},{item['fingerprint']}" for item in items]
    path = workdir / page["save_as"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return len(items)


def run(workdir: Path, config: dict, cores: str) -> str:
    overlay = workdir / "growth.yaml"
    overlay.write_text(yaml.safe_dump(config, sort_keys=False))
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    command += ["--directory", str(workdir), "--configfile", str(overlay), "--cores", cores]
    result = subprocess.run(command, capture_output=True, text=True)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise RuntimeError(f"snakemake failed in {workdir}:\n{output[-3000:]}")
    return output


def label_until_done(workdir: Path, config: dict, cores: str, truth: dict) -> dict[str, int]:
    """Run, label what the run asks for, run again; the labels asked and reused."""
    pages = waiting_pages(run(workdir, config, cores))
    for page in pages:
        label_like_the_page(workdir, page, truth)
    output = run(workdir, config, cores)
    if waiting_pages(output):
        raise RuntimeError(f"{workdir}: still waiting after labelling:\n{output[-2000:]}")
    return {p["page"]: (p["asked"], p["reused"]) for p in pages}


def seed_of(page: str) -> int:
    return int(re.search(r"/seed(\d+)/", page)[1])


def accuracy(workdir: Path) -> pd.Series:
    metrics = pd.read_csv(workdir / "results/fashion-mnist/summary/default/metrics.tsv", sep="\t")
    return metrics.set_index("seed").accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clusterprop_benchmarks growth")
    parser.add_argument("--cores", default="all")
    parser.add_argument("--directory", default="runs/growth")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--before", type=int, default=54_000, help="training images at first")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from clusterprop.data import FASHION_MNIST_CLASSES, SYSTEM_FASHION_MNIST_DIR, read_idx

    labels = read_idx(Path(SYSTEM_FASHION_MNIST_DIR) / "train-labels-idx1-ubyte.gz")
    truth = {str(row): FASHION_MNIST_CLASSES[c] for row, c in enumerate(labels)}
    root = Path(args.directory)
    kept, fresh = root / "kept", root / "fresh"
    config = {**GROWTH_CONFIG, "seeds": args.seeds}
    start = time.time()
    kept.mkdir(parents=True, exist_ok=True)
    before = {**config, "dataset": {"n_train": args.before}}
    first = label_until_done(kept, before, args.cores, truth)
    accuracy_before = accuracy(kept)
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(kept / "labels", fresh / "labels")  # the labels given so far
    grown = {**config, "dataset": {"n_train": None}}
    asked_kept = label_until_done(kept, grown, args.cores, truth)
    no_preference = {**grown, "prefer_labelled": {"enabled": False}}
    asked_fresh = label_until_done(fresh, no_preference, args.cores, truth)
    table = pd.DataFrame(
        {
            "asked at first": {seed_of(p): a for p, (a, _) in first.items()},
            "accuracy at first": accuracy_before,
            "asked, kept": {seed_of(p): a for p, (a, _) in asked_kept.items()},
            "accuracy, kept": accuracy(kept),
            "asked, fresh": {seed_of(p): a for p, (a, _) in asked_fresh.items()},
            "accuracy, fresh": accuracy(fresh),
        }
    ).fillna(0)
    table.index.name = "seed"
    print(table.to_string())
    for name in ("kept", "fresh"):
        asked = table[f"asked, {name}"]
        acc = 100 * table[f"accuracy, {name}"]
        print(
            f"{name}: {asked.mean():.1f} of {BUDGET} labels asked anew "
            f"({100 * asked.mean() / BUDGET:.1f}%), test accuracy {acc.mean():.2f} ± "
            f"{acc.std(ddof=1) if len(acc) > 1 else float('nan'):.2f}%"
        )
    diff = 100 * (table["accuracy, kept"] - table["accuracy, fresh"])
    error = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
    print(
        f"kept - fresh: {diff.mean():+.2f} points (paired, ± {error:.2f} standard error); "
        f"wall time {time.time() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
