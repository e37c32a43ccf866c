"""Stable paper ids and the one place where a :class:`~kg.records.Paper` is built.

Id rules (see :func:`paper_id`): ``arxiv:<id>`` when an arXiv id is known (version
suffix and ``arXiv:`` prefix dropped, old-style ``hep-th/9901001`` ids accepted, ids
recognised in arxiv.org and huggingface.co/papers URLs and in arXiv DOIs), else
``doi:<lower-cased doi>``, else ``title:<slug of the normalised title>``.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

from kg.errors import InputError
from kg.records import Paper
from kg.text import find_urls, normalize_whitespace, short_hash, slugify

__all__ = [
    "MAX_ABSTRACT_CHARS",
    "MAX_ID_CHARS",
    "MAX_RUN_CHARS",
    "MAX_TITLE_CHARS",
    "TITLE_SLUG_LENGTH",
    "make_paper",
    "normalize_date",
    "paper_id",
    "parse_arxiv_id",
    "parse_doi",
    "title_id",
]

TITLE_SLUG_LENGTH = 80
# Size limits of one record (characters, after whitespace normalisation); a record over a
# limit is skipped with a warning. No real title or abstract comes near them (arXiv caps
# abstracts at 1,920 characters); they bound the work hostile input can cause: the
# extraction pipeline reads title + abstract as one spaCy Doc (at most 1,000,000
# characters), and spaCy's tokenizer takes time growing with the square of the length of a
# run without whitespace ("((((...": 0.1 s for 1,000 characters, 30 minutes for 100,000).
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 100_000
MAX_RUN_CHARS = 1_000  # the longest run without whitespace in a title or abstract
# Strings longer than this are never taken for an arXiv id or a DOI.
MAX_ID_CHARS = 1_000

_NEW_ID = re.compile(r"(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?")
_OLD_ID = re.compile(r"([a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?/(\d{7})(?:v\d+)?", re.IGNORECASE)
_ARXIV_URL = re.compile(
    r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/(.+?)(?:\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE,
)
_HF_URL = re.compile(r"https?://(?:www\.)?huggingface\.co/papers/([^/?#]+)", re.IGNORECASE)
_ARXIV_PREFIX = re.compile(r"(?:arxiv\s*:\s*|arxiv/)", re.IGNORECASE)

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(
    r"(?:https?://(?:dx\.)?doi\.org/|doi\s*:\s*|info:doi/)", re.IGNORECASE
)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.IGNORECASE)
_RUN = re.compile(r"\S+")
_ISO_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d")


def parse_arxiv_id(value: str | None) -> str | None:
    """The canonical arXiv id in ``value`` (an id, ``arXiv:`` id or arXiv/HF URL), or None.

    >>> parse_arxiv_id("arXiv:2410.17243v2"), parse_arxiv_id("hep-th/9901001v1")
    ('2410.17243', 'hep-th/9901001')
    >>> parse_arxiv_id("https://huggingface.co/papers/2410.17243")
    '2410.17243'
    """
    if not value or len(value) > MAX_ID_CHARS:
        return None
    text = value.strip()
    for pattern in (_ARXIV_URL, _HF_URL):
        match = pattern.fullmatch(text)
        if match:
            text = urllib.parse.unquote(match.group(1))
            break
    else:
        doi = _ARXIV_DOI.fullmatch(text)
        if doi:
            text = doi.group(1)
    prefix = _ARXIV_PREFIX.match(text)
    if prefix:
        text = text[prefix.end() :].strip()
    match = _NEW_ID.fullmatch(text)
    if match:
        return match.group(1)
    match = _OLD_ID.fullmatch(text)
    if match:  # the subject class ("math.AG/...") is not part of the canonical id
        return f"{match.group(1).lower()}/{match.group(2)}"
    return None


def parse_doi(value: str | None) -> str | None:
    """The lower-cased DOI in ``value`` (a DOI, ``doi:`` DOI or doi.org URL), or None.

    >>> parse_doi("https://doi.org/10.1103/PhysRevD.76.013009")
    '10.1103/physrevd.76.013009'
    """
    if not value or len(value) > MAX_ID_CHARS:
        return None
    text = value.strip()
    prefix = _DOI_PREFIX.match(text)
    if prefix:
        text = urllib.parse.unquote(text[prefix.end() :])
    parts = text.split()
    if not parts:
        return None
    text = parts[0].rstrip(".,;")
    return text.lower() if _DOI.fullmatch(text) else None


def title_id(title: str) -> str:
    """``title:<slug>`` of a title: deterministic, at most ~90 characters."""
    slug = slugify(title, max_length=TITLE_SLUG_LENGTH)
    if not slug:  # a title of punctuation only
        slug = short_hash(normalize_whitespace(title).casefold())
    return f"title:{slug}"


def paper_id(arxiv_id: str | None, doi: str | None, title: str) -> str:
    """The stable id of a paper: arXiv id, else DOI, else the title slug."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if doi:
        return f"doi:{doi}"
    return title_id(title)


