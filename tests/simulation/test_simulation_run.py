"""run_simulation: reproducible, independent of chunking and scheduler, and right where
the answer is known exactly."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from livingmeta.errors import ParameterError, SimulationWarning
from livingmeta.simulation import METRICS, parse_scenarios, run_simulation
from livingmeta.simulation.run import BLOCK_SIZE

SPEC = parse_scenarios("""
[simulation]
seed = 42
replications = 300
methods = ["EE", "DL", "REML"]
tests = ["z", "knha"]

[[scenarios]]
name = "smd"
measure = "SMD"
k = [3, 5]
tau2 = [0, 0.05]
effect = [0, 0.4]
sizes = { distribution = "uniform", low = 10, high = 40 }

[[scenarios]]
name = "or"
measure = "OR"
k = 4
tau2 = 0.1
effect = -0.5
control_risk = 0.1
sizes = { distribution = "fixed", values = [15, 60] }
""")


@pytest.fixture(scope="module")
def result():
    return run_simulation(SPEC)


def test_tidy_rows_and_metric_sets(result):
    frame = result.to_frame()
    assert list(frame.columns) == ["scenario", "name", "measure", "k", "tau2", "effect",
                                   "design", "method", "test", "metric", "estimate", "mcse",
                                   "n"]
    per = frame.groupby(["scenario", "method", "test"])["metric"].apply(tuple)
    assert len(per) == 9 * 3 * 2
    ee = set(per[("smd k=3 tau2=0 effect=0", "EE", "z")])
    assert ee == {"bias", "empirical_se", "model_se", "rmse", "ci_coverage", "ci_width",
                  "type1_error", "convergence"}
    re = per[("smd k=3 tau2=0.05 effect=0.4", "REML", "knha")]
    assert re == tuple(m for m in METRICS if m != "type1_error")  # power: effect is 0.4
    assert set(frame["n"]) <= {300}
    assert (frame["mcse"].dropna() >= 0).all()


def test_tau2_metrics_do_not_depend_on_the_test(result):
    f = result.to_frame()
    tau = f[f["metric"].isin(["tau2_bias", "tau2_ci_coverage"])]
    wide = tau.pivot_table(index=["scenario", "method", "metric"], columns="test",
                           values="estimate")
    assert np.array_equal(wide["z"].to_numpy(), wide["knha"].to_numpy())


def test_same_seed_same_result_other_seed_other_result(result):
    again = run_simulation(SPEC)
    pd.testing.assert_frame_equal(result.to_frame(), again.to_frame(), check_exact=True)
    other = run_simulation(SPEC, seed=43)
    assert not result.to_frame()["estimate"].equals(other.to_frame()["estimate"])


def test_independent_of_chunking():
    spec = replace(SPEC, scenarios=SPEC.scenarios[:2], methods=("DL",))
    reps = 2 * BLOCK_SIZE + 37  # three blocks, the last one short
    frames = [run_simulation(spec, replications=reps, chunk_blocks=c).to_frame()
              for c in (1, 2, 10)]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other, check_exact=True)
    assert set(frames[0]["n"]) == {reps}


def test_a_scenario_does_not_depend_on_its_neighbours(result):
    alone = run_simulation(replace(SPEC, scenarios=SPEC.scenarios[-1:]))
    mine = result.to_frame()
    mine = mine[mine["name"] == "or"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.to_frame(), mine, check_exact=True)


def test_common_effect_with_known_variances_covers_at_the_nominal_level():
    # yi ~ N(mu, vi) with vi known and tau2 = 0: the EE z interval is exact, so its
    # coverage is 0.95 and its bias 0 up to Monte Carlo error.
    spec = parse_scenarios("""
[simulation]
seed = 5
replications = 4000
methods = ["EE"]
tests = ["z"]
[[scenarios]]
name = "exact"
measure = "GEN"
k = 4
effect = 0.3
vi = { distribution = "uniform", low = 0.01, high = 0.3 }
""")
    f = run_simulation(spec).to_frame().set_index("metric")
    assert abs(f.loc["ci_coverage", "estimate"] - 0.95) < 4 * f.loc["ci_coverage", "mcse"]
    assert abs(f.loc["bias", "estimate"]) < 4 * f.loc["bias", "mcse"]
    # Model SE and empirical SE agree when the model is right.
    diff = f.loc["model_se", "estimate"] - f.loc["empirical_se", "estimate"]
    assert abs(diff) < 4 * np.hypot(f.loc["model_se", "mcse"], f.loc["empirical_se", "mcse"])


def test_knha_beats_z_where_dl_z_is_known_to_undercover():
    # IntHout et al. 2014 (BMC Med Res Methodol 14:25): with few studies and
    # heterogeneity the DL z interval undercovers; HKSJ is close to nominal.
    spec = parse_scenarios("""
[simulation]
seed = 9
replications = 2000
methods = ["DL"]
tests = ["z", "knha"]
tau2_ci = false
[[scenarios]]
name = "het"
measure = "GEN"
k = 5
tau2 = 0.2
vi = { distribution = "fixed", values = [0.05] }
""")
    cov = run_simulation(spec).metric("ci_coverage").set_index("test")
    assert cov.loc["z", "estimate"] < 0.92 < cov.loc["knha", "estimate"]


def test_clipped_risks_warn_and_are_recorded():
    spec = parse_scenarios("""
[simulation]
seed = 1
replications = 20
methods = ["DL"]
tests = ["z"]
[[scenarios]]
name = "rr"
measure = "RR"
k = 3
tau2 = 1.0
effect = 0.2
control_risk = 0.6
sizes = { distribution = "fixed", values = [20] }
""")
    with pytest.warns(SimulationWarning, match="rr k=3 tau2=1 effect=0.2: .* clipped"):
        res = run_simulation(spec)
    assert len(res.warnings) == 1 and "clipped" in res.warnings[0]


def test_dict_summary_and_provenance(result):
    d = result.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["provenance"]["function"] == "run_simulation" and d["provenance"]["k"] == 9
    text = result.summary().as_text()
    assert "Monte Carlo SE" in text and "CI cov." in text and "smd k=5 tau2=0.05" in text
    assert result.provenance.input_digest != run_simulation(
        SPEC, replications=10).provenance.input_digest


def test_bad_arguments():
    for kwargs in ({"replications": 1}, {"seed": -1}, {"chunk_blocks": 0},
                   {"replications": True}):
        with pytest.raises(ParameterError):
            run_simulation(SPEC, **kwargs)


def test_dask_scheduler_gives_the_local_result():
    distributed = pytest.importorskip("distributed")
    spec = replace(SPEC, scenarios=SPEC.scenarios[:2], methods=("DL",))
    local = run_simulation(spec, replications=1100).to_frame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # port and resource notices of a local cluster
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                      protocol="tcp://", host="127.0.0.1",
                                      dashboard_address=None) as cluster:
            remote = run_simulation(spec, replications=1100, scheduler=cluster.scheduler_address,
                                    chunk_blocks=1).to_frame()
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


def test_zero_cell_corrections_are_noted():
    spec = parse_scenarios("""
[simulation]
seed = 2
replications = 50
methods = ["DL"]
tests = ["z"]
[[scenarios]]
name = "rare"
measure = "OR"
k = 3
control_risk = 0.01
sizes = { distribution = "fixed", values = [10] }
""")
    res = run_simulation(spec)
    # P(zero cell) = 1 - (1 - 0.99^10)^2 = 0.99: nearly every study is corrected.
    assert len(res.notes) == 1 and res.notes[0].startswith("rare k=3 tau2=0 effect=0: 9")
    assert "zero cell" in res.notes[0] and res.warnings == ()
