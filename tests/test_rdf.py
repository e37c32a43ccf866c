"""RDF export: formats, streaming N-Triples, vocabulary, SHACL, hostile input, IRIs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.compare import isomorphic

import exports
from exports.iris import (
    DEFAULT_BASE_IRI,
    KG,
    entity_iri,
    file_iri,
    is_valid_iri,
    paper_iri,
    safe_http_iri,
)
from exports.rdf import clean_text, load_ontology, to_rdflib, validate
from exports.streaming import write_ntriples
from kg.errors import KGError
from kg.records import BuildInfo, Entity, GraphData, Link, Mention, Paper

PKG = rdflib.Namespace(KG)
SCHEMA = rdflib.Namespace("https://schema.org/")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
MLS = rdflib.Namespace("http://www.w3.org/ns/mls#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FABIO = rdflib.Namespace("http://purl.org/spar/fabio/")
RDF_FORMATS = sorted(n for n, s in exports.formats().items() if s.description.startswith("RDF"))
PARSE_AS = {"turtle": "turtle", "n-triples": "nt", "json-ld": "json-ld", "rdf-xml": "xml"}
ENT = {
    "benchmark/mmlu": ("MMLU", "benchmark", ("mmlu", "Massive Multitask Language Understanding",
                                             'MMLU "hard" {v2}')),
    "benchmark/gsm8k": ("GSM8K", "benchmark", ("gsm8k",)),
    "dataset/imagenet": ("ImageNet", "dataset", ("ImageNet", "ImageNet-1k")),
    "model/gpt-4o": ("GPT-4o", "model", ("gpt4o",)),
    "model/llama-3": ("Llama 3", "model", ()),
    "method/lora": ("LoRA", "method", ("low-rank adaptation",)),
    "method/dpo": ("DPO", "method", ()),
    "method/rlhf": ("RLHF", "method", ()),
}


def _mentions(paper: Paper, *entity_ids: str) -> list[Mention]:
    out = []
    for eid in entity_ids:
        label, etype, _ = ENT[eid]
        for field in ("title", "abstract"):
            start = paper.text(field).find(label)
            if start >= 0:
                end = start + len(label)
                out.append(Mention(paper.id, field, start, end, label, etype,  # type: ignore[arg-type]
                                   label.lower(), "lexicon", 0.9, 0, len(paper.text(field)), eid))
                break
    return out


def sample_data(
    papers: tuple[Paper, ...] | None = None, entities: tuple[Entity, ...] | None = None
) -> GraphData:
    """Four papers (two arXiv, one DOI, one title slug), eight entities, mentions, links."""
    p1 = Paper("arxiv:2401.00001", "Tuning GPT-4o with LoRA on MMLU",
               "We tune GPT-4o with LoRA and DPO and test on MMLU. Code: https://github.com/a/b",
               arxiv_id="2401.00001", url="https://arxiv.org/abs/2401.00001", date="2024-01-02",
               authors=("Ada Lovelace", "Alan Turing"), links=("https://github.com/a/b",))
    p2 = Paper("doi:10.1000/abc(1)", "LoRA and DPO for Llama 3",
               "Llama 3 with LoRA and DPO on MMLU and GSM8K.", doi="10.1000/abc(1)", date="2023")
    p3 = Paper("title:rlhf-for-vision", "RLHF for vision", "RLHF on ImageNet with LoRA adapters.")
    p4 = Paper("arxiv:2402.00002", "GSM8K reasoning", "Math reasoning on GSM8K with RLHF.",
               arxiv_id="2402.00002")
    mentions = (_mentions(p1, "model/gpt-4o", "method/lora", "method/dpo", "benchmark/mmlu")
                + _mentions(p2, "model/llama-3", "method/lora", "method/dpo", "benchmark/mmlu",
                            "benchmark/gsm8k")
                + _mentions(p3, "method/rlhf", "dataset/imagenet", "method/lora")
                + _mentions(p4, "benchmark/gsm8k", "method/rlhf"))
    counts = {e: len({m.paper_id for m in mentions if m.entity == e}) for e in ENT}
    ents = tuple(Entity(eid, label, etype, aliases, counts[eid], counts[eid])  # type: ignore[arg-type]
                 for eid, (label, etype, aliases) in sorted(ENT.items()))
    links = (
        Link(p1.id, p2.id, 2.0, ("benchmark/mmlu", "method/dpo", "method/lora")),
        Link(p1.id, p3.id, 0.5, ("method/lora",)),
        Link(p4.id, p2.id, 1.0, ("benchmark/gsm8k",)),
    )
    info = BuildInfo("0.1.0", "2024-05-01T10:00:00Z", "2024-05-01T10:00:05Z",
                     ("/data/papers one.jsonl", "relative/papers.csv"), DEFAULT_BASE_IRI)
    all_papers = tuple(sorted((p1, p2, p3, p4), key=lambda p: p.id))
    return GraphData(papers if papers is not None else all_papers,
                     entities if entities is not None else ents, tuple(mentions), links, info)


@pytest.fixture(scope="module")
def data() -> GraphData:
    return sample_data()


@pytest.fixture(scope="module")
def graph(data: GraphData) -> rdflib.Graph:
    return to_rdflib(data)


def _export(data: GraphData, fmt: str, path: Path, **options: str) -> rdflib.Graph:
    out = exports.export(data, fmt, path / f"graph{exports.get(fmt).suffix}", **options)
    return rdflib.Graph().parse(out, format=PARSE_AS[fmt])


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_each_format_parses_and_is_isomorphic(
    data: GraphData, graph: rdflib.Graph, fmt: str, tmp_path: Path
) -> None:
    assert isomorphic(_export(data, fmt, tmp_path), graph)


def test_rdf_formats_are_registered() -> None:
    assert set(RDF_FORMATS) == set(PARSE_AS)


def test_streaming_ntriples_equals_rdflib(data: GraphData, graph: rdflib.Graph, tmp_path) -> None:
    path = tmp_path / "s.nt"
    write_ntriples(data, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == len(graph)  # no duplicate triples
    assert isomorphic(rdflib.Graph().parse(path, format="nt"), graph)
    again = tmp_path / "again.nt"
    write_ntriples(data, again)
    assert again.read_bytes() == path.read_bytes()  # deterministic


def test_paper_vocabulary(graph: rdflib.Graph) -> None:
    arxiv = URIRef("https://arxiv.org/abs/2401.00001")
    doi = URIRef("https://doi.org/10.1000/abc%281%29")
    slug = URIRef(DEFAULT_BASE_IRI + "paper/rlhf-for-vision")
    for p in (arxiv, doi, slug):
        assert (p, RDF.type, SCHEMA.ScholarlyArticle) in graph
    assert graph.value(arxiv, DCT.title) == Literal("Tuning GPT-4o with LoRA on MMLU")
    assert graph.value(arxiv, DCT.identifier) == Literal("arxiv:2401.00001")
    assert graph.value(arxiv, FABIO.hasArXivId) == Literal("2401.00001")
    assert graph.value(arxiv, DCT.date) == Literal("2024-01-02", datatype=XSD.date)
    assert graph.value(doi, DCT.date) == Literal("2023", datatype=XSD.gYear)
    assert graph.value(arxiv, SCHEMA.url) == arxiv
    assert set(graph.objects(arxiv, SCHEMA.author)) == {Literal("Ada Lovelace"),
                                                        Literal("Alan Turing")}
    assert (arxiv, RDFS.seeAlso, URIRef("https://github.com/a/b")) in graph
    assert set(graph.objects(slug, SCHEMA.mentions)) == {
        URIRef(entity_iri(e, DEFAULT_BASE_IRI))
        for e in ("method/rlhf", "dataset/imagenet", "method/lora")}


def test_typed_mentions_restate_schema_mentions_by_type(graph: rdflib.Graph) -> None:
    # pkg:mentionsX lists exactly the mentioned entities of class X, for every paper
    by_type = {PKG.mentionsModel: MLS.Model, PKG.mentionsDataset: MLS.Dataset,
               PKG.mentionsMethod: MLS.Algorithm, PKG.mentionsBenchmark: PKG.Benchmark}
    papers = set(graph.subjects(RDF.type, SCHEMA.ScholarlyArticle))
    assert papers
    typed_total = 0
    for paper in papers:
        mentioned = set(graph.objects(paper, SCHEMA.mentions))
        for prop, cls in by_type.items():
            typed = set(graph.objects(paper, prop))
            typed_total += len(typed)
            assert typed == {e for e in mentioned if (e, RDF.type, cls) in graph}
    assert typed_total == len(list(graph.triples((None, SCHEMA.mentions, None))))


def test_entity_vocabulary(graph: rdflib.Graph) -> None:
    classes = {"benchmark": PKG.Benchmark, "dataset": MLS.Dataset, "model": MLS.Model,
               "method": MLS.Algorithm}
    for eid, (label, etype, aliases) in ENT.items():
        node = URIRef(entity_iri(eid, DEFAULT_BASE_IRI))
        assert list(graph.objects(node, RDF.type)) == [classes[etype]]
        assert list(graph.objects(node, SKOS.prefLabel)) == [Literal(label)]
        assert set(graph.objects(node, SKOS.altLabel)) == {Literal(a) for a in aliases
                                                           if a != label}
        assert graph.value(node, PKG.paperCount).datatype == XSD.integer
    assert (PKG.Benchmark, RDFS.subClassOf, MLS.Dataset) in load_ontology()


def test_annotation_link_and_build(data: GraphData, graph: rdflib.Graph) -> None:
    annotations = list(graph.subjects(RDF.type, OA.Annotation))
    assert len(annotations) == len(data.mentions)
    m = data.mentions[0]
    ann = next(a for a in annotations if graph.value(a, OA.hasBody) ==
               URIRef(entity_iri(m.entity, DEFAULT_BASE_IRI)) and str(
                   graph.value(a, PKG.field)) == m.field and m.paper_id == "arxiv:2401.00001")
    target = graph.value(ann, OA.hasTarget)
    assert graph.value(target, OA.hasSource) == URIRef("https://arxiv.org/abs/2401.00001")
    selectors = list(graph.objects(target, OA.hasSelector))
    assert {graph.value(s, RDF.type) for s in selectors} == {OA.TextPositionSelector,
                                                             OA.TextQuoteSelector}
    assert not any(isinstance(n, rdflib.BNode) for t in graph for n in t)
    links = list(graph.subjects(RDF.type, PKG.PaperLink))
    assert len(links) == 3
    strong = next(x for x in links if float(graph.value(x, PKG.weight)) == 2.0)
    assert graph.value(strong, PKG.weight).datatype == XSD.double
    assert len(list(graph.objects(strong, PKG.sharedEntity))) == 3
    build = URIRef(DEFAULT_BASE_IRI + "build")
    assert (build, RDF.type, PROV.Activity) in graph
    assert (build, PROV.used, URIRef("file:///data/papers%20one.jsonl")) in graph
    assert (build, PKG.input, Literal("relative/papers.csv")) in graph
    agent = graph.value(build, PROV.wasAssociatedWith)
    assert graph.value(agent, RDFS.label) == Literal("paper-kg 0.1.0")
    dataset = URIRef(DEFAULT_BASE_IRI + "dataset")
    assert int(graph.value(dataset, VOID.triples)) == len(graph)
    assert int(graph.value(dataset, VOID.entities)) == len(set(graph.subjects()))
    assert [int(graph.value(dataset, PKG[k])) for k in ("paperCount", "entityCount",
                                                        "linkCount")] == [4, 8, 3]


def test_base_iri_option(data: GraphData, tmp_path: Path) -> None:
    g = _export(data, "turtle", tmp_path, base_iri="https://example.org/kg/")
    assert (URIRef("https://example.org/kg/entity/model/gpt-4o"), RDF.type, MLS.Model) in g
    with pytest.raises(KGError, match="base IRI"):
        to_rdflib(data, base_iri="not an iri/")


def test_shacl_conforms(graph: rdflib.Graph) -> None:
    conforms, report = validate(graph)
    assert conforms, report


def test_shacl_rejects_broken_graphs(graph: rdflib.Graph) -> None:
    no_title = rdflib.Graph() + graph
    no_title.remove((URIRef("https://arxiv.org/abs/2401.00001"), DCT.title, None))
    conforms, report = validate(no_title)
    assert not conforms and "title" in report
    bad_link = rdflib.Graph() + graph
    link = next(bad_link.subjects(RDF.type, PKG.PaperLink))
    bad_link.set((link, PKG.weight, Literal(-1.0)))
    assert not validate(bad_link)[0]


def test_validate_without_pyshacl(graph: rdflib.Graph, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pyshacl", None)
    with pytest.raises(KGError, match="pyshacl"):
        validate(graph)


def test_ontology_declares_every_pkg_term(graph: rdflib.Graph) -> None:
    onto = load_ontology()
    used = {t for triple in graph for t in triple if str(t).startswith(KG)}
    for term in used:
        assert onto.value(term, RDFS.label) is not None, term
        assert onto.value(term, RDFS.comment) is not None, term
        if (term, RDF.type, rdflib.OWL.Class) not in onto:
            assert onto.value(term, RDFS.domain) is not None, term
            assert onto.value(term, RDFS.range) is not None, term


EVIL_TITLE = 'Evil "q" \\ back\nslash\r\n<script>alert(1)</script>\x00\x01\x1f\x7f\ud800 \ufffe end'
EVIL_ABSTRACT = "注意力 — Внимание — انتباه — 🤖 '''\"\"\" tab\there \u2028 x\\"
EVIL_URLS = ('javascript:alert(1)', 'https://ok.org/p?q=a b&x=<y>#f"g', 'ftp://x.org/f',
             'http://evil.org/"> <http://x.org/s> <http://x.org/p> .', "http://exa mple.com/",
             "data:text/html,<b>", "https://h.org/{a}|b^c`d\\e")


def _hostile_data() -> GraphData:
    base = sample_data()
    evil = Paper("title:evil\"> <x", EVIL_TITLE, EVIL_ABSTRACT, url=EVIL_URLS[3],
                 authors=('Bobby "); DROP', "\x00"), links=EVIL_URLS, date='2024"^^<x>')
    ent = Entity('model/evil" <x> .', 'Evil\x0b "model"\n', "model", ("\ud83e", "a\\b"), 1, 1)
    m = Mention(evil.id, "title", 0, 4, "Evil", "model", "evil", 'rule"\n', 0.5, 0, 4, ent.id)
    # links rendered from the writers' templates: hostile entity IRIs, an unknown shared
    # entity (dropped), none shared, an extreme weight
    links = (Link(base.papers[0].id, evil.id, 1e-300, (ent.id, "model/unknown", ent.id)),
             Link(evil.id, base.papers[1].id, 12345.678, ()))
    return GraphData(base.papers + (evil,), base.entities + (ent,), base.mentions + (m,),
                     base.links + links, base.info)


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_hostile_inputs_roundtrip(fmt: str, tmp_path: Path) -> None:
    hostile = _hostile_data()
    expected = to_rdflib(hostile)
    parsed = _export(hostile, fmt, tmp_path)
    assert isomorphic(parsed, expected)
    titles = {str(o) for o in parsed.objects(None, DCT.title)}
    assert clean_text(EVIL_TITLE) in titles
    assert EVIL_ABSTRACT in {str(o) for o in parsed.objects(None, DCT.abstract)}
    assert Literal('Evil "model"\n') in set(parsed.objects(None, SKOS.prefLabel))
    iris = {str(t) for triple in parsed for t in triple if isinstance(t, URIRef)}
    assert not {"http://x.org/s", "http://x.org/p", "javascript:alert(1)"} & iris
    assert all(is_valid_iri(i) for i in iris)
    assert all(not i.startswith(("javascript:", "ftp:", "data:")) for i in iris)
    dataset = URIRef(DEFAULT_BASE_IRI + "dataset")
    assert int(parsed.value(dataset, VOID.triples)) == len(parsed)


_special = st.sampled_from(list('"\\\n\r\t<>{}\'\x00\x1f\x7f\x85\ud800\udfff\ufffe\u2028 ') +
                           ['"""', "'''", "\\u0041", "^^", "@en", " .\n<a> <b> <c> ."])
