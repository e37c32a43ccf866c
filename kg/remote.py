"""Remote SPARQL 1.1 stores: push the exported RDF into one, and query one.

:func:`push` loads an output directory's RDF (``graph.nt``, else ``graph.ttl``, ...) into a
store, either through the SPARQL 1.1 Graph Store HTTP Protocol (``PUT`` replaces a graph,
``POST`` adds to it; the file is streamed in chunks with a ``Content-Length``, never read
into memory) or through SPARQL 1.1 Update (``INSERT DATA`` in batches of
``batch_size`` triples, parsed as a stream), for stores whose Graph Store endpoint is not
available. :func:`query_endpoint` runs a query through the SPARQL 1.1 Protocol and returns
the same :class:`~kg.sparql.QueryResult` as :func:`kg.sparql.run_query`.

Only the standard library speaks HTTP (:mod:`urllib.request`). Credentials come from the
arguments, else from ``KG_ENDPOINT_USER`` / ``KG_ENDPOINT_PASSWORD``, else from the URL's
``user:password@``; HTTP Basic and Digest are answered when the server asks (Virtuoso's
``/sparql-auth`` wants Digest). The password never appears in a message: every error text
is masked. Every failure is a :class:`RemoteError` (a :class:`~kg.errors.KGError`) with
one line: connection refused, timeout, bad URL, or the HTTP status with the first line of
the server's answer. A query the server rejects with 400 raises :class:`QueryError`.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pyoxigraph as ox

from kg.errors import InputError, KGError, QueryError
from kg.sparql import QueryResult, _check_bindings, _text, load_query, resolve_source

__all__ = [
    "RemoteError", "TruncatedResultWarning", "PushResult", "push", "query_endpoint",
    "inject_values", "sparql_string", "query_form", "ENV_USER", "ENV_PASSWORD",
]

ENV_USER = "KG_ENDPOINT_USER"
ENV_PASSWORD = "KG_ENDPOINT_PASSWORD"
Method = Literal["auto", "gsp", "update"]

_CHUNK = 1 << 20  # bytes per read when streaming a file
_BODY_LINE = 200  # characters of the server's answer quoted in an error
_PROBE_ABOVE = 64 * 1024  # bytes of a body above which the auth challenge is learned first
_MEDIA_TYPES = {
    ".nt": "application/n-triples", ".ttl": "text/turtle", ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml", ".xml": "application/rdf+xml",
    ".jsonld": "application/ld+json", ".json": "application/ld+json", ".n3": "text/n3",
}
_PARSE_FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD, ".n3": ox.RdfFormat.N3,
}
# Statuses of a Graph Store request that mean "this URL does not do the Graph Store
# Protocol" (method="auto" then falls back to SPARQL Update).
_NO_GSP = {404, 405, 406, 415, 501}


class RemoteError(KGError):
    """A SPARQL endpoint cannot be reached, or answered with an error (HTTP ``status``)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TruncatedResultWarning(UserWarning):
    """The endpoint cut the result to its maximum number of rows (Virtuoso's ResultSetMaxRows)."""


# --- SPARQL text ------------------------------------------------------------------------

_SPARQL_ESCAPES = str.maketrans({
    "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
})


def sparql_string(value: str) -> str:
    """``value`` as a SPARQL string literal: quotes, backslashes and line breaks escaped
    (ECHAR), so nothing in it can end the literal.

    >>> print(sparql_string('say "hi"\\n} #'))
    "say \\"hi\\"\\n} #"
    """
    return '"' + value.translate(_SPARQL_ESCAPES) + '"'


_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\U000effff]+)
    | (?P<word>[A-Za-z_\u00c0-\U000effff][\w\-.:\u00b7\u00c0-\U000effff]*|:[\w\-.:]*)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass
class _Group:
    start: int  # offset just after the "{"
    top: bool  # the WHERE group of the outermost query
    first: str | None = None  # its first token, upper-cased
    variables: set[str] | None = None


def _tokens(query: str) -> Iterator[tuple[str, str, int, int]]:
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield kind, m.group(), m.start(), m.end()


def query_form(query: str) -> str:
    """The form of ``query``: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (the first
    of these keywords outside strings, IRIs and comments), or ``""`` if none."""
    for kind, text, _, _ in _tokens(query):
        if kind == "word" and text.upper() in _FORMS:
            return text.upper()
    return ""


