"""RDF export: one triple generator; an rdflib graph or straight-to-file streaming writers.

:func:`iter_blocks` maps a :class:`~kg.records.GraphData` to triples of a light internal
form (an IRI is a ``str``, a literal a :class:`Lit`), grouped by subject. The Turtle,
N-Triples and JSON-LD writers format those blocks straight to a file (no in-memory graph,
so large corpora export quickly); :func:`to_rdflib` builds an ``rdflib.Graph`` for the
Python API and the RDF/XML writer. The vocabulary (see ``exports/ontology.ttl``) is:

* paper -> ``schema:ScholarlyArticle`` with ``dcterms:title/abstract/identifier/date``,
  ``schema:url``, ``fabio:hasArXivId``, ``schema:author``, ``rdfs:seeAlso``, ``schema:mentions``
  and, for the same entities, ``pkg:mentionsModel/Dataset/Method/Benchmark`` by their type;
* entity -> exactly one of ``mls:Model``, ``mls:Dataset``, ``mls:Algorithm``,
  ``pkg:Benchmark`` with ``skos:prefLabel/altLabel``, ``skos:hiddenLabel`` (lowercase forms
  of those, for lookups), ``pkg:paperCount``, ``pkg:mentionCount``;
* mention -> ``oa:Annotation`` (body = entity, target = ``oa:SpecificResource`` on the
  paper with a ``oa:TextPositionSelector`` and a ``oa:TextQuoteSelector``);
* link -> ``pkg:PaperLink`` with ``pkg:linkSource/linkTarget/weight/sharedEntity``;
* build -> ``prov:Activity`` + ``prov:SoftwareAgent``; the graph -> ``void:Dataset``.

Literals are untrusted input: characters illegal in XML 1.0 are removed (so RDF/XML is
always well-formed); everything else is kept verbatim. Blank aliases, authors and inputs
are left out. Mentions, links and shared entities that refer to papers or entities missing
from ``data`` are dropped (no dangling nodes).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import rdflib

from exports.iris import (
    DEFAULT_BASE_IRI,
    KG,
    annotation_iri,
    check_base_iri,
    entity_iri,
    file_iri,
    link_iri,
    paper_iri,
    safe_http_iri,
)
from kg.errors import KGError
from kg.records import Entity, GraphData, Link, Mention, Paper

__all__ = [
    "DEFAULT_BASE_IRI", "KG", "PREFIXES", "Lit", "annotation_blocks", "clean_text", "double_literal",
    "iter_blocks", "iter_triples", "to_rdflib", "write_jsonld", "write_rdfxml", "load_ontology",
    "load_shapes", "validate",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
FABIO = "http://purl.org/spar/fabio/"
MLS = "http://www.w3.org/ns/mls#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"

PREFIXES: dict[str, str] = {
    "schema": SCHEMA, "dcterms": DCT, "fabio": FABIO, "mls": MLS, "pkg": KG, "skos": SKOS,
    "oa": OA, "prov": PROV, "void": VOID, "xsd": XSD, "rdfs": RDFS, "rdf": RDF,
}
ENTITY_CLASSES: dict[str, str] = {
    "model": MLS + "Model", "dataset": MLS + "Dataset", "method": MLS + "Algorithm",
    "benchmark": KG + "Benchmark",
}
# A paper's mentions also by type (each a subproperty of schema:mentions), so a query for
# "the methods this paper mentions" needs no type lookup per entity.
MENTIONS_BY_TYPE: dict[str, str] = {
    "model": KG + "mentionsModel", "dataset": KG + "mentionsDataset",
    "method": KG + "mentionsMethod", "benchmark": KG + "mentionsBenchmark",
}
A = RDF + "type"


class Lit(NamedTuple):
    """A literal of the internal triple form; ``datatype`` ``None`` means a plain string."""

    value: str
    datatype: str | None = None


Term = str | Lit  # a str is an IRI
Triple = tuple[str, str, Term]

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone
    surrogates, U+FFFE/U+FFFF); the only change made to literal text.

    >>> clean_text("a\\x00b\\x1fc\\nd")
    'abc\\nd'
    """
    return _XML_ILLEGAL.sub("", text)


def _str(text: str) -> Lit:
    return Lit(clean_text(text))


def _int(value: int, datatype: str = "integer") -> Lit:
    return Lit(str(int(value)), XSD + datatype)