_text = st.one_of(st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
                  st.lists(_special, max_size=12).map("".join))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_text, abstract=_text, label=_text, alias=_text)
def test_arbitrary_text_roundtrips(
    title: str, abstract: str, label: str, alias: str, tmp_path: Path
) -> None:
    paper = Paper("title:x", title, abstract, authors=(alias, title))
    entity = Entity("model/x", label, "model", (label, alias, label + "!"), 1, 1)
    info = BuildInfo("0", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", (), DEFAULT_BASE_IRI)
    data = GraphData((paper,), (entity,), (), (), info)
    expected = to_rdflib(data)
    for fmt in RDF_FORMATS:
        parsed = _export(data, fmt, tmp_path)
        assert isomorphic(parsed, expected), fmt
        node = URIRef(DEFAULT_BASE_IRI + "paper/x")
        assert str(parsed.value(node, DCT.title)) == clean_text(title)
        assert str(parsed.value(node, DCT.abstract)) == clean_text(abstract)
        ent = URIRef(entity_iri("model/x", DEFAULT_BASE_IRI))
        assert str(parsed.value(ent, SKOS.prefLabel)) == clean_text(label)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/a b", "https://example.org/a%20b"),
    ('http://e.org/x"><y>', "http://e.org/x%22%3E%3Cy%3E"),
    ("HTTPS://e.org/%41%zz", "https://e.org/%41%25zz"),
    ("https://e.org/ü?q=ü#ß", "https://e.org/ü?q=ü#ß"),
    ("javascript:alert(1)", None), ("mailto:a@b.org", None), ("https:///nohost", None),
    ("http://[::1", None), ("", None), (None, None),
])
def test_safe_http_iri(url: str | None, expected: str | None) -> None:
    assert safe_http_iri(url) == expected


def test_minted_iris_are_encoded() -> None:
    base = DEFAULT_BASE_IRI
    assert entity_iri("model/gpt 4o\"<>", base) == base + "entity/model/gpt%204o%22%3C%3E"
    assert entity_iri("model/ü", base) == base + "entity/model/%C3%BC"
    assert paper_iri("arxiv:hep-th/9901001", base) == "https://arxiv.org/abs/hep-th/9901001"
    assert paper_iri("doi:10.1/a<b>", base) == "https://doi.org/10.1/a%3Cb%3E"
    assert paper_iri("title:a/b c", base) == base + "paper/a%2Fb%20c"
    assert file_iri("relative/x.csv") is None
    assert file_iri("/abs/a b.jsonl") == "file:///abs/a%20b.jsonl"
