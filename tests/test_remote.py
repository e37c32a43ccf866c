"""``kg push`` and ``kg sparql --endpoint`` against real SPARQL servers on 127.0.0.1.

Oxigraph (``oxigraph serve``, PyPI package ``oxigraph``) and Virtuoso (Debian's
``virtuoso-opensource``) run as child processes (see :mod:`tests.servers`); a small
``http.server`` in a thread stands in for a store with HTTP Basic authentication. Without a
server binary its tests are skipped, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import base64
import http.server
import json
import math
import os
import threading
import tracemalloc
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.errors import KGError, QueryError
from kg.remote import (
    RemoteError,
    TruncatedResultWarning,
    inject_values,
    push,
    query_endpoint,
    query_form,
    sparql_string,
)
from kg.sparql import QueryResult, format_result, load_query, run_query
from tests import servers
from tests.conftest import run_kg

SECRET = "s3cr3t-Pa55word"
NASTY = [
    'say "hi"', "back\\slash", "new\nline\r\n", "tab\there", "{braces} }", "'single'",
    '" } } ; DROP ALL #', "\\u0022 not a quote", "\\", '"', "é日本🎉", "",
    '""" long """', "x' . ?s ?p ?o . FILTER(true) #",
]
TRICKY_TITLE = 'Quoting "WebArena" \\ with {braces} and a #hash'

PAPERS = [
    {"id": "p1", "title": TRICKY_TITLE,
     "abstract": "We evaluate GPT-4o on the WebArena benchmark and on VisualWebArena (VWA)."},
    {"id": "p2", "title": "Agents for VisualWebArena",
     "abstract": "We fine-tune Llama 2 and evaluate it on VisualWebArena and on MMLU."},
    {"id": "p3", "title": "Math reasoning with small models",
     "abstract": "We report results on GSM8K and MMLU with Llama 2 and GPT-4o."},
    {"id": "p4", "title": "Grade school math again",
     "abstract": "We evaluate on GSM8K and WebArena using reinforcement learning from human "
                 "feedback (RLHF)."},
    {"id": "p5", "title": "Knowledge tests",
     "abstract": "A new study of MMLU contamination for GPT-4o."},
]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { %s }"


# --- fixtures ---------------------------------------------------------------------------


def _build(tmp: Path, papers: list[dict[str, str]], name: str, *formats: str) -> Path:
    src = tmp / f"{name}.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    out = tmp / name
    kg.build([src]).save(out, formats=formats)
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five papers, exported as Turtle only (graph.ttl)."""
    return _build(tmp_path_factory.mktemp("small"), PAPERS, "small", "turtle")


