"""IRI minting for the RDF export: every IRI built from input is encoded or validated here.

Input is untrusted, so an IRI made from it must always parse and must never let a value
break out of ``<...>`` (e.g. a URL holding ``> <x> <y> .``). Two policies:

* identifiers we mint (entity ids, slugs, DOIs, arXiv ids) are percent-encoded per path
  segment: everything except RFC 3986 *unreserved* characters becomes ``%XX`` (UTF-8);
* URLs found in input (``Paper.url``, links in abstracts) are kept only when they are
  ``http``/``https`` with a host; characters not allowed in an IRI (space, ``<>"{}|\\^```,
  controls, stray ``%``, ...) are percent-encoded, and the result is checked with
  Oxigraph's RFC 3987 parser. Anything else is dropped (``None``).

>>> entity_iri("model/gpt-4o", DEFAULT_BASE_IRI)
'https://w3id.org/paper-kg/id/entity/model/gpt-4o'
>>> safe_http_iri('https://example.org/a b"> <x> <y> .')
'https://example.org/a%20b%22%3E%20%3Cx%3E%20%3Cy%3E%20.'
>>> safe_http_iri("javascript:alert(1)") is None
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph

from kg.errors import KGError

DEFAULT_BASE_IRI = "https://w3id.org/paper-kg/id/"
KG = "https://w3id.org/paper-kg/ontology#"

_HEX = frozenset("0123456789abcdefABCDEF")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
_PCHAR = _UNRESERVED | _SUB_DELIMS | {":", "@"}
_HOST_CHARS = _PCHAR | {"[", "]"}
_PATH_CHARS = _PCHAR | {"/"}
_QUERY_CHARS = _PCHAR | {"/", "?"}
# Characters that may never appear raw inside <...> in N-Triples/Turtle/SPARQL.
_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')


def _is_ucschar(cp: int) -> bool:
    """RFC 3987 ``ucschar``: non-ASCII code points allowed raw in an IRI (outside the query)."""
    if 0xA0 <= cp <= 0xD7FF or 0xF900 <= cp <= 0xFDCF or 0xFDF0 <= cp <= 0xFFEF:
        return True
    if 0x10000 <= cp <= 0xDFFFD:
        return (cp & 0xFFFF) <= 0xFFFD
    return 0xE1000 <= cp <= 0xEFFFD


def _pct(char: str) -> str:
    return quote(char, safe="", errors="surrogatepass")


def _encode_component(text: str, allowed: frozenset[str] | set[str]) -> str:
    """Percent-encode every character of ``text`` that is not allowed raw in the component.

    A ``%`` followed by two hex digits is kept (already encoded); a stray ``%`` becomes ``%25``.
    """
    out: list[str] = []
    for i, char in enumerate(text):
        # Unicode spaces and separators (U+00A0, U+2028, U+3000) are legal IRI characters
        # but rdflib's parsers reject them raw: encode them like ASCII spaces
        if char in allowed or (ord(char) > 0x7F and _is_ucschar(ord(char))
                               and unicodedata.category(char)[0] != "Z"):
            out.append(char)
        elif char == "%" and text[i + 1 : i + 2] in _HEX and text[i + 2 : i + 3] in _HEX:
            out.append(char)
        else:
            out.append(_pct(char))
    return "".join(out)


def is_valid_iri(iri: str) -> bool:
    """True when ``iri`` is an absolute RFC 3987 IRI that is safe to write inside ``<...>``."""
    if _FORBIDDEN.search(iri):
        return False
    try:
        pyoxigraph.NamedNode(iri)
    except (ValueError, TypeError):
        return False
    return ":" in iri


def check_base_iri(base_iri: str) -> str:
    """Return ``base_iri`` if it is a usable base (valid IRI ending in ``/`` or ``#``)."""
    if not is_valid_iri(base_iri) or not base_iri.endswith(("/", "#")):
        raise KGError(f"invalid base IRI {base_iri!r}: need an absolute IRI ending in '/' or '#'")
    return base_iri


def encode_segment(text: str) -> str:
    """Percent-encode ``text`` as one path segment (everything but RFC 3986 unreserved)."""
    return quote(text, safe="", errors="surrogatepass")


def encode_path(text: str) -> str:
    """Percent-encode each ``/``-separated segment of ``text``, keeping the slashes."""
    return "/".join(encode_segment(part) for part in text.split("/"))


def safe_http_iri(url: str | None) -> str | None:
    """An ``http``/``https`` URL as a safe IRI, or ``None`` when it cannot be one."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.netloc:
        return None
    iri = f"{scheme}://{_encode_component(parts.netloc, _HOST_CHARS)}"
    iri += _encode_component(parts.path, _PATH_CHARS)
    if parts.query or url.rstrip().endswith("?"):
        iri += "?" + _encode_component(parts.query, _QUERY_CHARS)
    if parts.fragment:
        iri += "#" + _encode_component(parts.fragment, _QUERY_CHARS)
    return iri if is_valid_iri(iri) else None


def file_iri(path: str) -> str | None:
    """``file:`` IRI of an absolute local path, or ``None`` for relative paths and URLs."""
    if "://" in path:
        return safe_http_iri(path)
    p = Path(path)
    if not p.is_absolute():
        return None
    try:
        iri = p.as_uri()
    except ValueError:
        return None
    iri = _encode_component(iri, _QUERY_CHARS | {"#"})
    return iri if is_valid_iri(iri) else None


def short_hash(*parts: object) -> str:
    """First 16 hex digits of the SHA-1 of ``parts`` joined by U+001F (unit separator)."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def paper_iri(
    paper_id: str, base_iri: str, *, arxiv_id: str | None = None, doi: str | None = None
) -> str:
    """IRI of a paper.

    ``https://arxiv.org/abs/<arxiv_id>`` when the arXiv id is known, else
    ``https://doi.org/<doi>``, else ``<base>paper/<slug>`` (the part after ``title:``).
    Without explicit ``arxiv_id``/``doi`` they are read from the ``arxiv:``/``doi:`` id prefix.

    >>> paper_iri("title:attention-is-all", "https://x.org/")
    'https://x.org/paper/attention-is-all'
    >>> paper_iri("doi:10.1000/a b", "https://x.org/")
    'https://doi.org/10.1000/a%20b'
    """
    prefix, sep, rest = paper_id.partition(":")
    if not arxiv_id and not doi and sep:
        if prefix == "arxiv" and rest:
            arxiv_id = rest
        elif prefix == "doi" and rest:
            doi = rest
    if arxiv_id:
        return "https://arxiv.org/abs/" + encode_path(arxiv_id.strip())
    if doi:
        return "https://doi.org/" + encode_path(doi.strip())
    slug = rest if (sep and prefix == "title" and rest) else paper_id
    return f"{base_iri}paper/{encode_segment(slug)}"


def entity_iri(entity_id: str, base_iri: str) -> str:
    """IRI of an entity: ``<base>entity/<id>``, each ``/``-segment of the id percent-encoded."""
    return f"{base_iri}entity/{encode_path(entity_id)}"


def annotation_iri(
    paper_id: str, field: str, start: int, end: int, entity: str, base_iri: str
) -> str:
    """Deterministic IRI of a mention's annotation: ``<base>annotation/<sha1[:16]>``."""
    return f"{base_iri}annotation/{short_hash(paper_id, field, start, end, entity)}"


def link_iri(source: str, target: str, base_iri: str) -> str:
    """Deterministic IRI of a paper-paper link: ``<base>link/<sha1(source, target)[:16]>``."""
    return f"{base_iri}link/{short_hash(source, target)}"
