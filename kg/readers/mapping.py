"""Turn one mapping of field names to values (a JSON object, a CSV row) into a Paper.

Field names are matched case-insensitively. Recognised shapes:

* plain records: ``title``, ``abstract`` or ``summary``, optional ``id``, ``arxiv_id``,
  ``doi``, ``url``, ``date``/``published``/``year``, ``authors``;
* the daily-papers API item ``{"paper": {"id": <arXiv id>, "title", "summary",
  "authors": [{"name": ...}], "publishedAt"}, "title": ...}``;
* the arXiv metadata snapshot record (``id`` = arXiv id, ``authors_parsed``,
  ``versions`` with the first submission date, ``update_date``).
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from typing import Any

from kg.errors import InputError
from kg.readers.ids import make_paper
from kg.readers.latex import delatex
from kg.records import Paper

__all__ = ["paper_from_mapping", "split_authors"]

_ID_KEYS = ("id", "paper_id", "paperid", "identifier")
_ARXIV_KEYS = ("arxiv_id", "arxivid", "arxiv", "eprint")
_URL_KEYS = ("url", "link", "abs_url", "paper_url")
_DATE_KEYS = ("date", "published", "publishedat", "published_at", "year", "update_date")
_AUTHOR_KEYS = ("authors", "author")


class _BadRecord(Exception):
    """A record field has the wrong type or shape."""


def _lower_keys(record: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        out.setdefault(str(key).strip().lower(), value)
    return out


def _text(record: dict[str, Any], keys: tuple[str, ...], *, allow_int: bool = False) -> str | None:
    """The first non-empty value among ``keys``; it must be a string (or an int)."""
    for key in keys:
        value = record.get(key)
        if value is None:
            continue
        if allow_int and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise _BadRecord(f"field {key!r} must be a string, not {type(value).__name__}")
        if value.strip():
            return value
    return None


def _strip_parentheses(text: str) -> str:
    """Remove balanced (nested) parenthesised groups and the whitespace before them, e.g.
    affiliations in arXiv author lists; an unbalanced parenthesis is kept. Linear time."""
    if "(" not in text:
        return text
    out: list[str] = []
    opened: list[int] = []  # for each open "(": the length of ``out`` to cut back to
    for char in text:
        if char == "(":
            keep = len(out)
            while keep and out[keep - 1].isspace():
                keep -= 1
            opened.append(keep)
            out.append(char)
        elif char == ")" and opened:
            del out[opened.pop() :]
        else:
            out.append(char)
    return "".join(out)


_SPACES = re.compile(r"\s+")
_AUTHOR_SEP = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", re.IGNORECASE)


def split_authors(text: str) -> list[str]:
    """Split an author string: ``"A, B and C"`` or ``"A; B; C"``; LaTeX accents converted.

    >>> split_authors(r"C. Bal\\'azs, E. L. Berger (ANL) and C.-P. Yuan")
    ['C. Balázs', 'E. L. Berger', 'C.-P. Yuan']
    """
    text = delatex(text) if "\\" in text or "{" in text else text
    text = _strip_parentheses(_SPACES.sub(" ", text))
    parts = text.split(";") if ";" in text else _AUTHOR_SEP.split(text)
    return [part.strip() for part in parts if part.strip()]


def _author_name(item: Any) -> str | None:
    if isinstance(item, str):
        return delatex(item) if "\\" in item else item
    if isinstance(item, Mapping):
        lowered = _lower_keys(item)
        for key in ("name", "fullname", "full_name"):
            if isinstance(lowered.get(key), str):
                return str(lowered[key])
        return None
    if isinstance(item, (list, tuple)) and all(isinstance(x, str) for x in item):
        # arXiv ``authors_parsed``: [last, first, suffix]
        last, first, suffix = (list(item) + ["", "", ""])[:3]
        return " ".join(p for p in (first, last, suffix) if p)
    raise _BadRecord(f"author entries must be strings or objects, not {type(item).__name__}")


def _authors(record: dict[str, Any]) -> list[str]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed and all(isinstance(x, list) for x in parsed):
        return [name for name in map(_author_name, parsed) if name]
    for key in _AUTHOR_KEYS:
        value = record.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            return split_authors(value)
        if isinstance(value, list):
            return [name for name in map(_author_name, value) if name]
        raise _BadRecord(f"field {key!r} must be a list or a string, not {type(value).__name__}")
    return []


def _first_version_date(record: dict[str, Any]) -> str | None:
    """The v1 submission date of an arXiv snapshot record, as YYYY-MM-DD."""
    versions = record.get("versions")
    if not (isinstance(versions, list) and versions and isinstance(versions[0], Mapping)):
        return None
    created = versions[0].get("created")
    if not isinstance(created, str):
        return None
    try:
        return email.utils.parsedate_to_datetime(created).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _flatten(record: Mapping[Any, Any]) -> tuple[dict[str, Any], str | None]:
    """Merge a daily-papers API item's nested ``paper`` into one mapping; also return the
    nested paper's id, which is an arXiv id."""
    flat = _lower_keys(record)
    nested = flat.get("paper")
    if not isinstance(nested, Mapping):
        return flat, None
    inner = _lower_keys(nested)
    merged = {k: v for k, v in flat.items() if k != "paper"}
    merged.update({k: v for k, v in inner.items() if v is not None})
    arxiv = inner.get("id")
    return merged, arxiv if isinstance(arxiv, str) else None


def paper_from_mapping(record: Mapping[Any, Any], source: str, line: int) -> Paper | InputError:
    """The Paper described by ``record`` or the InputError saying why the record is bad."""
    try:
        flat, nested_arxiv = _flatten(record)
        title = _text(flat, ("title",))
        abstract = _text(flat, ("abstract", "summary"))
        if abstract is None:
            for key in ("abstract", "summary"):
                if isinstance(flat.get(key), str):
                    abstract = ""  # present but blank: "empty abstract", not "missing"
        return make_paper(
            source=source,
            line=line,
            title=title,
            abstract=abstract,
            arxiv_id=nested_arxiv or _text(flat, _ARXIV_KEYS),
            doi=_text(flat, ("doi",)),
            url=_text(flat, _URL_KEYS),
            date=_first_version_date(flat) or _text(flat, _DATE_KEYS, allow_int=True),
            authors=_authors(flat),
            candidates=(_text(flat, _ID_KEYS, allow_int=True),),
        )
    except _BadRecord as exc:
        return InputError(source, line, str(exc))
