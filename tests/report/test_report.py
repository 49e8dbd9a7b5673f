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


def test_report_with_appraisal_has_sof_rob_and_prisma(tmp_path):
    """``livingmeta run`` passes the appraisal: the SoF (also docx/md), GRADE tables,
    risk-of-bias plots, RoB columns on the forest plot and the PRISMA diagram appear."""
    import json
    import warnings

    import docx

    from livingmeta.appraisal import appraise_review
    from livingmeta.report import write_report
    from livingmeta.report.appraisal import APPRAISAL_HEADINGS
    from livingmeta.review import embedded_review_path, load_review, run_review

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = load_review(embedded_review_path())
        result = run_review(review)
        appraisal = appraise_review(review, result)
        index = write_report(result, tmp_path / "report", appraisal=appraisal)
    page = index.read_text()
    for heading in APPRAISAL_HEADINGS:
        assert heading in page
    assert 'id="fig-prisma-flow"' in page and 'id="fig-pain-rob-traffic-light"' in page
    assert "Cohen&#39;s kappa" in page or "Cohen's kappa" in page
    folder = index.parent
    saved = json.loads((folder / "appraisal.json").read_text())
    assert saved["prisma"]["studies_included"] == appraisal.records.flow.studies_included
    table = docx.Document(str(folder / "summary-of-findings.docx")).tables[0]
    labels = [row.cells[0].text for row in table.rows]
    assert any("Pain intensity" in label for label in labels)
    assert "Certainty" in (folder / "summary-of-findings.md").read_text() or \
        "certainty" in (folder / "summary-of-findings.md").read_text().lower()


def test_forest_plot_carries_rob_columns_when_assessed():
    import warnings

    from livingmeta.appraisal import appraise_review
    from livingmeta.report.figures import build_figures
    from livingmeta.review import embedded_review_path, load_review, run_review

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = load_review(embedded_review_path())
        result = run_review(review)
        figures = {f.id: f for f in build_figures(result, appraise_review(review, result))}
    headers = [c.header for c in figures["pain-smd-forest"].display.columns]
    assert "RoB" in headers and "D1" in headers
    plain = {f.id: f for f in build_figures(result)}
    assert "RoB" not in [c.header for c in plain["pain-smd-forest"].display.columns]