def _groups(query: str) -> list[_Group]:
    """Every group graph pattern of ``query`` (not VALUES data blocks nor CONSTRUCT
    templates), with the variables used inside it (nested groups included)."""
    groups: list[_Group] = []
    stack: list[_Group | None] = []  # None = a "{" that is not a group pattern
    values = False  # the next "{" opens a VALUES data block
    construct = 0  # 1: after CONSTRUCT, 2: after CONSTRUCT ... WHERE (short form)
    seen_group = False
    for kind, text, _start, end in _tokens(query):
        for g in stack:
            if g is not None and g.first is None and kind != "open":
                g.first = text.upper()
        if kind == "word":
            word = text.upper()
            if word == "VALUES":
                values = True
            elif word == "CONSTRUCT":
                construct = 1
            elif word == "WHERE" and construct == 1:
                construct = 2
        elif kind == "var":
            for g in stack:
                if g is not None and g.variables is not None:
                    g.variables.add(text[1:])
        elif kind == "open":
            for g in stack:
                if g is not None and g.first is None:
                    g.first = "{"
            if values or construct:
                values, construct = False, 0
                stack.append(None)
                continue
            top = not seen_group and not any(g is not None for g in stack)
            seen_group = True
            group = _Group(end, top, variables=set())
            groups.append(group)
            stack.append(group)
        elif kind == "close" and stack:
            stack.pop()
    return groups


def inject_values(query: str, bindings: dict[str, str]) -> str:
    """``query`` with each variable of ``bindings`` bound to a string literal by a
    ``VALUES ?var { "value" }`` block at the start of the query's WHERE group and of every
    group (subqueries included) that uses the variable, which gives the same answers as
    binding it before evaluation. Values are escaped (:func:`sparql_string`), so they can
    never change the query. A query without such a group (``CONSTRUCT WHERE``) gets a
    trailing VALUES clause instead.
    """
    if not bindings:
        return query
    inserts: list[tuple[int, str]] = []
    for group in _groups(query):
        if group.first == "SELECT":  # "{ SELECT ... }": a subquery must stand alone
            continue
        names = [n for n in bindings if group.top or n in (group.variables or ())]
        if names:
            text = " ".join(f"VALUES ?{n} {{ {sparql_string(bindings[n])} }}" for n in names)
            inserts.append((group.start, f" {text} "))
    if not inserts:
        names = list(bindings)
        row = " ".join(sparql_string(bindings[n]) for n in names)
        return f"{query}\nVALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}\n"
    out = query
    for start, text in sorted(inserts, reverse=True):
        out = out[:start] + text + out[start:]
    return out


# --- HTTP -------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are errors: a redirected PUT or POST would lose its body, and following
    one could send credentials to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


