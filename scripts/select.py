"""Which training images a person labels: one per cluster (nearest its centroid, or
most typical), or a random draw."""

from clusterprop.io import load_npz, write_text
from clusterprop.logs import configure
from clusterprop.neighbours import typicality
from clusterprop.select import most_typical, random_picks, representatives

logger = configure(snakemake.log[0])
settings = snakemake.params.selection
if settings["kind"] == "random":
    n_images = len(load_npz(snakemake.input.dataset, "y_train")["y_train"])
    chosen = random_picks(n_images, settings["budget"], int(snakemake.wildcards.seed))
else:
    clusters = load_npz(snakemake.input.clusters, "assignments", "distances")
    if settings["kind"] == "centroid":
        chosen = representatives(clusters["assignments"], clusters["distances"])
    else:
        graph = load_npz(snakemake.input.neighbours, "distances")
        scores = typicality(graph["distances"], settings["n_neighbors"])
        chosen = most_typical(clusters["assignments"], clusters["distances"], scores)
write_text(snakemake.output.selection, chosen.to_csv(index=False))
logger.info("%s selection: %d images", settings["kind"], len(chosen))
