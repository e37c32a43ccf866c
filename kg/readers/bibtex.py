"""A small, forgiving BibTeX reader (``bibtex``).

Entries ``@type{key, field = {value} | "value" | 123 | macro # ..., ...}`` (or with
parentheses) are parsed with nested braces; ``@string`` macros are expanded,
``@comment`` and ``@preamble`` are skipped, text between entries is ignored. Field values
go through :func:`~kg.readers.latex.delatex` (``{BERT}`` -> ``BERT``, ``{\\"o}`` -> ``ö``).
``author`` is split on ``and`` ("Last, First" becomes "First Last"). The arXiv id comes
from ``eprint`` (with ``archivePrefix = {arXiv}`` or an arXiv-shaped eprint), an
``arxiv``/``arxivid`` field, ``journal = {arXiv preprint arXiv:...}`` or the ``url``.
An entry without an abstract, or one that cannot be parsed, is a bad record whose line is
the line of its ``@``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.readers.ids import make_paper, parse_arxiv_id
from kg.readers.latex import delatex
from kg.readers.source import read_text_lenient
from kg.records import Paper

__all__ = ["parse_bibtex", "read_bibtex", "split_bibtex_authors"]

_ENTRY_START = re.compile(r"@[ \t]*([A-Za-z][\w-]*)\s*([{(])")
# An entry's text ends at the latest before the next line that starts an entry: parsing
# never looks past it, so a broken entry costs time in proportion to its own length.
_BOUNDARY = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]", re.MULTILINE)
_KEY = re.compile(r"\s*(?:[^\s,{}()=\"#]+\s*)?(?:,|(?=[})]))")
_RESYNC = re.compile(r"^[ \t]*@", re.MULTILINE)
_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_WS = re.compile(r"\s*")
_BRACES = re.compile(r"[{}]")
_QUOTE_STOPS = re.compile(r'[{}"]')
_JOURNAL_ARXIV = re.compile(
    r"arxiv(?:\s*:\s*|\s+)(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[a-z]{2})?/\d{7})", re.IGNORECASE
)
_MONTHS = {
    m: str(i)
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


class _BibError(Exception):
    """Malformed entry text; ``pos`` is where the parser gave up."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


class _Parser:
    """Parses the fields of one entry in ``text[:end]`` (positions are into ``text``)."""

    def __init__(self, text: str, end: int, macros: dict[str, str]) -> None:
        self.text, self.end, self.macros = text, end, macros

    def skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos, self.end)
        return match.end() if match else pos

    def at(self, pos: int, char: str) -> bool:
        return self.text.startswith(char, pos, self.end)

    def braced(self, pos: int) -> tuple[str, int]:
        """The content of the balanced ``{...}`` group at ``text[pos]``, and the end."""
        depth = 0
        for match in _BRACES.finditer(self.text, pos, self.end):
            if match.group() == "{":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return self.text[pos + 1 : match.start()], match.end()
        raise _BibError("unbalanced braces", pos)

    def quoted(self, pos: int) -> tuple[str, int]:
        """The content of the ``"..."`` value at ``text[pos]`` (quotes inside braces are
        text)."""
        depth = 0
        for match in _QUOTE_STOPS.finditer(self.text, pos + 1, self.end):
            ch, i = match.group(), match.start()
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif depth <= 0 and self.text[i - 1] != "\\":
                return self.text[pos + 1 : i], i + 1
        raise _BibError("unterminated quoted value", pos)

    def value(self, pos: int) -> tuple[str, int]:
        """A field value (pieces joined by ``#``) starting at ``pos``, and the end position."""
        pieces: list[str] = []
        while True:
            pos = self.skip(pos)
            if self.at(pos, "{"):
                piece, pos = self.braced(pos)
            elif self.at(pos, '"'):
                piece, pos = self.quoted(pos)
            else:
                match = _NAME.match(self.text, pos, self.end)
                if not match:
                    raise _BibError("expected a field value", pos)
                name, pos = match.group(0), match.end()
                lowered = name.lower()
                piece = name if name.isdigit() else self.macros.get(
                    lowered, _MONTHS.get(lowered, ""))
            pieces.append(piece)
            pos = self.skip(pos)
            if not self.at(pos, "#"):
                return "".join(pieces), pos
            pos += 1

    def fields(self, pos: int, close: str) -> tuple[dict[str, str], int]:
        """``name = value`` pairs up to the entry's closing ``close``; the end position."""
        fields: dict[str, str] = {}
        while True:
            pos = self.skip(pos)
            if self.at(pos, close):
                return fields, pos + 1
            match = _NAME.match(self.text, pos, self.end)
            if not match:
                raise _BibError("expected a field name", pos)
            name = match.group(0).lower()
            pos = self.skip(match.end())
            if not self.at(pos, "="):
                raise _BibError(f"expected '=' after field {name!r}", pos)
            value, pos = self.value(pos + 1)
            fields.setdefault(name, value)
            if self.at(pos, ","):
                pos += 1
            elif not self.at(pos, close):
                raise _BibError(f"expected ',' or {close!r} after field {name!r}", pos)