class _FileBody:
    """An open file sent as a request body in chunks; iterable again (from the start) so a
    request can be re-sent after an authentication challenge. Counts the lines it sent."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.size = os.fstat(file.fileno()).st_size
        self.lines = 0

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(0)
        lines = 0
        while chunk := self.file.read(_CHUNK):
            lines += chunk.count(b"\n")
            yield chunk
        self.lines = lines


@dataclass
class _Answer:
    status: int
    headers: Any
    body: bytes


class _Endpoint:
    """One endpoint URL with its credentials and the authentication challenge it sent."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float) -> None:
        self.secrets: list[str] = []
        if not isinstance(url, str) or not url.strip():
            raise RemoteError("no endpoint URL given")
        url = url.strip()
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError as e:
            raise RemoteError(f"invalid endpoint URL {self._strip_userinfo(url)!r}: {e}") from None
        if parts.username is not None or parts.password is not None:
            user = user or urllib.parse.unquote(parts.username or "")
            if password is None and parts.password is not None:
                password = urllib.parse.unquote(parts.password)
            host = parts.hostname or ""
            host = f"[{host}]" if ":" in host else host
            parts = parts._replace(netloc=host + (f":{port}" if port is not None else ""))
        if user is None:
            user = os.environ.get(ENV_USER) or None
        if password is None:
            password = os.environ.get(ENV_PASSWORD) or None
        if password:
            self.secrets.append(password)
            self.secrets.append(urllib.parse.quote(password, safe=""))
        self.url = urllib.parse.urlunsplit(parts)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteError(
                f"invalid endpoint URL {self.mask(self.url)!r}: expected http://HOST[:PORT]/PATH"
            )
        if password and not user:
            raise RemoteError(f"a password was given without a user (--user or {ENV_USER})")
        self.user = user
        self.password = password
        self.timeout = timeout
        self.challenge: tuple[str, dict[str, str]] | None = None
        self.digest: urllib.request.HTTPDigestAuthHandler | None = None

    @staticmethod
    def _strip_userinfo(url: str) -> str:
        return re.sub(r"//[^/@]*@", "//***@", url)

    def mask(self, text: str) -> str:
        """``text`` with the password (plain or URL-encoded) replaced by ``***``."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return self._strip_userinfo(text)

    def with_params(self, **params: str | None) -> str:
        """The endpoint URL with query parameters added (``None``: a bare name)."""
        extra = "&".join(
            k if v is None else f"{k}={urllib.parse.quote(v, safe='')}" for k, v in params.items()
        )
        if not extra:
            return self.url
        return self.url + ("&" if urllib.parse.urlsplit(self.url).query else "?") + extra

    # authentication ---------------------------------------------------------------

    def learn(self, headers: Any) -> bool:
        """Remember the Digest (preferred) or Basic challenge in a 401's headers."""
        if not self.user:
            return False
        found: dict[str, dict[str, str]] = {}
        for value in headers.get_all("WWW-Authenticate") or ():
            scheme, _, rest = value.strip().partition(" ")
            items = urllib.request.parse_http_list(rest)
            found[scheme.lower()] = urllib.request.parse_keqv_list([i for i in items if "=" in i])
        for scheme in ("digest", "basic"):
            if scheme in found:
                self.challenge = (scheme, found[scheme])
                if scheme == "digest" and self.digest is None:
                    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                    manager.add_password(None, self.url, self.user, self.password or "")
                    self.digest = urllib.request.HTTPDigestAuthHandler(manager)
                return True
        return False

    def authorization(self, request: urllib.request.Request) -> str | None:
        if self.challenge is None or not self.user:
            return None
        scheme, params = self.challenge
        if scheme == "basic":
            token = f"{self.user}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(token).decode("ascii")
        assert self.digest is not None
        try:
            # The handler's digest computation only: its own 401 retry would re-send a
            # consumed body, so the retry is done here.
            answer = self.digest.get_authorization(request, params)
        except (urllib.error.URLError, ValueError):
            return None
        return f"Digest {answer}" if answer else None

    # requests ---------------------------------------------------------------------

    def request(self, method: str, url: str, *, body: bytes | _FileBody | None = None,
                headers: dict[str, str] | None = None) -> _Answer:
        """Send one request; answer a 401 challenge once. Raises :class:`RemoteError`
        (an :class:`urllib.error.HTTPError`'s status is kept in ``.status``)."""
        big = isinstance(body, _FileBody) or (body is not None and len(body) > _PROBE_ABOVE)
        if big and self.user and self.challenge is None:
            # Learn the authentication challenge with an empty POST (a no-op for a Graph
            # Store or an Update endpoint) before sending a large body: a server that
            # answers 401 without reading the body would leave the upload hanging.
            try:
                self._send("POST", url, b"", dict(headers or {}))
            except _Status as e:
                if e.status == 401:
                    self.learn(e.headers)
        for attempt in range(2):
            try:
                return self._send(method, url, body, headers or {})
            except _Status as e:
                if e.status == 401 and attempt == 0 and self.learn(e.headers):
                    continue
                raise RemoteError(self._status_message(method, url, e), e.status) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, body: bytes | _FileBody | None,
              headers: dict[str, str]) -> _Answer:
        req = urllib.request.Request(url, data=body, method=method, headers=headers)  # type: ignore[arg-type]
        if isinstance(body, _FileBody):
            req.add_header("Content-Length", str(body.size))
        auth = self.authorization(req)
        if auth:
            req.add_unredirected_header("Authorization", auth)
        where = f"{method} {self.mask(url)}"
        try:
            with _OPENER.open(req, timeout=self.timeout) as resp:
                return _Answer(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as e:
            try:
                text = e.read(64 * 1024)
            except (OSError, http.client.HTTPException):
                text = b""
            raise _Status(e.code, e.reason, e.headers, text) from None
        except urllib.error.URLError as e:
            raise RemoteError(f"{where}: {self._reason(e.reason)}") from None
        except TimeoutError:
            raise RemoteError(f"{where}: no answer within {self.timeout:g} s (timed out)") from None
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            raise RemoteError(f"{where}: {self._reason(e)}") from None
        except ValueError as e:  # malformed URL pieces caught by http.client
            raise RemoteError(f"invalid endpoint URL {self.mask(url)!r}: {self.mask(str(e))}"
                              ) from None

    def _reason(self, reason: object) -> str:
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused (is the store running, and is the port right?)"
        if isinstance(reason, socket.gaierror):
            return f"cannot resolve the host name ({reason.strerror or reason})"
        if isinstance(reason, TimeoutError):
            return f"no answer within {self.timeout:g} s (timed out)"
        if isinstance(reason, ConnectionResetError | BrokenPipeError):
            return "the server closed the connection"
        if isinstance(reason, http.client.RemoteDisconnected):
            return "the server closed the connection without answering"
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        return self.mask(" ".join(str(text).split()) or type(reason).__name__)

    def _status_message(self, method: str, url: str, e: _Status) -> str:
        msg = f"{method} {self.mask(url)}: HTTP {e.status} {e.reason}".rstrip()
        line = _first_line(e.body)
        if line:
            msg += f": {self.mask(line)}"
        if e.status == 401:
            msg += (" (wrong user or password)" if self.user else
                    f" (the endpoint needs a user and password: --user/--password or "
                    f"{ENV_USER}/{ENV_PASSWORD})")
        return msg


class _Status(Exception):
    def __init__(self, status: int, reason: str, headers: Any, body: bytes) -> None:
        super().__init__(status)
        self.status, self.reason, self.headers, self.body = status, reason, headers, body


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]*>", " ", text)  # HTML error pages
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= _BODY_LINE else line[: _BODY_LINE - 1] + "…"
    return ""


