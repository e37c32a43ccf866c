"""Streaming N-Triples and Turtle writers: text straight from :func:`exports.rdf.iter_blocks`.

No graph is built in memory. Most triples of a graph describe mention evidence (an
annotation, its target and two selectors: four subjects per mention), so those are rendered
from a template made once per writer by running the one definition of that vocabulary,
:func:`exports.rdf.annotation_blocks`, on placeholder values and formatting the result with the
writer's own block formatter. The rest goes through the same block formatter. Tests check
that both writers give exactly the triples of the rdflib path. Each paper's blocks form one
run of bytes, which lets a later write copy unchanged papers (see :mod:`exports.chunks`).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from exports import chunks
from exports.rdf import (
    PREFIXES,
    A,
    GraphBlocks,
    Lit,
    Term,
    annotation_blocks,
    clean_text,
    double_literal,
    link_pairs,
)
from kg.records import Entity, GraphData, Link, Mention, Paper

__all__ = ["nt_term", "write_ntriples", "write_turtle"]

# N-Triples: escape quote, backslash and every control character (ECHAR or \uXXXX).
_NT_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_NT_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r",
                    ord("\t"): "\\t", ord("\b"): "\\b", ord("\f"): "\\f"})
_BATCH = 4096  # blocks per write


def nt_term(term: Term) -> str:
    """One term in N-Triples syntax (also valid Turtle).

    >>> nt_term(Lit('say "hi"\\n'))
    '"say \\\\"hi\\\\"\\\\n"'
    """
    if isinstance(term, Lit):
        text = '"' + term.value.translate(_NT_ESCAPES) + '"'
        return f"{text}^^<{term.datatype}>" if term.datatype else text
    return f"<{term}>"


def nt_block(subject: str, pairs: list[tuple[str, Term]]) -> str:
    """One subject's triples as N-Triples lines."""
    head = f"<{subject}> <"
    return "".join([f"{head}{p}> <{o}> .\n" if type(o) is str else f"{head}{p}> {nt_term(o)} .\n"
                     for p, o in pairs])


