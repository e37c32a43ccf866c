"""Where the time goes: per-component times of the extraction pipeline and cProfile tops.

    python benchmarks/profile_stages.py CORPUS.jsonl [--limit 5000] [--top 25]
        [--stages extract,resolve,link,nx,turtle,html]

``extract`` times the tokenizer and each pipeline component separately (no profiler, so the
shares are undistorted), then runs cProfile over the components. The other stages run under
cProfile once each. Make a corpus with ``python benchmarks/generate.py N --out CORPUS.jsonl``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def _profile(label: str, fn: Callable[[], Any], top: int) -> Any:
    pr = cProfile.Profile()
    t = time.perf_counter()
    pr.enable()
    result = fn()
    pr.disable()
    print(f"\n## {label}: {time.perf_counter() - t:.2f} s under cProfile")
    buf = io.StringIO()
    stats = pstats.Stats(pr, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(buf.getvalue())
    return result


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=5000)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--stages", default="extract,resolve,link,nx,turtle,html")
    args = ap.parse_args(argv)
    stages = set(args.stages.split(","))

    from extract.lexicon import load_lexicon
    from extract.pipeline import extract_papers, make_pipeline, paper_text
    from extract.resolve import resolve
    from kg import graph as kgraph
    from kg.readers import merge_papers, read_paths
    from kg.records import BuildInfo, GraphData

    papers = merge_papers(read_paths([args.corpus]))[: args.limit]
    texts = [paper_text(p) for p in papers]
    n = len(texts)
    print(f"{n} abstracts from {args.corpus}")

    if "extract" in stages:
        nlp = make_pipeline(lean_lexemes=True)
        times = {name: 0.0 for name, _ in nlp.pipeline}
        tok = 0.0
        t0 = time.perf_counter()
        for text in texts:
            t = time.perf_counter()
            doc = nlp.make_doc(text)
            tok += time.perf_counter() - t
            for name, proc in nlp.pipeline:
                t = time.perf_counter()
                doc = proc(doc)
                times[name] += time.perf_counter() - t
        total = time.perf_counter() - t0
        print(f"\n## extract: {total:.2f} s, {n / total:,.0f} abstracts/s (no profiler)")
        print(f"{'tokenizer':22s} {tok:8.2f} s {100 * tok / total:5.1f}%")
        for name, secs in times.items():
            print(f"{name:22s} {secs:8.2f} s {100 * secs / total:5.1f}%")
        nlp = make_pipeline(lean_lexemes=True)
        docs = [nlp.make_doc(t) for t in texts]

        def components() -> None:
            for doc in docs:
                for _, proc in nlp.pipeline:
                    doc = proc(doc)

        _profile("extract components (tokenizer excluded)", components, args.top)

    raw = [m for ms in extract_papers(papers) for m in ms]
    lexicon = load_lexicon(())
    if "resolve" in stages:
        mentions, entities = _profile("resolve", lambda: resolve(raw, lexicon=lexicon), args.top)
    else:
        mentions, entities = resolve(raw, lexicon=lexicon)
    pe = kgraph.paper_entities(mentions)
    if "link" in stages:
        links = _profile("link", lambda: kgraph.link_papers(pe), args.top)
    else:
        links = kgraph.link_papers(pe)
    info = BuildInfo("bench", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", ("corpus",),
                     "https://w3id.org/paper-kg/id/")
    data = GraphData(tuple(papers), tuple(entities), tuple(mentions), tuple(links), info)
    if "nx" in stages:
        _profile("nx", lambda: kgraph.to_networkx(data), args.top)
    import tempfile

    from exports import export

    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("turtle", "n-triples", "html"):
            key = "html" if fmt == "html" else ("turtle" if fmt == "turtle" else "ntriples")
            if key in stages or fmt in stages:
                opts = {} if fmt == "html" else {"base_iri": info.base_iri}
                _profile(fmt, lambda fmt=fmt, opts=opts: export(data, fmt, Path(tmp) / "x", **opts),
                         args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
