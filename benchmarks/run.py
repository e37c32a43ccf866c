"""Stage-by-stage performance of paper-kg on generated abstracts: writes benchmarks/results.md.

    python benchmarks/run.py                      # sizes 1000,10000,100000 (100k: about an hour)
    python benchmarks/run.py --sizes 1000,10000
    python benchmarks/run.py --quick              # 1000 only, a smoke test

For every size the corpus is made by ``benchmarks/generate.py`` (seeded) and each stage runs
in a **fresh subprocess**: its inputs (the previous stage's output, pickled) are loaded before
the clock starts, only the stage itself is timed (``time.perf_counter``), and the peak memory
reported is the high-water mark ``VmHWM`` of that subprocess (``/proc/self/status``; the
same counter as ``getrusage(RUSAGE_SELF).ru_maxrss``, which on Linux also keeps the RSS of
the forking parent across ``exec`` and so overstates small stages) at the end (so
it includes the loaded inputs; the RSS just before the stage is reported too). Worker processes
of the 2-worker extraction are reported separately (``RUSAGE_CHILDREN``: the largest worker).
``kg build`` end to end is a subprocess of its own: wall time from the parent and the peak
memory of the whole process group, sampled every 0.2 s as the sum of each process's PSS
(proportional set size: a page shared by the forked extraction workers and their parent
counts once, where a sum of RSS would count it in every process).

A stage is killed after ``--timeout`` seconds (default 900; an end-to-end build after
``--build-timeout``, default 1800, as it sums the stages) or when its process group
exceeds ``--max-rss-gb`` (default: 70% of the memory available at start); the table says so,
and stages that need its output are skipped. A killed extraction reports its partial rate.

Stages: ``read`` (kg.readers.read_paths + merge_papers), ``tokenizer`` (baseline:
``spacy.blank("en")`` tokenizer alone; also the pipeline's own tokenizer, which splits
hyphens and has a 10^7-entry cache), ``extract`` (extract_papers, 1 worker, pipeline built
inside the clock like ``kg build`` does), ``extract x2`` (2 workers), ``resolve``, ``link``
(paper_entities + link_papers), ``nx graph`` (to_networkx), ``communities`` (the seeded
Leiden that ``build`` runs), ``n-triples`` and ``turtle`` (exporter registry), ``rdflib``
(``exports.rdf.to_rdflib``, the in-memory rdflib graph behind ``KnowledgeGraph.rdf()``),
``html``, ``save`` (records only, ``formats=()``) and ``load`` (kg.api.load). End to end:
``kg build`` with and without ``--no-html``, and ``kg.build()`` + ``save(formats=("html",))``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from extract.pipeline import auto_workers  # noqa: E402  (cheap: spaCy is imported lazily)

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (1000, 10_000, 100_000)
SEED = 0
BASE_IRI = "https://w3id.org/paper-kg/id/"
TARGET_TOKENIZER_RATIO = 0.40
TARGET_SPEEDUP = 1.7
TARGET_SCALING = 1.5
TARGET_ADD = 50.0
TARGET_SPARQL_SECS = 1.0
TARGET_TRIPLES_PER_SEC = 500_000
TARGET_BUILD_SECS = 300.0  # kg build of 100k abstracts
TARGET_BUILD_MB = 4096.0


# ---------------------------------------------------------------------------------------------
# child side: one stage, one process
# ---------------------------------------------------------------------------------------------
def _status_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _load(path: Path) -> Any:
    with path.open("rb") as f:
        return pickle.load(f)


def _dump(obj: Any, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


class Progress:
    """Writes the number of abstracts done to a file every few seconds (read if killed)."""

    def __init__(self, path: Path) -> None:
        self.path, self.done, self.t0, self.last = path, 0, time.perf_counter(), 0.0

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.last > 2:
            self.last = now
            self.path.write_text(json.dumps({"done": self.done, "secs": now - self.t0}))


def _texts(d: Path) -> list[str]:
    from extract.pipeline import paper_text

    return [paper_text(p) for p in _load(d / "papers.pkl")]


def _graph_data(d: Path, with_communities: bool = True) -> Any:
    return _load(d / ("data.pkl" if with_communities else "data0.pkl"))


def child(stage: str, d: Path) -> dict[str, Any]:
    """Run one stage on the size directory ``d``; returns the measurements."""
    n = json.loads((d / "size.json").read_text())["n"]
    res: dict[str, Any] = {}
    prep: Callable[[], Any] = lambda: None  # noqa: E731

    if stage == "generate":
        sys.path.insert(0, str(HERE))
        from generate import write

        def run(_: Any) -> None:
            res["bytes"] = write(n, SEED, d / "corpus.jsonl")
    elif stage == "read":
        from kg.readers import merge_papers, read_paths

        def run(_: Any) -> None:
            papers = merge_papers(read_paths([d / "corpus.jsonl"], format="jsonl"))
            res["papers"] = len(papers)
            res["_out"] = papers
    elif stage in ("tokenizer", "tokenizer-pipeline"):
        prep = lambda: _texts(d)  # noqa: E731

        def run(texts: list[str]) -> None:
            import spacy

            if stage == "tokenizer":
                tok = spacy.blank("en").tokenizer
            else:
                from extract.pipeline import make_pipeline

                tok = make_pipeline(lean_lexemes=True).tokenizer
            t = time.perf_counter()
            ntok = sum(len(doc) for doc in tok.pipe(texts, batch_size=1000))
            res["tokens"] = ntok
            res["tokenize_secs"] = time.perf_counter() - t  # without building the tokenizer
    elif stage in ("extract", "extract2"):
        prep = lambda: _load(d / "papers.pkl")  # noqa: E731
        workers = 1 if stage == "extract" else 2

        def run(papers: list[Any]) -> None:
            from extract.pipeline import extract_papers, make_pipeline

            t = time.perf_counter()
            nlp = make_pipeline(lean_lexemes=True) if workers == 1 else None
            res["pipeline_secs"] = time.perf_counter() - t
            prog = Progress(d / f"progress-{stage}.json")
            rows = [[m.to_row() for m in ms] for ms in
                    extract_papers(papers, workers=workers, nlp=nlp, progress=prog)]
            res["extract_only_secs"] = time.perf_counter() - t - res["pipeline_secs"]
            res["mentions"] = sum(len(r) for r in rows)
            res["_out"] = rows
    elif stage == "resolve":
        def prep() -> Any:
            from extract.lexicon import load_lexicon
            from kg.records import Mention

            rows = _load(d / "raw.pkl")
            return [Mention.from_row(r) for ms in rows for r in ms], load_lexicon(())

        def run(inp: Any) -> None:
            from extract.resolve import resolve

            mentions, entities = resolve(inp[0], lexicon=inp[1])
            res.update(mentions=len(mentions), entities=len(entities))
            res["_out"] = (mentions, entities)
    elif stage == "link":
        prep = lambda: (_load(d / "resolved.pkl")[0], _load(d / "papers.pkl"))  # noqa: E731

        def run(inp: Any) -> None:
            from kg import graph as kgraph

            mentions, papers = inp
            t = time.perf_counter()
            pe = kgraph.paper_entities(mentions)
            res["paper_entities_secs"] = time.perf_counter() - t
            links = kgraph.link_papers(pe)
            res["links"] = len(links)
            res["_out"] = links
    elif stage == "nx":
        def prep() -> Any:
            from kg.records import BuildInfo, GraphData

            papers = _load(d / "papers.pkl")
            mentions, entities = _load(d / "resolved.pkl")
            links = _load(d / "links.pkl")
            info = BuildInfo("bench", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
                             ("corpus.jsonl",), BASE_IRI)
            data = GraphData(tuple(papers), tuple(entities), tuple(mentions), tuple(links), info)
            _dump(data, d / "data0.pkl")
            return data

        def run(data: Any) -> None:
            from kg.graph import to_networkx

            g = to_networkx(data)
            res.update(nodes=g.number_of_nodes(), edges=g.number_of_edges())
    elif stage == "communities":
        def prep() -> Any:
            from kg.graph import to_networkx

            data = _graph_data(d, with_communities=False)
            return data, to_networkx(data)

        def run(inp: Any) -> None:
            from dataclasses import replace

            from kg.analytics import community_index

            data, g = inp
            index = community_index(g, seed=42)
            res["communities"] = len(set(index.values()))
            res["_out"] = replace(data, communities=index)
    elif stage in ("turtle", "n-triples", "html"):
        prep = lambda: _graph_data(d)  # noqa: E731
        out = d / ("graph.ttl" if stage == "turtle" else "graph.nt" if stage == "n-triples"
                   else "graph.html")

        def run(data: Any) -> None:
            from exports import export

            opts = {} if stage == "html" else {"base_iri": BASE_IRI}
            export(data, stage, out, **opts)
    elif stage == "rdflib":
        prep = lambda: _graph_data(d)  # noqa: E731

        def run(data: Any) -> None:
            from exports.rdf import to_rdflib

            res["triples"] = len(to_rdflib(data, base_iri=BASE_IRI))
    elif stage == "save":
        prep = lambda: _graph_data(d)  # noqa: E731

        def run(data: Any) -> None:
            from kg.api import KnowledgeGraph

            KnowledgeGraph(data, options={}).save(d / "saved", formats=())
    elif stage == "load":
        def run(_: Any) -> None:
            from kg.api import load

            g = load(d / "saved")
            res["papers"] = len(g.data.papers)
    else:
        raise SystemExit(f"unknown stage {stage!r}")

    inp = prep()
    import gc

    gc.collect()
    res["rss_before_mb"] = _status_mb("VmRSS")
    res["load_before"] = os.getloadavg()[0]
    self0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    run(inp)
    res["secs"] = time.perf_counter() - t0
    self1, kids1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    res["cpu_secs"] = self1.ru_utime - self0.ru_utime + self1.ru_stime - self0.ru_stime
    res["children_cpu_secs"] = (kids1.ru_utime - kids0.ru_utime + kids1.ru_stime - kids0.ru_stime)
    # VmHWM, not getrusage(RUSAGE_SELF).ru_maxrss: on Linux ru_maxrss survives exec(), so
    # it would report the forking parent's RSS whenever that is larger than the stage's own.
    res["peak_rss_mb"] = _status_mb("VmHWM")
    res["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    res["n"] = n
    out_obj = res.pop("_out", None)
    # post-processing outside the clock
    if stage == "read":
        _dump(out_obj, d / "papers.pkl")
    elif stage in ("extract", "extract2"):
        other = d / ("raw2.pkl" if stage == "extract" else "raw.pkl")
        if other.exists():
            res["same_as_other_extract"] = _load(other) == out_obj
        _dump(out_obj, d / ("raw.pkl" if stage == "extract" else "raw2.pkl"))
        if stage == "extract2" and not (d / "raw.pkl").exists():
            shutil.copyfile(d / "raw2.pkl", d / "raw.pkl")
    elif stage == "resolve":
        _dump(out_obj, d / "resolved.pkl")
    elif stage == "link":
        _dump(out_obj, d / "links.pkl")
    elif stage == "communities":
        _dump(out_obj, d / "data.pkl")
    elif stage == "n-triples":
        with (d / "graph.nt").open("rb") as f:
            res["triples"] = sum(1 for _ in f)
        res["file_mb"] = (d / "graph.nt").stat().st_size / 1e6
    elif stage == "turtle":
        res["file_mb"] = (d / "graph.ttl").stat().st_size / 1e6
    elif stage == "html":
        res["file_mb"] = (d / "graph.html").stat().st_size / 1e6
    elif stage == "save":
        res["file_mb"] = sum(p.stat().st_size for p in (d / "saved").iterdir()) / 1e6
    return res


# ---------------------------------------------------------------------------------------------
# parent side: run stages as subprocesses with a watchdog
# ---------------------------------------------------------------------------------------------
def _group_rss_mb(pgid: int) -> float:
    """Memory of process group ``pgid``: the sum of its processes' PSS (``smaps_rollup``),
    or of their RSS where PSS cannot be read."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) != pgid:  # field 5 of stat: pgrp
                continue
            total += _pss_bytes(entry) or int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # 24: rss
        except (OSError, ValueError, IndexError):
            continue
    return total / 2**20


