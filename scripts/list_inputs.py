"""A listing of the files a checkpoint waited for, one path a line (what the run then
reads of them is decided in the main process: clusterprop.workflow.person)."""

from clusterprop.io import write_text
from clusterprop.logs import configure

logger = configure(snakemake.log[0])
files = [str(path) for path in snakemake.input]
write_text(snakemake.output.listing, "".join(f"{path}\n" for path in files))
logger.info("%d file(s) made", len(files))
