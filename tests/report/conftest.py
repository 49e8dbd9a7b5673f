"""The LDN review run once, and its report written once, for the report tests."""

from __future__ import annotations

import pytest

from livingmeta.report import write_report
from livingmeta.review import embedded_review_path, load_review, run_review


@pytest.fixture(scope="session")
def ldn_result():
    return run_review(load_review(embedded_review_path()))


@pytest.fixture(scope="session")
def ldn_report(ldn_result, tmp_path_factory):
    return write_report(ldn_result, tmp_path_factory.mktemp("reports") / "ldn-report")