def _pss_bytes(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class Watched:
    rc: int | None
    secs: float
    group_peak_mb: float
    killed: str  # "" or the reason
    stderr: str
    cpu_secs: float  # user + system CPU of the process and the children it waited for


def watch(cmd: Sequence[str], *, timeout: float, max_rss_mb: float, cwd: Path | None = None,
          stdout: Any = subprocess.DEVNULL) -> Watched:
    """Run ``cmd`` in its own process group; kill the group on timeout or memory excess."""
    t0 = time.perf_counter()
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(list(cmd), cwd=cwd, stdout=stdout, stderr=err,
                             start_new_session=True)
        peak, killed = 0.0, ""
        while p.poll() is None:
            rss = _group_rss_mb(p.pid)
            peak = max(peak, rss)
            elapsed = time.perf_counter() - t0
            if elapsed > timeout:
                killed = f"killed after {timeout:.0f} s"
            elif rss > max_rss_mb:
                killed = f"killed at {rss / 1024:.1f} GB RSS"
            if killed:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                break
            time.sleep(0.2)
        secs = time.perf_counter() - t0
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = kids1.ru_utime - kids0.ru_utime + kids1.ru_stime - kids0.ru_stime
    return Watched(p.returncode, secs, peak, killed, text[-2000:], cpu)


@dataclass
class Row:
    stage: str
    n: int
    secs: float | None = None
    rate: str = ""
    peak_mb: float | None = None
    note: str = ""
    raw: dict[str, Any] | None = None
    cpu: float | None = None
    cause: str = ""  # why it was killed or skipped as too slow (propagates to larger sizes)


STAGES = [
    # (stage, needs, label)
    ("read", ["corpus.jsonl"], "read (read_paths + merge_papers)"),
    ("tokenizer", ["papers.pkl"], "baseline: spacy.blank('en') tokenizer"),
    ("tokenizer-pipeline", ["papers.pkl"], "pipeline tokenizer alone (hyphen infix, big cache)"),
    ("extract", ["papers.pkl"], "extract (1 worker)"),
    ("extract2", ["papers.pkl"], "extract (2 workers)"),
    ("resolve", ["raw.pkl"], "resolve"),
    ("link", ["resolved.pkl"], "link (paper_entities + link_papers)"),
    ("nx", ["links.pkl"], "nx graph (to_networkx)"),
    ("communities", ["data0.pkl"], "communities (seeded Leiden, run by build)"),
    ("n-triples", ["data.pkl"], "RDF n-triples (exporter registry)"),
    ("turtle", ["data.pkl"], "RDF turtle (exporter registry)"),
    ("rdflib", ["data.pkl"], "rdflib Graph (exports.rdf.to_rdflib, behind KnowledgeGraph.rdf())"),
    ("html", ["data.pkl"], "HTML (exports html)"),
    ("save", ["data.pkl"], "save (records, formats=())"),
    ("load", ["saved"], "load (kg.api.load)"),
]
LABELS = {s: label for s, _, label in STAGES}
LABELS.update({"generate": "generate corpus (benchmarks/generate.py)",
               "build-nohtml": "kg build --no-html (end to end)",
               "build-html": "kg build (with html, end to end)",
               "build-api": "kg.build() + save(html), no turtle (Python API, end to end)",
               "add": "kg add (100 new papers; vs kg build of the same run)",
               "add-index": "kg add of the next 100 papers, SPARQL index updated in place",
               "sparql-index": "kg sparql, first query (builds the on-disk index)"})


def _fmt_rate(x: float, unit: str) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f}M {unit}/s"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k {unit}/s"
    return f"{x:,.0f} {unit}/s"