@pytest.fixture(scope="module")
def smaller(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two of those papers, as Turtle and N-Triples (graph.nt is pushed)."""
    return _build(tmp_path_factory.mktemp("smaller"), PAPERS[2:4], "smaller", "turtle",
                  "n-triples")


def _triples(out: Path) -> int:
    return len(run_query(out, "SELECT * WHERE { ?s ?p ?o }"))


def _server(start: Any, missing: str | None, workdir: Path) -> Iterator[servers.Server]:
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"SPARQL server tests cannot run in CI: {missing}", pytrace=False)
        pytest.skip(missing)
    try:
        server = start(workdir)
    except servers.ServerError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    yield from _server(servers.start_oxigraph, servers.missing_oxigraph(),
                       tmp_path_factory.mktemp("oxigraph"))


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    yield from _server(servers.start_virtuoso, servers.missing_virtuoso(),
                       tmp_path_factory.mktemp("virtuoso"))


def _count(url: str, pattern: str, **kw: Any) -> int:
    result = query_endpoint(url, COUNT % pattern, **kw)
    return int(result.rows[0][0] or 0)


def _cli_json(*args: str, env: dict[str, str] | None = None) -> QueryResult:
    proc = run_kg("sparql", *args, "--output", "json") if env is None else _run_env(
        ["sparql", *args, "--output", "json"], env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    names = tuple(doc["head"]["vars"])
    rows = tuple(tuple(b.get(n) for n in names) for b in doc["results"]["bindings"])
    return QueryResult(names, rows)


def _run_env(args: list[str], env: dict[str, str]) -> Any:
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=300,
                          env={**os.environ, **env})


# --- SPARQL text (no server) ------------------------------------------------------------


@pytest.mark.parametrize("value", NASTY)
def test_sparql_string_round_trips_through_a_parser(value: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.nt"
    empty.write_text("", encoding="utf-8")  # queried with Oxigraph's parser
    res = run_query(empty, inject_values("SELECT ?x WHERE { }", {"x": value}))
    assert res.rows == ((value,),)
    assert "\n" not in sparql_string(value) and "\r" not in sparql_string(value)


def test_inject_values_binds_every_group_that_uses_the_variable() -> None:
    q = ("SELECT ?name ?e WHERE { { ?e <http://x/label> ?name } UNION { ?e <http://x/alt> ?name }\n"
         "  UNION { ?e <http://x/hidden> ?name } ?e a <http://x/B> . }")
    text = inject_values(q, {"name": "mmlu"})
    assert text.count('VALUES ?name { "mmlu" }') == 4  # outer WHERE and each UNION branch
    text = inject_values(load_query("papers-using-benchmark"), {"name": "mmlu"})
    assert text.count('VALUES ?name { "mmlu" }') == 1  # one basic graph pattern
    # a subquery alone in its group stays alone; strings, IRIs and comments are not groups
    text = inject_values('SELECT * WHERE { { SELECT ?x WHERE { ?x ?p ?n } } } # { ?n }\n',
                         {"n": "v"})
    assert text.startswith('SELECT * WHERE { VALUES ?n { "v" }  { SELECT ?x WHERE { VALUES')
    text = inject_values('ASK { ?s ?p "{ ?n }" . ?s <http://x/?n=1#{> ?n }', {"n": "v"})
    assert text.count("VALUES") == 1
    text = inject_values("CONSTRUCT { ?s ?p ?n } WHERE { ?s ?p ?n }", {"n": "v"})
    assert text == 'CONSTRUCT { ?s ?p ?n } WHERE { VALUES ?n { "v" }  ?s ?p ?n }'
    text = inject_values("CONSTRUCT WHERE { ?s ?p ?n }", {"n": "v"})  # a template only
    assert text.endswith('VALUES (?n) { ("v") }\n')
    assert query_form("# SELECT\nPREFIX a: <http://x/>\nASK {}") == "ASK"


# --- Oxigraph -----------------------------------------------------------------------------


def test_push_and_query_oxigraph_match_local(oxigraph: servers.Server, small: Path) -> None:
    proc = run_kg("push", str(small), "--endpoint", oxigraph.url("/store"))
    assert proc.returncode == 0, proc.stderr
    assert "Graph Store PUT" in proc.stdout and "default graph" in proc.stdout
    assert _count(oxigraph.url("/query"), "?s ?p ?o") == _triples(small)

    url = oxigraph.url("/query")
    for name, bind in [("top-benchmarks", []), ("entity-counts", []),
                       ("papers-using-benchmark", ["--bind", "name=visualwebarena"]),
                       ("co-occurring-methods", ["--bind", "name=RLHF"])]:
        local = _cli_json(str(small), name, *bind)
        remote = _cli_json("--endpoint", url, name, *bind)
        assert remote == local, name
    top = query_endpoint(url, "top-benchmarks")
    assert len(top) >= 4 and top == run_query(small, load_query("top-benchmarks"))
    bound = query_endpoint(url, "papers-using-benchmark", bindings={"name": "VWA"})
    assert len(bound) == 2
    assert bound == run_query(small, load_query("papers-using-benchmark"), bindings={"name": "VWA"})
    # same text formatting as a local result
    assert format_result(bound, "csv") == format_result(
        run_query(small, load_query("papers-using-benchmark"), bindings={"name": "VWA"}), "csv")


def test_bound_values_are_literals_not_query_text(oxigraph: servers.Server, small: Path) -> None:
    push(small, oxigraph.url("/store"), graph="http://example.org/tricky")
    url = oxigraph.url("/query")
    for value in NASTY:
        assert query_endpoint(url, "SELECT ?x WHERE { }", bindings={"x": value}).rows == ((value,),)
    q = ("PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?p WHERE { GRAPH ?g { "
         "?p dcterms:title ?t FILTER (STR(?t) = ?title) } }")
    assert len(query_endpoint(url, q, bindings={"title": TRICKY_TITLE})) == 1
    for value in NASTY:
        assert len(query_endpoint(url, q, bindings={"title": value})) == 0
    assert _count(url, "GRAPH <http://example.org/tricky> { ?s ?p ?o }") == _triples(small)
    with pytest.raises(QueryError, match="no variable"):
        query_endpoint(url, "SELECT ?x WHERE { }", bindings={"y": "1"})


def test_push_twice_replaces_and_append_adds(oxigraph: servers.Server, small: Path,
                                             smaller: Path) -> None:
    store, url, g = oxigraph.url("/store"), oxigraph.url("/query"), "https://example.org/g/replace"
    pattern = f"GRAPH <{g}> {{ ?s ?p ?o }}"
    for _ in range(2):
        push(small, store, graph=g)
        assert _count(url, pattern) == _triples(small)
    result = push(smaller, store, graph=g)  # graph.nt, counted
    assert result.method == "gsp" and result.triples == _triples(smaller)
    assert _count(url, pattern) == _triples(smaller)  # the larger graph's triples are gone
    push(small, store, graph=g, replace=False)  # POST: union
    union = run_query(smaller, "SELECT * WHERE { ?s ?p ?o }").rows
    union_size = len(set(union) | set(run_query(small, "SELECT * WHERE { ?s ?p ?o }").rows))
    assert _count(url, pattern) == union_size
    # the same through SPARQL Update, in small batches
    result = push(smaller, oxigraph.url("/update"), graph=g, method="update", batch_size=50)
    assert result.method == "update" and result.triples == _triples(smaller)
    assert result.requests == math.ceil(_triples(smaller) / 50)
    assert _count(url, pattern) == _triples(smaller)
    push(small, oxigraph.url("/update"), graph=g, method="update", replace=False)
    assert _count(url, pattern) == union_size


def test_named_graph_option(oxigraph: servers.Server, small: Path, smaller: Path) -> None:
    g = "https://example.org/g/named"
    proc = run_kg("push", str(smaller), "--endpoint", oxigraph.url("/store"), "--graph", g)
    assert proc.returncode == 0, proc.stderr
    assert f"graph <{g}>" in proc.stdout
    url = oxigraph.url("/query")
    assert _count(url, f"GRAPH <{g}> {{ ?s ?p ?o }}") == _triples(smaller)
    # --graph on the query side selects it as the default graph
    local = _cli_json(str(smaller), "top-benchmarks")
    assert _cli_json("--endpoint", url, "--graph", g, "top-benchmarks") == local
    assert query_endpoint(url, "top-benchmarks", default_graph=g) == run_query(
        smaller, load_query("top-benchmarks"))
    # auto: an Update URL is detected (415 to the Graph Store probe) and used
    g2 = "https://example.org/g/auto"
    result = push(smaller, oxigraph.url("/update"), graph=g2)
    assert result.method == "update"
    assert _count(url, f"GRAPH <{g2}> {{ ?s ?p ?o }}") == _triples(smaller)
    ask = query_endpoint(url, f"ASK {{ GRAPH <{g2}> {{ ?s ?p ?o }} }}")
    assert ask.kind == "ask" and ask.rows == (("true",),)
    graph = query_endpoint(url, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
    assert graph.kind == "graph" and len(graph) == _triples(smaller)


def test_errors_are_one_line_kg_errors(oxigraph: servers.Server, small: Path) -> None:
    port = servers.free_port()
    with pytest.raises(RemoteError, match="connection refused"):
        push(small, f"http://127.0.0.1:{port}/store")
    with pytest.raises(RemoteError, match="connection refused"):
        query_endpoint(f"http://127.0.0.1:{port}/query", "ASK {}")
    for bad in ["ftp://127.0.0.1/x", "127.0.0.1:7878/query", "http:///query",
                "http://127.0.0.1:99999/x", ""]:
        with pytest.raises(RemoteError, match="URL"):
            query_endpoint(bad, "ASK {}")
    with pytest.raises(RemoteError, match=r"HTTP 404 .*: POST /nope is not supported"):
        push(small, oxigraph.url("/nope"), method="gsp")
    with pytest.raises(QueryError, match=r"rejected the query: .*HTTP 400"):
        query_endpoint(oxigraph.url("/query"), "SELECT * WHERE { ?s ?p }")
    with pytest.raises(RemoteError, match="invalid graph IRI"):
        push(small, oxigraph.url("/store"), graph="not an iri")
    proc = run_kg("sparql", "--endpoint", f"http://127.0.0.1:{port}/query", "top-benchmarks")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("kg: error: POST http://127.0.0.1:") and \
        proc.stderr.count("\n") == 1
    proc = run_kg("sparql", "top-benchmarks")
    assert proc.returncode == 1 and "--endpoint" in proc.stderr
    proc = run_kg("sparql", str(small), "top-benchmarks", "--endpoint", oxigraph.url("/query"))
    assert proc.returncode == 1 and "not both" in proc.stderr


def test_credentials_never_printed(oxigraph: servers.Server, small: Path) -> None:
    port = servers.free_port()
    runs = [
        run_kg("push", str(small), "--endpoint", f"http://127.0.0.1:{port}/store",
               "--user", "me", "--password", SECRET),
        run_kg("push", str(small), "--endpoint", f"http://me:{SECRET}@127.0.0.1:{port}/store"),
        _run_env(["push", str(small), "--endpoint", oxigraph.url("/nope"), "--method", "gsp"],
                 {"KG_ENDPOINT_USER": "me", "KG_ENDPOINT_PASSWORD": SECRET}),
        run_kg("sparql", "--endpoint", f"http://me:{SECRET}@127.0.0.1:{port}/q", "ASK {}"),
        run_kg("sparql", "--endpoint", f"http://me:{SECRET}@127.0.0.1:99999/q", "ASK {}"),
        run_kg("sparql", "--endpoint", oxigraph.url(f"/{SECRET}"), "--user", "me",
               "--password", SECRET, "ASK {}"),
    ]
    for proc in runs:
        assert proc.returncode == 1, proc.stdout
        assert proc.stderr.startswith("kg: error:"), proc.stderr
        assert SECRET not in proc.stderr + proc.stdout
    assert "***" in runs[4].stderr and "***" in runs[5].stderr
    # a store that needs no credentials ignores them
    ok = _run_env(["sparql", "--endpoint", oxigraph.url("/query"), "ASK {}"],
                  {"KG_ENDPOINT_USER": "me", "KG_ENDPOINT_PASSWORD": SECRET})
    assert ok.returncode == 0 and "true" in ok.stdout and SECRET not in ok.stdout


# --- a Basic-auth store (http.server in a thread) ---------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Needs Basic auth me:SECRET; records each request; /fail answers 500 with a body."""

    seen: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        size = 0
        while size < length:  # drain in chunks, as a store would
            chunk = self.rfile.read(min(1 << 16, length - size))
            if not chunk:
                break
            size += len(chunk)
        token = base64.b64encode(f"me:{SECRET}".encode()).decode()
        self.seen.append({"method": self.command, "path": self.path, "size": size,
                          "headers": dict(self.headers)})
        if self.headers.get("Authorization") != f"Basic {token}":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/fail"):
            body = f"Something broke for {SECRET}\nsecond line\n".encode()
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
        else:
            body = b""
            self.send_response(204)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST = do_HEAD = _handle


@pytest.fixture
def basic_store() -> Iterator[str]:
    _Recorder.seen = []
    httpd = http.server.ThreadingHTTPServer((servers.HOST, 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{servers.HOST}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def test_basic_auth_and_streamed_upload(basic_store: str, tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    line = b'<http://example.org/s> <http://example.org/p> "' + b"x" * 180 + b'" .\n'
    with open(big, "wb") as f:
        for _ in range(64):
            f.write(line * 1500)  # ~ 22 MB in all
    size = big.stat().st_size
    tracemalloc.start()
    try:
        result = push(big, basic_store + "/store", graph="http://example.org/g", user="me",
                      password=SECRET)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 4, f"the upload held {peak} bytes in memory for a {size}-byte file"
    assert result.bytes == size and result.triples == 64 * 1500
    probe, upload = _Recorder.seen[-2], _Recorder.seen[-1]
    assert probe["method"] == "POST" and probe["size"] == 0  # no-op, answered with auth
    assert upload["method"] == "PUT" and upload["size"] == size
    assert upload["headers"]["Content-Length"] == str(size)
    assert "Transfer-Encoding" not in upload["headers"]
    assert upload["headers"]["Content-Type"] == "application/n-triples"
    assert upload["path"] == "/store?graph=http%3A%2F%2Fexample.org%2Fg"
    # the first unauthenticated request learnt the challenge before the file was streamed
    assert all(r["size"] == 0 for r in _Recorder.seen if "Authorization" not in r["headers"])

    with pytest.raises(RemoteError) as info:
        push(big, basic_store + "/fail", user="me", password=SECRET, method="gsp")
    msg = str(info.value)
    assert "HTTP 500" in msg and "Something broke for ***" in msg and "second line" not in msg
    assert SECRET not in msg
    with pytest.raises(RemoteError, match="wrong user or password") as info:
        push(big, basic_store + "/store", user="me", password="nope")
    assert "nope" not in str(info.value)


# --- Virtuoso -----------------------------------------------------------------------------

V_USER, V_PASSWORD = servers.VIRTUOSO_USER, servers.VIRTUOSO_PASSWORD


def test_virtuoso_push_and_query(virtuoso: servers.Server, small: Path, smaller: Path) -> None:
    g = "https://example.org/g/virtuoso"
    crud, query = virtuoso.url("/sparql-graph-crud-auth"), virtuoso.url("/sparql")
    env = {"KG_ENDPOINT_USER": servers.VIRTUOSO_USER,
           "KG_ENDPOINT_PASSWORD": servers.VIRTUOSO_PASSWORD}
    proc = _run_env(["push", str(small), "--endpoint", crud, "--graph", g], env)  # Digest
    assert proc.returncode == 0, proc.stderr
    assert _count(query, f"GRAPH <{g}> {{ ?s ?p ?o }}") == _triples(small)
    for name, bind in [("top-benchmarks", []),
                       ("papers-using-benchmark", ["--bind", "name=visualwebarena"])]:
        assert _cli_json("--endpoint", query, "--graph", g, name, *bind) == \
            _cli_json(str(small), name, *bind), name
    bindings = {"name": "VWA"}
    assert query_endpoint(query, "papers-using-benchmark", bindings=bindings, default_graph=g) == \
        run_query(small, load_query("papers-using-benchmark"), bindings=bindings)
    for value in NASTY:
        assert query_endpoint(query, "SELECT ?x WHERE { }", bindings={"x": value}).rows == \
            ((value,),)
    ask = query_endpoint(query, f"ASK {{ GRAPH <{g}> {{ ?s a ?o }} }}")
    assert ask.kind == "ask" and ask.rows == (("true",),)  # Virtuoso answers a row, not a boolean

    push(smaller, crud, graph=g, user=V_USER, password=V_PASSWORD)  # PUT again: replaced
    assert _count(query, f"GRAPH <{g}> {{ ?s ?p ?o }}") == _triples(smaller)
    assert query_endpoint(query, "top-benchmarks", default_graph=g) == run_query(
        smaller, load_query("top-benchmarks"))


def test_virtuoso_update_batches_and_limits(virtuoso: servers.Server, seeds_out: Path) -> None:
    g = "https://example.org/g/virtuoso-update"
    query, update = virtuoso.url("/sparql"), virtuoso.url("/sparql-auth")
    n = _triples(seeds_out)
    assert n > 10_000
    # auto on an Update URL: Virtuoso's parser refuses 10,000 triples at once, so the
    # batches are halved until it takes them
    result = push(seeds_out, update, graph=g, user=V_USER, password=V_PASSWORD)
    assert result.method == "update" and result.triples == n and result.requests > 2
    assert _count(query, f"GRAPH <{g}> {{ ?s ?p ?o }}") == n
    push(seeds_out, update, graph=g, method="update", batch_size=2000, user=V_USER,
         password=V_PASSWORD)  # replaced, not added
    assert _count(query, f"GRAPH <{g}> {{ ?s ?p ?o }}") == n
    assert query_endpoint(query, "top-benchmarks", default_graph=g) == run_query(
        seeds_out, load_query("top-benchmarks"))
    # ResultSetMaxRows (10,000) cuts the answer: a warning says so
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = query_endpoint(query, f"SELECT * WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
    assert len(rows) == 10_000
    assert any(issubclass(w.category, TruncatedResultWarning) for w in caught)
    proc = run_kg("sparql", "--endpoint", query, f"SELECT * WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
                  "--output", "csv")
    assert proc.returncode == 0 and "warning: the endpoint returned at most 10000 rows" in proc.stderr


def test_virtuoso_errors(virtuoso: servers.Server, small: Path) -> None:
    crud = virtuoso.url("/sparql-graph-crud-auth")
    proc = run_kg("push", str(small), "--endpoint", crud, "--graph", "https://example.org/x",
                  "--user", "dba", "--password", SECRET)
    assert proc.returncode == 1 and "HTTP 401" in proc.stderr and SECRET not in proc.stderr
    with pytest.raises(RemoteError, match="HTTP 401.*needs a user and password"):
        push(small, crud, graph="https://example.org/x")
    with pytest.raises(RemoteError, match="no writable default graph"):
        push(small, crud, user=V_USER, password=V_PASSWORD)  # Virtuoso has no default graph to write to
    with pytest.raises(KGError, match="No permission|HTTP 4|HTTP 5"):  # anonymous /sparql
        push(small, virtuoso.url("/sparql"), graph="https://example.org/x", method="update",
             batch_size=1000)
