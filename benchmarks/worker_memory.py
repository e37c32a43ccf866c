"""Private memory of forked extraction workers, with and without ``gc.freeze()`` in the parent.

    python benchmarks/worker_memory.py CORPUS.jsonl [--papers 4000] [--ballast 3000000]

The parent reads the corpus and holds ``--ballast`` small records besides (what a large
corpus's papers and mentions look like to the garbage collector), then extracts ``--papers``
abstracts with 2 forked workers while a thread samples each worker's ``Private_Dirty``
(``/proc/PID/smaps_rollup``: pages the worker has written, its own memory). Each variant runs
in a fresh process; ``nofreeze`` disables the freeze that ``extract_papers`` does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import gc, os, sys, threading, time
sys.path.insert(0, sys.argv[5])
from kg.readers import merge_papers, read_paths
from extract.pipeline import extract_papers
if sys.argv[1] == "nofreeze":
    gc.freeze = gc.unfreeze = lambda: None
papers = merge_papers(read_paths([sys.argv[2]], format="jsonl"))
ballast = [(i, str(i), [i]) for i in range(int(sys.argv[4]))]
peak = {}
def sample():
    while True:
        for pid in os.listdir("/proc"):
            try:
                if not pid.isdigit():
                    continue
                ppid = open(f"/proc/{pid}/stat").read().split(") ")[1].split()[1]
                if ppid != str(os.getpid()):
                    continue
                for line in open(f"/proc/{pid}/smaps_rollup"):
                    if line.startswith("Private_Dirty"):
                        peak[pid] = max(peak.get(pid, 0), int(line.split()[1]) // 1024)
            except (OSError, IndexError):
                pass
        time.sleep(0.2)
threading.Thread(target=sample, daemon=True).start()
n = sum(len(ms) for ms in extract_papers(papers[:int(sys.argv[3])], workers=2))
time.sleep(0.5)
print(f"{sys.argv[1]:8s}: {n:,} mentions; workers' private memory at peak "
      + ", ".join(f"{v:,} MB" for v in sorted(peak.values())))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--papers", type=int, default=4000)
    ap.add_argument("--ballast", type=int, default=3_000_000)
    args = ap.parse_args()
    for variant in ("nofreeze", "freeze"):
        proc = subprocess.run([sys.executable, "-c", _CHILD, variant, str(args.corpus),
                               str(args.papers), str(args.ballast), str(ROOT)],
                              capture_output=True, text=True, env={**os.environ})
        print(proc.stdout.strip() or proc.stderr.strip()[-500:], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
