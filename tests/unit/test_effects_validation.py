"""Every invalid value reported at once, each naming study, row, field, value and rule."""

import numpy as np
import pytest

from livingmeta.effects import escalc
from livingmeta.errors import DataValidationError, ParameterError, Problem


def problems(excinfo: pytest.ExceptionInfo[DataValidationError]) -> list[Problem]:
    return list(excinfo.value.problems)


def test_all_continuous_problems_reported_at_once() -> None:
    with pytest.raises(DataValidationError) as exc:
        escalc("SMD", study=["A", "FINAL 2024", "C"], m1i=[1, 2, 3], m2i=[1, 2, 3],
               sd1i=[1.0, 1.0, -1.6], sd2i=[1.0, 0.0, 1.0], n1i=[10, 0, 5.5], n2i=[10, 10, 10])
    found = {(p.row, p.study, p.field, p.value) for p in problems(exc)}
    assert found == {(2, "FINAL 2024", "n1i", 0), (3, "C", "n1i", 5.5),
                     (3, "C", "sd1i", -1.6), (2, "FINAL 2024", "sd2i", 0)}
    assert "study 'C' (row 3): sd1i must be > 0, got -1.6" in str(exc.value)
    assert str(exc.value).startswith("4 problems in the input data:")


def test_events_above_group_size_and_negative_counts() -> None:
    with pytest.raises(DataValidationError) as exc:
        escalc("OR", ai=[12, -1], ci=[3, 2.5], n1i=[10, 10], n2i=[10, 10])
    rules = {(p.row, p.field, p.rule) for p in problems(exc)}
    assert (1, "ai", "must be <= n1i (10)") in rules
    assert (2, "ai", "must be a non-negative integer") in rules
    assert (2, "ci", "must be a non-negative integer") in rules


def test_missing_required_columns_are_table_problems() -> None:
    with pytest.raises(DataValidationError) as exc:
        escalc("MD", m1i=[1.0], n1i=[10], n2i=[10])
    missing = {p.field for p in problems(exc) if p.row is None}
    assert missing == {"sd1i", "m2i", "sd2i"}
    assert "sd1i must be given for measure 'MD', got missing" in str(exc.value)
    with pytest.raises(DataValidationError, match="bi or n1i must be given"):
        escalc("RR", ai=[1], ci=[2], di=[3])


def test_generic_problems() -> None:
    with pytest.raises(DataValidationError) as exc:
        escalc("GEN", yi=[0.5, 0.5, 0.5, 3.0], sei=[-0.1, np.nan, np.nan, np.nan],
               ci_lb=[np.nan, 1.0, np.nan, 0.0], ci_ub=[np.nan, 0.2, np.nan, 1.0],
               pval=[np.nan, np.nan, 1.5, np.nan])
    got = {(p.row, p.field) for p in problems(exc)}
    assert got == {(1, "sei"), (2, "ci_ub"), (3, "pval"), (4, "yi")}
    assert "ci_ub must be > ci_lb (1), got 0.2" in str(exc.value)


def test_correlation_bounds_and_zcor_sample_size() -> None:
    with pytest.raises(DataValidationError) as exc:
        escalc("ZCOR", ri=[1.2, 0.3], ni=[10, 3])
    got = {(p.row, p.field, p.rule) for p in problems(exc)}
    assert got == {(1, "ri", "must be in [-1, 1]"),
                   (2, "ni", "must be an integer >= 4 for measure 'ZCOR'")}


def test_t_without_df_is_a_problem() -> None:
    with pytest.raises(DataValidationError, match="df must be given"):
        escalc("GEN", yi=[1.0], ci_lb=[0.0], ci_ub=[2.0], ci_dist="t")


def test_nan_is_missing_not_invalid() -> None:
    es = escalc("OR", ai=[np.nan, 2], bi=[3, 4], ci=[1, 2], di=[5, 6])
    assert np.isnan(es.yi[0]) and np.isfinite(es.yi[1])


def test_argument_errors() -> None:
    with pytest.raises(ParameterError, match="The 'measure' parameter must be one of"):
        escalc("SMDX", yi=[1.0])
    with pytest.raises(ParameterError, match="'to' parameter"):
        escalc("OR", ai=[1], bi=[1], ci=[1], di=[1], to="some")
    with pytest.raises(ParameterError, match="same length"):
        escalc("OR", ai=[1, 2], bi=[1], ci=[1], di=[1])
    with pytest.raises(ParameterError, match="'add' parameter"):
        escalc("OR", ai=[1], bi=[1], ci=[1], di=[1], add=-1)


def test_inconsistent_table_and_group_size() -> None:
    with pytest.raises(DataValidationError, match=r"bi must equal n1i - ai \(8\)"):
        escalc("OR", ai=[2], bi=[9], ci=[1], di=[9], n1i=[10], n2i=[10])
