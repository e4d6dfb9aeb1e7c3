"""Download one Fashion-MNIST file from the official location (or a mirror's,
CLUSTERPROP_FASHION_MNIST_URL), MD5-verified."""

import sys
from pathlib import Path

from clusterprop.data import (
    download,
    downloads_place,
    find_spec,
    verify_fashion_mnist_file,
    ways_to_fashion_mnist,
)
from clusterprop.errors import DataError
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
spec = find_spec(snakemake.output.archive)
try:
    download(
        snakemake.params.url,
        snakemake.output.archive,
        verify=lambda path: verify_fashion_mnist_file(path, spec),
    )
except DataError as error:  # the network or the server, not a bug: no traceback
    logger.error("%s", error)
    place = downloads_place(str(Path(snakemake.output.archive).parent))
    print("\n".join([f"data: {error}", *ways_to_fashion_mnist(place)]), file=sys.stderr)
    sys.exit(1)
logger.info("downloaded and verified %s", snakemake.output.archive)
