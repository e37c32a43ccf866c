"""Input readers: turn files and directories of paper metadata into :class:`Paper` records.

>>> from kg.readers import read_paths, merge_papers
>>> papers = merge_papers(read_paths(["seeds/"], on_warning=print))  # doctest: +SKIP

Formats (:data:`READERS`): ``daily`` (the daily-papers page text), ``jsonl``, ``json``,
``arxiv-snapshot`` (JSON lines of the arXiv metadata snapshot; the ``jsonl`` reader
recognises that shape by itself), ``atom`` (arXiv API), ``csv`` (also TSV) and ``bibtex``.
The format of each file is detected by content unless forced with ``format=``.

Bad records (invalid JSON line, missing title, empty abstract, field of the wrong type,
title over 2,000 or abstract over 100,000 characters, a run of over 1,000 characters
without whitespace, a JSON line over 50 MiB) are skipped and passed to ``on_warning``, or
raised with ``strict=True``. Files that are missing,
unreadable, undecodable, not regular files (FIFO, device) or (when named explicitly) of no
supported format raise :class:`~kg.errors.InputError`; inside a directory, files of no
supported format, empty files and non-regular files are skipped with a warning, and
paper-kg output directories are not read. A BibTeX, CSV or daily-papers file that is not
UTF-8 is read as Windows-1252 with an :class:`EncodingFallback` warning (not a skipped
record; an error with ``strict=True``). See :mod:`kg.readers.source` for the limits.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kg.errors import InputError, UnknownFormatError
from kg.readers.atom import read_atom
from kg.readers.bibtex import read_bibtex
from kg.readers.csvrec import read_csv
from kg.readers.daily import read_daily
from kg.readers.detect import EmptyFileError, UnsupportedFormatError, detect_format
from kg.readers.ids import title_id
from kg.readers.jsonrec import read_json, read_jsonl
from kg.readers.source import EncodingFallback, check_regular_file
from kg.records import Paper

__all__ = [
    "EXTENSIONS",
    "EncodingFallback",
    "FORMAT_ALIASES",
    "READERS",
    "EmptyFileError",
    "Reader",
    "UnsupportedFormatError",
    "detect_format",
    "get_reader",
    "merge_papers",
    "read_paths",
]

Reader = Callable[[Path], Iterator[Paper | InputError]]
Warn = Callable[[InputError], None]

READERS: dict[str, Reader] = {
    "daily": read_daily,
    "jsonl": read_jsonl,
    "json": read_json,
    "arxiv-snapshot": read_jsonl,
    "atom": read_atom,
    "csv": read_csv,
    "bibtex": read_bibtex,
}
FORMAT_ALIASES = {
    "txt": "daily", "ndjson": "jsonl", "arxiv": "arxiv-snapshot", "xml": "atom",
    "tsv": "csv", "bib": "bibtex",
}
# Files found inside a directory are read only with one of these extensions.
EXTENSIONS = frozenset(
    {".txt", ".json", ".jsonl", ".ndjson", ".xml", ".atom", ".csv", ".tsv", ".bib"}
)


def get_reader(name: str) -> Reader:
    """The reader function of format ``name`` (case-insensitive; aliases such as ``tsv``
    or ``ndjson`` accepted); :class:`UnknownFormatError` names the known formats."""
    key = name.strip().lower()
    key = FORMAT_ALIASES.get(key, key)
    if key not in READERS:
        raise UnknownFormatError(
            f"unknown input format {name!r}; known formats: {', '.join(READERS)}"
        )
    return READERS[key]


def _is_output_directory(directory: str, files: list[str]) -> bool:
    """Whether ``directory`` is a paper-kg output directory (its records are not input)."""
    if "manifest.json" not in files or "papers.jsonl" not in files:
        return False
    try:
        with open(os.path.join(directory, "manifest.json"), "rb") as fh:
            manifest = json.loads(fh.read(1 << 20))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == "paper-kg"


def _walk(directory: Path) -> list[Path]:
    """Files under ``directory`` with a known extension, sorted; hidden files and
    directories, and paper-kg output directories below ``directory``, are skipped."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        if root != str(directory) and _is_output_directory(root, files):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(
            Path(root, name)
            for name in files
            if not name.startswith(".") and Path(name).suffix.lower() in EXTENSIONS
        )
    return sorted(found, key=lambda p: p.relative_to(directory).parts)


