"""SPARQL over an exported graph: run a query, bind user values safely, format the result.

Files are loaded into an in-memory Oxigraph store (fast, Rust); ``rdflib.Graph`` sources
use rdflib's engine. User values in ``bindings`` are bound as plain literals through the
engines' binding APIs (Oxigraph ``substitutions``, rdflib ``initBindings``), never pasted
into the query text, so a value such as ``x" } DROP ALL #`` is just a string.

Oxigraph can only substitute variables that a SELECT query projects; for other queries
that get bindings (ASK, CONSTRUCT, or a bound variable missing from the SELECT list) the
file is parsed with rdflib and run there, so bindings behave the same everywhere.

Results are plain strings: IRIs and literal lexical forms (``xsd:double``/``xsd:float``
values in Python's shortest form, e.g. ``0.5``), blank nodes as ``_:id``, unbound as
``None``. ASK gives one row holding ``"true"`` or ``"false"``; CONSTRUCT/DESCRIBE give
rows of (subject, predicate, object).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyoxigraph as ox

from kg.errors import InputError, QueryError, UnknownFormatError

if TYPE_CHECKING:  # rdflib is imported where it is used: a query of the Oxigraph path
    import rdflib  # (every output directory) then starts ~0.15 s sooner

__all__ = [
    "QueryResult", "run_query", "format_result", "load_query", "shipped_queries",
    "resolve_source",
]

ResultKind = Literal["select", "ask", "graph"]
_XSD = "http://www.w3.org/2001/XMLSchema#"
_FLOATS = {_XSD + "double", _XSD + "float"}
_OX_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML, ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD, ".n3": ox.RdfFormat.N3, ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}
# In an output directory, the first of these that exists is queried.
_GRAPH_FILES = ("graph.nt", "graph.ttl", "graph.jsonld", "graph.rdf")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHIPPED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Result of a query: column names and rows of plain strings (``None`` = unbound)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    kind: ResultKind = "select"

    def __len__(self) -> int:
        return len(self.rows)

    def as_dicts(self) -> list[dict[str, str | None]]:
        """The rows as ``{column: value}`` dicts."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _text(value: str, datatype: str | None) -> str:
    if datatype in _FLOATS:
        try:
            number = float(value)
        except ValueError:
            return value
        return repr(number) if number == number and abs(number) != float("inf") else value
    return value


# --- sources -----------------------------------------------------------------------


def resolve_source(source: str | Path) -> Path:
    """The RDF file for ``source``: the file itself, or a graph file in an output directory."""
    path = Path(source)
    if path.is_dir():
        for name in _GRAPH_FILES:
            if (path / name).is_file():
                return path / name
        looked = ", ".join(_GRAPH_FILES)
        raise InputError(str(path), None, f"no RDF graph here (looked for {looked})")
    if not path.is_file():
        raise InputError(str(path), None, "no such file or directory")
    return path


_STORES: dict[tuple[str, int, int], ox.Store] = {}
_GRAPHS: dict[tuple[str, int, int], rdflib.Graph] = {}


def _cache_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def _bulk_load(store: ox.Store, path: Path, fmt: ox.RdfFormat) -> None:
    try:
        store.bulk_load(path=str(path), format=fmt)
    except SyntaxError as e:
        raise InputError(str(path), e.lineno, f"not valid RDF: {e.msg}") from None
    except (OSError, ValueError) as e:
        raise InputError(str(path), None, f"cannot load RDF: {_one_line(e)}") from None


def _load_store(
    path: Path, fmt: ox.RdfFormat, *, progress: Callable[[str], None] | None = None
) -> ox.Store:
    key = _cache_key(path)
    if key not in _STORES:
        store = _indexed_store(path, fmt, progress) if _wants_index(path) else None
        if store is None:
            store = ox.Store()
            _bulk_load(store, path, fmt)
        _STORES.clear()  # keep one graph in memory
        _STORES[key] = store
    return _STORES[key]


# Graphs at least this big (about 150k triples of Turtle) are queried through an on-disk
# index kept in their output directory: loading 30M triples takes minutes, opening the
# index milliseconds. Smaller graphs load in memory in well under a second.
INDEX_MIN_BYTES = 16 * 2**20
INDEX_DIR = ".sparql-index"


def _wants_index(path: Path) -> bool:
    return (path.parent / "manifest.json").is_file() and path.stat().st_size >= INDEX_MIN_BYTES


