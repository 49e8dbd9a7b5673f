"""Run independent chunks of work in-process or on a Dask distributed cluster.

Every scalable workload (batch pooling, GOSH, permutation tests, simulation studies) is
cut into chunks described by small, picklable specifications; a module-level pure
function turns one chunk into its result. :func:`run_chunks` applies it to every chunk
and yields the results **in chunk order**, so that the output of a cluster run is the
output of the local run.

How a cluster run keeps that promise (Dask distributed's futures API, see
https://distributed.dask.org/en/stable/resilience.html):

- Each chunk is one task whose key is ``"{name}-{run}-{index}"``: ``run`` is a random
  token drawn once per call, so that two runs sharing a scheduler never share a key (the
  scheduler would otherwise hand one run the other's results), and ``index`` is the chunk's
  position, so every key stands for exactly one chunk. Passing the key makes Dask's
  ``pure`` flag irrelevant; content hashing (``tokenize``) is not used, as it would cost a
  pass over every chunk and can fall back silently to random keys.
- The scheduler recomputes a task whose worker died while running it, or which held its
  result before it was gathered (the client still wants the key); a chunk whose workers
  keep dying (``distributed.scheduler.allowed-failures``, 3 by default) fails the run with
  :class:`ClusterError`. Each key is gathered once and released at once, so no chunk is
  lost or duplicated however often it ran.
- Tasks are not retried on exceptions: chunk functions are deterministic, and the same
  input would raise again.
- At most ``window`` chunks are submitted and not yet yielded, and ``chunks`` is consumed
  lazily, so a streaming reader of a file larger than memory stays bounded.
- A chunk travels inside its task, through the scheduler, so that the scheduler can rerun
  it anywhere. Dask's "Sending large graph" warning, which advises scattering the data to
  the workers beforehand, is silenced: scattered data lost with a worker cannot be
  recomputed, which is what makes a worker loss harmless here.
- Warnings issued inside a chunk function stay in the worker's log; chunk results carry
  their warnings (``result.warnings``, DEVELOPERS.md), which is what the output shows.

Errors: an unreachable scheduler raises :class:`~livingmeta.errors.ParameterError` with a
one-line message; an exception inside a chunk function is re-raised as the same class with
the chunk named in the message (``"gosh chunk 3: ..."``); the client is closed on every
path, including a consumer that stops iterating early.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from livingmeta.errors import ClusterError, DataValidationError, LivingMetaError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client, Future

__all__ = ["ClusterError", "run_chunks"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class _Chunk(Generic[T]):
    """A chunk specification wrapped so that Dask's graph parser does not walk into it
    (it scans lists, tuples and dicts for futures and for strings equal to known keys)."""

    spec: T


def _apply(func: Callable[[T], R], chunk: _Chunk[T]) -> R:
    return func(chunk.spec)


def run_chunks(func: Callable[[T], R], chunks: Iterable[T], *, scheduler: str | None = None,
               name: str = "livingmeta", window: int | None = None) -> Iterator[R]:
    """Yield ``func(chunk)`` for every chunk, in order, in this process or on a cluster.

    Nothing happens until the first result is requested; the connection to the
    scheduler is made then, and closed when the iteration ends, fails or is abandoned.

    Parameters
    ----------
    func : callable
        A module-level (importable on the workers) pure function of one chunk. Chunks
        that need random numbers carry their own seed (e.g. from
        ``numpy.random.SeedSequence(seed).spawn(n)``), so a cluster run equals the local run.
    chunks : iterable
        Chunk specifications (small, picklable); may be a lazy iterator, which is consumed
        at most ``window`` chunks ahead of the results yielded.
    scheduler : str or None
        None: run in this process. Otherwise the address of a Dask distributed scheduler
        (``"tcp://127.0.0.1:8786"``) or the path of a scheduler file written by
        ``dask scheduler --scheduler-file``. The connection timeout is Dask's
        ``distributed.comm.timeouts.connect`` setting (30 s unless configured).
    name : str
        Names the chunks in task keys and error messages (``"gosh"``).
    window : int or None
        At most this many chunks submitted but not yet yielded (bounded memory on the
        client and the workers); default twice the number of worker threads when the run
        starts (at least 2). Ignored in process.

    Yields
    ------
    object
        ``func(chunk)``, in the order of ``chunks``.

    Raises
    ------
    ParameterError
        ``window`` is not a positive integer, or the scheduler cannot be reached.
    ClusterError
        The cluster could not finish a chunk (see the module docstring).
    Exception
        What ``func`` raised, of the same class, its message starting with the chunk's
        name and index.

    Examples
    --------
    >>> list(run_chunks(abs, [-2, 1, -3]))
    [2, 1, 3]
    """
    if window is not None and (isinstance(window, bool) or not isinstance(window, int)
                               or window < 1):
        raise ParameterError(f"The 'window' parameter must be a positive integer. Got {window!r}.")
    if scheduler is None:
        return _run_local(func, chunks, name)
    return _run_dask(func, chunks, scheduler, name, window)


def _run_local(func: Callable[[T], R], chunks: Iterable[T], name: str) -> Iterator[R]:
    for index, chunk in enumerate(chunks):
        try:
            result = func(chunk)
        except Exception as exc:
            _name_chunk(exc, name, index)
            raise
        yield result


def _run_dask(func: Callable[[T], R], chunks: Iterable[T], scheduler: str, name: str,
              window: int | None) -> Iterator[R]:
    import dask

    client = _connect(scheduler)
    with client:
        if window is None:
            window = max(2 * sum(client.nthreads().values()), 2)
        run = uuid.uuid4().hex[:16]
        pending: deque[tuple[int, Future[R]]] = deque()
        for index, chunk in enumerate(chunks):
            key = f"{name}-{run}-{index}"
            with dask.config.set({"distributed.admin.large-graph-warning-threshold": "1TiB"}):
                future: Future[R] = client.submit(_apply, func, _Chunk(chunk), key=key)
            pending.append((index, future))
            if len(pending) >= window:
                yield _gather_one(pending.popleft(), name)
        while pending:
            yield _gather_one(pending.popleft(), name)


def _connect(scheduler: str) -> Client:
    from distributed import Client
    from distributed.comm.addressing import get_address_host_port

    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ParameterError(f"The 'scheduler' parameter must be an address such as "
                             f"'tcp://127.0.0.1:8786' or a scheduler file. Got {scheduler!r}.")
    try:
        if Path(scheduler).is_file():
            return Client(scheduler_file=scheduler, set_as_default=False)
        if "://" not in scheduler and (scheduler.endswith(".json") or "/" in scheduler):
            raise ParameterError(f"no Dask scheduler file at {scheduler!r}")
        # A malformed address is refused before a Client exists: distributed leaves a
        # half-started Client behind on that path, whose finalizer then hangs.
        get_address_host_port(scheduler)
        return Client(scheduler, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ParameterError(f"cannot reach the Dask scheduler at {scheduler!r}: "
                             f"{detail}") from None


def _gather_one(item: tuple[int, Future[R]], name: str) -> R:
    from distributed import KilledWorker

    index, future = item
    try:
        return future.result()
    except KilledWorker as exc:
        raise ClusterError(
            f"{name} chunk {index}: every worker that ran it died "
            f"({exc.allowed_failures + 1} attempts; out of memory?); see the worker logs"
        ) from None
    except Exception as exc:
        missing = None if isinstance(exc, LivingMetaError) else _missing_module(exc)
        if missing is not None:
            raise ClusterError(
                f"{name} chunk {index}: the cluster cannot import {missing!r}; install "
                "livingmeta and its dependencies (the same versions) on the scheduler and "
                "every worker") from exc
        if isinstance(exc, CancelledError):  # distributed's FutureCancelledError
            detail = " ".join(str(exc).split())
            raise ClusterError(f"{name} chunk {index}: the task was cancelled (lost the "
                               f"connection to the scheduler?): {detail}") from None
        _name_chunk(exc, name, index)
        raise
    finally:
        future.release()


def _missing_module(exc: BaseException) -> str | None:
    """The module named by an ImportError in the exception's chain (the scheduler wraps
    one that breaks unpickling a task in a RuntimeError)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, ImportError):
            return seen.name or " ".join(str(seen).split())
        seen = seen.__cause__ or seen.__context__
    return None


def _name_chunk(exc: Exception, name: str, index: int) -> None:
    """Put the chunk in the exception's message, keeping its class and attributes."""
    where = f"{name} chunk {index}"
    if isinstance(exc, DataValidationError) and exc.problems:
        # The class takes problems, not a message, so an unpickled copy (from a worker)
        # has a garbled message; its problems survive, so the message is rebuilt from them.
        exc.args = (str(DataValidationError(exc.problems)),)
    if type(exc).__str__ is BaseException.__str__ and len(exc.args) <= 1 and all(
            isinstance(arg, str) for arg in exc.args):
        exc.args = (f"{where}: {exc.args[0]}" if exc.args else where,)
    else:  # a message built otherwise (KeyError, OSError, ...): keep it, add a note
        exc.add_note(f"raised by {where}")
