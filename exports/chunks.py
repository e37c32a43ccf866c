"""Reuse of unchanged papers' text when an RDF file is written again (``kg add``, rebuilds).

Most of a graph's triples describe one paper: its own description and the annotations of
its mentions. The streaming writers put those blocks together, one run of bytes per paper,
and can record where each run starts, how long it is, and a digest of everything it was
rendered from (the paper's fields and its resolved mentions). Writing the file again, a
paper whose digest is unchanged is copied from the earlier file instead of rendered:
adjacent runs become one in-kernel copy. Entities are runs of their own, and links are
grouped by source paper: link weights do not depend on the corpus size (:mod:`kg.graph`), so
after an update most papers' links are unchanged and copied. An update that touches a few
papers pays for those papers, their links and the entities whose counts moved, plus the
closing provenance and counts, which are always rendered. The index also tells
:mod:`kg.sparql` which runs changed, so a SPARQL index can be updated instead of rebuilt.

The index is a JSON file beside the output (``.graph.ttl.chunks.json``). It is trusted only
when its format version, writer fingerprint (a hash of a sample rendering, so any change in
how blocks are spelled invalidates it), base IRI, and the earlier file's size and a hash of
its first and last 64 KiB (the build's times and triple counts) all match, and the file was
not modified after its index was written (as ``make`` decides, by modification times);
otherwise everything is rendered. The result is byte-identical either way, and the index
holds no times, so two builds of the same input stay byte-identical files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

from kg.bulk import gc_paused
from kg.records import Entity, GraphData, Link, Mention, Paper

INDEX_VERSION = 4
# runs per paper (its description and annotations), per entity, per source paper (its
# links), and the closing provenance and counts (one run, key "")
SECTIONS = ("papers", "entities", "links", "closing")
_FLUSH_BYTES = 1 << 20
_STAMP_BYTES = 1 << 16


def index_path(path: str | Path) -> Path:
    """Where the chunk index of the file ``path`` lives."""
    p = Path(path)
    return p.with_name(f".{p.name}.chunks.json")


@cache
def code_digest(*modules: str) -> str:
    """Digest of the source of the named modules: a cache (chunk index, link state) made by
    other code, e.g. an earlier paper-kg, is never trusted, even if a sample renders alike."""
    import importlib

    h = hashlib.blake2b(digest_size=8)
    for name in modules:
        module = importlib.import_module(name)
        try:
            h.update(Path(str(module.__file__)).read_bytes())
        except (OSError, TypeError):  # no source file (a frozen build): the version decides
            from kg import __version__

            h.update(f"{name} {__version__}".encode())
    return h.hexdigest()


def _digest(value: Any) -> str:
    """Digest of plain data (str, int, float, None, lists and tuples of them). marshal's
    version 0 has no reference or interning markers, so equal values give equal bytes; it
    is several times cheaper than ``repr``."""
    return hashlib.blake2b(marshal.dumps(value, 0), digest_size=16).hexdigest()


_PAPER_FIELDS = attrgetter(*Paper.__slots__)
_MENTION_FIELDS = attrgetter(*Mention.__slots__)
_ENTITY_FIELDS = attrgetter(*Entity.__slots__)


def paper_digest(p: Paper, mentions: Iterable[Mention]) -> str:
    """Digest of everything a paper's record and blocks are made from: all its fields and
    all fields of its (resolved) mentions."""
    return _digest((_PAPER_FIELDS(p), list(map(_MENTION_FIELDS, mentions))))


def entity_digest(e: Entity) -> str:
    """Digest of everything an entity's record and block are made from."""
    return _digest(_ENTITY_FIELDS(e))


def links_digest(links: Iterable[Link]) -> str:
    """Digest of one paper's outgoing links (their records; see :func:`link_run_digest` for
    their RDF)."""
    return _digest([(lk.source, lk.target, lk.weight, lk.shared) for lk in links])


def link_run_digest(links_digest: str, source: str, links: Iterable[Link],
                    paper_iris: dict[str, str]) -> str:
    """The digest of one paper's links as RDF: the links' digest and the IRIs of the papers
    they name (a paper's IRI follows its arXiv id or DOI)."""
    return _digest((links_digest, paper_iris.get(source),
                    [paper_iris.get(lk.target) for lk in links]))


def groups(items: Iterable[Any], key: Callable[[Any], str]) -> Iterator[tuple[str, list[Any]]]:
    """Runs of consecutive ``items`` with the same ``key``."""
    from itertools import groupby

    for k, group in groupby(items, key=key):
        yield k, list(group)


class RunDigests:
    """The digests of a graph's runs, computed once on first use and shared by the writers
    of one save (records and RDF)."""

    def __init__(self, data: GraphData) -> None:
        self.data = data

    # (millions of short-lived tuples: no collection passes over the graph while they are made)
    @cached_property
    def papers(self) -> dict[str, str]:
        with gc_paused():
            mentions_of = _grouped(self.data.mentions, _PAPER)
            return {p.id: paper_digest(p, mentions_of.get(p.id, ())) for p in self.data.papers}

    @cached_property
    def entities(self) -> dict[str, str]:
        with gc_paused():
            return {e.id: entity_digest(e) for e in self.data.entities}

    @cached_property
    def links(self) -> dict[str, str]:
        with gc_paused():
            return {src: links_digest(run) for src, run in _grouped(self.data.links, _SOURCE).items()}


