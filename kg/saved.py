"""Answers from a saved output directory without loading all of it.

A graph of 100k papers has 1.5 million mentions and 1.3 million links: loading every record
takes a minute or more, while a question about one paper (its related papers, its mentions)
or about the entities needs a few lines. :class:`SavedGraph` reads those lines straight
from the record files: it searches the file for the JSON spelling of an id (a paper id, an
entity id) and parses only the lines that contain it, then keeps the records whose field
really is that id. The files are searched as bytes (``mmap``), which is much faster than
parsing them, and nothing but the files themselves is trusted: an edited file gives the
answer the edited records give.

:class:`kg.api.KnowledgeGraph` objects made by :func:`kg.api.load` use it until something
needs the whole graph (the NetworkX view, exports, an update), which then loads everything.
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from kg.bulk import gc_paused
from kg.errors import OutputError
from kg.records import BuildInfo, Entity, Link, Mention, Paper, new_link

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # how kg.store spells a string


class SavedGraph:
    """Line-level access to the records of the output directory ``out``."""

    def __init__(self, out: str | Path) -> None:
        from kg.store import read_manifest

        self.out = Path(out)
        self.manifest = read_manifest(out)

    @cached_property
    def info(self) -> BuildInfo:
        try:
            d = dict(self.manifest["info"])
            d["inputs"] = tuple(d.get("inputs", ()))
            return BuildInfo(**d)
        except (KeyError, TypeError) as exc:
            raise OutputError(f"{self.out / 'manifest.json'}: no usable build info: {exc}") from None

    @cached_property
    def entities(self) -> tuple[Entity, ...]:
        """Every entity (entities.jsonl is small: one line per entity)."""
        with gc_paused():
            return tuple(Entity.from_dict(d) for d in self._all_rows("entities.jsonl"))

    @cached_property
    def communities(self) -> dict[str, int]:
        path = self.out / "communities.json"
        if not path.exists():
            return {}
        try:
            found: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutputError(f"{path}: unreadable communities: {exc}") from None
        return found

    def paper(self, paper_id: str) -> Paper | None:
        """The paper whose id is ``paper_id``, or None."""
        for d in self._rows_containing("papers.jsonl", paper_id):
            if isinstance(d, dict) and d.get("id") == paper_id:
                return Paper.from_dict(d)
        return None

    def papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        """The papers with these ids (those in the graph), by id: read where the record
        file's chunk index says they are, or in one pass over the file when it has no
        index this paper-kg trusts (:func:`exports.chunks.read_index`)."""
        wanted = set(paper_ids)
        rows = self._indexed_rows("papers.jsonl", wanted)
        if rows is None:
            rows = self._all_rows("papers.jsonl")
        return {d["id"]: Paper.from_dict(d) for d in rows
                if isinstance(d, dict) and d.get("id") in wanted}

    def mentions_of(self, paper_id: str) -> list[Mention]:
        """The resolved mentions of one paper, in file order."""
        return [Mention.from_row(r) for r in self._rows_containing("mentions.jsonl", paper_id)
                if isinstance(r, list) and r and r[0] == paper_id]

    def mentions_of_entities(self, entity_ids: set[str]) -> list[Mention]:
        """The mentions resolved to any of ``entity_ids``, in file order."""
        out: list[Mention] = []
        for eid in sorted(entity_ids):
            out.extend(Mention.from_row(r) for r in self._rows_containing("mentions.jsonl", eid)
                       if isinstance(r, list) and r and r[-1] == eid)
        out.sort(key=_mention_order)
        return out

    def links_of(self, paper_id: str) -> list[Link]:
        """The links with ``paper_id`` at either end, in file order."""
        return [new_link(d["source"], d["target"], d["weight"], tuple(d["shared"]))
                for d in self._rows_containing("links.jsonl", paper_id)
                if isinstance(d, dict) and paper_id in (d.get("source"), d.get("target"))]

    # -- reading ---------------------------------------------------------------------------
    def check_unchanged(self) -> None:
        """Raise :class:`OutputError` if ``out`` was replaced (``kg add``, a rebuild) since it
        was opened: answers from two versions of a graph must not be mixed."""
        from kg.store import read_manifest

        if read_manifest(self.out) != self.manifest:
            raise OutputError(f"{self.out}: changed since it was loaded (updated or rebuilt); "
                              "load it again")

    def _all_rows(self, name: str) -> Iterator[Any]:
        self.check_unchanged()
        path = self.out / name
        try:
            with path.open(encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    if line.strip():
                        yield self._parse(line, path, lineno)
        except FileNotFoundError:
            raise OutputError(f"{path}: missing from the output directory") from None

    def _indexed_rows(self, name: str, keys: set[str]) -> Iterator[Any] | None:
        """The parsed lines of the runs of ``keys`` in ``name``, from its chunk index; None
        when the index is missing or not trusted."""
        from exports.chunks import read_index
        from kg.store import records_fingerprint

        self.check_unchanged()
        path = self.out / name
        found = read_index(path, fingerprint=records_fingerprint(), base="", sections=("rows",))
        if found is None:
            return None
        spans = sorted((e[1], e[2]) for k, e in found["rows"].items() if k in keys)
        return self._read_spans(path, spans)

    def _read_spans(self, path: Path, spans: list[tuple[int, int]]) -> Iterator[Any]:
        try:
            with path.open("rb") as f:
                for start, length in spans:
                    f.seek(start)
                    for line in f.read(length).splitlines():
                        if line.strip():
                            yield self._parse(line, path, partial(_line_number_in, path, start))
        except OSError as exc:
            raise OutputError(f"{path}: cannot read: {exc.strerror or exc}") from None

    def _rows_containing(self, name: str, value: str) -> Iterator[Any]:
        """The parsed lines of ``name`` in which ``value`` occurs as a JSON string."""
        self.check_unchanged()
        path = self.out / name
        needle = _ENCODE(value).encode("utf-8")
        try:
            with path.open("rb") as f:
                if f.seek(0, 2) == 0:
                    return
                with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                    pos = mm.find(needle)
                    while pos >= 0:
                        start = mm.rfind(b"\n", 0, pos) + 1
                        end = mm.find(b"\n", pos)
                        end = len(mm) if end < 0 else end
                        line = mm[start:end]
                        yield self._parse(line, path, partial(_line_number, mm, start))
                        pos = mm.find(needle, end)
        except FileNotFoundError:
            raise OutputError(f"{path}: missing from the output directory") from None
        except OSError as exc:
            raise OutputError(f"{path}: cannot read: {exc.strerror or exc}") from None

    @staticmethod
    def _parse(line: str | bytes, path: Path, lineno: int | Callable[[], int]) -> Any:
        try:
            return json.loads(line)
        except ValueError:
            n = lineno() if callable(lineno) else lineno
            raise OutputError(f"{path}:{n}: corrupt record") from None


def _line_number_in(path: Path, pos: int) -> int:
    with path.open("rb") as f:
        return f.read(pos).count(b"\n") + 1


def _line_number(mm: mmap.mmap, pos: int) -> int:
    return mm[:pos].count(b"\n") + 1


def _mention_order(m: Mention) -> tuple[str, bool, int, int]:
    return (m.paper_id, m.field != "title", m.start, m.end)
