"""Streaming N-Triples and Turtle writers: text straight from :func:`exports.rdf.iter_blocks`.

No graph is built in memory. Most triples of a graph describe mention evidence (an
annotation, its target and two selectors: four subjects per mention), so those are rendered
from a template made once per writer by running the one definition of that vocabulary,
:func:`exports.rdf.annotation_blocks`, on placeholder values and formatting the result with the
writer's own block formatter. The rest goes through the same block formatter. Tests check
that both writers give exactly the triples of the rdflib path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from exports.rdf import (
    PREFIXES,
    A,
    Block,
    Lit,
    Term,
    annotation_blocks,
    clean_text,
    double_literal,
    iter_blocks,
)
from kg.records import GraphData, Mention

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


class _Sink:
    """Buffered text output: blocks are joined and written a few thousand at a time."""

    def __init__(self, file: TextIO) -> None:
        self.file = file
        self.batch: list[str] = []

    def add(self, text: str) -> None:
        self.batch.append(text)
        if len(self.batch) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.file.writelines(self.batch)
        self.batch.clear()


class _AnnotationRenderer:
    """Renders each mention's annotation blocks from a template into a sink."""

    def __init__(self, block: Callable[[str, list[tuple[str, Term]]], str], sink: _Sink) -> None:
        self.format = annotation_template(block).format
        self.sink = sink
        self.literals: dict[str, str] = {}  # field and rule values repeat: escape them once

    def literal(self, value: str) -> str:
        found = self.literals.get(value)
        if found is None:
            found = self.literals[value] = clean_text(value).translate(_NT_ESCAPES)
        return found

    def __call__(self, m: Mention, ann: str, paper: str, entity: str) -> None:
        self.sink.add(self.format(
            a=ann, p=paper, e=entity, field=self.literal(m.field), rule=self.literal(m.rule),
            text=clean_text(m.text).translate(_NT_ESCAPES), start=int(m.start), end=int(m.end),
            conf=double_literal(m.confidence).value))


def _write(data: GraphData, path: Path, block: Callable[[str, list[tuple[str, Term]]], str],
           header: str, base_iri: str | None) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(header)
        sink = _Sink(out)
        blocks: Iterator[Block] = iter_blocks(data, base_iri=base_iri,
                                              on_annotation=_AnnotationRenderer(block, sink))
        for s, pairs in blocks:
            sink.add(block(s, pairs))
        sink.flush()


def write_ntriples(
    data: GraphData, path: Path, *, base_iri: str | None = None, **_ignored: object
) -> None:
    """Stream ``data`` as N-Triples to ``path`` (UTF-8) without building a graph."""
    _write(data, path, nt_block, "", base_iri)


def write_turtle(
    data: GraphData, path: Path, *, base_iri: str | None = None, **_ignored: object
) -> None:
    """Stream ``data`` as Turtle to ``path``: the project prefixes, then one block per subject."""
    header = "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in PREFIXES.items()) + "\n"
    _write(data, path, TurtleBlocks(), header, base_iri)
