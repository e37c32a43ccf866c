"""Fuzz the input readers: arbitrary bytes must give papers or an InputError, quickly.

    python benchmarks/fuzz_readers.py --seconds 60              # atheris if installed
    python benchmarks/fuzz_readers.py --seconds 60 --engine random
    python benchmarks/fuzz_readers.py --replay FILE...          # run saved inputs again

The target, :func:`TestOneInput`, takes bytes: the first byte picks the format (detection
by content, or one of the forced readers) and the second the file name extension; the rest
is the file. It reads the file with ``kg.readers.read_paths`` (bad records as warnings),
merges the papers and exports them to N-Triples, parsed back with Oxigraph. A *finding*
is any exception other than :class:`kg.errors.InputError`, a paper that breaks the reader
contract (empty or oversized title/abstract, control characters, a bad id), RDF that does
not parse or has the wrong triple count, or an input slower than ``--slow`` seconds
(super-linear behaviour).

Engines: ``atheris`` (coverage-guided libFuzzer, ``pip install atheris``) runs for
``--seconds`` via ``-max_total_time``; ``random`` is a dependency-free mutation fuzzer with
the same target (bit flips, interesting bytes and tokens, deletions, duplications, splices
and chunk repetition up to ``--max-size``). Both start from the reader fixtures under
``tests/data``. Findings are written to ``--findings`` (default
``benchmarks/fuzz-findings``); the exit status is 1 when there is any.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORMATS: tuple[str | None, ...] = (
    None, None, None, None, "daily", "jsonl", "json", "atom", "csv", "bibtex",
)
SUFFIXES = (".txt", ".jsonl", ".json", ".xml", ".csv", ".bib")
SEED_DIRS = (ROOT / "tests" / "data" / "readers", ROOT / "tests" / "data" / "bad")
TOKENS = [
    b"{", b"}", b"[", b"]", b'"', b"\\", b",", b":", b"\n", b"\r\n", b"\r", b"\t", b" ",
    b"\x00", b"\xff", b"\xc3\xa9", b"\xe9", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
    b'{"title": "', b'", "abstract": "', b'"}\n', b'"authors": [', b'"id": "2410.17243v2"',
    b"@article{k,", b"title = {", b"abstract = {", b"}", b"@string{a = ", b"@comment{",
    b" # ", b"$$", b"$", b"\\(", b"\\)", b"\\[", b"\\]", b'{\\"o}', b"\\emph{", b"--",
    b"<entry>", b"</entry>", b"<title>", b"</title>", b"<summary>", b"</summary>",
    b'<feed xmlns="http://www.w3.org/2005/Atom">', b"<![CDATA[", b"]]>", b"<!--", b"-->",
    b"<!DOCTYPE feed [", b"&amp;", b"&#0;", b"title,abstract\n", b"title\tabstract\n",
    b"https://arxiv.org/abs/", b"https://x.org/a_(b))))", b"10.1000/", b"doi:", b"arXiv:",
    b"(", b")", b"?" * 8, b"9" * 50,
]

_tmpdir: Path | None = None


class Finding(Exception):
    """A broken contract (not a crash of the reader itself)."""


def _setup() -> None:
    global _tmpdir
    if _tmpdir is None:
        _tmpdir = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))


def TestOneInput(data: bytes) -> None:  # noqa: N802 - the name libFuzzer/atheris expects
    """Read ``data[2:]`` as an input file; raise on any finding."""
    from exports.rdf import iter_triples
    from exports.streaming import write_ntriples
    from kg.errors import InputError
    from kg.readers import merge_papers, read_paths
    from kg.readers.ids import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS
    from kg.records import BuildInfo, GraphData
    from kg.text import clean_text

    _setup()
    assert _tmpdir is not None
    if len(data) < 2:
        return
    fmt = FORMATS[data[0] % len(FORMATS)]
    path = _tmpdir / ("input" + SUFFIXES[data[1] % len(SUFFIXES)])
    path.write_bytes(data[2:])
    warnings: list[InputError] = []
    try:
        papers = merge_papers(read_paths([path], format=fmt, on_warning=warnings.append))
    except InputError:
        return
    for w in warnings:
        if not isinstance(w, InputError) or not str(w):
            raise Finding(f"bad warning {w!r}")
    for p in papers:
        if not p.title or not p.abstract or not p.id:
            raise Finding(f"empty field in {p!r}"[:300])
        if len(p.title) > MAX_TITLE_CHARS or len(p.abstract) > MAX_ABSTRACT_CHARS:
            raise Finding("oversized title or abstract")
        for text in (p.title, p.abstract, *p.authors):
            if clean_text(text) != text or text != text.strip():
                raise Finding(f"unclean text {text[:80]!r}")
        if not p.id.startswith(("arxiv:", "doi:", "title:")):
            raise Finding(f"bad id {p.id!r}")
    if papers:
        _check_rdf(papers, iter_triples, write_ntriples, BuildInfo, GraphData)


def _check_rdf(papers, iter_triples, write_ntriples, BuildInfo, GraphData) -> None:  # noqa: ANN001, N803
    import pyoxigraph

    assert _tmpdir is not None
    info = BuildInfo("0", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", ("x",),
                     "https://w3id.org/paper-kg/id/")
    data = GraphData(tuple(papers), (), (), (), info)
    expected = len(set(iter_triples(data)))
    out = _tmpdir / "graph.nt"
    write_ntriples(data, out)
    try:
        store = pyoxigraph.Store()
        store.bulk_load(path=str(out), format=pyoxigraph.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError, OSError) as exc:
        raise Finding(f"N-Triples export does not parse: {exc}") from None
    if len(store) != expected:
        raise Finding(f"{len(store)} triples parsed, {expected} written")


# --- the random engine ---------------------------------------------------------------------


def _seeds() -> list[bytes]:
    seeds: list[bytes] = []
    for directory in SEED_DIRS:
        if directory.is_dir():
            for f in sorted(directory.iterdir()):
                if f.is_file() and f.name != "expected.json":
                    seeds.append(f.read_bytes()[:20000])
    return seeds or [b'{"title": "T", "abstract": "A b."}\n']


def mutate(data: bytes, rng: random.Random, seeds: list[bytes], max_size: int) -> bytes:
    """One to four random mutations of ``data``."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:  # flip a bit
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:  # an interesting byte
            buf[rng.randrange(len(buf))] = rng.choice(b"\x00\x0a\x0d\x22\x5c\x7b\x7d\x3c\x40\x80\xc3\xff")
        elif op == 2:  # insert a token
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 3 and buf:  # delete a range
            del buf[pos : pos + rng.randint(1, 64)]
        elif op == 4 and buf:  # duplicate a range
            start = rng.randrange(len(buf))
            buf[pos:pos] = buf[start : start + rng.randint(1, 256)]
        elif op == 5:  # splice another seed
            other = rng.choice(seeds)
            start = rng.randint(0, len(other))
            buf[pos:] = other[start:]
        elif op == 6 and buf:  # repeat a chunk many times: super-linear behaviour
            start = rng.randrange(len(buf))
            chunk = bytes(buf[start : start + rng.randint(1, 16)]) or rng.choice(TOKENS)
            times = rng.choice((100, 1000, 10000, 50000))
            buf[pos:pos] = chunk * min(times, max(1, (max_size - len(buf)) // len(chunk)))
        else:  # a token repeated
            tok = rng.choice(TOKENS)
            buf[pos:pos] = tok * rng.choice((2, 10, 1000, 20000))
    return bytes(buf[:max_size])


def _record(findings: Path, data: bytes, kind: str, detail: str) -> Path:
    findings.mkdir(parents=True, exist_ok=True)
    import hashlib

    name = f"{kind}-{hashlib.sha1(data).hexdigest()[:12]}"
    (findings / f"{name}.bin").write_bytes(data)
    (findings / f"{name}.txt").write_text(detail, encoding="utf-8")
    return findings / f"{name}.bin"


def run_random(seconds: float, seed: int, slow: float, max_size: int, findings: Path) -> int:
    rng = random.Random(seed)
    seeds = _seeds()
    pool = [bytes([rng.randrange(256), rng.randrange(256)]) + s for s in seeds]
    deadline = time.monotonic() + seconds
    runs = crashes = slow_inputs = 0
    while time.monotonic() < deadline:
        data = mutate(rng.choice(pool), rng, seeds, max_size)
        if rng.random() < 0.2:
            data = bytes([rng.randrange(256), rng.randrange(256)]) + data[2:]
        started = time.perf_counter()
        try:
            TestOneInput(data)
        except Exception as exc:  # a finding: keep the input
            crashes += 1
            path = _record(findings, data, "crash", traceback.format_exc())
            print(f"CRASH {type(exc).__name__}: {str(exc)[:200]} -> {path}", flush=True)
        elapsed = time.perf_counter() - started
        runs += 1
        if elapsed > slow:
            slow_inputs += 1
            path = _record(findings, data, "slow", f"{elapsed:.2f}s for {len(data)} bytes")
            print(f"SLOW {elapsed:.1f}s for {len(data)} bytes -> {path}", flush=True)
        elif len(pool) < 2000 and rng.random() < 0.05:
            pool.append(data)  # keep some mutants to mutate further
    print(f"random engine: {runs} inputs in {seconds:.0f}s, {crashes} crashes, "
          f"{slow_inputs} slow (>{slow}s)")
    return 1 if crashes or slow_inputs else 0


def run_atheris(seconds: float, slow: float, max_size: int, findings: Path) -> int:
    import atheris

    with atheris.instrument_imports():
        import kg.readers  # noqa: F401
        import kg.text  # noqa: F401
    corpus = Path(tempfile.mkdtemp(prefix="kg-fuzz-corpus-"))
    for i, s in enumerate(_seeds()):
        (corpus / f"seed{i}").write_bytes(b"\x00\x00" + s)
    findings.mkdir(parents=True, exist_ok=True)
    args = [sys.argv[0], f"-max_total_time={int(seconds)}", f"-timeout={max(1, int(slow))}",
            f"-max_len={max_size}", "-rss_limit_mb=4096", f"-artifact_prefix={findings}/",
            "-print_final_stats=1", str(corpus)]
    atheris.Setup(args, TestOneInput)
    atheris.Fuzz()
    return 0


def replay(paths: list[str]) -> int:
    status = 0
    for name in paths:
        data = Path(name).read_bytes()
        started = time.perf_counter()
        try:
            TestOneInput(data)
            print(f"ok   {name} ({time.perf_counter() - started:.2f}s)")
        except Exception:
            status = 1
            print(f"FAIL {name}\n{traceback.format_exc()}")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to fuzz")
    parser.add_argument("--engine", choices=["auto", "atheris", "random"], default="auto")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random engine")
    parser.add_argument("--slow", type=float, default=5.0, help="an input slower is a finding")
    parser.add_argument("--max-size", type=int, default=1 << 20, help="largest input (bytes)")
    parser.add_argument("--findings", type=Path, default=ROOT / "benchmarks" / "fuzz-findings")
    parser.add_argument("--replay", nargs="+", help="run these saved inputs and stop")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args.replay)
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "random"
    if engine == "atheris":
        return run_atheris(args.seconds, args.slow, args.max_size, args.findings)
    return run_random(args.seconds, args.seed, args.slow, args.max_size, args.findings)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
