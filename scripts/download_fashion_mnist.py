"""Download one Fashion-MNIST file from the official location, MD5-verified."""

from clusterprop.data import download, find_spec, verify_fashion_mnist_file
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
spec = find_spec(snakemake.output.archive)
download(
    snakemake.params.url,
    snakemake.output.archive,
    verify=lambda path: verify_fashion_mnist_file(path, spec),
)
logger.info("downloaded and verified %s", snakemake.output.archive)
