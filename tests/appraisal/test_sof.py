"""Summary of Findings: absolute effects by hand, the LDN rows, the renderers, docx."""

from __future__ import annotations

import math

import docx
import pytest
from test_grade_fixtures import effect, pooled

from livingmeta.appraisal import appraise_review
from livingmeta.appraisal.sof import SOF_COLUMNS, per_1000, risk_with_intervention
from livingmeta.errors import ParameterError
from livingmeta.review import embedded_review_path, load_review, run_review


def test_absolute_effects_by_hand():
    # RR: 300 per 1,000 x 0.8 = 240
    assert per_1000(risk_with_intervention(0.3, 0.8, "RR")) == 240
    # OR 0.8 at CR 0.3: 0.24 / (0.7 + 0.24) = 0.255319 -> 255 per 1,000
    assert per_1000(risk_with_intervention(0.3, 0.8, "OR")) == 255
    # OR 2 at CR 0.1: 0.2 / 1.1 = 0.181818 -> 182
    assert per_1000(risk_with_intervention(0.1, 2.0, "OR")) == 182
    assert risk_with_intervention(0.8, 2.0, "RR") == 1.0  # capped
    assert per_1000(0.0005) == 1 and per_1000(0.0004999) == 0
    with pytest.raises(ParameterError):
        risk_with_intervention(0.3, 0.8, "RD")


@pytest.fixture(scope="module")
def ldn():
    """The LDN SoF as ``livingmeta run`` builds it: GRADE with the folder's RoB 2."""
    review = load_review(embedded_review_path())
    return appraise_review(review, run_review(review)).sof


def test_ldn_rows(ldn):
    rows = {r.outcome: r for r in ldn.rows}
    assert list(rows) == ["pain", "ae_any", "withdrawal_ae", "responders30"]
    pain = rows["pain"]
    assert pain.participants_cell() == "283 (4 RCTs)"
    assert pain.relative_effect == "—"
    assert pain.difference.startswith("SMD 0.15 lower (0.57 lower to 0.27 higher)")
    assert "0.25 lower on the 0-10 pain NRS" in pain.difference  # -0.153 x 1.6
    assert "MD 0.03 higher" in pain.difference
    assert (pain.certainty, pain.symbols) == ("Low", "⊕⊕◯◯")
    ae = rows["ae_any"]
    # control arms 43/50 + 36/50 = 79/100; RR from the pooled log RR
    assert ae.control_per_1000 == 790
    assert ae.relative_effect == "RR 0.97 (0.87 to 1.08)"
    assert ae.intervention_per_1000 is not None
    assert ae.intervention_per_1000[0] == per_1000(0.79 * math.exp(-0.032972007))
    # rated down once for risk of bias: all the weight has some concerns (rob2.csv)
    assert ae.participants_cell() == "197 (2 RCTs)" and ae.certainty == "Moderate"
    wd = rows["withdrawal_ae"]
    # risk of bias (serious) and imprecision (very serious, one trial): Very low
    assert wd.control_per_1000 == 60 and wd.certainty == "Very low"
    # FINAL 4/49 vs 3/50: RR 1.36, 60 x 1.3605 = 81.6 -> 82 per 1,000
    assert wd.risk_intervention.startswith("82 per 1,000")
    assert any("Single study (FINAL 2024)" in f for f in wd.footnotes)
    resp = rows["responders30"]
    assert resp.relative_effect == "RR 1.60 (0.93 to 2.76)" and resp.certainty == "Very low"
    assert resp.control_per_1000 == 280


def test_footnotes_are_lettered_once(ldn):
    letters = [k for k, _ in ldn.footnotes]
    assert letters == [chr(ord("a") + i) for i in range(len(letters))]
    texts = [t for _, t in ldn.footnotes]
    assert len(set(texts)) == len(texts)
    pain = ldn.rows[0]
    assert ldn.letters(pain).startswith("a")
    assert any(t.startswith("Imprecision: serious") and "Suggested from the analysis: "
               "very serious" in t for t in texts)


def test_renderers(ldn):
    md = ldn.as_markdown()
    assert "| " + " | ".join(SOF_COLUMNS) + " |" in md and "⊕⊕◯◯ Low" in md
    page = ldn.as_html()
    assert page.count("<tr>") == 1 + len(ldn.rows) and "lm-sof" in page
    d = ldn.to_dict()
    assert d["rows"][0]["letters"] and d["assessments"][0]["outcome"] == "pain"


def test_docx_round_trip(ldn, tmp_path):
    path = ldn.to_docx(tmp_path / "sof.docx")
    document = docx.Document(str(path))
    table = document.tables[0]
    assert len(table.rows) == 1 + len(ldn.rows)
    assert [c.text for c in table.rows[0].cells] == list(SOF_COLUMNS)
    assert table.rows[1].cells[0].text.startswith("Pain intensity")
    assert table.rows[2].cells[2].text == "RR 0.97 (0.87 to 1.08)"
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    text = "\n".join(p.text for p in document.paragraphs)
    assert "a. Risk of bias" in text and "GRADE Working Group" in text


def test_constructed_or_outcome_uses_the_or_conversion():
    from livingmeta.appraisal import GradeSettings, grade_outcome
    from livingmeta.appraisal.sof import _row
    from livingmeta.review.results import OutcomeResult
    from livingmeta.review.spec import Outcome

    e = [effect("A", math.log(2.0), 0.05, n1=100, n2=100, ai=18, ci=10, measure="OR")]
    r = pooled(e, estimate=math.log(2.0), ci=(math.log(1.0), math.log(4.0)), measure="OR")
    o = OutcomeResult(Outcome("o", "Events", "OR", (), "lower", "", True, True), (r,))
    a = grade_outcome(r, settings=GradeSettings())
    from livingmeta.appraisal._grade_toml import SofSettings

    row = _row(o, a, SofSettings(), 0.95)
    # CR 0.1: OR 2 -> 182; OR 1 -> 100; OR 4 -> 0.4/1.3 = 308
    assert row.control_per_1000 == 100 and row.intervention_per_1000 == (182, 100, 308)
    assert row.difference == "82 more per 1,000 (0 more to 208 more)"
