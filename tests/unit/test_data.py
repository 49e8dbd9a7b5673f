"""Reading and checking study tables (livingmeta.data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from livingmeta.data import (
    COLUMN_ALIASES,
    NUMERIC_COLUMNS,
    read_study_table,
    study_table_from_frame,
)
from livingmeta.errors import DataValidationError


def test_aliases_map_to_canonical_numeric_columns():
    assert set(COLUMN_ALIASES.values()) <= {*NUMERIC_COLUMNS, "study"}


def test_aliases_and_case_are_normalized(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Label,Events_Treatment,n_treatment,events_control,N_Control,region\n"
                    "X,1,10,2,12,north\nY,NA,20,,22,south\n")
    table = read_study_table(path)
    assert table.study == ("X", "Y")
    np.testing.assert_array_equal(table.columns["ai"], [1.0, np.nan])
    np.testing.assert_array_equal(table.columns["n2i"], [12.0, 22.0])
    assert list(table.covariate("region")) == ["north", "south"]
    assert table.has("ai") and not table.has("bi")


def test_default_study_labels_are_row_numbers():
    table = study_table_from_frame(pd.DataFrame({"yi": ["0.1", "0.2"], "vi": ["1", "2"]}))
    assert table.study == ("Study 1", "Study 2")


def test_duplicate_meaning_columns_are_rejected():
    frame = pd.DataFrame({"ai": ["1"], "events_treatment": ["1"]})
    with pytest.raises(DataValidationError, match="duplicates column 'ai'"):
        study_table_from_frame(frame)


def test_every_bad_cell_is_reported_with_row_study_field_and_value():
    frame = pd.DataFrame({"study": ["A", "B"], "yi": ["x", "0.1"], "vi": ["0.1", "inf"]})
    with pytest.raises(DataValidationError) as info:
        study_table_from_frame(frame)
    messages = [str(p) for p in info.value.problems]
    assert messages == [
        "study 'A' (row 1): yi must be a number, got 'x'",
        "study 'B' (row 2): vi must be a finite number, got 'inf'",
    ]


def test_malformed_csv_is_one_located_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"study,yi\n\xff\xfe,1\n")
    with pytest.raises(DataValidationError, match="not valid CSV"):
        read_study_table(path)
