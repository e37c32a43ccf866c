"""Benchmark rows for a built graph: a daily update (``kg add`` of 100 new papers, against
the full ``kg build`` measured in the same run) and ``kg sparql`` with the README's example
queries (the first call builds the on-disk index; each later call is what a user waits for).

Used by ``benchmarks/run.py`` after its end-to-end ``kg build``; every command runs in a
subprocess through the real ``kg`` entry point, timed by the parent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NEW_PAPERS = 100

# label -> (shipped query or text, bindings filled from the graph: name -> how)
README_QUERIES: list[tuple[str, str, dict[str, str]]] = [
    ("top-benchmarks", "top-benchmarks", {}),
    ("papers-using-benchmark", "papers-using-benchmark", {"name": "benchmark"}),
    ("co-occurring-methods", "co-occurring-methods", {"name": "method"}),
    ("related-papers", "related-papers", {"paper": "paper"}),
    ("entity-counts", "entity-counts", {}),
    ("count benchmarks (inline query)",
     "PREFIX pkg: <https://w3id.org/paper-kg/ontology#>\n"
     "SELECT (COUNT(?b) AS ?n) WHERE { ?b a pkg:Benchmark }", {}),
]


def _kg() -> list[str]:
    found = shutil.which("kg")
    return [found] if found else [sys.executable, "-m", "kg"]


def _new_papers(d: Path, n: int, name: str = "new") -> Path:
    """The ``NEW_PAPERS`` abstracts that follow the first ``n`` of the same generated corpus
    (the generator is prefix-stable), i.e. the next day's papers."""
    path = d / f"{name}{NEW_PAPERS}.jsonl"
    if not path.exists():
        proc = subprocess.run([sys.executable, str(HERE / "generate.py"), str(n + NEW_PAPERS),
                               "--seed", "0"], capture_output=True, text=True, check=True)
        lines = proc.stdout.splitlines()[n:]
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _bindings(out: Path) -> dict[str, str]:
    """The most-used benchmark and method (the slowest case) and a paper id of the built graph."""
    counts: dict[str, tuple[int, str]] = {}
    with (out / "entities.jsonl").open(encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            best = counts.get(e["type"])
            if best is None or e["paper_count"] > best[0]:
                counts[e["type"]] = (e["paper_count"], e["label"])
    with (out / "papers.jsonl").open(encoding="utf-8") as f:
        paper = json.loads(f.readline())["id"]  # related-papers takes an id or an exact title
    return {"benchmark": counts.get("benchmark", (0, "x"))[1],
            "method": counts.get("method", (0, "x"))[1], "paper": paper}


def run(d: Path, n: int, built: Path, build_secs: float, *, watch: Callable[..., Any],
        row: Callable[..., Any], args: Any) -> list[Any]:
    """Rows for ``kg add`` (vs ``build_secs``) and ``kg sparql`` on the graph in ``built``."""
    rows = []
    new = _new_papers(d, n)
    target = d / "updated"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(built, target)
    before = _runs(target)
    w, r = _timed_add(d, n, target, new, "add", build_secs, watch=watch, row=row, args=args)
    if r.rate:
        r.note = (f"{NEW_PAPERS} new papers into the graph of {n:,} built by `kg build` "
                  f"({build_secs:,.1f} s in this run); {_churn(before, _runs(target))}")
    rows.append(r)
    _say(r)

    values = _bindings(target)
    for i, (label, query, binds) in enumerate(README_QUERIES):
        cmd: Sequence[str] = [*_kg(), "sparql", str(target), query, "--output", "csv"]
        for var, what in binds.items():
            cmd = [*cmd, "--bind", f"{var}={values[what]}"]
        w = watch(cmd, timeout=args.timeout, max_rss_mb=args.max_rss_mb, cwd=d)
        if i == 0:  # the first query of a new graph builds the index: report it apart
            index = target / ".sparql-index"
            size = sum(f.stat().st_size for f in index.rglob("*") if f.is_file()) if index.is_dir() else 0
            first = row("sparql-index", n, secs=w.secs, peak_mb=w.group_peak_mb, cpu=w.cpu_secs,
                        note="first kg sparql on the updated graph: builds .sparql-index once "
                             f"({size / 2**20:,.0f} MB on disk)")
            rows.append(first)
            _say(first)
            w = watch(cmd, timeout=args.timeout, max_rss_mb=args.max_rss_mb, cwd=d)
        r = row(f"sparql:{label}", n, secs=w.secs, peak_mb=w.group_peak_mb, cpu=w.cpu_secs)
        r.note = ("whole `kg sparql` command (process start, index open, query, output)"
                  if w.rc == 0 else f"failed (exit {w.rc}): {w.stderr.strip()[-300:]}")
        if binds:
            r.note += "; " + ", ".join(f"{v}={values[k]!r}" for v, k in binds.items())
        rows.append(r)
        _say(r)
    rows += _add_with_index(d, n, target, build_secs, first, watch=watch, row=row, args=args)
    shutil.rmtree(target, ignore_errors=True)
    return rows


def _runs(out: Path) -> dict[str, dict[str, tuple[str, int]]] | None:
    """Per section of ``graph.ttl``'s chunk index: run key -> (digest, bytes)."""
    path = out / ".graph.ttl.chunks.json"
    if not path.is_file():
        return None
    index = json.loads(path.read_text(encoding="utf-8"))
    return {sec: {k: (v[0], v[2]) for k, v in index[sec].items()}
            for sec in ("papers", "entities", "links") if isinstance(index.get(sec), dict)}


def _churn(before: dict[str, dict[str, tuple[str, int]]] | None,
           after: dict[str, dict[str, tuple[str, int]]] | None) -> str:
    """What the add changed in graph.ttl, from the chunk indexes before and after: per section,
    the runs that are new or whose digest changed (so were rendered, not copied)."""
    if not before or not after:
        return "graph.ttl runs not compared (no chunk index)"
    parts, changed_bytes, total_bytes = [], 0, 0
    for sec, runs in after.items():
        old = before.get(sec, {})
        changed = [k for k, (digest, _) in runs.items() if old.get(k, ("",))[0] != digest]
        changed_bytes += sum(runs[k][1] for k in changed)
        total_bytes += sum(size for _, size in runs.values())
        parts.append(f"{sec} {len(changed):,} of {len(runs):,}")
    share = changed_bytes / total_bytes if total_bytes else 0.0
    return (f"graph.ttl runs rendered (new or changed): {', '.join(parts)} "
            f"({share:.1%} of the bytes)")


def _timed_add(d: Path, n: int, target: Path, new: Path, stage: str, build_secs: float, *,
               watch: Callable[..., Any], row: Callable[..., Any], args: Any) -> tuple[Any, Any]:
    """``kg add target new`` timed as row ``stage`` (its rate set against ``build_secs``
    when it succeeded, else its note says why not)."""
    w = watch([*_kg(), "add", str(target), str(new)], timeout=args.build_timeout,
              max_rss_mb=args.max_rss_mb, cwd=d)
    r = row(stage, n, secs=w.secs, peak_mb=w.group_peak_mb, cpu=w.cpu_secs)
    if w.rc != 0 or w.killed:
        r.note = w.killed or f"failed (exit {w.rc}): {w.stderr.strip().splitlines()[-1:]}"
    else:
        r.rate = f"{build_secs / w.secs:.1f}x faster than kg build"
    return w, r


def _add_with_index(d: Path, n: int, target: Path, build_secs: float, first: Any, *,
                    watch: Callable[..., Any], row: Callable[..., Any], args: Any) -> list[Any]:
    """The next day's ``kg add`` into ``target``, which now has a SPARQL index: the add
    updates the index in place (compared with the index build, ``first``), and the next
    query answers from it at once."""
    rows = []
    new = _new_papers(d, n + NEW_PAPERS, name="day2-")
    w, r = _timed_add(d, n, target, new, "add-index", build_secs, watch=watch, row=row, args=args)
    if r.rate:
        updated = "updating the SPARQL index" in w.stderr
        r.note = (f"the next {NEW_PAPERS} papers into the graph above, which now has a SPARQL "
                  f"index: {'updated in place' if updated else 'REBUILT (not updated in place)'}"
                  f" (building it took {first.secs:,.1f} s)")
    rows.append(r)
    _say(r)
    cmd = [*_kg(), "sparql", str(target), "entity-counts", "--output", "csv"]
    w = watch(cmd, timeout=args.timeout, max_rss_mb=args.max_rss_mb, cwd=d)
    r = row("sparql:entity-counts after the update", n, secs=w.secs, peak_mb=w.group_peak_mb,
            cpu=w.cpu_secs, note="whole `kg sparql` command on the graph updated with its index"
            if w.rc == 0 else f"failed (exit {w.rc}): {w.stderr.strip()[-300:]}")
    rows.append(r)
    _say(r)
    return rows


def _say(r: Any) -> None:
    secs = f"{r.secs:9.2f} s" if r.secs is not None else "skipped"
    print(f"  {r.stage:20s} {secs}  {r.rate}  {r.note}", flush=True)
