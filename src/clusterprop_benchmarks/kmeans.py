"""``python -m clusterprop_benchmarks kmeans``: K-Means settings against the reference
study's rows. For each setting, k and seed: K-Means on Fashion-MNIST's raw pixels (one
thread, as the cluster jobs run), the image nearest each centroid labelled, LR on those
(and, with ``--propagation``, on their labels spread to the whole cluster and to its
closest 75% at k = 300); test accuracy, fit time, inertia, and how near the fit runs
to the machine's one-thread matrix-product rate (an iteration is about 2·n·k·d flops).

    python -m clusterprop_benchmarks kmeans [--settings NAME ...] [--ks 50 100 200 300]
        [--seeds 0 1 2 3 4] [--propagation] [--out FILE.tsv]

``SETTINGS`` names what is measured; ``--settings`` picks some (all by default)."""

from __future__ import annotations

import argparse
import inspect
import platform
import time

import numpy as np
import pandas as pd

#: name -> clusterprop.cluster.kmeans settings (the rest at the config's defaults)
SETTINGS = {
    "sklearn-elkan": {"algorithm": "elkan", "n_init": 1, "max_iter": 300, "tol": 1e-4},
    "faiss-random-25-256": {"algorithm": "faiss", "faiss_start": "random"},
    "faiss-kmeans++-25-256": {"algorithm": "faiss", "faiss_start": "kmeans++"},
    "faiss-kmeans++-25-all": {
        "algorithm": "faiss",
        "faiss_start": "kmeans++",
        "faiss_points_per_centroid": 60000,
    },
    "faiss-kmeans++-50-all": {
        "algorithm": "faiss",
        "faiss_start": "kmeans++",
        "faiss_iterations": 50,
        "faiss_points_per_centroid": 60000,
    },
    "faiss-afk-mc2-25-all": {
        "algorithm": "faiss",
        "faiss_start": "afk-mc2",
        "faiss_points_per_centroid": 60000,
    },
    "faiss-random-25-all": {
        "algorithm": "faiss",
        "faiss_start": "random",
        "faiss_points_per_centroid": 60000,
    },
    "faiss-random-50-all": {
        "algorithm": "faiss",
        "faiss_start": "random",
        "faiss_iterations": 50,
        "faiss_points_per_centroid": 60000,
    },
    "faiss-random-25-256-x3": {"algorithm": "faiss", "faiss_start": "random", "n_init": 3},
    "faiss-kmeans++-25-all-x2": {
        "algorithm": "faiss",
        "faiss_start": "kmeans++",
        "faiss_points_per_centroid": 60000,
        "n_init": 2,
    },
}
#: the reference study's rows (one seed): LR on k representatives, and at k = 300 the
#: labels propagated to the whole cluster and to its closest 75%
REFERENCE = {50: 66.28, 100: 70.46, 200: 76.73, 300: 76.22}
REFERENCE_PROPAGATED = {"whole cluster": 77.09, "closest 75%": 77.05}


def matrix_product_rate(n: int, k: int, d: int) -> float:
    """This machine's one-thread float32 matrix-product rate (flops a second) at the
    shape of one K-Means iteration's distances (n x d times d x k), best of three."""
    rng = np.random.default_rng(0)
    a = rng.random((n, d), dtype=np.float32)
    b = rng.random((d, k), dtype=np.float32)
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n * k * d / best


def lr_accuracy(X, y, X_test, y_test, seed: int) -> float:
    from clusterprop.train import fit, logistic_regression

    model = logistic_regression(seed)
    fit(model, X, y)
    return 100 * float((model.predict(X_test) == y_test).mean())


