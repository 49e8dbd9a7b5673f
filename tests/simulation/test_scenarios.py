"""The scenario file: grid expansion, defaults, and every problem reported at once."""

from __future__ import annotations

import pytest

from livingmeta.errors import DataValidationError
from livingmeta.simulation import (
    BUNDLED_SCENARIOS,
    Distribution,
    bundled_scenarios,
    load_scenarios,
    parse_scenarios,
)

VALID = """
[simulation]
title = "t"
seed = 3
replications = 20
methods = ["EE", "PM"]
tests = ["z"]
tau2_ci = false

[[scenarios]]
name = "smd"
measure = "SMD"
k = [4, 6]
tau2 = [0, 0.1]
effect = [0, -0.3]
sizes = { distribution = "uniform", low = 20, high = 100 }

[[scenarios]]
name = "or"
measure = "OR"
k = 5
control_risk = 0.2
sizes = { distribution = "lognormal", meanlog = 4, sdlog = 0.5, minimum = 10 }
"""


def test_grid_is_every_combination_in_file_order():
    spec = parse_scenarios(VALID)
    assert (spec.seed, spec.replications, spec.methods, spec.tests, spec.tau2_ci) == (
        3, 20, ("EE", "PM"), ("z",), False)
    smd = [s for s in spec.scenarios if s.name == "smd"]
    assert len(smd) == 8 and len(spec.scenarios) == 9
    assert [(s.k, s.tau2, s.effect) for s in smd[:3]] == [(4, 0.0, 0.0), (4, 0.0, -0.3),
                                                          (4, 0.1, 0.0)]
    assert smd[0].sizes == Distribution("uniform", low=20.0, high=100.0)
    binary = spec.scenarios[-1]
    assert (binary.measure, binary.control_risk, binary.tau2, binary.effect) == (
        "OR", 0.2, 0.0, 0.0)
    assert binary.sizes is not None and binary.sizes.minimum == 10.0
    assert len({s.label for s in spec.scenarios}) == 9


def test_defaults():
    spec = parse_scenarios('[simulation]\nseed = 0\n[[scenarios]]\nname = "g"\n'
                           'measure = "MD"\nk = 3\nsizes = {distribution = "fixed", '
                           'values = [10, 50]}\n')
    assert (spec.replications, spec.level, spec.methods, spec.tests, spec.tau2_ci) == (
        1000, 0.95, ("DL", "REML"), ("z", "knha"), True)
    assert spec.scenarios[0].sd == 1.0 and spec.title == "scenarios"


def test_every_problem_at_once_names_table_key_value_and_rule():
    text = """
[simulation]
seed = -1
replications = 1
level = 95
methods = ["DL", "XX"]
colour = "red"

[[scenarios]]
name = "a"
measure = "SMD"
k = [1, 5]
tau2 = -0.1

[[scenarios]]
name = "a"
measure = "RR"
k = 5
effect = 2.0
control_risk = 0.3
sizes = { distribution = "uniform", low = 50, high = 10 }
vi = { distribution = "fixed", values = [0.1] }

[[scenarios]]
name = "g"
measure = "GEN"
k = [3, 3]
vi = { distribution = "fixed", values = [0, 0.1] }
"""
    with pytest.raises(DataValidationError) as info:
        parse_scenarios(text, file="grid.toml")
    messages = [str(p) for p in info.value.problems]
    expected = [
        "grid.toml [simulation]: seed must be a non-negative integer, got -1",
        "grid.toml [simulation]: replications must be an integer >= 2",
        "grid.toml [simulation]: level must be of type float, got 95",
        "grid.toml [simulation]: methods must be a non-empty list of",
        "grid.toml [simulation]: colour is not a known key",
        "grid.toml [[scenarios]] 1 (name 'a'): k must be integers >= 2",
        "grid.toml [[scenarios]] 1 (name 'a'): tau2 must be >= 0 (a variance), got -0.1",
        "grid.toml [[scenarios]] 1 (name 'a'): sizes must be given for measure SMD",
        "grid.toml [[scenarios]] 2 (name 'a').sizes: high must be >= low (50), got 10",
        "grid.toml [[scenarios]] 2 (name 'a'): vi is not used by measure RR",
        "grid.toml [[scenarios]] 2 (name 'a'): effect must give a treatment risk below 1",
        "grid.toml [[scenarios]] 3 (name 'g'): k must not repeat a value, got [3, 3]",
        "grid.toml [[scenarios]] 3 (name 'g').vi: values must be a non-empty list "
        "(variances must be > 0), got [0, 0.1]",
        "grid.toml [[scenarios]]: name must be unique, got 'a'",
    ]
    for want in expected:
        assert any(m.startswith(want) or want in m for m in messages), (want, messages)
    assert len(messages) == len(expected)
    assert all(p.file == "grid.toml" for p in info.value.problems)


def test_invalid_toml_and_missing_tables():
    with pytest.raises(DataValidationError, match="invalid TOML"):
        parse_scenarios("[simulation\nseed = 1")
    with pytest.raises(DataValidationError) as info:
        parse_scenarios("")
    assert {p.field for p in info.value.problems} == {"simulation", "scenarios"}


def test_wrong_types_are_reported_not_raised_as_type_errors():
    text = ('[simulation]\nseed = "one"\ntau2_ci = 1\n[[scenarios]]\nname = "x"\n'
            'measure = "PETO"\nk = 2.5\neffect = "big"\n')
    with pytest.raises(DataValidationError) as info:
        parse_scenarios(text)
    fields = [p.field for p in info.value.problems]
    assert fields == ["seed", "tau2_ci", "measure", "k", "effect"]


@pytest.mark.parametrize("name", BUNDLED_SCENARIOS)
def test_bundled_files_load(name):
    spec = load_scenarios(bundled_scenarios(name))
    assert spec.scenarios and spec.seed >= 0


def test_ldn_file_is_what_the_brief_asks():
    spec = load_scenarios(bundled_scenarios("ldn-small-trials"))
    assert {s.k for s in spec.scenarios} == {4, 5, 6}
    assert {s.measure for s in spec.scenarios} == {"SMD"}
    assert min(s.tau2 for s in spec.scenarios) == 0.0
    assert max(s.tau2 for s in spec.scenarios) == 0.1
    assert spec.scenarios[0].sizes == Distribution("uniform", low=20.0, high=100.0)
    assert spec.methods == ("DL", "REML", "PM") and spec.tests == ("z", "knha")
