"""Answers from a saved output directory without loading all of it.

A graph of 100k papers has 1.5 million mentions and 1.3 million links: loading every record
takes a minute or more, while a question about one paper (its related papers, its mentions)
or about the entities needs a few lines. :class:`SavedGraph` reads those lines straight
from the record files: it searches the file for the JSON spelling of an id (a paper id, an
entity id) and parses only the lines that contain it, then keeps the records whose field
really is that id. The files are searched as bytes (``mmap``), which is much faster than
parsing them. The search relies on the writer's spelling of an id (:func:`kg.store.json_spelling`,
one record per ``\\n``-terminated line): a record file rewritten by another tool with other
escapes can hide lines from it, while a full load still reads them. Many papers are read
through the papers file's chunk index, when this paper-kg trusts it.

:class:`kg.api.KnowledgeGraph` objects made by :func:`kg.api.load` use it until something
needs the whole graph (the NetworkX view, exports, an update), which then loads everything.
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar

from kg.bulk import gc_paused
from kg.errors import OutputError
from kg.records import ENTITY_TYPES, BuildInfo, Entity, Link, Mention, Paper, new_link

T = TypeVar("T")
Where = Callable[[], int]  # the 1-based line number of a row, computed only for a message


class SavedGraph:
    """Line-level access to the records of the output directory ``out``."""

    def __init__(self, out: str | Path) -> None:
        from kg.store import read_manifest

        self.out = Path(out)
        self.manifest = read_manifest(out)

    @cached_property
    def info(self) -> BuildInfo:
        """The build info of the manifest."""
        try:
            d = dict(self.manifest["info"])
            d["inputs"] = tuple(d.get("inputs", ()))
            return BuildInfo(**d)
        except (KeyError, TypeError, ValueError) as exc:
            raise OutputError(f"{self.out / 'manifest.json'}: no usable build info: {exc}") from None

    @cached_property
    def entities(self) -> tuple[Entity, ...]:
        """Every entity (entities.jsonl is small: one line per entity)."""
        with gc_paused():
            return tuple(self._records("entities.jsonl", self._all_rows("entities.jsonl"),
                                       Entity.from_dict))

    @cached_property
    def communities(self) -> dict[str, int]:
        """Node id -> community number, as saved."""
        self.check_unchanged()
        path = self.out / "communities.json"
        if not path.exists():
            return {}
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutputError(f"{path}: unreadable communities: {exc}") from None
        if not (isinstance(found, dict) and all(type(c) is int for c in found.values())):
            raise OutputError(f"{path}: not a map of node ids to community numbers")
        return found

    def summary(self) -> dict[str, Any] | None:
        """:meth:`kg.api.KnowledgeGraph.summary` from the manifest's counts (None when the
        manifest has none)."""
        counts = self.manifest.get("counts")
        keys = ("papers", "entities", "entities_by_type", "mentions", "links")
        if not (isinstance(counts, dict) and all(k in counts for k in keys)
                and isinstance(counts["entities_by_type"], dict)):
            return None
        return {"papers": counts["papers"], "entities": counts["entities"],
                "entities_by_type": {t: counts["entities_by_type"].get(t, 0) for t in ENTITY_TYPES},
                "mentions": counts["mentions"], "links": counts["links"],
                "communities": len(set(self.communities.values()))}

    def paper(self, paper_id: str) -> Paper | None:
        """The paper whose id is ``paper_id``, or None."""
        for p in self._records("papers.jsonl", self._rows_containing("papers.jsonl", paper_id),
                               partial(_paper_if, {paper_id})):
            return p
        return None

    def papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        """The papers with these ids (those in the graph), by id: read where the record
        file's chunk index says they are, or in one pass over the file when it has no
        index this paper-kg trusts (:func:`exports.chunks.read_index`)."""
        wanted = set(paper_ids)
        rows = self._indexed_rows("papers.jsonl", wanted)
        if rows is None:
            rows = self._all_rows("papers.jsonl")
        return {p.id: p for p in self._records("papers.jsonl", rows, partial(_paper_if, wanted))}

    def mentions_of(self, paper_id: str) -> list[Mention]:
        """The resolved mentions of one paper, in file order."""
        return list(self._records("mentions.jsonl", self._rows_containing("mentions.jsonl", paper_id),
                                  partial(_mention_if, 0, paper_id)))

    def mentions_of_entities(self, entity_ids: set[str]) -> list[Mention]:
        """The mentions resolved to any of ``entity_ids``, in the record file's order (by
        paper, then position)."""
        out: list[Mention] = []
        for eid in sorted(entity_ids):
            out.extend(self._records("mentions.jsonl", self._rows_containing("mentions.jsonl", eid),
                                     partial(_mention_if, -1, eid)))
        out.sort(key=_mention_order)
        return out

    def links_of(self, paper_id: str) -> list[Link]:
        """The links with ``paper_id`` at either end, in file order."""
        return list(self._records("links.jsonl", self._rows_containing("links.jsonl", paper_id),
                                  partial(_link_if, paper_id)))

    # -- reading ---------------------------------------------------------------------------
    def check_unchanged(self) -> None:
        """Raise :class:`OutputError` if ``out`` was replaced (``kg add``, a rebuild) since it
        was opened: answers from two versions of a graph must not be mixed."""
        from kg.store import read_manifest

        try:
            same = read_manifest(self.out) == self.manifest
        except OutputError:  # gone, or in the middle of being swapped
            same = False
        if not same:
            raise OutputError(f"{self.out}: changed since it was loaded (updated, rebuilt or "
                              "removed); load it again")

    def _records(self, name: str, rows: Iterator[tuple[Any, Where]],
                 make: Callable[[Any], T | None]) -> Iterator[T]:
        """``make(row)`` for each row, skipping None; a row of the wrong shape is an
        :class:`OutputError` naming the file and line, as a full load's would be."""
        from kg.store import FORMAT_VERSION

        for row, where in rows:
            try:
                record = make(row)
            except (TypeError, KeyError, ValueError, AttributeError, IndexError) as exc:
                raise OutputError(f"{self.out / name}:{where()}: record does not match format "
                                  f"version {FORMAT_VERSION}: {exc}") from None
            if record is not None:
                yield record

    def _all_rows(self, name: str) -> Iterator[tuple[Any, Where]]:
        from kg.store import jsonl_rows

        self.check_unchanged()
        for lineno, row in jsonl_rows(self.out / name):
            yield row, partial(int, lineno)
        self.check_unchanged()

    def _indexed_rows(self, name: str, keys: set[str]) -> Iterator[tuple[Any, Where]] | None:
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

    def _read_spans(self, path: Path, spans: list[tuple[int, int]]) -> Iterator[tuple[Any, Where]]:
        try:
            with path.open("rb") as f:
                for start, length in spans:
                    f.seek(start)
                    where = partial(_line_number_in, path, start)
                    for line in f.read(length).splitlines():
                        if line.strip():
                            yield self._parse(line, path, where), where
        except OSError as exc:
            raise OutputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        self.check_unchanged()

    def _rows_containing(self, name: str, value: str) -> Iterator[tuple[Any, Where]]:
        """The parsed lines of ``name`` in which ``value`` occurs spelled as the writer
        spells a JSON string (:func:`kg.store.json_spelling`)."""
        from kg.store import json_spelling

        self.check_unchanged()
        path = self.out / name
        try:
            needle = json_spelling(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no UTF-8 file can hold it
            return
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
                        where = partial(_line_number, mm, start)
                        yield self._parse(mm[start:end], path, where), where
                        pos = mm.find(needle, end)
        except FileNotFoundError:
            raise OutputError(f"{path}: missing from the output directory") from None
        except OSError as exc:
            raise OutputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        self.check_unchanged()

    @staticmethod
    def _parse(line: str | bytes, path: Path, where: Where) -> Any:
        try:
            return json.loads(line)
        except ValueError:
            raise OutputError(f"{path}:{where()}: corrupt record") from None


def _paper_if(ids: set[str], d: Any) -> Paper | None:
    return Paper.from_dict(d) if d.get("id") in ids else None


def _mention_if(field: int, value: str, row: Any) -> Mention | None:
    return Mention.from_row(row) if row[field] == value else None


def _link_if(paper_id: str, d: Any) -> Link | None:
    if paper_id not in (d["source"], d["target"]):
        return None
    return new_link(d["source"], d["target"], d["weight"], tuple(d["shared"]))


def _line_number_in(path: Path, pos: int) -> int:
    with path.open("rb") as f:
        return f.read(pos).count(b"\n") + 1


def _line_number(mm: mmap.mmap, pos: int) -> int:
    return mm[:pos].count(b"\n") + 1


def _mention_order(m: Mention) -> tuple[str, bool, int, int]:
    return (m.paper_id, m.field != "title", m.start, m.end)
