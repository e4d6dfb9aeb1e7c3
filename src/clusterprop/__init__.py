"""clusterprop: label-efficient learning by clustering, representative labelling and
label propagation. Pure functions used by the Snakemake workflow's scripts."""

__version__ = "0.1.0"