_PN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _prefixed(iri: str) -> str:
    """``iri`` as a prefixed name when it is in a bound namespace with a plain local part."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and _PN_LOCAL.fullmatch(iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


class TurtleBlocks:
    """Turtle spelling of blocks: prefixed names for predicates, classes and datatypes,
    full IRIs for subjects and other objects, one ``;``-separated statement per subject."""

    def __init__(self) -> None:
        self.short: dict[str, str] = {}

    def name(self, iri: str) -> str:
        found = self.short.get(iri)
        if found is None:
            found = self.short[iri] = _prefixed(iri)
        return found

    def pair(self, p: str, o: Term) -> str:
        if isinstance(o, str):
            return f"a {self.name(o)}" if p == A else f"{self.name(p)} <{o}>"
        if o.datatype is None:
            return f"{self.name(p)} {nt_term(o)}"
        return f'{self.name(p)} "{o.value.translate(_NT_ESCAPES)}"^^{self.name(o.datatype)}'

    def __call__(self, subject: str, pairs: list[tuple[str, Term]]) -> str:
        return f"<{subject}> " + " ;\n\t".join([self.pair(p, o) for p, o in pairs]) + " .\n"


# Placeholders: printable (clean_text keeps them) and untouched by escaping.
_SLOTS = {"a": "\u27e6a\u27e7", "p": "\u27e6p\u27e7", "e": "\u27e6e\u27e7",
          "field": "\u27e6f\u27e7", "rule": "\u27e6r\u27e7", "text": "\u27e6t\u27e7"}
_START, _END, _CONF = 987654321, 987654322, 0.123456789


def annotation_template(block: Callable[[str, list[tuple[str, Term]]], str]) -> str:
    """The text ``block`` gives for one mention's annotation blocks, as a ``str.format``
    template with fields ``a p e field rule text start end conf``."""
    m = Mention("p", _SLOTS["field"], _START, _END, _SLOTS["text"], "method", "k",  # type: ignore[arg-type]
                _SLOTS["rule"], _CONF, 0, 1, "e")
    blocks = annotation_blocks(m, _SLOTS["a"], _SLOTS["p"], _SLOTS["e"])
    text = "".join(block(s, pairs) for s, pairs in blocks)
    text = text.replace("{", "{{").replace("}", "}}")
    for field, slot in _SLOTS.items():
        text = text.replace(slot, "{" + field + "}")
    for field, value in (("start", str(_START)), ("end", str(_END)),
                         ("conf", double_literal(_CONF).value)):
        if text.count(value) != 1:
            raise AssertionError(f"annotation template: {field} placeholder not found once")
        text = text.replace(value, "{" + field + "}")
    return text


_LINK_SLOTS = {"s": "\u27e6s\u27e7", "src": "\u27e6x\u27e7", "tgt": "\u27e6y\u27e7"}
_ENTITY_SLOT = "\u27e6e\u27e7"


def link_template(block: Callable[[str, list[tuple[str, Term]]], str]) -> tuple[str, str, str]:
    """What ``block`` gives for a link, split as (head, unit, tail) templates: a link sharing
    entities e1..ek is ``head.format(s=, src=, tgt=, w=)`` + ``unit.format(s=, e=ei)`` for each
    entity + ``tail``."""
    def text(shared: list[str]) -> str:
        return block(_LINK_SLOTS["s"], link_pairs(_LINK_SLOTS["src"], _LINK_SLOTS["tgt"], _CONF,
                                                  shared))
    none, one = text([]), text([_ENTITY_SLOT])
    head = os.path.commonprefix([none, one])
    tail = none[len(head):]
    if not one.endswith(tail):
        raise AssertionError("link template: the shared entities are not one repeated part")
    unit = one[len(head):len(one) - len(tail)]
    two = text([_ENTITY_SLOT + "1", _ENTITY_SLOT + "2"])
    if two != head + unit.replace(_ENTITY_SLOT, _ENTITY_SLOT + "1") \
            + unit.replace(_ENTITY_SLOT, _ENTITY_SLOT + "2") + tail:
        raise AssertionError("link template: the shared entities are not one repeated part")
    head, unit = (t.replace("{", "{{").replace("}", "}}") for t in (head, unit))
    for field, slot in _LINK_SLOTS.items():
        head = head.replace(slot, "{" + field + "}")
    weight = double_literal(_CONF).value
    if head.count(weight) != 1 or unit.count(_ENTITY_SLOT) != 1:
        raise AssertionError("link template: a placeholder was not found once")
    # N-Triples repeats the subject on every line; Turtle does not
    unit = unit.replace(_ENTITY_SLOT, "{e}").replace(_LINK_SLOTS["s"], "{s}")
    return head.replace(weight, "{w}"), unit, tail


class _LinkRenderer:
    """Renders each link's block from :func:`link_template` into a list of strings."""

    def __init__(self, block: Callable[[str, list[tuple[str, Term]]], str], parts: list[str],
                 sink: chunks.ByteSink) -> None:
        head, unit, self.tail = link_template(block)
        self.format, self.unit = head.format, unit.format
        self.parts = parts
        self.sink = sink

    def __call__(self, s: str, source: str, target: str, weight: float, shared: list[str]) -> None:
        text = self.format(s=s, src=source, tgt=target, w=double_literal(weight).value)
        if shared:
            text += "".join([self.unit(s=s, e=e) for e in shared])
        self.parts.append(text + self.tail)
        if len(self.parts) >= _BATCH:
            self.sink.add("".join(self.parts).encode())
            self.parts.clear()


class _AnnotationRenderer:
    """Renders each mention's annotation blocks from a template into a list of strings."""

    def __init__(self, block: Callable[[str, list[tuple[str, Term]]], str], parts: list[str]) -> None:
        self.format = annotation_template(block).format
        self.parts = parts
        self.literals: dict[str, str] = {}  # field and rule values repeat: escape them once

    def literal(self, value: str) -> str:
        found = self.literals.get(value)
        if found is None:
            found = self.literals[value] = clean_text(value).translate(_NT_ESCAPES)
        return found

    def __call__(self, m: Mention, ann: str, paper: str, entity: str) -> None:
        self.parts.append(self.format(
            a=ann, p=paper, e=entity, field=self.literal(m.field), rule=self.literal(m.rule),
            text=clean_text(m.text).translate(_NT_ESCAPES), start=int(m.start), end=int(m.end),
            conf=double_literal(m.confidence).value))


