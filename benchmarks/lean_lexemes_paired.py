"""In-process paired timing of ``make_pipeline()`` with and without ``lean_lexemes``.

    python benchmarks/lean_lexemes_paired.py CORPUS.jsonl [--n 5000] [--batch 250]

Both pipelines run in one process on the same batches, in alternating order, so a busy
shared machine slows both alike (``ab_extract.py`` compares whole processes, which load
swings of +-20% can swamp). A third pipeline warms the rules' shared per-word memos first,
so the two differ only in their own vocab and tokenizer cache: what ``lean_lexemes`` changes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=250)
    args = ap.parse_args()
    from extract.pipeline import extract_papers, make_pipeline
    from kg.readers import merge_papers, read_paths

    papers = merge_papers(read_paths([args.corpus], format="jsonl"))[:args.n]
    # warm the shared memos
    sum(len(ms) for ms in extract_papers(papers, nlp=make_pipeline(lean_lexemes=True)))
    pipes = {"full": make_pipeline(), "lean": make_pipeline(lean_lexemes=True)}
    secs = {"full": 0.0, "lean": 0.0}
    found = {"full": 0, "lean": 0}
    for b, at in enumerate(range(0, len(papers), args.batch)):
        batch = papers[at:at + args.batch]
        for side in (("full", "lean") if b % 2 == 0 else ("lean", "full")):
            t = time.process_time()
            found[side] += sum(len(ms) for ms in extract_papers(batch, nlp=pipes[side]))
            secs[side] += time.process_time() - t
    for side in ("full", "lean"):
        print(f"{side}: extraction {secs[side]:.2f} s CPU, {found[side]:,} mentions "
              f"from {len(papers):,} abstracts")
    print(f"lean vs full extraction CPU time: {secs['lean'] / secs['full'] - 1:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