# --- push -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PushResult:
    """What :func:`push` sent."""

    source: Path
    endpoint: str
    graph: str | None
    method: Literal["gsp", "update"]
    replaced: bool
    bytes: int
    triples: int | None  # None when not counted (a Graph Store upload of Turtle)
    requests: int
    seconds: float

    def summary(self) -> str:
        where = f"graph <{self.graph}>" if self.graph else "the default graph"
        what = f"{self.triples:,} triples" if self.triples is not None else \
            f"{self.bytes:,} bytes"
        how = ("Graph Store PUT" if self.replaced else "Graph Store POST") \
            if self.method == "gsp" else f"SPARQL Update ({self.requests} requests)"
        verb = "replaced" if self.replaced else "added to"
        return (f"{what} from {self.source} -> {where} at {self.endpoint} "
                f"({verb}, {how}) in {self.seconds:.1f}s")


def _check_graph(graph: str | None) -> str | None:
    if graph is None:
        return None
    try:
        return ox.NamedNode(graph).value
    except (ValueError, TypeError) as e:
        raise RemoteError(f"invalid graph IRI {graph!r}: {e}") from None


def push(
    source: str | Path, endpoint: str, *, graph: str | None = None, method: Method = "auto",
    replace: bool = True, user: str | None = None, password: str | None = None,
    batch_size: int = 10_000, timeout: float = 300.0,
) -> PushResult:
    """Load the RDF of ``source`` (an output directory or an RDF file) into the store at
    ``endpoint``, in the named graph ``graph`` (default: the store's default graph).

    ``method="gsp"`` uses the Graph Store HTTP Protocol: ``endpoint`` is the store's graph
    store URL (Oxigraph ``/store``, Virtuoso ``/sparql-graph-crud-auth``) and the file is
    streamed to ``endpoint?graph=IRI`` (or ``?default``) with ``PUT`` when ``replace``
    (the graph's old content goes, atomically on stores that do so) or ``POST`` (added).
    ``method="update"`` uses SPARQL 1.1 Update on an update URL (Oxigraph ``/update``,
    Virtuoso ``/sparql-auth``): ``DROP SILENT`` the graph when replacing, then ``INSERT
    DATA`` in batches of ``batch_size`` triples, halved when the store rejects a batch
    (Virtuoso's parser refuses ~5,000 triples at once); not atomic: a failed batch leaves
    the earlier ones in. ``"auto"`` first sends an empty ``POST`` (a no-op) to see whether
    ``endpoint`` speaks the Graph Store Protocol, and uses Update when it answers 400, 404,
    405, 406, 415 or 501.
    """
    if method not in ("auto", "gsp", "update"):
        raise RemoteError(f"unknown push method {method!r} (known: auto, gsp, update)")
    if batch_size < 1:
        raise RemoteError("batch_size must be at least 1")
    path = resolve_source(source)
    graph = _check_graph(graph)
    ep = _Endpoint(endpoint, user, password, timeout)
    t0 = time.perf_counter()
    if method in ("auto", "gsp"):
        media = _MEDIA_TYPES.get(path.suffix.lower())
        if media is None:
            raise RemoteError(f"{path}: cannot tell the RDF format from the file name")
        url = ep.with_params(graph=graph) if graph else ep.with_params(default=None)
        try:
            ep.request("POST", url, body=b"", headers={"Content-Type": media})
        except RemoteError as e:
            if method == "gsp" or e.status not in _NO_GSP | {400}:
                raise RemoteError(_hint(str(e), e.status, graph, "gsp"), e.status) from None
        else:
            sent, lines = _push_gsp(ep, url, path, media, replace, graph)
            triples = lines if path.suffix.lower() == ".nt" else None
            return PushResult(path, ep.url, graph, "gsp", replace, sent, triples, 1,
                              time.perf_counter() - t0)
    sent, triples, requests = _push_update(ep, path, graph, replace, batch_size)
    return PushResult(path, ep.url, graph, "update", replace, sent, triples, requests,
                      time.perf_counter() - t0)