def _fingerprint(block: Callable[[str, list[tuple[str, Term]]], str], header: str) -> str:
    """Hash of how this writer spells a sample graph (a paper and its annotation, an entity,
    a link, the closing counts): stale chunk indexes never match."""
    import hashlib

    from kg.records import BuildInfo

    paper = Paper("arxiv:0000.00000", "T \"q\"\n", "A\tb", arxiv_id="0000.00000", doi="10.1/x",
                  url="https://x.org/a b", date="2024-01-02", authors=("N",),
                  links=("https://x.org/c",))
    mention = Mention(paper.id, "abstract", 0, 1, "A", "method", "a", "lexicon", 0.5, 0, 3,
                      "method/a")
    other = Paper("doi:10.1/y", "U", "B")
    data = GraphData((paper, other), (Entity("method/a", "A", "method", ("a-1",), 2, 3),),
                     (mention,), (Link(paper.id, other.id, 0.25, ("method/a",)),),
                     BuildInfo("0", "", "", (), ""))
    blocks = GraphBlocks(data, base_iri="https://x.org/")
    parts: list[str] = [header]
    renderer = _AnnotationRenderer(block, parts)
    for p in data.papers:
        parts += [block(s, pairs) for s, pairs in blocks.paper(p, renderer)]
    parts += [block(s, pairs) for s, pairs in blocks.entities()]
    parts += [block(s, pairs) for s, pairs in blocks.links()]
    parts += [block(s, pairs) for s, pairs in blocks.closing()]
    parts.append(chunks.code_digest("exports.rdf", "exports.iris", "exports.streaming",
                                    "exports.chunks", "kg.records"))
    return hashlib.blake2b("".join(parts).encode(), digest_size=16).hexdigest()


def _write(data: GraphData, path: Path, block: Callable[[str, list[tuple[str, Term]]], str],
           header: str, base_iri: str | None, *, reuse: str | Path | None = None,
           index: str | Path | None = None, digests: chunks.RunDigests | None = None) -> None:
    """Write ``data`` to ``path``; with ``index``, record each paper's run of bytes there, and
    copy unchanged papers' runs from ``reuse`` (an earlier file with an index, see
    :mod:`exports.chunks`)."""
    blocks = GraphBlocks(data, base_iri=base_iri)
    ids = [p.id for p in data.papers]
    if index is not None and (len(set(ids)) != len(ids)
                              or len(set(blocks.paper_iris.values())) != len(ids)):
        index = None  # runs are per paper: only for papers with distinct ids and IRIs
    fingerprint = _fingerprint(block, header) if index is not None else ""
    earlier = None
    if index is not None and reuse is not None and os.path.isfile(reuse):
        earlier = chunks.read_index(Path(reuse), fingerprint=fingerprint, base=blocks.base)
    dg = digests if digests is not None else chunks.RunDigests(data)
    parts: list[str] = []
    renderer = _AnnotationRenderer(block, parts)
    sections: dict[str, dict[str, list[Any]]] = {name: {} for name in chunks.SECTIONS}
    old = earlier or {name: {} for name in chunks.SECTIONS}
    source = open(reuse, "rb") if earlier and reuse is not None else None  # noqa: SIM115
    with open(path, "wb") as out, source or contextlib.nullcontext():
        sink = chunks.ByteSink(out, source)
        sink.add(header.encode())
        runs = _Runs(blocks, block, sink, parts, indexed=index is not None)
        for p in data.papers:
            runs.run("papers", p.id, partial(blocks.paper, p, renderer), old, sections,
                     digest=partial(dg.papers.__getitem__, p.id))
        entity_ids = [e.id for e in data.entities]
        if index is not None and len(set(entity_ids)) == len(entity_ids):
            for e in data.entities:
                runs.run("entities", e.id, partial(blocks.entities, [e]), old, sections,
                         digest=partial(dg.entities.__getitem__, e.id), kind="entity")
        else:
            runs.render(blocks.entities())
        links = _LinkRenderer(block, parts, sink)
        sources = [lk.source for lk in data.links]
        if index is None or any(a > b for a, b in zip(sources, sources[1:], strict=False)):
            # runs are per source paper: only for links ordered by source (as built)
            runs.render(blocks.links(links))
        else:
            from itertools import groupby

            for src, group in groupby(data.links, key=attrgetter("source")):
                run_links = list(group)
                runs.run("links", src, partial(blocks.links, links, run_links), old, sections,
                         digest=partial(chunks.link_run_digest, dg.links[src], src, run_links,
                                        blocks.paper_iris), kind="link")
        runs.run("closing", "", blocks.closing, old, sections)  # never copied: no digest
        sink.flush()
    if index is not None:
        chunks.write_index(path, Path(index), fingerprint=fingerprint, base=blocks.base,
                           sections=sections)


