"""Public names: every package's ``__all__`` is sorted and names only what exists
(httpx's test_exported_members), and the top level exports each layer's entry points."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "livingmeta", "livingmeta.data", "livingmeta.effects", "livingmeta.models",
    "livingmeta.models.tau2", "livingmeta.sensitivity", "livingmeta.pooling",
    "livingmeta.results", "livingmeta.errors", "livingmeta.summary", "livingmeta.datasets",
    "livingmeta.bias", "livingmeta.sequential", "livingmeta.simulation", "livingmeta.batch",
    "livingmeta.plots", "livingmeta.review",
    "livingmeta.report", "livingmeta.records", "livingmeta.appraisal",
]


def _isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order)."""
    if name.isupper():
        return 0, name
    return (1 if name[0].isupper() else 2), name


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolves(name):
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_isort_order)
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == []


def test_top_level_exports_every_entry_point():
    import livingmeta

    for name in ("escalc", "rma", "rma_mh", "rma_peto", "subgroup_analysis", "leave_one_out",
                 "pool_table", "read_study_table", "fit_batch"):
        assert name in livingmeta.__all__
        assert callable(getattr(livingmeta, name))
