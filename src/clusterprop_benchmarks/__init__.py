"""The benchmarks: developer tools that run the workflow and print figures (no rule uses
them).

Usage (from the repository root):
``PYTHONPATH=src python -m clusterprop_benchmarks [BENCHMARKS_DIR]`` prints per-rule
times of the jobs that have run;
``PYTHONPATH=src python -m clusterprop_benchmarks sweep [--cores N] [SNAKEMAKE_ARGS...]``
times two fixed workloads (the machine's speed, so that sweeps on other days or
machines compare), runs the label-budget sweep (config/sweep.yaml), then prints its
ablation table, the time per stage and the total wall time; ``... mistakes`` does the
same for the labelling-mistakes benchmark (config/mistakes.yaml, its mistakes table);
``PYTHONPATH=src python -m clusterprop_benchmarks folders DIR`` times reading
Fashion-MNIST as an image folder of 70,000 PNG files (written to DIR first if missing);
``... scale`` runs one method on piles of 60,000 to 1,000,000 images derived from
Fashion-MNIST and prints every stage's time and memory per size (``scale``);
``... growth`` has a simulated person label a pile of 54,000 that then grows to 60,000,
and prints the labels asked anew and the accuracy against a fresh selection
(``growth``).
"""

from pathlib import Path

#: the checkout this package lies in (src/clusterprop_benchmarks/): its Snakefile, for the
#: benchmarks that run the workflow
REPO = Path(__file__).resolve().parents[2]
