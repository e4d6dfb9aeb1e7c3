"""``python -m clusterprop_benchmarks [COMMAND] ...``: the commands of the package's
docstring."""

from __future__ import annotations

import sys
from pathlib import Path

from clusterprop_benchmarks import growth, kmeans, scale
from clusterprop_benchmarks.timing import (
    TIMED_RUNS,
    cnn_epoch,
    collect,
    per_rule,
    read_folders,
    timed_run,
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in TIMED_RUNS:
        return timed_run(argv[0], argv[1:])
    if argv and argv[0] == "folders":
        return read_folders(argv[1:])
    if argv and argv[0] == "cnn-epoch":
        return cnn_epoch(argv[1:])
    if argv and argv[0] == "scale":
        return scale.main(argv[1:])
    if argv and argv[0] == "growth":
        return growth.main(argv[1:])
    if argv and argv[0] == "kmeans":
        return kmeans.main(argv[1:])
    directory = Path(argv[0] if argv else "benchmarks/fashion-mnist")
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
