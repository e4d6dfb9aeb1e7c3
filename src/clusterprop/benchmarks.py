"""Per-rule times from Snakemake's ``benchmark:`` files.

Usage: ``PYTHONPATH=src python -m clusterprop.benchmarks [BENCHMARKS_DIR]``
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def collect(directory: str | Path) -> pd.DataFrame:
    """One row per benchmark file: rule (its first path part), job, seconds, max RSS."""
    directory = Path(directory)
    rows = []
    for path in sorted(directory.rglob("*.tsv")):
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
            }
        )
    return pd.DataFrame(rows, columns=["rule", "job", "seconds", "cpu_seconds", "max_rss_mb"])


def per_rule(jobs: pd.DataFrame) -> pd.DataFrame:
    table = jobs.groupby("rule").agg(
        jobs=("job", "count"),
        total_s=("seconds", "sum"),
        mean_s=("seconds", "mean"),
        max_s=("seconds", "max"),
        cpu_s=("cpu_seconds", "sum"),
        max_rss_mb=("max_rss_mb", "max"),
    )
    return table.sort_values("total_s", ascending=False).round(1)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    directory = Path(argv[0] if argv else "benchmarks")
    jobs = collect(directory)
    if jobs.empty:
        print(f"no benchmark files under {directory}: run the workflow first", file=sys.stderr)
        return 1
    print(per_rule(jobs).to_string())
    print(
        f"\n{len(jobs)} jobs, {jobs.seconds.sum():.0f} s of job time in all "
        f"(wall time is less when jobs run in parallel; see the README)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
