"""Format detection by content: the first 64 KiB of a file decide its reader.

Order of the checks: binary signatures (gzip, zip, PDF...), then the first non-blank
character (``<`` Atom XML, ``[`` JSON array, ``{`` JSON object or JSON lines), a CSV/TSV
header with title and abstract columns, BibTeX ``@type{`` entries, and finally the
daily-papers text (title/abstract paragraph pairs). Anything else is not supported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from kg.errors import InputError
from kg.readers.csvrec import header_delimiter
from kg.readers.daily import find_pairs, paragraphs
from kg.readers.jsonrec import CONTAINER_KEYS, container_key
from kg.readers.source import bom_encoding, check_regular_file, read_head

__all__ = [
    "EmptyFileError",
    "HEAD_SIZE",
    "UnsupportedFormatError",
    "detect_format",
    "sniff_text",
]

HEAD_SIZE = 65536
_SIGNATURES = (
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"%PDF-", "a PDF document"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
)
# Formats whose files are often saved as Latin-1 / Windows-1252: their readers fall back to
# that encoding (with a warning) when a file is not UTF-8. Atom XML names its encoding.
LEGACY_FORMATS = frozenset({"bibtex", "csv", "daily", "atom"})
_EXPECTED = "expected daily-papers text, JSON, JSON lines, Atom XML, CSV/TSV or BibTeX"
_DECODER = json.JSONDecoder(strict=False)
_ATOM = re.compile(r"<(?:[\w.-]+:)?(?:feed|entry)\b[^>]*http://www\.w3\.org/2005/Atom")
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|script|meta)\b", re.IGNORECASE)
_BIBTEX = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_CONTAINER = re.compile(r'\{\s*"(?:' + "|".join(CONTAINER_KEYS) + r')"\s*:\s*\[')


class UnsupportedFormatError(InputError):
    """A file whose content is none of the supported formats."""


class EmptyFileError(UnsupportedFormatError):
    """A file that is empty or holds only whitespace."""


def _is_snapshot(value: object) -> bool:
    """Whether a JSON record has the arXiv metadata snapshot's shape."""
    return isinstance(value, dict) and "id" in value and (
        "authors_parsed" in value or ("versions" in value and "update_date" in value)
    )


def _is_object_line(line: str) -> bool:
    try:
        return isinstance(_DECODER.decode(line), dict)
    except (ValueError, RecursionError):
        return False


def _sniff_object(text: str, complete: bool) -> str:
    """``json`` or ``jsonl`` (or ``arxiv-snapshot``) for a text starting with ``{``."""
    try:
        value, end = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        lines = [line.strip() for line in text.splitlines()]
        later = lines[1:] if complete else lines[1:-1]
        if any(_is_object_line(line) for line in later[:20]):
            return "jsonl"  # a broken first line, but records follow
        if _CONTAINER.match(text):
            return "json"
        return "json" if "\n" in text.strip() else "jsonl"
    if container_key(value):
        return "json"
    shape = "arxiv-snapshot" if _is_snapshot(value) else "jsonl"
    rest = text[end:].lstrip()
    if not rest and "\n" in text[:end]:
        return "json"  # one pretty-printed record
    return shape


def _array_then_lines(text: str, complete: bool) -> bool:
    """Whether a text starting with ``[`` is JSON lines whose first line is an array (a bad
    record) rather than one JSON array: the first line is a whole value and objects follow."""
    lines = text.splitlines()
    if len(lines) < 2:
        return False
    try:
        _DECODER.decode(lines[0])
    except (ValueError, RecursionError):
        return False
    later = lines[1:] if complete else lines[1:-1]
    return any(_is_object_line(line) for line in later[:20] if line.strip())


def sniff_text(text: str, complete: bool = True) -> str | None:
    """The format of a decoded file head, or None. ``complete``: the head is the whole file."""
    text = text.lstrip()
    first = text[:1]
    if first == "<":
        return "atom" if _ATOM.search(text) else None
    if first == "[" and re.match(r"\[\s*[\[{\]\"\d-]", text):
        return "jsonl" if _array_then_lines(text, complete) else "json"
    if first == "{":
        return _sniff_object(text, complete)
    first_line = re.split(r"\r\n?|\n", text, maxsplit=1)[0]
    if header_delimiter(first_line):
        return "csv"
    if _BIBTEX.search(text):
        return "bibtex"
    paras = paragraphs(text)
    if not complete and len(paras) > 1:
        paras = paras[:-1]  # the last paragraph may be cut
    if find_pairs(paras):
        return "daily"
    return None


def _why_not(text: str, head: bytes) -> str:
    """A one-line reason why a head is not supported."""
    stripped = text.lstrip()
    if head.count(b"\x00") * 4 > len(head):
        return "not a supported format: looks like UTF-16/32 text without a byte-order mark"
    if stripped.startswith("<"):
        if _HTML.match(stripped) or _HTML.search(stripped[:2048]):
            return f"not a supported format: looks like HTML ({_EXPECTED})"
        return f"not a supported format: XML but not an Atom feed ({_EXPECTED})"
    return f"not a supported format ({_EXPECTED})"


_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


def _looks_binary(head: bytes) -> bool:
    """Whether a head that is not UTF-8 is binary data rather than 8-bit text."""
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return b"\x00" in head or controls * 100 > len(head)


def detect_format(path: str | Path) -> str:
    """The name of the reader for ``path``, decided by content.

    Raises :class:`EmptyFileError` for an empty file, :class:`UnsupportedFormatError`
    for any other unsupported content and :class:`~kg.errors.InputError` when the file
    cannot be read or decoded.
    """
    path = Path(path)
    source = str(path)
    check_regular_file(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_SIZE)
        for signature, what in _SIGNATURES:
            if head.startswith(signature):
                raise UnsupportedFormatError(source, None, f"not a supported format: {what}")
        try:
            text, complete = read_head(path, HEAD_SIZE)
        except InputError as exc:
            # Not UTF-8: a legacy 8-bit file is fine for some formats (their reader warns).
            if _looks_binary(head):
                raise exc from None
            text, complete = read_head(path, HEAD_SIZE, legacy=True)
            name = sniff_text(text, complete) if text.strip() else None
            if name in LEGACY_FORMATS:
                return name
            raise exc from None
    except IsADirectoryError:
        raise InputError(source, None, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(source, None, f"cannot read file: {exc.strerror or exc}") from None
    if not text.strip():
        raise EmptyFileError(source, None, "file is empty")
    if head.count(b"\x00") * 4 > len(head) and not bom_encoding(head[:4])[1]:
        raise UnsupportedFormatError(source, None, _why_not(text, head))
    name = sniff_text(text, complete)
    if name is None:
        raise UnsupportedFormatError(source, None, _why_not(text, head))
    return name
