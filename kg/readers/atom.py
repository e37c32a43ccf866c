"""Reader of Atom feeds such as the arXiv API's query responses (``atom``).

Each ``<entry>`` gives one paper: ``id`` (``http://arxiv.org/abs/1911.12281v2`` -> arXiv
id ``1911.12281``), ``title``, ``summary``, ``author/name``, ``published``, ``arxiv:doi``
and the ``alternate`` link. XML with a DOCTYPE (hence entity declarations) is refused so
that no entity expansion can happen (the standard library parser is not hardened).
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.readers.ids import make_paper
from kg.readers.source import bom_encoding, read_bytes
from kg.records import Paper

__all__ = ["ATOM_NS", "read_atom"]

ATOM_NS = "http://www.w3.org/2005/Atom"
_ARXIV_NS = "http://arxiv.org/schemas/atom"
_A = f"{{{ATOM_NS}}}"
_DOCTYPE = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ENTRY_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?entry[\s>/]")
_COMMENT_OR_CDATA = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.DOTALL)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z][\w.:-]{0,40})["']""")


def _decode(path: Path) -> str:
    """The text of an XML file: by its BOM, else the encoding its declaration names, else
    UTF-8 (XML 1.0, section 4.3.3)."""
    data = read_bytes(path)
    codec, skip = bom_encoding(data[:4])
    declared = None if skip else _DECLARED.match(data[:256])
    if declared:
        name = declared.group(1).decode("ascii")
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            raise InputError(str(path), 1, f"unknown encoding {name!r} in the XML declaration") from None
        if codec.startswith(("utf-16", "utf-32")):  # without a BOM: a wrong declaration
            codec = "utf-8"
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, skip + exc.start) + 1
        raise InputError(
            str(path), line, f"cannot decode bytes as {codec} at byte offset {skip + exc.start}"
        ) from None
    except (UnicodeError, LookupError) as exc:  # e.g. a codec that is not a text encoding
        raise InputError(str(path), 1, f"cannot decode as {codec}: {exc}") from None


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _entry_lines(text: str, count: int) -> list[int]:
    """The line of each ``<entry>`` start tag (0s when the tags cannot be matched up)."""
    blanked = _COMMENT_OR_CDATA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    starts = [m.start() for m in _ENTRY_TAG.finditer(blanked)]
    if len(starts) != count:
        return [0] * count
    lines, line, counted = [], 1, 0
    for start in starts:
        line += text.count("\n", counted, start)
        counted = start
        lines.append(line)
    return lines


def _text(element: ET.Element | None) -> str | None:
    return None if element is None else "".join(element.itertext())


def _entry_paper(entry: ET.Element, source: str, line: int) -> Paper | InputError:
    entry_id = (_text(entry.find(_A + "id")) or "").strip()
    summary = _text(entry.find(_A + "summary"))
    if summary is None:
        summary = _text(entry.find(_A + "content"))
    if "arxiv.org/api/errors" in entry_id:
        return InputError(source, line, f"arXiv API error entry: {(summary or '').strip()}")
    url = None
    for link in entry.findall(_A + "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            url = link.get("href")
            break
    if url is None and entry_id.startswith(("http://", "https://")):
        url = entry_id
    published = _text(entry.find(_A + "published")) or _text(entry.find(_A + "updated"))
    return make_paper(
        source=source,
        line=line,
        title=_text(entry.find(_A + "title")),
        abstract=summary,
        doi=_text(entry.find(f"{{{_ARXIV_NS}}}doi")),
        url=url,
        date=published,
        authors=[_text(a.find(_A + "name")) or "" for a in entry.findall(_A + "author")],
        candidates=(entry_id,),
    )


def read_atom(path: Path) -> Iterator[Paper | InputError]:
    """Papers (and bad entries as InputError) from an Atom feed, parsed whole."""
    source = str(path)
    text = _decode(path)
    doctype = _DOCTYPE.search(text)
    if doctype:
        raise InputError(
            source, _line_at(text, doctype.start()),
            "XML with a DOCTYPE or ENTITY declaration is refused (entity expansion guard)",
        )
    # The text is already decoded: drop the declaration (its encoding= no longer applies),
    # keeping the line count intact.
    text = _DECLARATION.sub(lambda m: "\n" * m.group(0).count("\n"), text, count=1)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        message = str(exc).split(":", 1)[0]
        raise InputError(source, exc.position[0], f"invalid XML: {message}") from None
    if root.tag == _A + "entry":
        entries = [root]
    elif root.tag == _A + "feed":
        entries = root.findall(_A + "entry")
    else:
        raise InputError(source, None, f"not an Atom feed (root element is <{root.tag}>)")
    for entry, line in zip(entries, _entry_lines(text, len(entries)), strict=True):
        yield _entry_paper(entry, source, line)