def _grouped(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, list[Any]]:
    """``items`` by ``key`` (whether or not they come grouped), in first-seen order."""
    out: dict[str, list[Any]] = {}
    for x in items:
        out.setdefault(key(x), []).append(x)
    return out


_SOURCE = attrgetter("source")
_PAPER = attrgetter("paper_id")


def _file_stamp(path: Path) -> tuple[int, int, str]:
    """Size, modification time and a hash of the first and last 64 KiB of ``path``."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        head = f.read(_STAMP_BYTES)
        f.seek(max(0, st.st_size - _STAMP_BYTES))
        tail = f.read(_STAMP_BYTES)
    return st.st_size, st.st_mtime_ns, hashlib.blake2b(head + tail, digest_size=16).hexdigest()


def read_index(earlier: Path, *, fingerprint: str, base: str,
               sections: Sequence[str] = SECTIONS) -> dict[str, dict[str, list[Any]]] | None:
    """The entries of ``earlier``'s index by section (:data:`SECTIONS` for RDF: key ->
    [digest, start, length, triples, subjects]), or None when it cannot be trusted."""
    try:
        indexed = index_path(earlier).stat().st_mtime_ns
        meta = json.loads(index_path(earlier).read_text(encoding="utf-8"))
        size, mtime, stamp = _file_stamp(earlier)
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or mtime > indexed:  # edited after it was indexed
        return None
    expected = {"version": INDEX_VERSION, "fingerprint": fingerprint, "base": base,
                "size": size, "stamp": stamp}
    if any(meta.get(k) != v for k, v in expected.items()):
        return None
    found = {name: meta.get(name) for name in sections}
    for entries in found.values():  # a damaged index is ignored, never half-trusted
        if not isinstance(entries, dict):
            return None
        for entry in entries.values():
            if not (isinstance(entry, list) and len(entry) == 5 and isinstance(entry[0], str)
                    and all(type(x) is int and x >= 0 for x in entry[1:])
                    and entry[1] + entry[2] <= size):
                return None
    return found  # type: ignore[return-value]


def write_index(path: Path, index: Path, *, fingerprint: str, base: str,
                sections: dict[str, dict[str, list[Any]]]) -> None:
    """Write the index of the finished file ``path`` to ``index`` (atomically)."""
    from kg.atomic import atomic_path

    size, _, stamp = _file_stamp(path)
    meta = {"version": INDEX_VERSION, "fingerprint": fingerprint, "base": base,
            "size": size, "stamp": stamp, **sections}
    with atomic_path(index) as tmp:
        tmp.write_text(json.dumps(meta, separators=(",", ":")), encoding="utf-8")


class ByteSink:
    """Buffered binary output that knows its position and copies byte ranges of another
    file (contiguous ranges are merged into one copy)."""

    def __init__(self, file: BinaryIO, source: BinaryIO | None = None) -> None:
        self.file = file
        self.source = source
        self.batch: list[bytes] = []
        self.pending = 0
        self.pos = 0
        self.copy_from = -1  # start of the pending copy in ``source``
        self.copy_len = 0

    def add(self, data: bytes) -> None:
        if self.copy_len:
            self._do_copy()
        self.batch.append(data)
        self.pending += len(data)
        self.pos += len(data)
        if self.pending >= _FLUSH_BYTES:
            self.flush()

    def copy(self, offset: int, length: int) -> None:
        if self.copy_len and self.copy_from + self.copy_len == offset:
            self.copy_len += length
        else:
            if self.copy_len:
                self._do_copy()
            self.copy_from, self.copy_len = offset, length
        self.pos += length

    def flush(self) -> None:
        if self.copy_len:
            self._do_copy()
        self._flush_batch()

    def _flush_batch(self) -> None:
        if self.batch:
            self.file.write(b"".join(self.batch))
            self.batch.clear()
            self.pending = 0

    def _do_copy(self) -> None:
        assert self.source is not None
        self._flush_batch()
        self.file.flush()
        offset, left = self.copy_from, self.copy_len
        self.copy_len = 0
        src, dst = self.source.fileno(), self.file.fileno()
        with contextlib.suppress(OSError):  # not supported here: copy through user space
            while left:
                n = os.copy_file_range(src, dst, left, offset)
                if n <= 0:
                    break
                offset, left = offset + n, left - n
        while left:
            chunk = os.pread(src, min(left, 1 << 24), offset)
            if not chunk:
                raise OSError(f"{self.source.name}: shorter than its chunk index says")
            self.file.write(chunk)
            self.file.flush()
            offset, left = offset + len(chunk), left - len(chunk)