def _brace_ends(text: str) -> dict[int, int]:
    """For each ``{`` of ``text`` that is closed, the position after its matching ``}``."""
    ends: dict[int, int] = {}
    stack: list[int] = []
    for match in _BRACES.finditer(text):
        if match.group() == "{":
            stack.append(match.start())
        elif stack:
            ends[stack.pop()] = match.end()
    return ends


def parse_bibtex(text: str) -> Iterator[tuple[int, str, dict[str, str] | None]]:
    """Yield ``(line, entry type, fields)`` for each entry, or ``(line, problem, None)`` for
    one that cannot be parsed (parsing resumes at the next line starting with ``@``).

    An entry ends at the latest where the next line starting an entry (``@type{``)
    begins; ``@comment{...}`` is skipped as one balanced group wherever it ends.
    """
    macros: dict[str, str] = {}
    pos, line, counted = 0, 1, 0
    boundary = resync = -1
    comment_ends: dict[int, int] | None = None
    while True:
        match = _ENTRY_START.search(text, pos)
        if not match:
            return
        line += text.count("\n", counted, match.start())
        counted = match.start()
        kind, close = match.group(1).lower(), "}" if match.group(2) == "{" else ")"
        if boundary <= match.start():
            found = _BOUNDARY.search(text, match.start() + 1)
            boundary = found.start() if found else len(text)
        parser = _Parser(text, boundary, macros)
        try:
            if kind in ("comment", "preamble"):
                if close == ")":
                    pos = match.end()
                    continue
                if comment_ends is None:
                    comment_ends = _brace_ends(text)
                end = comment_ends.get(match.end() - 1)
                if end is None:
                    raise _BibError("unbalanced braces", match.end() - 1)
                pos = end
                continue
            if kind == "string":
                found_macros, pos = parser.fields(match.end(), close)
                macros.update(found_macros)
                continue
            key = _KEY.match(text, match.end(), boundary)
            if not key:
                raise _BibError("expected the entry key", match.end())
            fields, pos = parser.fields(key.end(), close)
            yield line, kind, fields
        except _BibError as exc:
            yield line, f"malformed BibTeX entry @{kind}: {exc}", None
            if resync <= match.start():
                found = _RESYNC.search(text, match.start() + 1)
                resync = found.start() if found else len(text)
            pos = resync


def _split_top(text: str, separator: re.Pattern[str]) -> list[str]:
    """Split ``text`` on ``separator`` where not inside braces."""
    parts, depth, start = [], 0, 0
    masked = []
    for ch in text:
        depth += (ch == "{") - (ch == "}")
        masked.append(ch if depth == 0 else "\x00")
    for match in separator.finditer("".join(masked)):
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    return parts


def split_bibtex_authors(value: str) -> list[str]:
    """BibTeX author list ``"Last, First and First Last and others"`` as display names."""
    names = []
    for part in _split_top(value, re.compile(r"\s+and\s+", re.IGNORECASE)):
        pieces = [delatex(p).strip() for p in _split_top(part, re.compile(r","))]
        pieces = [p for p in pieces if p]
        if not pieces or (len(pieces) == 1 and pieces[0].lower() == "others"):
            continue
        if len(pieces) == 1:
            names.append(pieces[0])
        elif len(pieces) == 2:  # Last, First
            names.append(f"{pieces[1]} {pieces[0]}")
        else:  # Last, Jr, First
            names.append(f"{pieces[2]} {pieces[0]} {pieces[1]}")
    return names


def _arxiv_candidates(fields: dict[str, str]) -> list[str]:
    out = [fields.get("arxiv", ""), fields.get("arxivid", "")]
    eprint = fields.get("eprint", "").strip()
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if eprint and (prefix == "arxiv" or parse_arxiv_id(eprint)):
        out.insert(0, eprint)
    journal = _JOURNAL_ARXIV.search(fields.get("journal", "") + " " + fields.get("note", ""))
    if journal:
        out.append(journal.group(1))
    return [c for c in out if c]


def _entry_paper(line: int, fields: dict[str, str], source: str) -> Paper | InputError:
    abstract = fields.get("abstract")
    return make_paper(
        source=source,
        line=line,
        title=delatex(fields.get("title", "")),
        abstract=None if abstract is None else delatex(abstract),
        arxiv_id=next(iter(_arxiv_candidates(fields)), None),
        doi=delatex(fields.get("doi", "")) or None,
        url=fields.get("url") or None,
        date=fields.get("date") or fields.get("year") or None,
        authors=split_bibtex_authors(fields.get("author", "")),
        candidates=_arxiv_candidates(fields)[1:],
    )


def read_bibtex(path: Path) -> Iterator[Paper | InputError]:
    """Papers (and bad entries as InputError) from a BibTeX file, parsed whole."""
    source = str(path)
    text, note = read_text_lenient(path)
    if note is not None:
        yield note
    for line, kind, fields in parse_bibtex(text):
        if fields is None:
            yield InputError(source, line, kind)
        else:
            yield _entry_paper(line, fields, source)
