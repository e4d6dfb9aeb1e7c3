"""Timings: per-rule times from Snakemake's ``benchmark:`` files, the timed sweep and
mistakes runs with the machine's speed, reading an image folder, one CNN epoch
(``python -m clusterprop_benchmarks``, its package's docstring)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from clusterprop_benchmarks import REPO

#: the timed runs: their config overlay and the summary table they print at the end
TIMED_RUNS = {
    "sweep": ("config/sweep.yaml", "results/fashion-mnist/summary/sweep/ablation.md"),
    "mistakes": ("config/mistakes.yaml", "results/fashion-mnist/summary/mistakes/mistakes.md"),
}
#: images in the machine-speed CNN epoch (machine_speed, describe_machine_speed)
SPEED_IMAGES = 5120
#: the data stage's artifact, the target of the folder benchmark's dry runs
DATASET_TARGET = "results/fashion-mnist/data/dataset.npz"


def collect(directory: str | Path, since: float | None = None) -> pd.DataFrame:
    """One row per benchmark file: rule (its first path part), job, seconds, max RSS,
    and when the job started and ended (from the file's modification time).
    With ``since`` (a Unix time), only jobs that ended after it."""
    directory = Path(directory)
    rows = []
    for path in sorted(directory.rglob("*.tsv")):
        ended = path.stat().st_mtime
        if since is not None and ended < since:
            continue
        relative = path.relative_to(directory)
        rule = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        record = pd.read_csv(path, sep="\t").iloc[-1]
        rows.append(
            {
                "rule": rule,
                "job": str(relative.with_suffix("")),
                "seconds": float(record["s"]),
                "cpu_seconds": float(record.get("cpu_time", float("nan"))),
                "max_rss_mb": pd.to_numeric(record["max_rss"], errors="coerce"),
                "started": ended - float(record["s"]),
                "ended": ended,
            }
        )
    columns = ["rule", "job", "seconds", "cpu_seconds", "max_rss_mb", "started", "ended"]
    return pd.DataFrame(rows, columns=columns)


def per_rule(jobs: pd.DataFrame) -> pd.DataFrame:
    table = jobs.groupby("rule").agg(
        jobs=("job", "count"),
        total_s=("seconds", "sum"),
        mean_s=("seconds", "mean"),
        max_s=("seconds", "max"),
        cpu_s=("cpu_seconds", "sum"),
        max_rss_mb=("max_rss_mb", "max"),
        first_start=("started", "min"),
        last_end=("ended", "max"),
    )
    # wall time of a stage: from its first job's start to its last job's end (jobs of
    # other stages may run in between)
    table["span_s"] = table.pop("last_end") - table.pop("first_start")
    return table.sort_values("total_s", ascending=False).round(1)


def machine_speed(*, n_images: int = SPEED_IMAGES, n_points: int = 60000) -> dict[str, float]:
    """Seconds of two fixed workloads like the sweep's costliest stages, on one thread
    (as a sweep's jobs run), the faster of two runs each: one epoch of the CNN (the
    ``cnn`` defaults in bfloat16) on ``n_images`` 28 x 28 images, and 20 Lloyd
    iterations of K-Means (k = 100) on ``n_points`` x 50 points. The inputs are random
    with a fixed seed: only the time counts. No CNN entry without PyTorch."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    from clusterprop import network

    rng = np.random.default_rng(0)
    points = rng.random((n_points, 50))
    kmeans = KMeans(100, n_init=1, max_iter=20, tol=0, algorithm="lloyd", random_state=0)
    workloads = {"kmeans": lambda: kmeans.fit(points)}
    if not network.missing_modules():
        images = rng.integers(0, 256, (n_images, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n_images)
        settings = network.NetworkSettings(epochs=1, threads=1, device="cpu", precision="bf16")
        workloads["cnn"] = lambda: network.train_network(
            images, labels, settings, seed=0, class_names=list("0123456789"), log=lambda _: None
        )
    times = {}
    with threadpool_limits(1):
        for name, workload in workloads.items():
            runs = []
            for _ in range(2):
                start = time.perf_counter()
                workload()
                runs.append(time.perf_counter() - start)
            times[name] = min(runs)
    return times


def describe_machine_speed(times: dict[str, float], n_images: int = SPEED_IMAGES) -> str:
    rows = {
        f"CNN, one epoch on {n_images} images (bf16):": times.get("cnn"),
        "K-Means, 20 iterations (k = 100):": times["kmeans"],
    }
    lines = ["machine speed (fixed workloads, one thread, the faster of two runs):"]
    for label, seconds in rows.items():
        lines.append(
            f"  {label:<40}"
            + ("not timed (no PyTorch)" if seconds is None else f"{seconds:6.2f} s")
        )
    return "\n".join(lines)


def timed_run(name: str, argv: list[str]) -> int:
    """Run one of ``TIMED_RUNS`` with Snakemake, then print its table and stage times."""
    config, table = TIMED_RUNS[name]
    parser = argparse.ArgumentParser(prog=f"python -m clusterprop_benchmarks {name}")
    parser.add_argument("--cores", default="all", help="cores for Snakemake (default: all)")
    args, snakemake_args = parser.parse_known_args(argv)
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--configfile",
        config,
        "--cores",
        str(args.cores),
        *snakemake_args,
    ]
    if "--dry-run" not in snakemake_args and "-n" not in snakemake_args:
        print(describe_machine_speed(machine_speed()), flush=True)
    print("running:", " ".join(command), flush=True)
    start = time.time()
    result = subprocess.run(command, check=False)
    wall = time.time() - start
    if result.returncode != 0:
        print(f"snakemake failed (exit {result.returncode}) after {wall:.0f} s", file=sys.stderr)
        return result.returncode
    print()
    if Path(table).exists():
        print(Path(table).read_text())
    else:
        print(f"no {table} (a dry run?)")
    jobs = collect("benchmarks/fashion-mnist", since=start)
    if jobs.empty:
        print("every job was up to date: nothing was timed (remove results/ to time all)")
    else:
        print("time per stage (jobs that ran now; span = first start to last end):")
        print(per_rule(jobs).to_string())
        print(f"\n{len(jobs)} jobs, {jobs.seconds.sum():.0f} s of job time")
    print(f"{name} wall time: {wall:.0f} s ({wall / 60:.1f} min)")
    return 0


def read_folders(argv: list[str]) -> int:
    """Time reading Fashion-MNIST as an image folder (written there first if missing; with
    ``--size``, a training pile of that many images derived from it, as the scale
    benchmark derives them): the directory scan, the files' fingerprint and the decoding;
    with ``--workdir``, also the workflow's dry runs on the folder once its data stage is
    done."""
    from clusterprop import folders
    from clusterprop.data import (
        FASHION_MNIST_CLASSES,
        SYSTEM_FASHION_MNIST_DIR,
        find_idx_files,
        load_idx_dataset,
    )

    parser = argparse.ArgumentParser(prog="python -m clusterprop_benchmarks folders")
    parser.add_argument("directory", help="where Fashion-MNIST is (or is written) as PNG files")
    parser.add_argument("--jobs", type=int, default=2, help="decoding processes (default 2)")
    parser.add_argument(
        "--size", type=int, help="training images to write (derived copies above 60,000)"
    )
    parser.add_argument(
        "--workdir", help="run the data stage there, then time dry runs with nothing to do"
    )
    args = parser.parse_args(argv)
    root = Path(args.directory)
    if not (root / "train").is_dir():
        from clusterprop_benchmarks.derived import derived_training_set

        arrays = load_idx_dataset(find_idx_files(SYSTEM_FASHION_MNIST_DIR))
        if args.size is not None:
            arrays["X_train"], arrays["y_train"] = derived_training_set(
                arrays["X_train"], arrays["y_train"], args.size
            )
        names = [name.replace("/", "-") for name in FASHION_MNIST_CLASSES]
        start = time.perf_counter()
        for split in ("train", "test"):
            folders.write(root, split, arrays[f"X_{split}"], arrays[f"y_{split}"], names)
        print(f"wrote the images as PNG files in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    layout = folders.scan(root)
    scanned = time.perf_counter()
    folders.manifest_digest(layout)
    fingerprinted = time.perf_counter()
    data = folders.read(root, n_jobs=args.jobs)
    decoded = time.perf_counter()
    n_files = len(data["train_ids"]) + len(data["test_ids"])
    print(f"{n_files} image files in {root}")
    print(f"scan (directory tree):        {scanned - start:6.2f} s")
    print(f"fingerprint (size, mtime):    {fingerprinted - scanned:6.2f} s")
    print(f"decode ({args.jobs} processes):        {decoded - fingerprinted:6.2f} s")
    print(f"total:                        {decoded - start:6.2f} s")
    if args.workdir:
        del data
        dry_runs(root, Path(args.workdir))
    return 0


def dry_runs(root: Path, workdir: Path) -> None:
    """The folder's data stage run in ``workdir``, then a dry run with nothing to do
    (Snakemake's start: the config read and checked, the folder scanned and
    fingerprinted, the job found up to date)."""
    workdir.mkdir(parents=True, exist_ok=True)
    overlay = workdir / "folder.yaml"
    # one small method: any folder passes the config's checks (budgets fit)
    overlay.write_text(
        f"dataset:\n  format: folder\n  path: {root.resolve()}\nseeds: [0]\n"
        "methods:\n  - {name: all labels, embedding: raw, selection: all, classifier: lr}\n"
    )
    base = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    base += ["--directory", str(workdir), "--configfile", str(overlay), "--cores", "2"]
    start = time.perf_counter()
    subprocess.run([*base, DATASET_TARGET], check=True, capture_output=True)
    print(f"data stage (the workflow's job):  {time.perf_counter() - start:6.2f} s")
    start = time.perf_counter()
    dry = subprocess.run([*base, "-n", DATASET_TARGET], check=True, capture_output=True, text=True)
    print(f"dry run with nothing to do:       {time.perf_counter() - start:6.2f} s")
    if "Nothing to be done" not in dry.stdout + dry.stderr:
        print("  (but Snakemake found something to do)")


def cnn_epoch(argv: list[str]) -> int:
    """Time one epoch of the CNN (the ``cnn`` defaults) on a training pile derived from
    Fashion-MNIST as the scale benchmark derives it, and the process's peak memory
    against the pile's own size (the batches index the pile: no copy of it per epoch)."""
    import resource

    from clusterprop import network
    from clusterprop.data import SYSTEM_FASHION_MNIST_DIR, find_idx_files, load_idx_dataset
    from clusterprop_benchmarks.derived import derived_training_set

    parser = argparse.ArgumentParser(prog="python -m clusterprop_benchmarks cnn-epoch")
    parser.add_argument("--size", type=int, default=1_000_000, help="training images")
    parser.add_argument("--threads", type=int, default=1, help="PyTorch threads (default 1)")
    parser.add_argument("--precision", default="bf16", choices=("bf16", "fp32"))
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, ...")
    args = parser.parse_args(argv)
    missing = network.missing_modules()
    if missing:
        print(f"needs {', '.join(missing)}: {network.INSTALL_COMMAND}", file=sys.stderr)
        return 1
    fashion = load_idx_dataset(find_idx_files(SYSTEM_FASHION_MNIST_DIR))
    images, labels = derived_training_set(fashion["X_train"], fashion["y_train"], args.size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    settings = network.NetworkSettings(
        epochs=1, threads=args.threads, device=args.device, precision=args.precision
    )
    _, record = network.train_network(
        images, labels, settings, seed=0, class_names=list("0123456789"), log=lambda _: None
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds = record["fit_seconds"]
    print(
        f"one epoch of {args.size} images ({record['device']}, {args.precision}, "
        f"{args.threads} thread(s)): {seconds:.1f} s, {args.size / seconds:.0f} images/s"
    )
    print(
        f"the pile: {images.nbytes / 2**20:.0f} MiB; peak memory {before:.0f} MiB before "
        f"training, {peak:.0f} MiB after"
    )
    return 0