def _predicted_too_slow(stage: str, n: int, rows: list[Row], timeout: float,
                        max_rss_mb: float | None = None) -> str:
    """Why ``stage`` at size ``n`` would exceed ``timeout`` or ``max_rss_mb`` (from a smaller
    size, assuming linear growth), or ""."""
    done = [r for r in rows if r.stage == stage and r.n < n]
    for r in done:
        if r.cause:
            return r.cause
    timed = [r for r in done if r.secs]
    if timed:
        r = max(timed, key=lambda r: r.n)
        guess = r.secs * n / r.n  # linear: optimistic
        if guess > timeout:
            return (f"{r.secs:,.0f} s at {r.n:,} (>= {guess:,.0f} s at {n:,} even if linear, "
                    f"limit {timeout:.0f} s)")
        if max_rss_mb and r.peak_mb and r.peak_mb * n / r.n > max_rss_mb:
            return (f"{r.peak_mb:,.0f} MB at {r.n:,} (about {r.peak_mb * n / r.n / 1024:,.0f} GB "
                    f"at {n:,}, limit {max_rss_mb / 1024:.1f} GB)")
    return ""


def run_stage(stage: str, d: Path, args: argparse.Namespace, rows: list[Row],
              results: dict[str, dict[str, Any]]) -> None:
    n = json.loads((d / "size.json").read_text())["n"]
    needs = next((need for s, need, _ in STAGES if s == stage), [])
    missing = [x for x in needs if not (d / x).exists()]
    if missing:
        rows.append(Row(stage, n, note=f"skipped (no {', '.join(missing)})"))
        print(f"  {stage:20s} skipped", flush=True)
        return
    why = _predicted_too_slow(stage, n, rows, args.timeout, args.max_rss_mb)
    if why:
        rows.append(Row(stage, n, note=f"skipped: too slow: {why}", cause=why))
        print(f"  {stage:20s} skipped: too slow: {why}", flush=True)
        return
    result_file = d / f"result-{stage}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", stage, "--dir", str(d)]
    w = watch(cmd, timeout=args.timeout, max_rss_mb=args.max_rss_mb, cwd=d)
    row = Row(stage, n, peak_mb=w.group_peak_mb, cpu=w.cpu_secs)
    if w.killed or w.rc != 0 or not result_file.exists():
        row.secs = w.secs if w.killed else None
        row.note = w.killed or f"failed (exit {w.rc}): {w.stderr.strip().splitlines()[-1:]}"
        if w.killed:
            row.cause = f"{w.killed} at {n:,}"
        prog = d / f"progress-{stage}.json"
        if w.killed and prog.exists():
            p = json.loads(prog.read_text())
            if p["secs"] > 0:
                row.note += f"; {p['done']:,} abstracts done, {p['done'] / p['secs']:,.0f}/s so far"
        rows.append(row)
        print(f"  {stage:20s} {row.note}", flush=True)
        return
    r = json.loads(result_file.read_text())
    results[stage] = r
    row.raw, row.secs, row.peak_mb = r, r["secs"], r["peak_rss_mb"]
    row.cpu = r["cpu_secs"] + r["children_cpu_secs"]
    secs = r["secs"]
    notes = []
    if stage in ("tokenizer", "tokenizer-pipeline"):
        row.rate = _fmt_rate(n / r["tokenize_secs"], "abstracts")
        notes.append(f"{r['tokens'] / r['tokenize_secs'] / 1e3:,.0f}k tokens/s")
    elif stage in ("n-triples", "turtle", "rdflib"):
        triples = results.get("n-triples", {}).get("triples")
        if triples:
            row.rate = _fmt_rate(triples / secs, "triples")
        if "file_mb" in r:
            notes.append(f"{r['file_mb']:.1f} MB")
        if stage == "n-triples":
            notes.append(f"{triples:,} triples")
    elif stage == "generate":
        row.rate = _fmt_rate(n / secs, "abstracts")
        notes.append(f"{r['bytes'] / 1e6:.1f} MB")
    else:
        row.rate = _fmt_rate(n / secs, "abstracts")
    if stage == "extract":
        notes.append(f"pipeline build {r['pipeline_secs']:.1f} s; {r['mentions']:,} mentions")
    if stage == "extract2":
        notes.append(f"largest worker {r['children_peak_rss_mb']:,.0f} MB")
        if "same_as_other_extract" in r:
            notes.append("same mentions as 1 worker" if r["same_as_other_extract"]
                         else "MENTIONS DIFFER from 1 worker")
    if stage == "resolve":
        notes.append(f"{r['entities']:,} entities")
    if stage == "link":
        notes.append(f"{r['links']:,} links; paper_entities {r['paper_entities_secs']:.1f} s")
    if stage == "nx":
        notes.append(f"{r['nodes']:,} nodes, {r['edges']:,} edges")
    if stage == "communities":
        notes.append(f"{r['communities']:,} communities")
    if stage in ("html", "save"):
        notes.append(f"{r['file_mb']:.1f} MB")
    notes.append(f"RSS before {r['rss_before_mb']:,.0f} MB; load {r['load_before']:.1f}")
    row.note = "; ".join(notes)
    rows.append(row)
    print(f"  {stage:20s} {secs:9.2f} s  {row.rate:>22s}  peak {row.peak_mb:8,.0f} MB  {row.note}",
          flush=True)


