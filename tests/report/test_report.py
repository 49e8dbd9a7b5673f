"""The report's answer section: cautions derived from the results."""

from __future__ import annotations


def test_narrow_knapp_hartung_interval_is_flagged_in_the_answer():
    """Any adverse event (OR), k = 2, tau2 at 0: the untruncated Knapp-Hartung CI is
    narrower than z; the answer says so and gives the modified (mkh) interval."""
    import warnings

    from livingmeta.report.sections import answer_lines
    from livingmeta.review import embedded_review_path, load_review, run_review

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_review(load_review(embedded_review_path()))
    _, per_outcome = answer_lines(result)
    ae_or = next(line for line in per_outcome if line.startswith("Any adverse event (OR)"))
    assert "narrower than the z interval" in ae_or and "mkh" in ae_or
    pain = next(line for line in per_outcome if line.startswith("Pain intensity (SMD)"))
    assert "Caution" not in pain
