"""run_chunks on a real Dask cluster started by this module (issue 7, item 5).

One ``dask scheduler`` and three ``dask worker`` processes (one thread each, no nanny) on
loopback serve the whole file; the test that kills a worker starts its own extra victim,
so the tests do not depend on their order. The workers import the chunk functions of
``tests/batch/_chunk_funcs.py`` through their PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import click
import dask
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from distributed import Client, KilledWorker
from distributed.client import FutureCancelledError

from batch import _chunk_funcs as funcs
from livingmeta.batch.executor import ClusterError, _gather_one, run_chunks
from livingmeta.errors import DataValidationError, ParameterError

TESTS_DIR = Path(__file__).resolve().parents[1]
N_WORKERS = 3
START_TIMEOUT = 60.0


@dataclass
class Cluster:
    address: str
    scheduler_file: str
    folder: Path
    env: dict[str, str]
    monitor: Client
    processes: list[subprocess.Popen[bytes]]

    def start_worker(self, label: str) -> subprocess.Popen[bytes]:
        with open(self.folder / f"{label}.log", "wb") as log:  # the worker keeps its own copy
            process = subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", self.address,
                 "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                 "--name", label, "--local-directory", str(self.folder / label)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def state(self) -> dict[str, Any]:
        return self.monitor.run_on_scheduler(funcs.scheduler_state)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Workers first, then the scheduler; SIGKILL what does not stop within 5 s."""
    for group in (processes[1:], processes[:1]):
        for process in group:
            if process.poll() is None:
                process.terminate()
        for process in group:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _read_scheduler_file(path: Path, scheduler: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {scheduler.returncode}")
        try:
            return str(json.loads(path.read_text())["address"])
        except (FileNotFoundError, ValueError, KeyError):
            time.sleep(0.05)
    raise RuntimeError("dask scheduler did not write its scheduler file")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    path = [str(TESTS_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    processes: list[subprocess.Popen[bytes]] = []
    monitor: Client | None = None
    try:
        with open(folder / "scheduler.log", "wb") as log:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                 "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                env=env, stdout=log, stderr=subprocess.STDOUT))
        address = _read_scheduler_file(scheduler_file, processes[0])
        monitor = Client(address, set_as_default=False)
        cluster = Cluster(address, str(scheduler_file), folder, env, monitor, processes)
        for i in range(N_WORKERS):
            cluster.start_worker(f"worker-{i}")
        monitor.wait_for_workers(N_WORKERS, timeout=START_TIMEOUT)
        monitor.run(funcs.warm_up)
        yield cluster
    finally:
        if monitor is not None:
            monitor.close()
        _stop(processes)


def _wait_until_idle(cluster: Cluster, timeout: float = 10.0) -> dict[str, Any]:
    """The scheduler's state once only the monitor is connected and no task is left."""
    deadline = time.monotonic() + timeout
    while True:
        state = cluster.state()
        if (len(state["clients"]) == 1 and not state["tasks"]) or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


# (a) many chunks: the local result, in order --------------------------------------------

def test_cluster_run_equals_local_run_in_order(cluster):
    chunks = [(20260501, index, 40, 5) for index in range(24)]
    local = list(run_chunks(funcs.pool_simulated, chunks))
    remote = list(run_chunks(funcs.pool_simulated, chunks, scheduler=cluster.address,
                             name="pool"))
    assert remote == local  # bitwise: same seeds per chunk, same kernels
    assert len({json.dumps(r) for r in local}) == len(chunks)  # the chunks differ


def test_scheduler_file_is_accepted(cluster):
    chunks = [(7, index, 10, 3) for index in range(4)]
    remote = list(run_chunks(funcs.pool_simulated, chunks, scheduler=cluster.scheduler_file))
    assert remote == list(run_chunks(funcs.pool_simulated, chunks))


def test_large_chunk_travels_without_a_warning(cluster):
    # 12 MB, over Dask's 10 MB "Sending large graph" threshold; warnings are errors here
    big = [np.full(1_500_000, float(index)) for index in range(2)]
    assert list(run_chunks(funcs.total, big, scheduler=cluster.address)) == [0.0, 1_500_000.0]


def test_task_keys_name_the_chunk_and_differ_between_runs(cluster):
    first = list(run_chunks(funcs.task_key, range(6), scheduler=cluster.address, name="gosh"))
    second = list(run_chunks(funcs.task_key, range(6), scheduler=cluster.address, name="gosh"))
    for run in (first, second):
        assert [index for index, _ in run] == list(range(6))
        tokens = {key.split("-")[1] for _, key in run}
        assert len(tokens) == 1  # one token per run
        token = tokens.pop()
        assert [key for _, key in run] == [f"gosh-{token}-{i}" for i in range(6)]
    assert {key for _, key in first}.isdisjoint(key for _, key in second)
    assert list(run_chunks(funcs.task_key, range(2))) == [(0, None), (1, None)]


@pytest.mark.parametrize("scheduler", ["cluster", None])
def test_chunks_are_consumed_lazily_within_the_window(cluster, scheduler):
    pulled = 0

    def produce() -> Iterator[int]:
        nonlocal pulled
        for index in range(20):
            pulled += 1
            yield index

    address = cluster.address if scheduler else None
    window = 3
    seen = []
    for result in run_chunks(funcs.task_key, produce(), scheduler=address, window=window):
        # the n-th result arrives when at most n - 1 + window chunks were taken
        assert pulled <= len(seen) + (window if scheduler else 1)
        seen.append(result[0])
    assert seen == list(range(20))
    assert pulled == 20


# (b) a worker killed mid-run: nothing lost, nothing duplicated ---------------------------

def test_killed_worker_loses_and_duplicates_no_chunk(cluster, tmp_path):
    log = str(tmp_path / "executions.log")
    victim = cluster.start_worker("victim")
    cluster.monitor.wait_for_workers(N_WORKERS + 1, timeout=START_TIMEOUT)
    cluster.monitor.run(funcs.warm_up)
    killed = threading.Event()

    def kill_victim_while_it_runs_a_chunk() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not killed.is_set():
            rows = funcs.read_log(log) if os.path.exists(log) else []
            running = Counter(i for event, i, pid in rows if pid == victim.pid and event == "start")
            running.subtract(i for event, i, pid in rows if pid == victim.pid and event == "end")
            if any(count > 0 for count in running.values()):
                os.kill(victim.pid, signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_victim_while_it_runs_a_chunk)
    killer.start()
    chunks = [(index, log, 0.15) for index in range(32)]
    try:
        remote = list(run_chunks(funcs.slow_logged, chunks, scheduler=cluster.address,
                                 name="slow"))
    finally:
        killed.set()
        killer.join()
    assert victim.wait(timeout=10) == -signal.SIGKILL

    assert remote == [(index, index * index) for index in range(32)]
    rows = funcs.read_log(log)
    by_victim = Counter(i for event, i, pid in rows if pid == victim.pid and event == "start")
    by_victim.subtract(i for event, i, pid in rows if pid == victim.pid and event == "end")
    interrupted = [i for i, count in by_victim.items() if count > 0]
    assert len(interrupted) == 1  # killed mid-chunk (one thread: one chunk at a time)
    elsewhere = {i for event, i, pid in rows if event == "end" and pid != victim.pid}
    assert interrupted[0] in elsewhere  # the scheduler recomputed it on another worker
    assert {i for event, i, _ in rows if event == "end"} == set(range(32))
    assert _wait_until_idle(cluster)["tasks"] == []


# (c) an unreachable scheduler: a one-line ParameterError ---------------------------------

def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_scheduler_is_a_one_line_parameter_error(tmp_path):
    address = f"tcp://127.0.0.1:{_refused_port()}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        chunks = run_chunks(abs, [1, 2], scheduler=address)  # lazy: nothing happens yet
        with pytest.raises(ParameterError, match="cannot reach the Dask scheduler") as info:
            next(chunks)
    assert address in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("scheduler, message", [
    ("foo://127.0.0.1:8786", "unknown address scheme 'foo'"),
    ("127.0.0.1", "missing port number"),
    ("missing/scheduler.json", "no Dask scheduler file at"),
    ("", "must be an address"),
])
def test_malformed_scheduler_is_refused_at_once(scheduler, message):
    started = time.monotonic()
    with pytest.raises(ParameterError, match=message) as info:
        list(run_chunks(abs, [1], scheduler=scheduler))
    assert "\n" not in str(info.value)
    assert time.monotonic() - started < 5  # no connection attempt


@pytest.mark.parametrize("window", [0, -1, 2.5, True])
def test_window_must_be_a_positive_integer(window):
    with pytest.raises(ParameterError, match="'window' parameter"):
        run_chunks(abs, [1], window=window)


# (d) a failing chunk: the same class, the chunk named -----------------------------------

@pytest.mark.parametrize("kind, error", [
    ("parameter", ParameterError), ("data", DataValidationError), ("value", ValueError),
])
def test_failing_chunk_is_named_and_keeps_its_class(cluster, kind, error):
    chunks = [(index, 3, kind) for index in range(6)]
    with pytest.raises(error) as remote:
        list(run_chunks(funcs.fail_at, chunks, scheduler=cluster.address, name="gosh"))
    with pytest.raises(error) as local:
        list(run_chunks(funcs.fail_at, chunks, name="gosh"))
    assert type(remote.value) is error
    assert str(remote.value).startswith("gosh chunk 3: ")
    assert str(remote.value) == str(local.value)


def test_failing_chunk_keeps_data_problems(cluster):
    chunks = [(index, 1, "data") for index in range(3)]
    with pytest.raises(DataValidationError) as info:
        list(run_chunks(funcs.fail_at, chunks, scheduler=cluster.address, name="batch"))
    assert str(info.value) == ("batch chunk 1: 1 problem in the input data:\n"
                               "  study 'FINAL 2024' (row 4): vi must be > 0, got -1.0")
    assert [p.study for p in info.value.problems] == ["FINAL 2024"]


def test_error_with_its_own_message_format_gets_a_note(cluster):
    chunks = [(index, 2, "key") for index in range(4)]
    with pytest.raises(KeyError) as info:
        list(run_chunks(funcs.fail_at, chunks, scheduler=cluster.address, name="perm"))
    assert info.value.args == ("missing column",)
    assert info.value.__notes__ == ["raised by perm chunk 2"]


def test_function_the_cluster_cannot_import_is_a_cluster_error(cluster, tmp_path, monkeypatch):
    (tmp_path / "only_on_the_client.py").write_text("def double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import only_on_the_client

    assert list(run_chunks(only_on_the_client.double, [1, 2])) == [2, 4]
    with pytest.raises(ClusterError, match="cannot import 'only_on_the_client'"):
        list(run_chunks(only_on_the_client.double, [1, 2], scheduler=cluster.address,
                        name="sim"))


class _FailingFuture:
    """Stands in for a distributed Future whose result raises (no cluster needed)."""

    def __init__(self, error: BaseException):
        self.error = error
        self.released = False

    def result(self) -> object:
        raise self.error

    def release(self) -> None:
        self.released = True


@pytest.mark.parametrize("error, message", [
    (KilledWorker("sim-x-4", None, 3),
     re.escape("sim chunk 4: every worker that ran it died (4 attempts")),
    (FutureCancelledError("sim-x-4", "scheduler-connection-lost",
                          "Client lost the connection\nto the scheduler."),
     "sim chunk 4: the task was cancelled .* scheduler-connection-lost. Client lost"),
])
def test_cluster_failures_become_cluster_errors(error, message):
    future = _FailingFuture(error)
    with pytest.raises(ClusterError, match=message) as info:
        _gather_one((4, future), "sim")
    assert "\n" not in str(info.value)
    assert future.released


# the client is closed on every path -------------------------------------------------------

def test_client_is_closed_after_success_failure_and_abandonment(cluster):
    assert list(run_chunks(abs, [-1, -2], scheduler=cluster.address)) == [1, 2]
    assert _wait_until_idle(cluster)["clients"] == [str(cluster.monitor.id)]

    with pytest.raises(ValueError, match="chunk 0"):
        list(run_chunks(funcs.fail_at, [(0, 0, "value"), (1, 0, "value")],
                        scheduler=cluster.address))
    assert _wait_until_idle(cluster)["clients"] == [str(cluster.monitor.id)]

    results = run_chunks(funcs.task_key, range(50), scheduler=cluster.address, window=4)
    assert next(results)[0] == 0
    during = cluster.state()
    assert len(during["clients"]) == 2 and during["tasks"]  # connected, tasks pending
    results.close()  # the consumer stops early
    after = _wait_until_idle(cluster)
    assert after == {"clients": [str(cluster.monitor.id)], "tasks": []}


# end to end: each command with --scheduler prints and writes what it does without ----------

STUDIES = ("study,yi,vi,x\nA,0.10,0.010,1\nB,0.35,0.012,2\nC,0.05,0.011,3\nD,0.22,0.010,4\n"
           "E,-0.08,0.013,5\nF,0.95,0.010,6\nG,0.40,0.030,7\n")
SCENARIOS = """
[simulation]
title = "tiny"
seed = 11
replications = 30
methods = ["DL", "REML"]
tests = ["z", "knha"]

[[scenarios]]
name = "gen"
measure = "GEN"
k = [3, 5]
tau2 = [0, 0.1]
vi = { distribution = "uniform", low = 0.02, high = 0.1 }
"""


def _long_table() -> str:
    rows = ["id,yi,vi"]
    for index, k in enumerate([3, 4, 2, 5, 1, 3, 4, 6]):
        rows += [f"m{index},{0.1 * ((index + 3 * j) % 7) - 0.2},{0.01 + 0.005 * j}"
                 for j in range(k)]
    return "\n".join(rows) + "\n"


def _local_and_cluster(cluster, tmp_path, command, args, min_tasks=2):
    """Run ``command`` with ``args`` (``{dir}`` stands for a fresh folder) in process and
    with ``--scheduler``; return both outputs with the folder written as ``{dir}``, after
    checking that the cluster computed at least ``min_tasks`` chunks of the second run."""
    group = click.Group()
    group.add_command(command)
    outputs = []
    for where, extra in (("local", []), ("cluster", ["--scheduler", cluster.address])):
        folder = tmp_path / where
        folder.mkdir()
        (folder / "studies.csv").write_text(STUDIES)
        (folder / "long.csv").write_text(_long_table())
        (folder / "scenarios.toml").write_text(SCENARIOS)
        result = CliRunner().invoke(
            group, [command.name, *(a.format(dir=folder) for a in args), *extra])
        assert result.exit_code == 0, result.output
        outputs.append((result.output.replace(str(folder), "{dir}"), folder))
        if where == "local":
            before = cluster.monitor.run_on_scheduler(funcs.tasks_computed)
    assert cluster.monitor.run_on_scheduler(funcs.tasks_computed) - before >= min_tasks
    return outputs


def test_batch_command_on_the_cluster_equals_local(cluster, tmp_path):
    from livingmeta.cli.batch import batch

    (local, here), (remote, there) = _local_and_cluster(
        cluster, tmp_path, batch,
        ["{dir}/long.csv", "--out", "{dir}/pooled.csv", "--test", "knha", "--chunk-rows", "5"])
    assert remote == local
    assert (there / "pooled.csv").read_bytes() == (here / "pooled.csv").read_bytes()
    assert len(pd.read_csv(here / "pooled.csv")) == 8


def test_gosh_command_on_the_cluster_equals_local(cluster, tmp_path, monkeypatch):
    from livingmeta.cli.gosh import gosh

    monkeypatch.setattr(import_module("livingmeta.sensitivity.gosh"), "CHUNK_SIZE", 10)  # 17 chunks
    (local, here), (remote, there) = _local_and_cluster(
        cluster, tmp_path, gosh,
        ["{dir}/studies.csv", "--method", "REML", "--seed", "1", "--out", "{dir}/gosh.csv",
         "--json"], min_tasks=17)
    assert json.loads(remote) == json.loads(local)
    assert (there / "gosh.csv").read_bytes() == (here / "gosh.csv").read_bytes()
    assert len(pd.read_csv(here / "gosh.csv")) == 2 ** 7 - 1


def test_permutest_command_on_the_cluster_equals_local(cluster, tmp_path, monkeypatch):
    from livingmeta.cli.permutest import permutest

    monkeypatch.setattr(import_module("livingmeta.sensitivity.permutation"), "CHUNK_SIZE", 50)
    (local, _), (remote, _) = _local_and_cluster(
        cluster, tmp_path, permutest,
        ["{dir}/studies.csv", "--mods", "x", "--permutations", "200", "--no-exact", "--seed",
         "3", "--json"], min_tasks=4)
    assert json.loads(remote) == json.loads(local)


def test_bootstrap_command_on_the_cluster_equals_local(cluster, tmp_path, monkeypatch):
    from livingmeta.cli.bootstrap import bootstrap

    monkeypatch.setattr(import_module("livingmeta.sensitivity.bootstrap"), "CHUNK_SIZE", 50)
    (local, _), (remote, _) = _local_and_cluster(
        cluster, tmp_path, bootstrap,
        ["{dir}/studies.csv", "--kind", "nonparametric", "--replicates", "200", "--seed", "5",
         "--json"], min_tasks=4)
    assert json.loads(remote) == json.loads(local)


def test_simulate_command_on_the_cluster_equals_local(cluster, tmp_path):
    from livingmeta.cli.simulate import simulate

    (local, here), (remote, there) = _local_and_cluster(
        cluster, tmp_path, simulate,
        ["{dir}/scenarios.toml", "--out", "{dir}/sim", "--json"], min_tasks=1)
    assert json.loads(remote) == json.loads(local)
    assert ((there / "sim" / "results.csv").read_bytes()
            == (here / "sim" / "results.csv").read_bytes())
