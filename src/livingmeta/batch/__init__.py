"""Many meta-analyses at once: the batch engine and the executor that runs its chunks."""

from livingmeta.batch.executor import run_chunks

__all__ = ["run_chunks"]