def index_stamp(path: Path) -> dict[str, Any]:
    """What an index records of the file it was built from (``source.json``): it is used
    only while the file still has that name, size and modification time."""
    st = path.stat()
    return {"file": path.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _indexed_store(
    path: Path, fmt: ox.RdfFormat, progress: Callable[[str], None] | None
) -> ox.Store | None:
    """A read-only on-disk Oxigraph store of ``path`` kept in ``path.parent/.sparql-index``,
    built on first use and rebuilt when ``path`` changes; None if it cannot be written
    (a read-only directory): the caller then loads the graph in memory."""
    index = path.parent / INDEX_DIR
    stamp = index_stamp(path)
    try:
        if json.loads((index / "source.json").read_text(encoding="utf-8")) == stamp:
            return ox.Store.read_only(str(index))
    except (OSError, ValueError):
        pass
    if progress is not None:
        progress(f"indexing {path} for SPARQL (once per graph; later queries open the index)")
    tmp = path.parent / f"{INDEX_DIR}.tmp-{os.getpid()}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        store = ox.Store(str(tmp))
        _bulk_load(store, path, fmt)
        store.flush()
        del store  # closes the database before it is moved
        (tmp / "source.json").write_text(json.dumps(stamp), encoding="utf-8")
        old = path.parent / f"{INDEX_DIR}.old-{os.getpid()}"
        if index.exists():
            index.rename(old)
        try:
            tmp.rename(index)
        except OSError:  # another query built it at the same moment: use theirs
            pass
        shutil.rmtree(old, ignore_errors=True)
        return ox.Store.read_only(str(index))
    except OSError:
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def refresh_index(out: str | Path, *, progress: Callable[[str], None] | None = None) -> bool:
    """Build the on-disk SPARQL index of output directory ``out`` now, as its first query
    would (nothing to do when it is up to date). False when the graph is queried in memory
    instead (too small, not an indexable format, or a read-only directory)."""
    path = resolve_source(out)
    fmt = _OX_FORMATS.get(path.suffix.lower())
    if fmt is None or not _wants_index(path):
        return False
    return _indexed_store(path, fmt, progress) is not None


def _load_graph(path: Path) -> rdflib.Graph:
    import rdflib

    key = _cache_key(path)
    if key not in _GRAPHS:
        fmt = rdflib.util.guess_format(str(path))
        if fmt is None and path.suffix.lower() in {".jsonld", ".json"}:
            fmt = "json-ld"
        try:
            graph = rdflib.Graph().parse(str(path), format=fmt)
        except Exception as e:  # rdflib parsers raise many unrelated types
            raise InputError(str(path), None, f"not valid RDF: {_one_line(e)}") from None
        _GRAPHS.clear()
        _GRAPHS[key] = graph
    return _GRAPHS[key]


# --- running -----------------------------------------------------------------------


def _check_bindings(query: str, bindings: dict[str, str] | None) -> dict[str, str]:
    clean: dict[str, str] = {}
    for raw, value in (bindings or {}).items():
        name = raw.lstrip("?$")
        if not _VAR.fullmatch(name):
            raise QueryError(f"invalid variable name {raw!r} in bindings")
        if not re.search(rf"[?$]{name}\b", query):
            raise QueryError(f"the query has no variable ?{name} to bind")
        if not isinstance(value, str):
            raise QueryError(f"binding for ?{name} must be a string, got {type(value).__name__}")
        clean[name] = value
    return clean


def run_query(
    source: str | Path | rdflib.Graph, query: str, *, bindings: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> QueryResult:
    """Run the SPARQL ``query`` on ``source`` and return its result.

    ``source`` is an RDF file (.ttl .nt .jsonld .rdf ...), an output directory (its
    ``graph.nt``, else ``graph.ttl``, ...), or an ``rdflib.Graph``. ``bindings`` maps
    variable names (with or without ``?``) to strings bound as literals. A large graph of an
    output directory is queried through an on-disk index built there on first use
    (``progress`` hears about it). Raises
    :class:`QueryError` for a malformed query (with the parser's message) or a failed run,
    and :class:`InputError` for a missing or unreadable source.
    """
    values = _check_bindings(query, bindings)
    if not isinstance(source, str | Path):
        # an rdflib Graph (rdflib is imported by whoever made it)
        rdflib = sys.modules.get("rdflib")
        if rdflib is None or not isinstance(source, rdflib.Graph):
            raise QueryError(f"cannot query a {type(source).__name__}: give a path or an rdflib Graph")
        return _run_rdflib(source, query, values)
    path = resolve_source(source)
    fmt = _OX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        return _run_rdflib(_load_graph(path), query, values)
    store = _load_store(path, fmt, progress=progress)
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): ox.Literal(v) for k, v in values.items()
    }
    try:
        answer = store.query(query, substitutions=subs or None)
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {_one_line(e)}") from None
    except RuntimeError as e:
        if values and "projection" in str(e):  # Oxigraph cannot bind this variable
            return _run_rdflib(_load_graph(path), query, values)
        raise QueryError(f"query failed: {_one_line(e)}") from None
    except OSError as e:
        raise QueryError(f"query failed: {_one_line(e)}") from None
    return _from_oxigraph(answer)


def _ox_text(term: Any) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return _text(term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def _from_oxigraph(answer: Any) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(("ask",), (("true" if bool(answer) else "false",),), "ask")
    if isinstance(answer, ox.QuerySolutions):
        variables = answer.variables
        rows = tuple(tuple(_ox_text(sol[v]) for v in variables) for sol in answer)
        return QueryResult(tuple(v.value for v in variables), rows)
    rows = tuple(
        (_ox_text(t.subject), _ox_text(t.predicate), _ox_text(t.object)) for t in answer
    )
    return QueryResult(("subject", "predicate", "object"), rows, "graph")


def _rdf_text(term: Any) -> str | None:
    import rdflib

    if term is None:
        return None
    if isinstance(term, rdflib.Literal):
        return _text(str(term), str(term.datatype) if term.datatype else None)
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)


