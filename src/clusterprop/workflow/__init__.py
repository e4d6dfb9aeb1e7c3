"""What ties the package to Snakemake: every results path (``paths``), the stages'
code versions (``versions``, ``code_versions``), the config's checks (``config``,
``schema``), the experiment grid (``grid``), every rule's inputs and params
(``inputs``, ``params``), rule all's targets (``targets``) and a person's part of a run
(``store_status``, ``person``). No stage and no labelling module imports it.

This module: the Snakefile's two helpers."""

from __future__ import annotations

import os
import sys


def export_package_dir(package_dir: str) -> None:
    """Put ``package_dir`` first on PYTHONPATH, so that every job's script imports this
    package: local jobs, cluster jobs (which re-read the Snakefile) and conda envs alike.

    This lives here rather than in the Snakefile because ``snakemake --lint`` takes any
    environment access there for a variable the user must provide; this one it sets.
    """
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [package_dir, *(p for p in paths if p != package_dir)]
    )


def refuse(lines: list[str]) -> None:
    """Stop the workflow before any job with a few lines a person reads first (no
    traceback, no dump of the config)."""
    print("\n".join(lines), file=sys.stderr)
    sys.exit(1)
