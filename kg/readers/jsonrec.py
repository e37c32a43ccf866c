"""JSON lines (``jsonl``, also the arXiv metadata snapshot) and JSON (``json``) readers.

JSON lines are streamed line by line; a line that is not valid JSON or not an object is
a bad record. A JSON file is parsed whole: an array of records, one record object, or an
object holding the record list under ``papers``, ``records``, ``data``, ``items``,
``results`` or ``entries``. Every record's line is the line where its object starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.readers.mapping import paper_from_mapping
from kg.readers.source import iter_lines, read_text
from kg.records import Paper

__all__ = ["CONTAINER_KEYS", "container_key", "read_json", "read_jsonl"]

CONTAINER_KEYS = ("papers", "records", "data", "items", "results", "entries")
_DECODER = json.JSONDecoder(strict=False)  # raw control characters are stripped later
_WS = re.compile(r"[ \t\n\r]*")


def _skip(text: str, pos: int) -> int:
    """The position of the first non-whitespace character at or after ``pos``."""
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _first_line(exc: BaseException) -> str:
    text = str(exc).split(";")[0].strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def container_key(value: Any) -> str | None:
    """The key under which a JSON object holds its list of records, if it is such a
    container (an object with a ``title`` or a nested ``paper`` is a record instead)."""
    if not isinstance(value, dict) or "title" in value or "paper" in value:
        return None
    for key in CONTAINER_KEYS:
        if isinstance(value.get(key), list):
            return key
    return None


def read_jsonl(path: Path) -> Iterator[Paper | InputError]:
    """Papers (and bad records as InputError) from a JSON lines file, streamed."""
    source = str(path)
    for number, raw in iter_lines(path):
        if isinstance(raw, InputError):  # an over-long line, not read
            yield raw
            continue
        text = raw.strip().lstrip("\ufeff")
        if not text:
            continue
        indent = len(raw) - len(raw.lstrip())
        try:
            value = _DECODER.decode(text)
        except json.JSONDecodeError as exc:
            yield InputError(
                source, number, f"invalid JSON: {exc.msg} (column {exc.pos + indent + 1})"
            )
            continue
        except RecursionError:
            yield InputError(source, number, "invalid JSON: nested too deeply")
            continue
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            yield InputError(source, number, f"invalid JSON: {_first_line(exc)}")
            continue
        if not isinstance(value, dict):
            yield InputError(source, number, f"record is {_kind(value)}, not a JSON object")
            continue
        yield paper_from_mapping(value, source, number)


def _scan_array(text: str, pos: int) -> tuple[list[tuple[int, Any]], int]:
    """Decode the JSON array starting at ``text[pos] == "["``: its items with their start
    positions, and the position after the closing bracket."""
    items: list[tuple[int, Any]] = []
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return items, pos + 1
    while True:
        value, end = _DECODER.raw_decode(text, pos)
        items.append((pos, value))
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            return items, pos + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def _items_of_object(
    source: str, text: str, pos: int, value: Any
) -> list[tuple[int, Any]]:
    """The records of a top-level JSON object with their start positions."""
    if not isinstance(value, dict):
        raise InputError(source, None, f"JSON top level is {_kind(value)}, not an array or object")
    key = container_key(value)
    if key is None:
        if "title" in value or "paper" in value or "abstract" in value or "summary" in value:
            return [(pos, value)]
        raise InputError(
            source, None,
            "JSON object holds no paper records (expected 'title' and 'abstract', "
            "or a list under " + ", ".join(repr(k) for k in CONTAINER_KEYS[:3]) + ")",
        )
    records = value[key]
    for match in re.finditer('"' + re.escape(key) + r'"\s*:\s*\[', text):
        try:
            items, _ = _scan_array(text, match.end() - 1)
        except (ValueError, RecursionError):
            continue
        if [item for _, item in items] == records:
            return items
    return [(pos, item) for item in records]  # positions unknown: all at the object


def read_json(path: Path) -> Iterator[Paper | InputError]:
    """Papers (and bad records as InputError) from a JSON file, parsed whole."""
    source = str(path)
    text = read_text(path)
    try:
        pos = _skip(text, 0)
        if text.startswith("[", pos):
            items, end = _scan_array(text, pos)
        else:
            value, end = _DECODER.raw_decode(text, pos)
            items = _items_of_object(source, text, pos, value)
        rest = _skip(text, end)
        if rest < len(text):
            raise json.JSONDecodeError("Extra data", text, rest)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"
        ) from None
    except RecursionError:
        raise InputError(source, None, "invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise InputError(source, None, f"invalid JSON: {_first_line(exc)}") from None
    line, counted = 1, 0
    for start, value in items:
        line += text.count("\n", counted, start)
        counted = start
        if isinstance(value, dict):
            yield paper_from_mapping(value, source, line)
        else:
            yield InputError(source, line, f"record is {_kind(value)}, not a JSON object")