def _run_rdflib(graph: rdflib.Graph, query: str, values: dict[str, str]) -> QueryResult:
    import rdflib
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Identifier

    try:
        prepared = prepareQuery(query)
    except Exception as e:  # pyparsing.ParseException and friends
        raise QueryError(f"SPARQL syntax error: {_one_line(e)}") from None
    init: dict[str, Identifier] = {rdflib.Variable(k): rdflib.Literal(v) for k, v in values.items()}
    try:
        result = graph.query(prepared, initBindings=init)
        if result.type == "ASK":
            return QueryResult(("ask",), (("true" if result.askAnswer else "false",),), "ask")
        if result.type == "SELECT":
            names = tuple(str(v) for v in result.vars or ())
            rows = tuple(tuple(_rdf_text(x) for x in row) for row in result)  # type: ignore[union-attr]
            return QueryResult(names, rows)
        triples = result.graph if result.graph is not None else ()
        rows = tuple((_rdf_text(s), _rdf_text(p), _rdf_text(o)) for s, p, o in triples)
        return QueryResult(("subject", "predicate", "object"), rows, "graph")
    except Exception as e:  # evaluation errors from rdflib have no common base class
        raise QueryError(f"query failed: {_one_line(e)}") from None


# --- formatting ----------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: str | None, max_width: int) -> str:
    text = "".join(" " if c < " " or c == "\x7f" else c for c in (value or ""))
    if _width(text) <= max_width:
        return text
    out, used = [], 0
    for c in text:
        used += _width(c)
        if used > max_width - 1:
            break
        out.append(c)
    return "".join(out) + "…"


def _table(result: QueryResult, max_width: int) -> str:
    header = list(result.columns)
    cells = [[_cell(v, max_width) for v in row] for row in result.rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))

    lines = [line(header), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in cells]
    count = len(result.rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(x.rstrip() for x in lines) + "\n"


def format_result(
    result: QueryResult, fmt: Literal["table", "csv", "json"] | str = "table", *,
    max_width: int = 60,
) -> str:
    """``result`` as text.

    * ``table``: aligned columns, cells cut to ``max_width`` with "…", control characters
      shown as spaces, then a ``(N rows)`` line;
    * ``csv``: a header row then one row per result (unbound = empty), via :mod:`csv`;
    * ``json``: SPARQL 1.1 JSON results shape with plain string values,
      ``{"head": {"vars": [...]}, "results": {"bindings": [{"var": "value"}, ...]}}``
      (unbound variables omitted), or ``{"head": {}, "boolean": true}`` for ASK.
    """
    if fmt == "table":
        return _table(result, max(4, max_width))
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(["" if v is None else v for v in row] for row in result.rows)
        return buf.getvalue()
    if fmt == "json":
        doc: dict[str, Any]
        if result.kind == "ask":
            doc = {"head": {}, "boolean": bool(result.rows) and result.rows[0][0] == "true"}
        else:
            bindings = [
                {c: v for c, v in zip(result.columns, row, strict=True) if v is not None}
                for row in result.rows
            ]
            doc = {"head": {"vars": list(result.columns)}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    raise UnknownFormatError(f"unknown result format {fmt!r} (known: csv, json, table)")


# --- shipped queries ------------------------------------------------------------------


def _queries_dir() -> Any:
    return resources.files("kg").joinpath("queries")


def shipped_queries() -> dict[str, str]:
    """Names of the queries shipped in ``kg/queries`` mapped to their one-line description."""
    out: dict[str, str] = {}
    for entry in sorted(_queries_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            first = entry.read_text(encoding="utf-8").lstrip().splitlines()[:1]
            out[entry.name[:-3]] = first[0].lstrip("# ").strip() if first else ""
    return out


_QUERY_TEXT = re.compile(
    r"\A\s*(?:#[^\n]*\n\s*)*(?:PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE
)


def load_query(name_or_path: str | Path) -> str:
    """The text of a query: a path to a ``.rq`` file, the name of a shipped query
    (``top-benchmarks`` or ``top-benchmarks.rq``), or SPARQL text, returned unchanged."""
    if isinstance(name_or_path, str) and ("{" in name_or_path or _QUERY_TEXT.match(name_or_path)):
        return name_or_path
    path = Path(name_or_path)
    try:
        is_file = path.is_file()
    except (OSError, ValueError):
        is_file = False
    if is_file:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise QueryError(f"cannot read query file {path}: {_one_line(e)}") from None
    name = str(name_or_path)
    name = name[:-3] if name.endswith(".rq") else name
    if _SHIPPED_NAME.fullmatch(name):
        entry = _queries_dir().joinpath(name + ".rq")
        if entry.is_file():
            text: str = entry.read_text(encoding="utf-8")
            return text
    known = ", ".join(shipped_queries())
    raise QueryError(
        f"no query file or shipped query named {str(name_or_path)!r} (shipped: {known})"
    )
