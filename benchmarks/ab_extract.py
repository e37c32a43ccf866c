"""Paired extraction-speed comparison of two checkouts of paper-kg on the same abstracts.

    python benchmarks/ab_extract.py CORPUS.jsonl OLD_DIR NEW_DIR [--n 5000] [--rounds 2]

``OLD_DIR`` and ``NEW_DIR`` are source trees (e.g. ``git worktree add /tmp/old REV``). Each
round runs one fresh process per tree, alternating, and each process times (CPU time,
``time.process_time``) one pass of a freshly built pipeline over the same ``--n`` abstracts.
Alternating keeps a busy or drifting machine from favouring one side. Prints one line per
process and the median per tree. (The ratio to spaCy's tokenizer, the issue's target, is
measured by ``benchmarks/run.py``.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import json, sys, time
from kg.readers import merge_papers, read_paths
from extract.pipeline import extract_papers, make_pipeline
papers = merge_papers(read_paths([sys.argv[1]], format="jsonl"))[:int(sys.argv[2])]
nlp = make_pipeline([], lean_lexemes=True)
t = time.process_time()
n = sum(len(ms) for ms in extract_papers(papers, nlp=nlp))
print(json.dumps({"extract": time.process_time() - t,
                  "papers": len(papers), "mentions": n}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    secs: dict[str, list[float]] = {"old": [], "new": []}
    for r in range(args.rounds):
        for side in (("old", "new") if r % 2 == 0 else ("new", "old")):
            tree = getattr(args, side).resolve()
            out = subprocess.run([sys.executable, "-c", _CHILD, str(args.corpus.resolve()),
                                  str(args.n)], cwd=tree, env={"PYTHONPATH": str(tree), "PATH": ""},
                                 capture_output=True, text=True, check=True)
            res = json.loads(out.stdout.strip().splitlines()[-1])
            secs[side].append(res["extract"])
            print(f"round {r + 1} {side} ({tree}): extraction {res['extract']:.2f} s CPU, "
                  f"{res['mentions']:,} mentions from {res['papers']:,} abstracts", flush=True)
    for side in ("old", "new"):
        print(f"median {side}: extraction {statistics.median(secs[side]):.2f} s CPU")
    change = statistics.median(secs["new"]) / statistics.median(secs["old"]) - 1
    print(f"new vs old extraction CPU time: {change:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
