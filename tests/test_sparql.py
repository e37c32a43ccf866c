"""SPARQL: shipped queries on every source kind, safe bindings, errors, result formats."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

import exports
from exports.rdf import to_rdflib
from kg.errors import InputError, KGError, QueryError
from kg.records import GraphData
from kg.sparql import (
    QueryResult,
    format_result,
    load_query,
    resolve_source,
    run_query,
    shipped_queries,
)
from tests.test_rdf import sample_data

P1, P2, P3, P4 = ("arxiv:2401.00001", "doi:10.1000/abc(1)", "title:rlhf-for-vision",
                  "arxiv:2402.00002")
SELECT_LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name ?entity WHERE { ?entity skos:prefLabel|skos:altLabel ?l
  FILTER(STR(?l) = ?name) } ORDER BY ?entity"""


@pytest.fixture(scope="module")
def data() -> GraphData:
    return sample_data()


@pytest.fixture(scope="module")
def outdir(data: GraphData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output directory holding the graph in all four RDF formats."""
    out = tmp_path_factory.mktemp("out")
    for fmt, name in [("turtle", "graph.ttl"), ("n-triples", "graph.nt"),
                      ("json-ld", "graph.jsonld"), ("rdf-xml", "graph.rdf")]:
        exports.export(data, fmt, out / name)
    return out


SOURCES = ["dir", "graph.ttl", "graph.nt", "graph.jsonld", "graph.rdf", "rdflib"]


@pytest.fixture(params=SOURCES)
def source(request: pytest.FixtureRequest, outdir: Path, data: GraphData) -> object:
    if request.param == "dir":
        return outdir
    if request.param == "rdflib":
        return to_rdflib(data)
    return str(outdir / request.param)


def _rows(result: QueryResult, *cols: str) -> list[tuple[str | None, ...]]:
    idx = [result.columns.index(c) for c in cols]
    return [tuple(row[i] for i in idx) for row in result.rows]


def test_papers_using_benchmark(source: object) -> None:
    for name in ("MMLU", "mmlu", "massive multitask language understanding"):
        r = run_query(source, load_query("papers-using-benchmark"), bindings={"name": name})  # type: ignore[arg-type]
        assert _rows(r, "id", "benchmark", "name") == [(P2, "MMLU", name), (P1, "MMLU", name)]
    # names are looked up in the indexes: exact, or lowercase, not any mix of cases
    assert run_query(source, load_query("papers-using-benchmark"),  # type: ignore[arg-type]
                     bindings={"name": "mMlU"}).rows == ()
    assert run_query(source, load_query("papers-using-benchmark"),  # type: ignore[arg-type]
                     bindings={"name": "ImageNet"}).rows == ()  # a dataset, not a benchmark


def test_top_benchmarks(source: object) -> None:
    r = run_query(source, load_query("top-benchmarks.rq"))  # type: ignore[arg-type]
    assert _rows(r, "benchmark", "papers") == [("GSM8K", "2"), ("MMLU", "2")]


def test_co_occurring_methods(source: object) -> None:
    r = run_query(source, load_query("co-occurring-methods"), bindings={"?name": "lora"})  # type: ignore[arg-type]
    assert _rows(r, "method", "papers") == [("DPO", "2"), ("RLHF", "1")]


def test_related_papers(source: object) -> None:
    q = load_query("related-papers")
    r = run_query(source, q, bindings={"paper": P2})  # type: ignore[arg-type]
    assert _rows(r, "source_id", "related_id", "weight") == [(P2, P1, "2.0"), (P2, P4, "1.0")]
    assert sorted((r.rows[0][r.columns.index("shared")] or "").split("; ")) == ["DPO", "LoRA",
                                                                                  "MMLU"]
    found = run_query(source, load_query("find-papers"), bindings={"text": "gpt-4o with lora"})  # type: ignore[arg-type]
    assert len(found) == 1
    pid, title = found.rows[0][found.columns.index("id")], found.rows[0][found.columns.index("title")]
    for value in (pid, title):  # by id or by exact title
        r = run_query(source, q, bindings={"paper": value})  # type: ignore[arg-type]
        assert _rows(r, "related_id", "weight") == [(P2, "2.0"), (P3, "0.5")]
    assert run_query(source, q, bindings={"paper": "gpt-4o with lora"}).rows == ()  # type: ignore[arg-type]


def test_entity_counts(source: object) -> None:
    r = run_query(source, load_query("entity-counts"))  # type: ignore[arg-type]
    assert _rows(r, "type", "entities") == [("method", "3"), ("benchmark", "2"), ("model", "2"),
                                            ("dataset", "1")]


@pytest.mark.parametrize("value", ['mmlu" } UNION { ?paper ?p ?o } #', "}", '"', "\\", "\n'}"])
def test_binding_values_are_literals(source: object, value: str) -> None:
    r = run_query(source, load_query("papers-using-benchmark"), bindings={"name": value})  # type: ignore[arg-type]
    assert r.rows == ()


def test_binding_value_with_quote_and_brace_matches_exactly(source: object) -> None:
    value = 'MMLU "hard" {v2}'  # an alias of MMLU in the fixture
    r = run_query(source, load_query("papers-using-benchmark"), bindings={"name": value})  # type: ignore[arg-type]
    assert _rows(r, "id", "name") == [(P2, value), (P1, value)]


def test_ask_and_construct_with_bindings(source: object) -> None:
    ask = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ASK { ?e skos:prefLabel ?name }"
    assert run_query(source, ask, bindings={"name": "LoRA"}).rows == (("true",),)  # type: ignore[arg-type]
    r = run_query(source, ask, bindings={"name": "nope"})  # type: ignore[arg-type]
    assert (r.kind, r.columns, r.rows) == ("ask", ("ask",), (("false",),))
    construct = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        CONSTRUCT { ?e skos:note ?name } WHERE { ?e skos:prefLabel ?name }"""
    r = run_query(source, construct, bindings={"name": "DPO"})  # type: ignore[arg-type]
    assert r.kind == "graph" and r.columns == ("subject", "predicate", "object")
    assert r.rows == (("https://w3id.org/paper-kg/id/entity/method/dpo",
                       "http://www.w3.org/2004/02/skos/core#note", "DPO"),)


def test_bound_variable_outside_select_list(outdir: Path) -> None:
    q = SELECT_LABELS.replace("SELECT ?name ?entity", "SELECT ?entity")
    r = run_query(outdir, q, bindings={"name": "gpt4o"})
    assert r.rows == (("https://w3id.org/paper-kg/id/entity/model/gpt-4o",),)


@pytest.mark.parametrize("query", ["SELEC ?x WHERE { ?x ?y ?z }", "SELECT ?x WHERE { ?x ?y }",
                                   "INSERT DATA { <http://a> <http://b> <http://c> }"])
def test_syntax_error(source: object, query: str) -> None:
    with pytest.raises(QueryError) as info:
        run_query(source, query)  # type: ignore[arg-type]
    assert "\n" not in str(info.value) and "syntax" in str(info.value).lower()


def test_bad_bindings(outdir: Path) -> None:
    with pytest.raises(QueryError, match="no variable"):
        run_query(outdir, SELECT_LABELS, bindings={"nme": "x"})
    with pytest.raises(QueryError, match="invalid variable"):
        run_query(outdir, SELECT_LABELS, bindings={"na me": "x"})


def test_sources(outdir: Path, tmp_path: Path) -> None:
    assert resolve_source(outdir) == outdir / "graph.nt"
    only_ttl = tmp_path / "ttl"
    only_ttl.mkdir()
    shutil.copy(outdir / "graph.ttl", only_ttl / "graph.ttl")
    assert resolve_source(only_ttl) == only_ttl / "graph.ttl"
    assert len(run_query(only_ttl, SELECT_LABELS, bindings={"name": "DPO"})) == 1
    with pytest.raises(InputError, match="no RDF graph"):
        resolve_source(tmp_path / "ttl" / "..")
    with pytest.raises(InputError, match="no such file"):
        run_query(tmp_path / "missing.ttl", SELECT_LABELS)
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid RDF"):
        run_query(broken, SELECT_LABELS)
    other = tmp_path / "g.turtle"  # a suffix Oxigraph does not know: rdflib reads it
    shutil.copy(outdir / "graph.ttl", other)
    assert len(run_query(other, SELECT_LABELS, bindings={"name": "RLHF"})) == 1


def test_load_query(tmp_path: Path) -> None:
    names = shipped_queries()
    assert {"papers-using-benchmark", "top-benchmarks", "co-occurring-methods",
            "related-papers", "entity-counts", "find-papers"} <= set(names)
    for name, description in names.items():
        text = load_query(name)
        assert text.startswith("#") and description
        assert "Expects:" in text and load_query(name + ".rq") == text
    own = tmp_path / "mine.rq"
    own.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    assert load_query(own) == load_query(str(own)) == "SELECT * WHERE { ?s ?p ?o }"
    for text in ("SELECT * WHERE { ?s ?p ?o }", "# c\nprefix x: <http://x/> ASK {}",
                 "DESCRIBE <http://x/a>", "ASK {" + "x" * 5000 + "}"):
        assert load_query(text) == text  # query text passes through
    for bad in ("no-such-query", "../kg/queries/top-benchmarks", str(tmp_path / "x.rq")):
        with pytest.raises(QueryError, match="top-benchmarks"):
            load_query(bad)


RESULT = QueryResult(("name", "title"), (("a", "short"), (None, "x" * 100 + "\nnext"),
                                         ("注意", 'say "hi", ok')))


def test_format_table() -> None:
    lines = format_result(RESULT, "table", max_width=20).splitlines()
    assert lines[0].split() == ["name", "title"] and set(lines[1]) == {"-", " "}
    assert lines[3] == "      " + "x" * 19 + "…"
    assert lines[-1] == "(3 rows)"
    assert len({line.index("title") for line in lines[:1]}) == 1
    assert lines[4].startswith("注意  say")  # wide characters count double


def test_format_csv() -> None:
    rows = list(csv.reader(io.StringIO(format_result(RESULT, "csv"))))
    assert rows == [["name", "title"], ["a", "short"], ["", "x" * 100 + "\nnext"],
                    ["注意", 'say "hi", ok']]


def test_format_json() -> None:
    doc = json.loads(format_result(RESULT, "json"))
    assert doc["head"]["vars"] == ["name", "title"]
    assert doc["results"]["bindings"][1] == {"title": "x" * 100 + "\nnext"}
    ask = QueryResult(("ask",), (("true",),), "ask")
    assert json.loads(format_result(ask, "json")) == {"head": {}, "boolean": True}
    assert format_result(ask, "table").splitlines()[2] == "true"


def test_format_unknown() -> None:
    with pytest.raises(KGError, match="csv, json, table"):
        format_result(RESULT, "xml")


def _normalised(result: QueryResult) -> list[tuple[str | None, ...]]:
    """Rows with GROUP_CONCAT lists (order undefined in SPARQL) sorted."""
    return [tuple("; ".join(sorted(v.split("; "))) if v and c == "shared" else v
                  for c, v in zip(result.columns, row, strict=True)) for row in result.rows]


def test_every_shipped_query_agrees_across_engines(outdir: Path, data: GraphData) -> None:
    bindings = {"papers-using-benchmark": {"name": "gsm8k"}, "co-occurring-methods":
                {"name": "DPO"}, "related-papers": {"paper": P1}, "find-papers": {"text": "lora"}}
    graph = to_rdflib(data)
    for name in shipped_queries():
        q = load_query(name)
        a = run_query(outdir / "graph.ttl", q, bindings=bindings.get(name))
        b = run_query(graph, q, bindings=bindings.get(name))
        assert a.columns == b.columns and a.rows, name
        assert _normalised(a) == _normalised(b), name


# --- on-disk index for large graphs of an output directory ----------------------------------

def test_large_graph_is_queried_through_a_reusable_index(
    seeds_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above INDEX_MIN_BYTES the graph of an output directory is indexed on disk once; the
    answers equal the in-memory ones, and a changed graph file gets a fresh index."""
    import kg.sparql as sparql

    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    queries = {name: load_query(name) for name in ("top-benchmarks", "entity-counts")}
    in_memory = {name: run_query(out, q) for name, q in queries.items()}
    assert not (out / sparql.INDEX_DIR).exists()  # small graphs stay in memory

    monkeypatch.setattr(sparql, "INDEX_MIN_BYTES", 0)
    sparql._STORES.clear()
    heard: list[str] = []
    assert {n: run_query(out, q, progress=heard.append) for n, q in queries.items()} == in_memory
    index = out / sparql.INDEX_DIR
    stamp = json.loads((index / "source.json").read_text())
    assert stamp["file"] == resolve_source(out).name and len(heard) == 1
    assert not [p.name for p in out.iterdir() if ".sparql-index." in p.name]  # no temp left

    sparql._STORES.clear()  # a new process: opens the index, does not rebuild it
    name = in_memory["top-benchmarks"].as_dicts()[0]["benchmark"]
    assert name
    bound = run_query(out, load_query("papers-using-benchmark"), bindings={"name": name},
                      progress=heard.append)
    assert len(heard) == 1 and len(bound) > 0

    graph = resolve_source(out)
    graph.write_text(graph.read_text(encoding="utf-8").replace(f'"{name}"', f'"{name} X"'),
                     encoding="utf-8")
    sparql._STORES.clear()
    rebound = run_query(out, load_query("papers-using-benchmark"),
                        bindings={"name": f"{name} X"}, progress=heard.append)
    assert len(heard) == 2
    assert [r[2:] for r in rebound.rows] == [r[2:] for r in bound.rows]


def test_index_falls_back_to_memory_when_the_directory_is_read_only(
    seeds_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import kg.sparql as sparql

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    expected = run_query(out, load_query("top-benchmarks"))
    monkeypatch.setattr(sparql, "INDEX_MIN_BYTES", 0)
    sparql._STORES.clear()
    out.chmod(0o555)
    try:
        assert run_query(out, load_query("top-benchmarks")) == expected
    finally:
        out.chmod(0o755)
    assert not (out / sparql.INDEX_DIR).exists()