def measure(name, settings, X, y, X_test, y_test, k, seed, propagation) -> dict:
    from clusterprop.cluster import kmeans
    from clusterprop.propagate import closest_to_centroid, whole_cluster
    from clusterprop.select import representatives

    start = time.perf_counter()
    result = kmeans(X, k, seed, **settings, threads=1)
    seconds = time.perf_counter() - start
    chosen = representatives(result.assignments, result.distances)["image_id"].to_numpy()
    n, d = X.shape
    per_centroid = settings.get(
        "faiss_points_per_centroid",
        inspect.signature(kmeans).parameters["faiss_points_per_centroid"].default,
    )
    sample = min(n, k * per_centroid) if settings["algorithm"] == "faiss" else n
    restarts = int(settings.get("n_init", 1))
    flops = 2 * k * d * (restarts * result.n_iter * sample + n)
    row = {
        "setting": name,
        "k": k,
        "seed": seed,
        "seconds": round(seconds, 2),
        "iterations": result.n_iter,
        "gflops": round(flops / seconds / 1e9, 1),
        "inertia": round(result.inertia, 1),
        "clusters": len(chosen),
        "accuracy": lr_accuracy(X[chosen], y[chosen], X_test, y_test, seed),
    }
    if propagation and k == 300:
        clusters = {"assignments": result.assignments, "distances": result.distances}
        for label, spread in [
            ("whole cluster", whole_cluster(chosen, y[chosen], clusters=clusters)),
            ("closest 75%", closest_to_centroid(chosen, y[chosen], clusters=clusters, percent=75)),
        ]:
            row[label] = lr_accuracy(X[spread.image_ids], spread.labels, X_test, y_test, seed)
    return row


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per setting and k: mean ± sample std of the accuracies over seeds, the mean fit
    time and rate, the mean inertia; and how far each mean lies from the reference, in
    points and against the band max(1.5 points, 1 std)."""
    out = []
    for (name, k), group in rows.groupby(["setting", "k"], sort=False):
        entry = {"setting": name, "k": k, "seeds": len(group)}
        columns = ["accuracy"] + [c for c in REFERENCE_PROPAGATED if c in group]
        for column in columns:
            values = group[column].dropna()
            if values.empty:
                continue
            mean, std = values.mean(), values.std(ddof=1) if len(values) > 1 else 0.0
            reference = REFERENCE[k] if column == "accuracy" else REFERENCE_PROPAGATED[column]
            entry[column] = f"{mean:.2f} ± {std:.2f}"
            entry[f"{column} off"] = round(mean - reference, 2)
            entry[f"{column} within"] = abs(mean - reference) <= max(1.5, std)
        entry["seconds"] = round(group["seconds"].mean(), 1)
        entry["gflops"] = round(group["gflops"].mean(), 1)
        entry["inertia"] = round(group["inertia"].mean())
        out.append(entry)
    return pd.DataFrame(out)


def main(argv: list[str]) -> int:
    from threadpoolctl import threadpool_info, threadpool_limits

    from clusterprop.data import (
        SYSTEM_FASHION_MNIST_DIR,
        find_idx_files,
        load_idx_dataset,
    )
    from clusterprop.embed import raw

    parser = argparse.ArgumentParser(prog="python -m clusterprop_benchmarks kmeans")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--ks", nargs="+", type=int, default=list(REFERENCE))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--propagation", action="store_true")
    parser.add_argument("--out", help="write every measurement to this TSV")
    args = parser.parse_args(argv)

    data = load_idx_dataset(find_idx_files(SYSTEM_FASHION_MNIST_DIR))
    X, X_test = raw(data["X_train"], data["X_test"])
    y, y_test = data["y_train"].astype(np.int64), data["y_test"].astype(np.int64)
    rows = []
    with threadpool_limits(1):
        kernel = ", ".join(sorted({str(i.get("architecture")) for i in threadpool_info()}))
        rate = matrix_product_rate(len(X), max(args.ks), X.shape[1])
        print(
            f"{platform.processor() or platform.machine()}: one-thread float32 matrix "
            f"product {rate / 1e9:.1f} GFLOP/s (BLAS kernels: {kernel})",
            flush=True,
        )
        for name in args.settings:
            for k in args.ks:
                for seed in args.seeds:
                    row = measure(
                        name, SETTINGS[name], X, y, X_test, y_test, k, seed, args.propagation
                    )
                    rows.append(row)
                    print("\t".join(f"{key}={value}" for key, value in row.items()), flush=True)
    table = pd.DataFrame(rows)
    if args.out:
        table.to_csv(args.out, sep="\t", index=False)
    print(summary(table).to_string(index=False))
    return 0
