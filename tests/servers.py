"""Real SPARQL servers for the tests, on 127.0.0.1 only: Oxigraph (``oxigraph serve``, from
the PyPI package ``oxigraph``) and OpenLink Virtuoso (Debian's ``virtuoso-opensource``).

Each server runs as a child process in a temporary directory with free ports, is waited
for at most :data:`STARTUP` seconds, and is stopped by its process id (SIGTERM, then SIGKILL).
:func:`missing_oxigraph` / :func:`missing_virtuoso` say why a server cannot run here.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
STARTUP = 30.0  # seconds a server gets to answer
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # the default of a new Virtuoso database


class ServerError(RuntimeError):
    """A server did not start; the message ends with its log."""


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str  # http://127.0.0.1:PORT
    workdir: Path
    log: Path
    ports: list[int] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server by its process id: SIGTERM, then SIGKILL after ``timeout`` s."""
        if self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait(server: Server, probe: str, timeout: float = STARTUP) -> None:
    """Until ``probe`` (a URL) answers HTTP, or the process died, or ``timeout`` passed."""
    end = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while True:
        if server.process.poll() is not None:
            raise ServerError(f"{server.name} exited with status {server.process.returncode}:\n"
                              f"{server.log_tail()}")
        try:
            with opener.open(probe, timeout=2) as resp:
                resp.read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > end:
            server.stop()
            raise ServerError(f"{server.name} did not answer {probe} within {timeout:g} s:\n"
                              f"{server.log_tail()}")
        time.sleep(0.2)


# --- Oxigraph -----------------------------------------------------------------------------


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def missing_oxigraph() -> str | None:
    if oxigraph_binary() is None:
        return "the oxigraph server is not installed (pip install 'oxigraph>=0.4,<0.6')"
    return None


def start_oxigraph(workdir: Path) -> Server:
    """``oxigraph serve`` on a free port of 127.0.0.1 with its data in ``workdir``.
    Endpoints: ``/query``, ``/update``, ``/store`` (Graph Store Protocol)."""
    binary = oxigraph_binary()
    if binary is None:
        raise ServerError(missing_oxigraph() or "")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / "oxigraph.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [binary, "serve", "--location", str(workdir / "data"), "--bind", f"{HOST}:{port}"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    server = Server("oxigraph", proc, f"http://{HOST}:{port}", workdir, log, [port])
    _wait(server, server.url("/query?query=ASK%7B%7D"))
    return server


# --- Virtuoso -----------------------------------------------------------------------------

VIRTUOSO_INI = """\
; written by paper-kg's tests: listens on 127.0.0.1 only
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = {host}:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
DirsAllowed          = ., {d}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = {host}:{http_port}
ServerRoot           = {d}
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows      = 10000
MaxQueryExecutionTime = 60
"""


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t") or (
        "/usr/bin/virtuoso-t" if os.access("/usr/bin/virtuoso-t", os.X_OK) else None
    )


def missing_virtuoso() -> str | None:
    if virtuoso_binary() is None:
        return "Virtuoso is not installed (apt-get install virtuoso-opensource)"
    return None


def start_virtuoso(workdir: Path) -> Server:
    """``virtuoso-t`` with a fresh database in ``workdir``, SQL and HTTP on free ports of
    127.0.0.1 (user dba, password dba). Endpoints: ``/sparql`` (anonymous, read-only),
    ``/sparql-auth`` (Digest; updates), ``/sparql-graph-crud-auth`` (Digest; Graph Store)."""
    binary = virtuoso_binary()
    if binary is None:
        raise ServerError(missing_virtuoso() or "")
    workdir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=workdir, host=HOST, sql_port=sql_port,
                                       http_port=http_port), encoding="utf-8")
    log = workdir / "virtuoso.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=workdir)
    server = Server("virtuoso", proc, f"http://{HOST}:{http_port}", workdir, log,
                    [sql_port, http_port])
    _wait(server, server.url("/sparql?query=ASK%7B%7D"))
    return server