class _Runs:
    """Writes runs of blocks into a :class:`chunks.ByteSink`, copying a run from the earlier
    file when its digest is unchanged, and records where each run is."""

    def __init__(self, blocks: GraphBlocks, block: Callable[[str, list[tuple[str, Term]]], str],
                 sink: chunks.ByteSink, parts: list[str], *, indexed: bool) -> None:
        self.blocks, self.block, self.sink, self.parts = blocks, block, sink, parts
        self.indexed = indexed

    def render(self, blocks: Iterable[tuple[str, list[tuple[str, Term]]]]) -> None:
        """Render ``blocks`` (renderers called on the way may append text to ``parts``)."""
        parts, block = self.parts, self.block
        for s, pairs in blocks:
            parts.append(block(s, pairs))
            if len(parts) >= _BATCH:
                self.sink.add("".join(parts).encode())
                parts.clear()
        self.sink.add("".join(parts).encode())
        parts.clear()

    def run(self, section: str, key: str, make: Callable[[], Iterable[Any]],
            old: dict[str, dict[str, list[Any]]], sections: dict[str, dict[str, list[Any]]],
            *, digest: Callable[[], str] = lambda: "", kind: str = "paper") -> None:
        """One run: copied when ``old`` has it with the same digest, else rendered."""
        blocks, sink = self.blocks, self.sink
        if not self.indexed:
            self.render(make())
            return
        d = digest()
        was = old[section].get(key)
        if was is not None and was[0] == d and d:
            sections[section][key] = [d, sink.pos, was[2], was[3], was[4]]
            sink.copy(was[1], was[2])
            blocks.count_copied(was[3], was[4], kind=kind, n=was[4] if kind == "link" else 1)
            return
        triples, start, count = blocks.counts["triples"], sink.pos, blocks.counts["link"]
        subjects = len(blocks.subjects) + blocks.n_parts
        self.render(make())
        made = blocks.counts["link"] - count if kind == "link" else \
            len(blocks.subjects) + blocks.n_parts - subjects
        sections[section][key] = [d, start, sink.pos - start,
                                  blocks.counts["triples"] - triples, made]


def write_ntriples(
    data: GraphData, path: Path, *, base_iri: str | None = None,
    reuse: str | Path | None = None, index: str | Path | None = None,
    digests: chunks.RunDigests | None = None, **_ignored: object
) -> None:
    """Stream ``data`` as N-Triples to ``path`` (UTF-8) without building a graph.

    ``index``/``reuse``: record where each paper's triples are; copy unchanged papers from
    an earlier file (see :mod:`exports.chunks`; ``digests``: the runs' digests, when the
    caller has them). The output is the same either way.
    """
    _write(data, path, nt_block, "", base_iri, reuse=reuse, index=index, digests=digests)


def write_turtle(
    data: GraphData, path: Path, *, base_iri: str | None = None,
    reuse: str | Path | None = None, index: str | Path | None = None,
    digests: chunks.RunDigests | None = None, **_ignored: object
) -> None:
    """Stream ``data`` as Turtle to ``path``: the project prefixes, then one block per subject.

    ``index``/``reuse``/``digests`` as for :func:`write_ntriples`.
    """
    header = "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in PREFIXES.items()) + "\n"
    _write(data, path, TurtleBlocks(), header, base_iri, reuse=reuse, index=index,
           digests=digests)
