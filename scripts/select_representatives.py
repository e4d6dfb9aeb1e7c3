"""The image nearest each cluster's centroid: what a person will label."""

from clusterprop.io import load_npz, write_text
from clusterprop.logs import configure
from clusterprop.select import representatives

logger = configure(snakemake.log[0])
clusters = load_npz(snakemake.input.clusters)
chosen = representatives(clusters["assignments"], clusters["distances"])
write_text(snakemake.output.selection, chosen.to_csv(index=False))
logger.info("%d representatives", len(chosen))
