"""Classic teaching data sets shipped with livingmeta.

Each data set is a CSV file under ``datasets/data/`` with metafor's column names, so it
runs through ``livingmeta pool`` as any user table does.

>>> from livingmeta.datasets import dataset_path, DATASETS
>>> sorted(DATASETS)
['bcg', 'normand1999']
>>> dataset_path("bcg").name
'bcg.csv'
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from livingmeta.errors import check_choice

__all__ = ["DATASETS", "DatasetInfo", "dataset_path"]


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """What a bundled data set is, where it comes from, and how to analyse it."""

    name: str
    title: str
    source: str
    measure: str


DATASETS: dict[str, DatasetInfo] = {
    "bcg": DatasetInfo(
        name="bcg",
        title="BCG vaccine against tuberculosis: 13 trials (2x2 counts, latitude, allocation)",
        source="Colditz et al. 1994, JAMA 271:698-702; as metadat::dat.bcg",
        measure="RR",
    ),
    "normand1999": DatasetInfo(
        name="normand1999",
        title="Length of hospital stay, specialist vs routine stroke care: 9 studies",
        source="Normand 1999, Stat Med 18:321-359; as metadat::dat.normand1999",
        measure="SMD",
    ),
}


def dataset_path(name: str) -> Path:
    """Path of a bundled data set's CSV file."""
    check_choice("dataset", name, DATASETS)
    return Path(str(files("livingmeta.datasets").joinpath("data", f"{name}.csv")))
