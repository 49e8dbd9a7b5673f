"""Shared data for the plot tests: the BCG trials (Colditz et al. 1994) pooled by REML."""

from __future__ import annotations

import numpy as np
import pytest

from livingmeta import escalc, read_study_table, rma
from livingmeta.datasets import dataset_path


@pytest.fixture(scope="session")
def bcg():
    table = read_study_table(dataset_path("bcg"))
    counts = {name: np.asarray(table.columns[name], dtype=float)
              for name in ("ai", "bi", "ci", "di")}
    effects = escalc("RR", study=table.study, **counts)
    fit = rma(effects.yi, effects.vi, method="REML", measure="RR", study=effects.study)
    return {"table": table, "counts": counts, "effects": effects, "fit": fit,
            "alloc": table.covariate("alloc")}
