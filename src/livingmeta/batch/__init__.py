"""Many meta-analyses at once: the batch engine and the executor that runs its chunks.

- :func:`pool_groups` / :func:`pool_columns`: long-format arrays (an id per row) pooled
  through :func:`~livingmeta.models.fit_batch`, one vectorized pass per distinct k;
- :func:`pool_file`: a CSV or Parquet table streamed in chunks to a CSV or Parquet
  output (``livingmeta batch``);
- :func:`run_chunks`: the chunks run in process or on a Dask distributed cluster.
"""

from livingmeta.batch.columns import pool_columns
from livingmeta.batch.engine import OUTPUT_COLUMNS, BatchTable, SkippedAnalysis, pool_groups
from livingmeta.batch.executor import run_chunks
from livingmeta.batch.pipeline import BatchRun, NothingPooledError, pool_file
from livingmeta.errors import ClusterError

__all__ = [
    "OUTPUT_COLUMNS",
    "BatchRun",
    "BatchTable",
    "ClusterError",
    "NothingPooledError",
    "SkippedAnalysis",
    "pool_columns",
    "pool_file",
    "pool_groups",
    "run_chunks",
]
