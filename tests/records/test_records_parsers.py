"""Each parser on a hand-written sample file in its format's published layout: every
readable record is returned, each unreadable one is a problem naming file and record."""

from __future__ import annotations

from pathlib import Path

import pytest

from livingmeta.records import (
    normalize_doi,
    parse_csv_records,
    parse_ctgov_json,
    parse_medline,
    parse_pubmed_xml,
    parse_ris,
)

DATA = Path(__file__).parent / "data"


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_ris_keeps_good_records_and_names_bad_ones():
    records, problems = parse_ris(_read("sample.ris"), "sample.ris", database="Embase")
    assert [r.record_id for r in records] == ["sample.ris#1", "sample.ris#4"]
    first = records[0]
    assert first.title.startswith("Low-dose naltrexone for the treatment of fibromyalgia: "
                                  "a randomized, double-blind")
    assert first.authors[0] == "Younger, Jarred" and first.first_author == "Younger"
    assert (first.year, first.journal, first.doi) == (2013, "Arthritis & Rheumatism",
                                                      "10.1002/art.37734")
    assert first.registry_ids == ("NCT00568555",) and first.source_database == "Embase"
    assert records[1].pmid == "40000001" and records[1].type == "JOUR"
    text = [str(p) for p in problems]
    assert len(text) == 4
    assert text[0].startswith("sample.ris record 2") and "not a RIS tag line" in text[0]
    assert text[1].startswith("sample.ris record 2") and "has no title" in text[1]
    assert text[2].startswith("sample.ris record 3") and "no 'ER' before" in text[2]
    assert "'Low-dose naltrexone in fibromyalgia: an" in text[2]
    assert text[3].startswith("sample.ris record 5") and "has no title" in text[3]


def test_medline_reads_continuations_dois_and_registry_ids():
    records, problems = parse_medline(_read("sample.nbib"), "sample.nbib")
    assert [r.pmid for r in records] == ["19453963", "42385209"]
    pilot, innova = records
    assert pilot.title == ("Fibromyalgia symptoms are reduced by low-dose naltrexone: a "
                           "pilot study.")
    assert pilot.abstract.endswith("DESIGN: Single-blind, crossover.")
    assert pilot.authors == ("Younger J", "Mackey S") and pilot.year == 2009
    assert pilot.doi == "10.1111/j.1526-4637.2009.00613.x"
    assert pilot.journal == "Pain medicine (Malden, Mass.)"
    assert pilot.url == "https://pubmed.ncbi.nlm.nih.gov/19453963/"
    assert innova.registry_ids == ("NCT04739995",)
    assert innova.type == "Journal Article; Randomized Controlled Trial"
    assert innova.first_author == "Rodriguez-Freire"
    text = [str(p) for p in problems]
    assert len(text) == 3
    assert text[0].startswith("sample.nbib record 3 (PMID 38226027")
    assert "six spaces" in text[0]
    assert text[1].startswith("sample.nbib record 4") and "'PMID- '" in text[1]
    assert text[2].startswith("sample.nbib record 5") and "PMID must be digits" in text[2]


def test_pubmed_xml_reads_articles_and_names_the_bad_one():
    records, problems = parse_pubmed_xml(_read("sample_pubmed.xml"), "search.xml")
    assert [r.record_id for r in records] == ["search.xml#1", "search.xml#3"]
    vatvani, bested = records
    assert vatvani.title == ("Low-dose naltrexone for fibromyalgia: a systematic review "
                             "and meta-analysis.")
    assert vatvani.doi == "10.3344/kjp.24202" and vatvani.year == 2024
    assert vatvani.authors == ("Vatvani AD", "Patel P")
    assert vatvani.abstract.startswith("BACKGROUND: Fibromyalgia")
    assert vatvani.type == "Journal Article; Systematic Review"
    assert bested.year == 2023 and bested.registry_ids == ("NCT02806440",)
    assert bested.authors[-1] == "The LDN Study Group"
    assert bested.doi == "10.1097/pr9.0000000000001080"
    assert [str(p) for p in problems] == [
        "search.xml record 2 ('An article whose PMID element is missing'): has no PMID"]


@pytest.mark.parametrize("text, message", [
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><PubmedArticleSet/>',
     "refused"),
    ("<PubmedArticleSet><PubmedArticle>", "not well-formed XML"),
    ("<eSearchResult/>", "root element 'PubmedArticleSet'"),
])
def test_pubmed_xml_refuses_entities_and_reports_a_broken_file_once(text, message):
    records, problems = parse_pubmed_xml(text, "bad.xml")
    assert records == () and len(problems) == 1
    assert str(problems[0]).startswith("bad.xml: ") and message in str(problems[0])


def test_csv_rows_and_problems():
    records, problems = parse_csv_records(_read("sample.csv"), "web.csv")
    assert [r.record_id for r in records] == ["web.csv#1", "web.csv#2"]
    final = records[1]
    assert final.authors == ("Bruun KD", "Amris K") and final.first_author == "Bruun"
    assert final.doi == "10.1016/s2665-9913(23)00278-3"
    assert final.registry_ids == ("NCT04270877",)
    text = [str(p) for p in problems]
    assert text[0].startswith("web.csv record 3") and "has no title" in text[0]
    assert text[1].startswith("web.csv record 4") and "ISRCTN123" in text[1]
    assert text[2].startswith("web.csv record 5") and "four-digit year" in text[2]


def test_csv_without_title_column_is_one_problem():
    records, problems = parse_csv_records("name,year\nx,2020\n", "web.csv")
    assert records == () and "has no 'title' column" in str(problems[0])


def test_ctgov_study_list_and_single_study():
    records, problems = parse_ctgov_json(_read("sample_ctgov.json"), "ctgov.json")
    assert [r.registry_ids for r in records] == [("NCT04270877",), ("NCT00568555",)]
    final, younger = records
    assert final.source_database == "ClinicalTrials.gov" and final.year == 2020
    assert final.title == "Naltrexone for Fibromyalgia (FINAL)"
    assert final.authors == ("Kirstine Amris",) and final.first_author == "Amris"
    assert final.journal == "Frederiksberg University Hospital"
    assert final.type == "registry record (interventional)"
    assert younger.type == "registry record (study with results)"
    text = [str(p) for p in problems]
    assert text[0].startswith("ctgov.json record 2 (NCT0456")
    assert text[1] == "ctgov.json record 4: has no 'protocolSection' object"
    single, none = parse_ctgov_json(
        '{"protocolSection": {"identificationModule": {"nctId": "NCT04502251", '
        '"briefTitle": "LDN and tDCS"}}}', "one.json")
    assert single[0].record_id == "one.json#1" and none == ()
    assert "not valid JSON" in str(parse_ctgov_json("{", "x.json")[1][0])


def test_normalize_doi():
    assert normalize_doi(" http://dx.doi.org/10.1007/S11916-025-01411-1 ") == \
        "10.1007/s11916-025-01411-1"
    assert normalize_doi("doi: 10.3344/kjp.24202.") == "10.3344/kjp.24202"
