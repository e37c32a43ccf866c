"""CSV and TSV reader (``csv``), streamed row by row with the :mod:`csv` module.

The header row names the columns, case-insensitively: ``title`` and ``abstract`` (or
``summary``) are required; ``id``, ``arxiv_id``, ``doi``, ``url``, ``date``, ``authors``
(``"A; B"`` or ``"A, B and C"``) are optional. The delimiter (tab, comma, semicolon or
bar) is the one that makes the header hold those columns. A record's line is the real
file line where its row starts (quoted fields may span lines).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.readers.mapping import paper_from_mapping
from kg.readers.source import LongLineError, iter_lines
from kg.records import Paper

__all__ = ["header_delimiter", "read_csv"]

_DELIMITERS = ("\t", ",", ";", "|")
MAX_FIELD_CHARS = 4 * 1024 * 1024  # above any abstract that is kept (see kg.readers.ids)


def _names(header: str, delimiter: str) -> list[str]:
    try:
        cells = next(csv.reader([header], delimiter=delimiter), [])
    except csv.Error:
        return []
    return [cell.strip().lower() for cell in cells]


def header_delimiter(header: str) -> str | None:
    """The delimiter that makes ``header`` a row with title and abstract columns, if any."""
    for delimiter in _DELIMITERS:
        if delimiter in header:
            names = _names(header, delimiter)
            if "title" in names and ("abstract" in names or "summary" in names):
                return delimiter
    return None


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


class _Lines:
    """Feeds decoded lines to :func:`csv.reader` and counts them; a lone CR (old Mac line
    ending) ends a line too. Warnings met on the way (an over-long line, a file read as
    Windows-1252) are kept in :attr:`notes`; an over-long line is fed as an empty line."""

    def __init__(self, path: Path) -> None:
        self._lines = iter_lines(path, legacy=True)
        self._pending: list[str] = []
        self.number = 0
        self.notes: list[InputError] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while not self._pending:
            _, text = next(self._lines)
            if isinstance(text, InputError):
                self.notes.append(text)
                if not isinstance(text, LongLineError):
                    continue  # a note about the next line, not a line
                text = "\n"
            text = text.replace("\x00", "")
            self._pending = [part for part in _LONE_CR.split(text) if part][::-1] or [text]
        self.number += 1
        return self._pending.pop()


def read_csv(path: Path) -> Iterator[Paper | InputError]:
    """Papers (and bad rows as InputError) from a CSV or TSV file with a header row."""
    source = str(path)
    lines = _Lines(path)
    header = next((text for text in lines if text.strip()), None)
    yield from _flush(lines)
    if header is None:
        return
    delimiter = header_delimiter(header.strip("\r\n"))
    if delimiter is None:
        raise InputError(
            source, lines.number,
            "the header row has no 'title' and 'abstract' (or 'summary') columns",
        )
    names = _names(header.strip("\r\n"), delimiter)
    # Fields may be as long as an abstract can be (the csv module's default is 128 KiB).
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        start = lines.number + 1
        try:
            row = next(reader)
        except StopIteration:
            yield from _flush(lines)
            return
        except csv.Error as exc:
            yield from _flush(lines)
            yield InputError(source, start, f"invalid CSV row: {exc}")
            if lines.number < start:
                return
            continue
        yield from _flush(lines)
        if not any(cell.strip() for cell in row):
            continue
        record: dict[str, str] = {}
        for name, cell in zip(names, row, strict=False):
            if name:
                record.setdefault(name, cell)
        yield paper_from_mapping(record, source, start)


def _flush(lines: _Lines) -> Iterator[InputError]:
    yield from lines.notes
    lines.notes.clear()