def double_literal(value: float) -> Lit:
    """``value`` as an ``xsd:double`` literal (Python's shortest repr; NaN and INF as XSD spells them)."""
    x = float(value)
    if math.isnan(x):
        return Lit("NaN", XSD + "double")
    if math.isinf(x):
        return Lit("INF" if x > 0 else "-INF", XSD + "double")
    return Lit(repr(x), XSD + "double")


def _datetime(text: str) -> Lit:
    """An ``xsd:dateTime`` (UTC when the input has a zone), or a plain literal if unparsable."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        return _str(text)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return Lit(dt.isoformat(), XSD + "dateTime")


def _date(text: str) -> Lit:
    """A paper date typed as xsd:date / gYearMonth / gYear / dateTime when it is one."""
    s = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", s):
            return Lit(date.fromisoformat(s).isoformat(), XSD + "date")
        if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", s):
            return Lit(s, XSD + "gYearMonth")
        if re.fullmatch(r"\d{4}", s):
            return Lit(s, XSD + "gYear")
        if re.fullmatch(r"\d{4}-\d\d-\d\d[T ][0-9:.]+(Z|[+-]\d\d:\d\d)?", s):
            return _datetime(s)
    except ValueError:
        pass
    return _str(text)


def _resolve_base(data: GraphData, base_iri: str | None) -> str:
    return check_base_iri(base_iri or data.info.base_iri or DEFAULT_BASE_IRI)


Block = tuple[str, list[tuple[str, Term]]]  # subject, its unique (predicate, object) pairs


class GraphBlocks:
    """The blocks of ``data`` by section, for writers that render one paper at a time.

    :func:`iter_blocks` is :meth:`paper` for each paper of ``data.papers`` (its description,
    then its mentions' annotations), then :meth:`entities`, :meth:`links` and :meth:`closing`.
    A writer that copies a paper's text from an earlier file instead of rendering it calls
    :meth:`count_copied` so the closing counts stay exact.
    """

    def __init__(self, data: GraphData, *, base_iri: str | None = None) -> None:
        self.data = data
        self.base = _resolve_base(data, base_iri)
        self.paper_iris: dict[str, str] = {}
        for p in data.papers:
            self.paper_iris.setdefault(
                p.id, paper_iri(p.id, self.base, arxiv_id=p.arxiv_id, doi=p.doi))
        self.ent_iris = {e.id: entity_iri(e.id, self.base) for e in data.entities}
        self.mentions_by_type = {e.id: MENTIONS_BY_TYPE[e.type] for e in data.entities
                                 if e.type in MENTIONS_BY_TYPE}
        self.mentions_of: dict[str, list[Mention]] = {}
        for m in data.mentions:
            if m.entity in self.ent_iris and m.paper_id in self.paper_iris:
                self.mentions_of.setdefault(m.paper_id, []).append(m)
        self.subjects: set[str] = set()
        self.counts = {"triples": 0, "paper": 0, "entity": 0, "link": 0}
        self.n_parts = 0  # subjects that hang off an annotation (target, selectors)
        self.copied_subjects = 0

    def _block(self, kind: str, subject: str, pairs: Iterable[tuple[str, Term]]) -> Block | None:
        if subject in self.subjects:
            return None
        self.subjects.add(subject)
        if kind in self.counts:
            self.counts[kind] += 1
        unique = list(dict.fromkeys(pairs))
        self.counts["triples"] += len(unique)
        return subject, unique

    def paper(
        self, p: Paper, on_annotation: Callable[[Mention, str, str, str], None] | None = None
    ) -> Iterator[Block]:
        """The paper's description, then the annotations of its mentions (see :func:`iter_blocks`)."""
        s = self.paper_iris[p.id]
        mentions = self.mentions_of.get(p.id, ())
        pairs: list[tuple[str, Term]] = [
            (A, SCHEMA + "ScholarlyArticle"), (DCT + "title", _str(p.title)),
            (DCT + "abstract", _str(p.abstract)), (DCT + "identifier", _str(p.id)),
        ]
        if url := safe_http_iri(p.url):
            pairs.append((SCHEMA + "url", url))
        if p.arxiv_id:
            pairs.append((FABIO + "hasArXivId", _str(p.arxiv_id)))
        if p.date:
            pairs.append((DCT + "date", _date(p.date)))
        pairs += [(SCHEMA + "author", _str(a)) for a in p.authors if clean_text(a).strip()]
        pairs += [(RDFS + "seeAlso", iri) for u in p.links if (iri := safe_http_iri(u))]
        ent_iris = self.ent_iris
        named = list(dict.fromkeys(m.entity for m in mentions))
        pairs += [(SCHEMA + "mentions", ent_iris[e]) for e in named]
        pairs += [(self.mentions_by_type[e], ent_iris[e]) for e in named if e in self.mentions_by_type]
        if b := self._block("paper", s, pairs):
            yield b
        for m in mentions:
            # the hot loop (most blocks are annotations): their four subjects all derive
            # from the annotation IRI and their pairs are unique by construction
            ann = annotation_iri(m.paper_id, m.field, m.start, m.end, m.entity, self.base)
            if ann in self.subjects:
                continue
            self.subjects.add(ann)
            self.n_parts += ANNOTATION_SUBJECTS - 1
            if on_annotation is not None:
                self.counts["triples"] += ANNOTATION_TRIPLES
                on_annotation(m, ann, s, ent_iris[m.entity])
                continue
            for b in annotation_blocks(m, ann, s, ent_iris[m.entity]):
                self.counts["triples"] += len(b[1])
                yield b

    def count_copied(self, triples: int, subjects: int, *, kind: str = "paper", n: int = 1) -> None:
        """Count blocks that a writer copied instead of rendering: one paper's, or the ``n``
        links of one paper (``kind="link"``)."""
        self.counts[kind] += n
        self.counts["triples"] += triples
        self.copied_subjects += subjects

    def entities(self, entities: Iterable[Entity] | None = None) -> Iterator[Block]:
        """The entities' blocks (or those of ``entities``)."""
        for e in self.data.entities if entities is None else entities:
            cls = ENTITY_CLASSES.get(e.type)
            if cls is None:
                raise KGError(f"entity {e.id!r} has unknown type {e.type!r}")
            label = clean_text(e.label)
            pairs: list[tuple[str, Term]] = [(A, cls), (SKOS + "prefLabel", Lit(label))]
            alt = [a for a in map(clean_text, e.aliases) if a != label and a.strip()]
            pairs += [(SKOS + "altLabel", Lit(a)) for a in alt]
            # lowercase forms let SPARQL find an entity by name with an index lookup
            # (a case-insensitive FILTER scans every label: seconds on a large graph)
            shown = {label, *alt}
            pairs += [(SKOS + "hiddenLabel", Lit(low)) for low in dict.fromkeys(
                x.lower() for x in (label, *alt)) if low not in shown]
            pairs += [(KG + "paperCount", _int(e.paper_count)),
                      (KG + "mentionCount", _int(e.mention_count))]
            if b := self._block("entity", self.ent_iris[e.id], pairs):
                yield b

    def links(
        self, on_link: Callable[[str, str, str, float, list[str]], None] | None = None,
        links: Iterable[Link] | None = None,
    ) -> Iterator[Block]:
        """The paper-paper links (or those of ``links``); with ``on_link``, ``on_link(link
        IRI, source IRI, target IRI, weight, shared entity IRIs)`` is called instead of
        yielding each block (see :func:`link_pairs` for its triples; they are counted all
        the same)."""
        paper_iris, ent_iris = self.paper_iris, self.ent_iris
        for link in self.data.links if links is None else links:
            if link.source not in paper_iris or link.target not in paper_iris:
                continue
            s = link_iri(link.source, link.target, self.base)
            shared = list(dict.fromkeys(ent_iris[x] for x in link.shared if x in ent_iris))
            if on_link is None:
                if b := self._block("link", s, link_pairs(
                        paper_iris[link.source], paper_iris[link.target], link.weight, shared)):
                    yield b
            elif s not in self.subjects:
                self.subjects.add(s)
                self.counts["link"] += 1
                self.counts["triples"] += LINK_TRIPLES + len(shared)
                on_link(s, paper_iris[link.source], paper_iris[link.target], link.weight, shared)

    def closing(self) -> Iterator[Block]:
        """The build's provenance and the ``void:Dataset`` with the final counts."""
        info, base = self.data.info, self.base
        build, agent = base + "build", base + "software/paper-kg"
        pairs: list[tuple[str, Term]] = [
            (A, PROV + "Activity"), (PROV + "startedAtTime", _datetime(info.started)),
            (PROV + "endedAtTime", _datetime(info.finished)), (PROV + "wasAssociatedWith", agent)]
        for item in filter(str.strip, info.inputs):
            iri = file_iri(item)
            pairs.append((PROV + "used", iri) if iri else (KG + "input", _str(item)))
        if b := self._block("build", build, pairs):
            yield b
        if b := self._block("agent", agent, [(A, PROV + "SoftwareAgent"),
                                             (RDFS + "label", _str(f"paper-kg {info.version}"))]):
            yield b
        counts = self.counts
        n_subjects = len(self.subjects) + self.n_parts + self.copied_subjects
        tail: list[tuple[str, Term]] = [
            (A, VOID + "Dataset"), (PROV + "wasGeneratedBy", build),
            (KG + "paperCount", _int(counts["paper"])), (KG + "entityCount", _int(counts["entity"])),
            (KG + "linkCount", _int(counts["link"])),
            (VOID + "entities", _int(n_subjects + 1)),
        ]
        tail.append((VOID + "triples", _int(counts["triples"] + len(tail) + 1)))
        if b := self._block("dataset", base + "dataset", tail):
            yield b


def iter_blocks(
    data: GraphData, *, base_iri: str | None = None,
    on_annotation: Callable[[Mention, str, str, str], None] | None = None,
) -> Iterator[Block]:
    """The triples of ``data`` grouped by subject: each subject once, its pairs unique,
    in a deterministic order (each paper followed by its mentions' annotations, then
    entities, links, build, dataset).

    ``base_iri`` defaults to ``data.info.base_iri`` and then :data:`DEFAULT_BASE_IRI`.
    The last block describes the ``void:Dataset`` whose ``void:triples`` counts every
    triple (itself included) and ``void:entities`` every distinct subject. Writers
    format whole blocks, which is what makes them fast. With ``on_annotation``, the four
    blocks of each mention's annotation are not yielded: ``on_annotation(mention,
    annotation IRI, paper IRI, entity IRI)`` is called in their place (they are counted
    all the same), so a writer can render them from a template (see
    :mod:`exports.streaming`).
    """
    blocks = GraphBlocks(data, base_iri=base_iri)
    for p in data.papers:
        yield from blocks.paper(p, on_annotation)
    yield from blocks.entities()
    yield from blocks.links()
    yield from blocks.closing()


def iter_triples(data: GraphData, *, base_iri: str | None = None) -> Iterator[Triple]:
    """All triples of ``data``, each once, in a deterministic order (see :func:`iter_blocks`)."""
    for subject, pairs in iter_blocks(data, base_iri=base_iri):
        for p, o in pairs:
            yield subject, p, o


def annotation_blocks(m: Mention, ann: str, paper: str, entity: str) -> tuple[Block, ...]:
    """The four nodes of one mention's evidence: annotation, target, two selectors."""
    target, pos, quote = ann + "/target", ann + "/position", ann + "/quote"
    return (
        (ann, [
            (A, OA + "Annotation"), (OA + "hasBody", entity), (OA + "hasTarget", target),
            (KG + "field", _str(m.field)), (KG + "rule", _str(m.rule)),
            (KG + "confidence", double_literal(m.confidence)),
        ]),
        (target, [
            (A, OA + "SpecificResource"), (OA + "hasSource", paper),
            (OA + "hasSelector", pos), (OA + "hasSelector", quote),
        ]),
        (pos, [
            (A, OA + "TextPositionSelector"), (OA + "start", _int(m.start, "nonNegativeInteger")),
            (OA + "end", _int(m.end, "nonNegativeInteger")),
        ]),
        (quote, [(A, OA + "TextQuoteSelector"), (OA + "exact", _str(m.text))]),
    )


def link_pairs(source: str, target: str, weight: float, shared: Iterable[str]
               ) -> list[tuple[str, Term]]:
    """The triples of one paper-paper link (its IRI is the subject); ``shared`` are entity
    IRIs, rarest first."""
    pairs: list[tuple[str, Term]] = [
        (A, KG + "PaperLink"), (KG + "linkSource", source), (KG + "linkTarget", target),
        (KG + "weight", double_literal(weight))]
    pairs += [(KG + "sharedEntity", e) for e in shared]
    return pairs


LINK_TRIPLES = len(link_pairs("s", "t", 1.0, ()))  # without the shared entities


def _annotation_shape() -> tuple[int, int]:
    blocks = annotation_blocks(Mention("p", "title", 0, 1, "t", "method", "k", "r", 1.0, 0, 1, "e"),
                         "a", "p", "e")
    return len(blocks), sum(len(pairs) for _, pairs in blocks)


ANNOTATION_SUBJECTS, ANNOTATION_TRIPLES = _annotation_shape()


def to_rdflib(data: GraphData, *, base_iri: str | None = None) -> rdflib.Graph:
    """``data`` as an rdflib graph with the project prefixes bound (see :func:`iter_triples`)."""
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, rdflib.Namespace(ns))
    iris: dict[str, rdflib.URIRef] = {}

    def node(t: Term) -> rdflib.URIRef | rdflib.Literal:
        if isinstance(t, Lit):
            dt = rdflib.URIRef(t.datatype) if t.datatype else None
            return rdflib.Literal(t.value, datatype=dt)
        ref = iris.get(t)
        if ref is None:
            ref = iris[t] = rdflib.URIRef(t)
        return ref

    graph.addN(
        (node(s), node(p), node(o), graph) for s, p, o in iter_triples(data, base_iri=base_iri)
    )
    return graph


