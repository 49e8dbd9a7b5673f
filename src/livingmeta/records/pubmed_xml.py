"""PubMed XML (``PubmedArticleSet``, the efetch / "Save as XML" layout).

The file is parsed with :mod:`xml.etree.ElementTree` after a check that refuses any
``<!ENTITY`` declaration or internal DTD subset (entity expansion is how XML bombs and
external-entity reads work); the public ``<!DOCTYPE PubmedArticleSet PUBLIC ...>`` line
NLM writes has neither and is accepted (expat never fetches the external DTD). A file
that is not well-formed XML is one problem; a ``PubmedArticle`` without a PMID or a
title is a problem naming its position, and the others are still returned. Fields read
(paths below ``PubmedArticle``):

=====================================================  ==============================
``MedlineCitation/PMID``                               PubMed id
``.../Article/ArticleTitle``                           title (inner markup kept as text)
``.../Article/AuthorList/Author``                      ``LastName Initials`` or ``CollectiveName``
``.../Article/Journal/JournalIssue/PubDate``           ``Year``, else ``MedlineDate``
``.../Article/Journal/Title``                          journal
``.../Article/ELocationID[@EIdType='doi']``            DOI (else ``PubmedData/ArticleIdList``)
``.../Article/DataBankList/DataBank/AccessionNumber``  registry ids (``NCT...``)
``.../Article/Abstract/AbstractText``                  abstract (labelled parts joined)
``.../Article/PublicationTypeList/PublicationType``    type, joined with ``; ``
=====================================================  ==============================
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from livingmeta.records.model import (
    Record,
    check_fields,
    file_problem,
    make_record,
    record_problem,
    registry_ids_in,
    year_of,
)
from livingmeta.review.problems import ReviewProblem

__all__ = ["parse_pubmed_xml"]

_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.DOTALL)


def _text(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def parse_pubmed_xml(text: str, file: str, *, database: str = "PubMed"
                     ) -> tuple[tuple[Record, ...], tuple[ReviewProblem, ...]]:
    """Records of a PubMed XML file and a problem per unreadable article.

    Parameters
    ----------
    text : str
        The file's content.
    file : str
        Its name, used in record ids and problems.
    database : str
        The database it was exported from (default ``PubMed``).

    Returns
    -------
    records, problems

    Examples
    --------
    >>> xml = ("<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"
    ...        "<Article><ArticleTitle>A <i>trial</i></ArticleTitle></Article>"
    ...        "</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    >>> records, problems = parse_pubmed_xml(xml, "search.xml")
    >>> records[0].title, records[0].pmid
    ('A trial', '1')
    """
    if "<!ENTITY" in text or _INTERNAL_SUBSET.search(text):
        return (), (file_problem(file, "declares XML entities or an internal DTD subset: "
                                       "refused (PubMed's own exports have none)"),)
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as error:
        return (), (file_problem(file, f"is not well-formed XML: {error}"),)
    if root.tag != "PubmedArticleSet":
        return (), (file_problem(file, f"must have the root element 'PubmedArticleSet', "
                                       f"got {root.tag!r}"),)
    records: list[Record] = []
    problems: list[ReviewProblem] = []
    for number, article in enumerate(root.findall("PubmedArticle"), start=1):
        record, found = _article(article, file, number, database)
        problems.extend(found)
        if record is not None:
            records.append(record)
    return tuple(records), tuple(problems)


def _article(node: ET.Element, file: str, number: int, database: str
             ) -> tuple[Record | None, list[ReviewProblem]]:
    citation = node.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    pmid = _text(citation.find("PMID")) if citation is not None else ""
    title = _text(article.find("ArticleTitle")) if article is not None else ""
    ident = f"PMID {pmid}" if pmid else ""
    if citation is None or article is None:
        return None, [record_problem(file, number, "has no MedlineCitation/Article element",
                                     ident=ident)]
    doi = ""
    for loc in article.findall("ELocationID"):
        if loc.get("EIdType") == "doi":
            doi = _text(loc)
    for aid in node.findall("PubmedData/ArticleIdList/ArticleId"):
        if aid.get("IdType") == "doi" and not doi:
            doi = _text(aid)
    date = article.find("Journal/JournalIssue/PubDate")
    year_text = ""
    if date is not None:
        year_text = _text(date.find("Year")) or _text(date.find("MedlineDate"))
    found = check_fields(file, number, title=title, ident=ident, doi=doi, pmid=pmid,
                         year_text=year_text)
    if not pmid:
        found.insert(0, record_problem(file, number, "has no PMID", title=title))
    if found:
        return None, found
    authors: list[str] = []
    for author in article.findall("AuthorList/Author"):
        collective = _text(author.find("CollectiveName"))
        last = _text(author.find("LastName"))
        initials = _text(author.find("Initials"))
        name = collective or " ".join(x for x in (last, initials) if x)
        if name:
            authors.append(name)
    parts = []
    for part in article.findall("Abstract/AbstractText"):
        label = part.get("Label")
        parts.append(f"{label}: {_text(part)}" if label else _text(part))
    accessions = [_text(a) for a in article.findall(
        "DataBankList/DataBank/AccessionNumberList/AccessionNumber")]
    return make_record(
        file, number, database, title=title, authors=tuple(authors),
        year=year_of(year_text), journal=_text(article.find("Journal/Title")), doi=doi,
        pmid=pmid, registry_ids=registry_ids_in(*accessions), abstract=" ".join(parts),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        type="; ".join(_text(t) for t in article.findall(
            "PublicationTypeList/PublicationType"))), []