def normalize_date(value: str | int | None) -> str | None:
    """A date as given, except that an ISO date-time keeps only its date part."""
    if value is None:
        return None
    text = normalize_whitespace(str(value))
    match = _ISO_DATETIME.match(text)
    return match.group(1) if match else (text or None)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def make_paper(
    *,
    source: str,
    line: int,
    title: str | None,
    abstract: str | None,
    arxiv_id: str | None = None,
    doi: str | None = None,
    url: str | None = None,
    date: str | int | None = None,
    authors: Iterable[str] = (),
    candidates: Iterable[str | None] = (),
) -> Paper | InputError:
    """Build a :class:`Paper` from raw field values, or the InputError of a bad record.

    Title, abstract and authors are whitespace-normalised. ``candidates`` are further
    strings (a generic ``id`` field, an eprint number...) in which an arXiv id or a DOI
    may be found; ``url`` is searched too. A missing title or an empty abstract makes the
    record bad.
    """
    clean_title = normalize_whitespace(title or "")
    if not clean_title:
        return InputError(source, line, "missing title")
    if len(clean_title) > MAX_TITLE_CHARS:
        return InputError(
            source, line,
            f"title too long ({len(clean_title):,} characters; the limit is {MAX_TITLE_CHARS:,})",
        )
    if abstract is None:
        return InputError(source, line, "missing abstract")
    clean_abstract = normalize_whitespace(abstract)
    if not clean_abstract:
        return InputError(source, line, "empty abstract")
    if len(clean_abstract) > MAX_ABSTRACT_CHARS:
        return InputError(
            source, line,
            f"abstract too long ({len(clean_abstract):,} characters; "
            f"the limit is {MAX_ABSTRACT_CHARS:,})",
        )
    for name, text in (("title", clean_title), ("abstract", clean_abstract)):
        run = next((m for m in _RUN.finditer(text) if m.end() - m.start() > MAX_RUN_CHARS), None)
        if run:
            return InputError(
                source, line,
                f"{name} has a run of more than {MAX_RUN_CHARS:,} characters without a space "
                f"(starting {run.group()[:20]!r})",
            )
    pool = [c.strip() for c in candidates if c and c.strip()]
    clean_url = url.strip() if url and re.match(r"https?://\S+$", url.strip(), re.I) else None
    found_doi = next(filter(None, (parse_doi(c) for c in (doi, *pool, clean_url))), None)
    found_arxiv = next(
        filter(None, (parse_arxiv_id(c) for c in (arxiv_id, *pool, clean_url, found_doi))),
        None,
    )
    if clean_url is None:
        if found_arxiv:
            clean_url = f"https://arxiv.org/abs/{found_arxiv}"
        elif found_doi:
            clean_url = f"https://doi.org/{found_doi}"
    return Paper(
        id=paper_id(found_arxiv, found_doi, clean_title),
        title=clean_title,
        abstract=clean_abstract,
        arxiv_id=found_arxiv,
        doi=found_doi,
        url=clean_url,
        date=normalize_date(date),
        authors=_unique(normalize_whitespace(a) for a in authors),
        links=find_urls(clean_abstract),
        source=source,
        line=line,
    )
