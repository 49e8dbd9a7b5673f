"""What the LDN report holds: every section, one inline SVG per figure, nothing loaded
from outside, the methods and their references, and escaped data."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

from livingmeta.report import MARKER_FILE, SECTION_HEADINGS, render_report_html
from livingmeta.report.figures import build_figures
from livingmeta.report.methods import REFERENCES, methods_text
from livingmeta.review import embedded_review_path, load_review, run_review

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RESOURCE_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "data", "poster", "action",
                       "background", "formaction"}


class _References(HTMLParser):
    """Every attribute that makes a browser load (or link to) something."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in RESOURCE_ATTRIBUTES and value is not None:
                self.refs.append((tag, name, value))


def _references(page):
    parser = _References()
    parser.feed(page)
    return parser


def test_report_folder_holds_index_json_figures_and_marker(ldn_report, ldn_result):
    folder = ldn_report.parent
    assert ldn_report.name == "index.html"
    assert (folder / MARKER_FILE).is_file()
    data = json.loads((folder / "report.json").read_text())
    assert data == json.loads(json.dumps(ldn_result.to_dict()))
    for fig in build_figures(ldn_result):
        assert (folder / "figures" / f"{fig.id}.svg").read_text().lstrip().startswith("<?xml")
        assert (folder / "figures" / f"{fig.id}.png").read_bytes().startswith(PNG_MAGIC)


def test_every_section_heading_is_there(ldn_report, ldn_result):
    page = ldn_report.read_text()
    for heading in SECTION_HEADINGS:
        assert f">{heading}</h2>" in page
    for outcome in ldn_result.outcomes:
        assert f">{outcome.outcome.label.replace('>', '&gt;')}</h3>" in page
        for res in outcome.measures:
            assert f'id="{outcome.outcome.id}-{res.measure}-h"'.lower() in page
    for title in ("primary result under each method profile", "sensitivity analyses",
                  "by design", "by dose_mg", "cumulative meta-analysis by publication year",
                  "leave-one-out", "influence diagnostics", "Small-study effects",
                  "Every study effect: value, conversion, assumptions and source",
                  "References"):
        assert title in page


def test_one_inline_svg_per_expected_figure(ldn_report, ldn_result):
    page = ldn_report.read_text()
    ids = [f.id for f in build_figures(ldn_result)]
    expected = {"pain-smd-forest", "pain-md-forest", "ae-any-rr-forest", "ae-any-or-forest",
                "withdrawal-ae-rr-forest", "withdrawal-ae-or-forest", "responders30-rr-forest",
                "responders30-or-forest", "pain-smd-subgroups-design",
                "pain-smd-subgroups-dose-mg", "pain-smd-cumulative", "pain-smd-baujat",
                "pain-smd-funnel", "ae-any-rr-cumulative", "syntheses-pain-smd",
                "syntheses-pain-md"}
    assert expected <= set(ids)
    assert len(ids) == len(set(ids))
    assert page.count("<svg ") == len(ids)
    for fid in ids:
        figure = re.search(rf'<figure id="fig-{fid}">\s*<svg [^>]*role="img"[^>]*>'
                           rf'<title id="{fid}-title">[^<]+</title>', page)
        assert figure is not None, fid
    # ids inside the inline SVGs are unique across the page
    all_ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(all_ids) == len(set(all_ids))


def test_nothing_is_loaded_from_outside(ldn_report):
    page = ldn_report.read_text()
    parsed = _references(page)
    assert not parsed.tags & {"script", "link", "iframe", "img", "object", "embed"}
    for tag, name, value in parsed.refs:
        if re.match(r"(?i)\s*(https?:)?//", value):
            assert (tag, name) == ("a", "href"), (tag, name, value)
        else:
            assert value.startswith(("#", "figures/", "report.json")), (tag, name, value)
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    links = [v for t, n, v in parsed.refs if t == "a" and v.startswith("http")]
    assert "https://thehealththread.com/research/article/42385209" in links


def test_answer_states_the_latest_year_and_the_small_study_caveat(ldn_report):
    page = ldn_report.read_text()
    assert "Latest study year in the data: 2026 (INNOVA 2026)." in page
    assert "Adding INNOVA 2026 moved the pooled SMD from" in page
    assert "fewer than 10 studies, so funnel-plot tests cannot distinguish" in page
    assert "shown, not pooled" in page


def test_methods_cite_what_was_run_and_list_exactly_those_references(ldn_result):
    methods = methods_text(ldn_result)
    text = " ".join(methods.paragraphs)
    for key in ("DerSimonian & Laird 1986", "Viechtbauer 2005", "Hartung & Knapp 2001",
                "Knapp & Hartung 2003", "Viechtbauer 2007", "Higgins & Thompson 2002",
                "Riley et al. 2011", "Hedges 1981", "Elbourne et al. 2002",
                "Cochrane Handbook ch. 6", "Cochrane Handbook ch. 23", "Egger et al. 1997",
                "Begg & Mazumdar 1994", "Duval & Tweedie 2000", "Mantel & Haenszel 1959"):
        assert key in text
        assert REFERENCES[key] in methods.references
    cited = [key for key in REFERENCES if key in text]
    assert len(methods.references) == len(cited)


def test_html_in_the_data_is_escaped(tmp_path):
    folder = tmp_path / "review"
    shutil.copytree(embedded_review_path(), folder)
    evil = "Younger <script>alert(1)</script> 2013"
    for name in ("studies.csv", "data.csv"):
        path = folder / name
        path.write_text(path.read_text().replace("Younger 2013", evil))
    result = run_review(load_review(folder))
    assert evil in {e.study for e in result.provenance_rows()}
    page = render_report_html(result)
    assert "<script" not in page
    assert "Younger &lt;script&gt;alert(1)&lt;/script&gt; 2013" in page


def test_single_study_outcomes_are_shown_not_pooled(ldn_result):
    figures = {f.id: f for f in build_figures(ldn_result)}
    for fid in ("withdrawal-ae-rr-forest", "responders30-or-forest"):
        plot = figures[fid].display
        assert plot.rows_of_kind("study")[0].label.startswith("FINAL 2024")
        assert plot.rows_of_kind("overall") == () and plot.notes == ()
        assert "not pooled" in figures[fid].title
    pooled = figures["ae-any-rr-forest"].display
    assert [c.header for c in pooled.columns][1:3] == ["LDN\nevents/total",
                                                        "placebo\nevents/total"]
    assert pooled.rows_of_kind("study")[0].cells == ("41/49", "43/50")