def _hint(message: str, status: int | None, graph: str | None, method: str) -> str:
    if status is None or status == 401:
        return message
    if graph is None and status in (400, 500):
        return message + " (some stores, Virtuoso among them, have no writable default " \
            "graph: name one with --graph IRI)"
    if method == "gsp" and status in _NO_GSP | {400}:
        return message + " (is this a Graph Store endpoint? For a SPARQL Update endpoint " \
            "use --method update)"
    return message


def _push_gsp(ep: _Endpoint, url: str, path: Path, media: str, replace: bool,
              graph: str | None) -> tuple[int, int]:
    try:
        file = open(path, "rb")  # closed below, after any retry
    except OSError as e:
        raise InputError(str(path), None, f"cannot read: {e.strerror or e}") from None
    with file:
        body = _FileBody(file)
        try:
            ep.request("PUT" if replace else "POST", url, body=body,
                       headers={"Content-Type": media})
        except RemoteError as e:
            raise RemoteError(_hint(str(e), e.status, graph, "gsp"), e.status) from None
        return body.size, body.lines


_SHRINK = {400, 413, 500}  # a batch answered so is re-sent in two halves


@dataclass
class _Batches:
    prefix: str  # sent before the next INSERT DATA (the DROP of a replaced graph)
    size: int  # triples per request
    sent: int = 0
    requests: int = 0
    triples: int = 0


def _push_update(ep: _Endpoint, path: Path, graph: str | None, replace: bool,
                 batch_size: int) -> tuple[int, int, int]:
    fmt = _PARSE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RemoteError(f"{path}: cannot tell the RDF format from the file name")
    target = f"GRAPH <{graph}>" if graph else "DEFAULT"
    state = _Batches(f"DROP SILENT {target} ;\n" if replace else "", batch_size)

    def post(lines: list[str]) -> None:
        if lines:
            data = "\n".join(lines)
            inner = f"GRAPH <{graph}> {{\n{data}\n}}" if graph else data
            text = f"{state.prefix}INSERT DATA {{\n{inner}\n}}\n"
        else:
            text = state.prefix
        body = text.encode("utf-8")
        try:
            ep.request("POST", ep.url, body=body,
                       headers={"Content-Type": "application/sparql-update"})
        except RemoteError as e:
            if e.status in _SHRINK and len(lines) > 1:
                half = len(lines) // 2
                state.size = max(1, min(state.size, half))
                post(lines[:half])
                post(lines[half:])
                return
            raise RemoteError(_hint(str(e), e.status, graph, "update"), e.status) from None
        state.sent += len(body)
        state.requests += 1
        state.triples += len(lines)
        state.prefix = ""

    batch: list[str] = []
    try:
        for quad in ox.parse(path=str(path), format=fmt):
            s, o = quad.subject, quad.object
            if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
                raise RemoteError(
                    f"{path}: blank nodes cannot be split over INSERT DATA requests "
                    "(their labels are scoped to one request); use the Graph Store Protocol"
                )
            batch.append(f"{s} {quad.predicate} {o} .")
            if len(batch) >= state.size:
                post(batch)
                batch = []
    except SyntaxError as e:
        raise InputError(str(path), e.lineno, f"not valid RDF: {e.msg}") from None
    except (OSError, ValueError) as e:
        raise InputError(str(path), None, f"cannot read RDF: {' '.join(str(e).split())}"
                         ) from None
    if batch or state.prefix:
        post(batch)
    return state.sent, state.triples, state.requests