def _serialize(data: GraphData, path: Path, fmt: str, base_iri: str | None) -> None:
    # RDF/XML stays on rdflib: Oxigraph writes a raw CR that XML parsers turn into LF
    to_rdflib(data, base_iri=base_iri).serialize(destination=str(path), format=fmt,
                                                 encoding="utf-8")


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _jsonld_value(term: Term) -> object:
    if isinstance(term, Lit):
        return {"@value": term.value, "@type": _compact(term.datatype)} if term.datatype else \
            term.value
    return {"@id": term}


def write_jsonld(
    data: GraphData, path: Path, *, base_iri: str | None = None, **_ignored: object
) -> None:
    """Stream ``data`` as JSON-LD: ``{"@context": prefixes, "@graph": [one node per subject]}``.

    Written directly rather than through rdflib, whose serialiser writes ``xsd:double``
    values as JSON numbers (``2.0`` is read back as ``xsd:integer`` by spec-conforming
    parsers) and drops empty strings from value lists. Typed literals are written as
    ``{"@value": lexical, "@type": datatype}``, IRIs as ``{"@id": iri}``.
    """
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('{\n"@context": ' + json.dumps(PREFIXES, indent=1) + ',\n"@graph": [')
        sep = "\n"
        for subject, group in itertools.groupby(
            iter_triples(data, base_iri=base_iri), key=lambda t: t[0]
        ):
            node: dict[str, object] = {"@id": subject}
            values: dict[str, list[object]] = {}
            for _, p, o in group:
                if p == A and isinstance(o, str):
                    values.setdefault("@type", []).append(_compact(o))
                else:
                    values.setdefault(_compact(p), []).append(_jsonld_value(o))
            node.update({k: v[0] if len(v) == 1 else v for k, v in values.items()})
            out.write(sep + json.dumps(node, ensure_ascii=False))
            sep = ",\n"
        out.write("\n]\n}\n")


