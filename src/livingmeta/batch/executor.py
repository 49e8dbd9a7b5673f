"""Run independent chunks of work in-process or on a Dask distributed cluster.

Every scalable workload (batch pooling, GOSH, permutation tests, simulation studies) is
cut into chunks described by small, picklable specifications; a module-level pure
function turns one chunk into its result. :func:`run_chunks` applies it to every chunk
and yields the results **in chunk order**, so that the output of a cluster run is the
output of the local run. On a cluster each chunk is one task with a deterministic key:
a task lost with a worker is recomputed by the scheduler, and each key is gathered
exactly once, so no chunk is lost or duplicated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from livingmeta.errors import ParameterError

__all__ = ["run_chunks"]

T = TypeVar("T")
R = TypeVar("R")


def run_chunks(func: Callable[[T], R], chunks: Sequence[T], *, scheduler: str | None = None,
               name: str = "livingmeta", window: int | None = None) -> Iterator[R]:
    """Yield ``func(chunk)`` for every chunk, in order.

    Parameters
    ----------
    func : callable
        A module-level (picklable) pure function of one chunk.
    chunks : sequence
        Chunk specifications (small, picklable).
    scheduler : str or None
        None: run in this process. Otherwise the address of a Dask distributed scheduler
        (``"tcp://127.0.0.1:8786"``).
    name : str
        Prefix of the task keys on the cluster.
    window : int or None
        At most this many chunks submitted but not yet yielded (bounded memory when the
        results are large); default: twice the number of worker threads.
    """
    if scheduler is None:
        for chunk in chunks:
            yield func(chunk)
        return
    yield from _run_dask(func, chunks, scheduler, name, window)


def _run_dask(func: Callable[[T], R], chunks: Sequence[T], scheduler: str, name: str,
              window: int | None) -> Iterator[R]:
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ParameterError("--scheduler needs dask.distributed installed") from exc
    import uuid

    run_id = uuid.uuid4().hex[:12]
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except OSError as exc:
        raise ParameterError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from exc
    with client:
        threads = sum(client.nthreads().values()) or 1
        limit = window if window is not None else 2 * threads
        pending = []
        for i, chunk in enumerate(chunks):
            pending.append(client.submit(func, chunk, key=f"{name}-{run_id}-{i}", pure=False))
            if len(pending) >= limit:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()