def _read_file(path: Path, forced: Reader | None, report: Warn, explicit: bool) -> Iterator[Paper]:
    """The papers of one file; bad records go to ``report``."""
    try:
        try:
            check_regular_file(path)
        except InputError as exc:
            if explicit:
                raise
            report(UnsupportedFormatError(exc.path, None, exc.problem))  # a FIFO... in a directory
            return
        if forced is None:
            try:
                reader = READERS[detect_format(path)]
            except EmptyFileError as exc:
                report(exc)
                return
            except UnsupportedFormatError as exc:
                if explicit:
                    raise
                report(exc)  # a stray file inside a directory
                return
        else:
            reader = forced
        for item in reader(path):
            if isinstance(item, InputError):
                report(item)
            else:
                yield item
    except IsADirectoryError:
        raise InputError(str(path), None, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read file: {exc.strerror or exc}") from None


def _read_all(paths: list[Path], forced: Reader | None, report: Warn) -> Iterator[Paper]:
    for path in paths:
        if path.is_dir():
            count = 0
            for file in _walk(path):
                for paper in _read_file(file, forced, report, explicit=False):
                    count += 1
                    yield paper
            if count == 0:
                raise InputError(
                    str(path), None,
                    "no readable papers in this directory (looked for "
                    + " ".join(sorted(EXTENSIONS)) + " files)",
                )
        elif path.exists():
            yield from _read_file(path, forced, report, explicit=True)
        else:
            raise InputError(str(path), None, "no such file or directory")


def read_paths(
    paths: Sequence[str | Path] | str | Path,
    *,
    format: str | None = None,
    strict: bool = False,
    on_warning: Warn | None = None,
) -> Iterator[Paper]:
    """Stream the papers of files and directories (read recursively, in path order).

    ``format`` forces one reader for every file (else detected by content). A bad record
    is skipped and passed to ``on_warning`` (ignored when None), or raised when
    ``strict``. A missing, unreadable or undecodable file, an explicitly named file of
    no supported format and a directory without any paper raise InputError. An unknown
    ``format`` raises :class:`UnknownFormatError` at once, before any file is read.
    """
    forced = get_reader(format) if format is not None else None
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)

    def report(error: InputError) -> None:
        if strict:
            raise error.strict_error() if isinstance(error, EncodingFallback) else error
        if on_warning is not None:
            on_warning(error)

    return _read_all([Path(p) for p in items], forced, report)


def _union(first: tuple[str, ...], later: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + later))


_FILLABLE = ("title", "abstract", "arxiv_id", "doi", "url", "date")


def _merge(first: Paper, later: Paper, new_id: str) -> Paper:
    """``first`` with its empty fields filled from ``later``, authors and links unioned."""
    changes: dict[str, Any] = {
        name: getattr(later, name)
        for name in _FILLABLE
        if not getattr(first, name) and getattr(later, name)
    }
    return dataclasses.replace(
        first,
        id=new_id,
        authors=_union(first.authors, later.authors),
        links=_union(first.links, later.links),
        **changes,
    )


def merge_papers(papers: Iterable[Paper]) -> list[Paper]:
    """One record per paper, sorted by id.

    Records with the same id are merged: the first is kept, its empty fields are filled
    from later ones and authors and links are unioned in order. A record known only by
    its title (``title:`` id) is also merged into the one paper with an arXiv or DOI id
    and the same title slug, if there is exactly one (the earlier record's fields win).
    """
    merged: dict[str, Paper] = {}
    for paper in papers:
        old = merged.get(paper.id)
        merged[paper.id] = paper if old is None else _merge(old, paper, paper.id)
    order = {pid: n for n, pid in enumerate(merged)}  # first appearance
    strong: dict[str, list[str]] = {}
    for pid, paper in merged.items():
        if not pid.startswith("title:"):
            strong.setdefault(title_id(paper.title), []).append(pid)
    for pid in [p for p in merged if p.startswith("title:")]:
        targets = strong.get(pid, [])
        if len(targets) == 1:
            weak, target = merged.pop(pid), merged[targets[0]]
            first, later = (weak, target) if order[pid] < order[target.id] else (target, weak)
            merged[target.id] = _merge(first, later, target.id)
    return [merged[pid] for pid in sorted(merged)]