_API_BUILD = """
import sys, kg
g = kg.build([sys.argv[1]], workers=int(sys.argv[3]))
g.save(sys.argv[2], formats=("html",))
"""


def run_build(d: Path, kind: str, args: argparse.Namespace, rows: list[Row]) -> None:
    """End to end in a subprocess: ``kg build`` (``--no-html`` or not), or the Python API
    (``kg.build`` + ``save(formats=("html",))``, i.e. ``kg build`` without its Turtle file)."""
    n = json.loads((d / "size.json").read_text())["n"]
    stage = f"build-{kind}"
    out = d / stage
    kg = shutil.which("kg")
    base = [kg] if kg else [sys.executable, "-m", "kg"]
    workers = str(args.build_workers)
    effective = args.build_workers or auto_workers(n)
    if kind == "api":
        cmd = [sys.executable, "-c", _API_BUILD, str(d / "corpus.jsonl"), str(out), workers]
    else:
        cmd = [*base, "build", str(d / "corpus.jsonl"), "--out", str(out), "--quiet",
               "--workers", workers, *(["--no-html"] if kind == "nohtml" else [])]
    parts = ["read", "extract" if effective == 1 else "extract2", "resolve", "link",
             "communities", "save", *([] if kind == "api" else ["turtle"]),
             *([] if kind == "nohtml" else ["html"])]
    mine = {r.stage: r for r in rows if r.n == n}
    total = sum(mine[p].secs or 0 for p in parts if p in mine)
    why = _predicted_too_slow(stage, n, rows, args.build_timeout)
    bad = [p for p in parts if p in mine and mine[p].cause]
    if bad:
        why = f"its {bad[0]} stage is too slow: {mine[bad[0]].cause}"
    elif total > args.build_timeout:
        why = f"its stages alone take {total:,.0f} s (limit {args.build_timeout:.0f} s)"
    if why:
        rows.append(Row(stage, n, note=f"skipped: {why}", cause=why))
        print(f"  {stage:20s} skipped: {why}", flush=True)
        return
    w = watch(cmd, timeout=args.build_timeout, max_rss_mb=args.max_rss_mb, cwd=d)
    row = Row(stage, n, secs=w.secs, peak_mb=w.group_peak_mb, cpu=w.cpu_secs)
    if w.killed or w.rc != 0:
        row.note = w.killed or f"failed (exit {w.rc}): {w.stderr.strip().splitlines()[-1:]}"
        if w.killed:
            row.cause = f"{w.killed} at {n:,}"
    else:
        row.rate = _fmt_rate(n / w.secs, "abstracts")
        row.note = (f"--workers {args.build_workers} ({effective} extraction processes); peak = PSS "
                    f"sum of the process group, sampled every 0.2 s")
    rows.append(row)
    print(f"  {stage:20s} {w.secs:9.2f} s  {row.rate:>22s}  peak {row.peak_mb:8,.0f} MB  "
          f"{row.note}", flush=True)
    if kind == "html" and row.rate:  # the graph a daily user has: measure updates and queries
        import updates

        rows.extend(updates.run(d, n, out, w.secs, watch=watch, row=Row, args=args))
    shutil.rmtree(out, ignore_errors=True)
    (out.parent / f".{out.name}.lock").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------