def write_rdfxml(
    data: GraphData, path: Path, *, base_iri: str | None = None, **_ignored: object
) -> None:
    """Write ``data`` as RDF/XML to ``path``."""
    _serialize(data, path, "xml", base_iri)


def _load_packaged(name: str) -> rdflib.Graph:
    text = resources.files("exports").joinpath(name).read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


def load_ontology() -> rdflib.Graph:
    """The project ontology (``exports/ontology.ttl``)."""
    return _load_packaged("ontology.ttl")


def load_shapes() -> rdflib.Graph:
    """The SHACL shapes of the export (``exports/shapes.ttl``)."""
    return _load_packaged("shapes.ttl")


def validate(graph: rdflib.Graph) -> tuple[bool, str]:
    """Validate ``graph`` against the shapes (with the ontology); ``(conforms, report text)``."""
    try:
        import pyshacl
    except ImportError:
        raise KGError(
            "SHACL validation needs pyshacl, which is not installed "
            "(pip install 'paper-kg[test]' or pip install pyshacl)"
        ) from None
    conforms, _report, text = pyshacl.validate(
        graph, shacl_graph=load_shapes(), ont_graph=load_ontology(), inference="none",
        abort_on_first=False, allow_warnings=False,
    )
    return bool(conforms), str(text)
