"""Logging set-up shared by the workflow's scripts."""

from __future__ import annotations

import logging
import os
import sys


def configure(log_path: str | None) -> logging.Logger:
    """Log to ``log_path`` (stderr without one); uncaught exceptions are logged too."""
    handlers: list[logging.Handler] = [
        logging.FileHandler(log_path, mode="w", encoding="utf-8")
        if log_path
        else logging.StreamHandler(sys.stderr)
    ]
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logger = logging.getLogger("clusterprop")

    def log_uncaught(exc_type, exc, tb):
        logger.error("%s: %s", exc_type.__name__, exc, exc_info=(exc_type, exc, tb))
        if log_path:  # Snakemake shows the log of a failed job; say it on stderr too
            sys.__stderr__.write(f"{exc_type.__name__}: {exc}\n")

    sys.excepthook = log_uncaught
    if os.environ.get("SLURM_JOB_ID"):
        logger.info(
            "SLURM_JOB_ID=%s on %s", os.environ["SLURM_JOB_ID"], os.environ.get("SLURMD_NODENAME")
        )
    return logger
