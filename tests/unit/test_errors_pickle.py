"""Errors cross process boundaries (Dask workers) intact."""

from __future__ import annotations

import pickle

from livingmeta.errors import DataValidationError, Problem
from livingmeta.review import ReviewValidationError
from livingmeta.review.problems import ReviewProblem


def test_data_validation_errors_survive_pickling():
    for error in (
        DataValidationError([Problem(2, "B", "vi", -1, "must be > 0"),
                             Problem(3, "C", "yi", "x", "must be a number")]),
        ReviewValidationError([ReviewProblem(4, "A", "n1i", "0", "must be > 0",
                                             file="data.csv")], folder="ldn"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert copy.problems == error.problems