def _machine() -> dict[str, str]:
    import spacy

    import kg

    mem = ""
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        commit = f"{head}{' with uncommitted changes' if dirty else ''}" if head else "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "memory": mem, "commit": commit,
            "python": platform.python_version(), "spacy": spacy.__version__,
            "paper-kg": kg.__version__, "platform": platform.platform()}


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(rows: list[Row], sizes: list[int], all_results: dict[int, dict[str, dict[str, Any]]],
           meta: dict[str, str]) -> str:
    out = ["# paper-kg performance on generated abstracts", ""]
    out.append(f"Produced by `{meta['command']}` on {meta['date']}.")
    out.append("")
    m = meta
    out.append(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['platform']}; "
               f"Python {m['python']}, spaCy {m['spacy']}, paper-kg {m['paper-kg']} (git "
               f"{m['commit']}). Load "
               f"average (1/5/15 min) at start {m['load_start']}, at end {m['load_end']} (other "
               "processes were running on this machine, so times are noisy).")
    out.append("")
    out.append("Corpus: `benchmarks/generate.py N --seed 0` (templated ML abstracts, ~150-250 "
               "words, Zipf-distributed lexicon and coined entity names, vocabulary growing "
               "with the corpus). Each stage runs in a fresh subprocess with its inputs loaded "
               "before the clock starts; *peak RSS* is the high-water mark `VmHWM` of that "
               "subprocess (inputs included; the RSS before the stage is in the notes; "
               "`getrusage().ru_maxrss` is not used because on Linux it keeps the forking "
               "parent's RSS across exec), except for `kg build` rows, where it is the sampled "
               "sum of the PSS of the whole process group (pages the forked workers share with "
               "their parent count once). Throughput is abstracts/s (triples/s for "
               "RDF). *CPU* is user + system time of the stage's process and the workers it waited for; "
               "CPU well below wall time means the stage waited for a core (other processes) or "
               "for I/O. A stage is killed after "
               f"{meta['timeout']} (an end-to-end build after {meta['build_timeout']}) or above "
               f"{meta['max_rss']} of memory; a stage is skipped when a "
               "smaller size already took so long that even linear scaling would exceed the "
               "limit, and `kg build` is skipped when the stages it runs already exceed it.")
    out.append("")
    if meta.get("vocab"):
        out.append(f"Vocabulary growth of the generated corpora (distinct whitespace-separated "
                   f"chunks, what spaCy's tokenizer cache is keyed on): {meta['vocab']}.")
        out.append("")
    out.append("| stage | N | wall (s) | throughput | CPU (s) | peak RSS (MB) | notes |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        secs = "" if r.secs is None else f"{r.secs:,.2f}"
        peak = "" if r.peak_mb is None else f"{r.peak_mb:,.0f}"
        cpu = "" if r.cpu is None or r.secs is None else f"{r.cpu:,.1f}"
        label = LABELS.get(r.stage) or (f"kg sparql {r.stage[7:]} (index built)"
                                        if r.stage.startswith("sparql:") else r.stage)
        out.append(f"| {label} | {r.n:,} | {secs} | {r.rate} | {cpu} | "
                   f"{peak} | {r.note} |")
    out.append("")
    out.append("## Targets")
    out.append("")
    out.append("| target | N | value | met |")
    out.append("|---|---:|---:|---|")
    for n in sizes:
        res = all_results.get(n, {})
        ex, tok, tokp, ex2 = (res.get(k) for k in
                              ("extract", "tokenizer", "tokenizer-pipeline", "extract2"))
        if ex and tok:
            ratio = (n / ex["secs"]) / (n / tok["tokenize_secs"])
            out.append(f"| extraction / blank tokenizer throughput >= {TARGET_TOKENIZER_RATIO} | "
                       f"{n:,} | {ratio:.3f} | {'yes' if ratio >= TARGET_TOKENIZER_RATIO else 'no'} |")
            steady = ex["secs"] - ex["pipeline_secs"]
            out.append(f"| (same, pipeline build excluded) | {n:,} | "
                       f"{tok['tokenize_secs'] / steady:.3f} | |")
            if tokp:
                out.append(f"| (same, vs the pipeline's own tokenizer) | {n:,} | "
                           f"{tokp['tokenize_secs'] / ex['secs']:.3f} | |")
        if ex and ex2:
            sp = ex["secs"] / ex2["secs"]
            out.append(f"| 2-worker extraction speedup >= {TARGET_SPEEDUP}x | {n:,} | {sp:.2f}x | "
                       f"{'yes' if sp >= TARGET_SPEEDUP else 'no'} |")
            cpu1 = ex["cpu_secs"] + ex["children_cpu_secs"]
            cpu2 = ex2["cpu_secs"] + ex2["children_cpu_secs"]
            if cpu2 > 0:
                out.append(f"| (speedup if each worker had a free core: 2 x CPU(1 worker) / "
                           f"CPU(2 workers) = 2 x {cpu1:,.1f} / {cpu2:,.1f}) | {n:,} | "
                           f"{2 * cpu1 / cpu2:.2f}x | |")
    pairs = [(a, b) for a, b in zip(sizes, sizes[1:], strict=False) if b == 10 * a]
    for small, big in pairs:
        rs, rb = all_results.get(small, {}), all_results.get(big, {})
        for stage, _, label in STAGES:
            if stage in rs and stage in rb:
                key = "tokenize_secs" if stage.startswith("tokenizer") else "secs"
                ratio = (rb[stage][key] / big) / (rs[stage][key] / small)
                ok = "yes" if ratio <= TARGET_SCALING else "no"
                out.append(f"| per-abstract time {big:,} vs {small:,} <= {TARGET_SCALING}x: {label} "
                           f"| {big:,} | {ratio:.2f}x | {ok} |")
        for b in ("build-nohtml", "build-html", "build-api"):
            s_row = next((r for r in rows if r.stage == b and r.n == small and r.rate), None)
            b_row = next((r for r in rows if r.stage == b and r.n == big and r.rate), None)
            if s_row and b_row and s_row.secs and b_row.secs:
                ratio = (b_row.secs / big) / (s_row.secs / small)
                ok = "yes" if ratio <= TARGET_SCALING else "no"
                out.append(f"| per-abstract time {big:,} vs {small:,} <= {TARGET_SCALING}x: "
                           f"{LABELS[b]} | {big:,} | {ratio:.2f}x | {ok} |")
    for n in sizes:
        res = all_results.get(n, {})
        triples = res.get("n-triples", {}).get("triples")
        for stage in ("n-triples", "turtle"):
            if triples and stage in res and n >= 10_000:
                rate = triples / res[stage]["secs"]
                ok = "yes" if rate >= TARGET_TRIPLES_PER_SEC else "no"
                out.append(f"| RDF {stage} written at >= {TARGET_TRIPLES_PER_SEC / 1e3:,.0f}k "
                           f"triples/s | {n:,} | {rate / 1e3:,.0f}k/s | {ok} |")
        for b in ("build-nohtml", "build-html"):
            row = next((r for r in rows if r.stage == b and r.n == n), None)
            if n == 100_000 and row and row.rate and row.secs and row.peak_mb:
                ok = row.secs < TARGET_BUILD_SECS and row.peak_mb < TARGET_BUILD_MB
                out.append(f"| {LABELS[b]} < {TARGET_BUILD_SECS:.0f} s and < "
                           f"{TARGET_BUILD_MB / 1024:.0f} GB | {n:,} | {row.secs:,.0f} s, "
                           f"{row.peak_mb / 1024:.1f} GB | {'yes' if ok else 'no'} |")
            elif n >= 1_000_000 and row:  # the issue asks for the figures: report them
                done = bool(row.rate and row.secs and row.peak_mb)
                value = (f"{row.secs:,.0f} s, {(row.peak_mb or 0) / 1024:.1f} GB" if done
                         else row.note)
                out.append(f"| {LABELS[b]} completes within the run's memory limit "
                           f"({meta['max_rss']}) | {n:,} | {value} | {'yes' if done else 'no'} |")
        add = next((r for r in rows if r.stage == "add" and r.n == n and r.rate), None)
        if add:
            ratio = float(add.rate.split("x")[0])
            out.append(f"| kg add of 100 papers >= {TARGET_ADD}x faster than kg build | {n:,} | "
                       f"{ratio:.1f}x | {'yes' if ratio >= TARGET_ADD else 'no'} |")
        queries = [r for r in rows if r.stage.startswith("sparql:") and r.n == n and r.secs]
        if queries:
            slowest = max(queries, key=lambda r: r.secs or 0.0)
            ok = all((r.secs or 0) < TARGET_SPARQL_SECS for r in queries)
            out.append(f"| every README SPARQL query < {TARGET_SPARQL_SECS:.0f} s (slowest: "
                       f"{slowest.stage[7:]}) | {n:,} | {slowest.secs:.2f} s | {'yes' if ok else 'no'} |")
    out.append("")
    return "\n".join(out)


def _vocab(path: Path) -> int:
    seen: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            seen.update(rec["title"].split())
            seen.update(rec["abstract"].split())
    return len(seen)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                    help="comma-separated corpus sizes (default 1000,10000,100000)")
    ap.add_argument("--quick", action="store_true", help="only 1000 abstracts (smoke test)")
    ap.add_argument("--out", type=Path, default=HERE / "results.md")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where corpora and outputs go (default: a temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per stage")
    ap.add_argument("--build-timeout", type=float, default=1800.0,
                    help="seconds per end-to-end build (the sum of the stages; default 1800)")
    ap.add_argument("--max-rss-gb", type=float, default=None,
                    help="kill a stage above this RSS (default: 70%% of available memory)")
    ap.add_argument("--build-workers", type=int, default=0,
                    help="--workers of the end-to-end kg build (default 0, kg's default: auto)")
    ap.add_argument("--build-kinds", default="nohtml,html,api",
                    help="which end-to-end builds to run (default nohtml,html,api)")
    ap.add_argument("--stages", default=None, help="only these stages (comma-separated)")
    ap.add_argument("--no-build", action="store_true", help="skip the end-to-end kg build")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        res = child(args.child, args.dir)
        (args.dir / f"result-{args.child}.json").write_text(json.dumps(res))
        return 0

    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.max_rss_gb is None:
        with open("/proc/meminfo", encoding="ascii") as f:
            avail = next(int(x.split()[1]) for x in f if x.startswith("MemAvailable:"))
        args.max_rss_mb = 0.7 * avail / 1024
    else:
        args.max_rss_mb = args.max_rss_gb * 1024
    only = set(args.stages.split(",")) if args.stages else None
    meta = _machine()
    meta["command"] = "python benchmarks/run.py" + (" " + " ".join(argv if argv is not None
                                                                    else sys.argv[1:])).rstrip()
    meta["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta["load_start"] = _loadavg()
    meta["timeout"] = f"{args.timeout:.0f} s"
    meta["build_timeout"] = f"{args.build_timeout:.0f} s"
    meta["max_rss"] = f"{args.max_rss_mb / 1024:.1f} GB"
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work directory {work}; per-stage limits {args.timeout:.0f} s, "
          f"{args.max_rss_mb / 1024:.1f} GB", flush=True)
    rows: list[Row] = []
    all_results: dict[int, dict[str, dict[str, Any]]] = {}
    vocab = []
    try:
        for n in sizes:
            d = work / f"n{n}"
            d.mkdir(parents=True, exist_ok=True)
            (d / "size.json").write_text(json.dumps({"n": n}))
            results: dict[str, dict[str, Any]] = {}
            all_results[n] = results
            print(f"{n:,} abstracts:", flush=True)
            run_stage("generate", d, args, rows, results)
            vocab.append(f"{n:,} abstracts: {_vocab(d / 'corpus.jsonl'):,}")
            for stage, _, _ in STAGES:
                if only is None or stage in only:
                    run_stage(stage, d, args, rows, results)
            if not args.no_build and (only is None or "build" in only):
                for kind in args.build_kinds.split(","):
                    run_build(d, kind.strip(), args, rows)
            if not args.keep:
                for f in ("graph.nt", "graph.ttl", "graph.html", "raw2.pkl"):
                    (d / f).unlink(missing_ok=True)
    finally:
        meta["load_end"] = _loadavg()
        meta["vocab"] = "; ".join(vocab)
        text = report(rows, sizes, all_results, meta)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print()
        print(text)
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