# --- queries ----------------------------------------------------------------------------

_ACCEPT_RESULTS = "application/sparql-results+json, application/json;q=0.5"
_ACCEPT_GRAPH = ("application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5, "
                 "text/plain;q=0.1")


def query_endpoint(
    url: str, query: str, *, bindings: dict[str, str] | None = None,
    user: str | None = None, password: str | None = None, default_graph: str | None = None,
    timeout: float = 120.0,
) -> QueryResult:
    """Run ``query`` (SPARQL text, a ``.rq`` file or a shipped query name) on the SPARQL 1.1
    Protocol endpoint ``url`` and return a :class:`QueryResult` like
    :func:`kg.sparql.run_query` (values as plain strings, ``None`` for unbound).

    ``bindings`` binds variables to string literals through ``VALUES`` blocks (see
    :func:`inject_values`; values are escaped, never pasted raw). ``default_graph`` is sent
    as ``default-graph-uri`` (the graph to query when the query names none). The query is
    sent as an URL-encoded ``POST`` (Virtuoso 7.2 does not answer a ``POST`` of
    ``application/sparql-query``). A result cut by the server's row limit warns with
    :class:`TruncatedResultWarning`.
    """
    text = load_query(query)
    values = _check_bindings(text, bindings)
    text = inject_values(text, values)
    form = query_form(text)
    ep = _Endpoint(url, user, password, timeout)
    params = {"default-graph-uri": _check_graph(default_graph)} if default_graph else {}
    target = ep.with_params(**params) if params else ep.url
    try:
        body = urllib.parse.urlencode({"query": text}).encode("ascii")
    except UnicodeEncodeError as e:
        raise QueryError(f"the query cannot be encoded as UTF-8: {e.reason}") from None
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Accept": _ACCEPT_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else _ACCEPT_RESULTS}
    try:
        answer = ep.request("POST", target, body=body, headers=headers)
    except RemoteError as e:
        if getattr(e, "status", None) == 400:
            raise QueryError(f"the endpoint rejected the query: {e}") from None
        raise
    limit = answer.headers.get("X-SPARQL-MaxRows")
    if limit:
        warnings.warn(TruncatedResultWarning(
            f"the endpoint returned at most {limit} rows (its result limit); the result may "
            "be incomplete: page with LIMIT/OFFSET"), stacklevel=2)
    media = (answer.headers.get_content_type() or "").lower()
    if "json" in media and media != "application/ld+json":
        return _from_json(answer.body, form, ep)
    return _from_rdf(answer.body, media, ep)


def _json_term(term: dict[str, str] | None) -> str | None:
    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "bnode":
        return f"_:{value}"
    if kind in ("literal", "typed-literal"):
        return _text(value, term.get("datatype"))
    return value


def _from_json(body: bytes, form: str, ep: _Endpoint) -> QueryResult:
    try:
        doc = json.loads(body)
        if "boolean" in doc:
            return QueryResult(("ask",), (("true" if doc["boolean"] else "false",),), "ask")
        names = tuple(str(v) for v in doc["head"].get("vars", ()))
        rows = tuple(tuple(_json_term(b.get(v)) for v in names)
                     for b in doc["results"]["bindings"])
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise RemoteError(f"{ep.mask(ep.url)}: not a SPARQL JSON result ({e})") from None
    if form == "ASK" and len(names) == 1:  # Virtuoso: one row with __ASK_RETVAL 1 or 0
        value = rows[0][0] if rows else None
        return QueryResult(("ask",), (("true" if value in ("1", "true") else "false",),), "ask")
    return QueryResult(names, rows)


def _from_rdf(body: bytes, media: str, ep: _Endpoint) -> QueryResult:
    if media in ("text/plain", "text/ntriples", "application/ntriples"):
        fmt: ox.RdfFormat | None = ox.RdfFormat.N_TRIPLES
    else:
        fmt = ox.RdfFormat.from_media_type(media) if media else None
    if fmt is None:
        raise RemoteError(f"{ep.mask(ep.url)}: unexpected answer of type {media or 'unknown'!r}")
    from kg.sparql import _ox_text

    try:
        rows = tuple((_ox_text(q.subject), _ox_text(q.predicate), _ox_text(q.object))
                     for q in ox.parse(input=body, format=fmt))
    except (SyntaxError, ValueError) as e:
        raise RemoteError(f"{ep.mask(ep.url)}: unreadable {media} answer ({e})") from None
    return QueryResult(("subject", "predicate", "object"), rows, "graph")
