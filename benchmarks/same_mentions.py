"""Dump every mention ``extract_papers`` finds, for checking that a change keeps the output.

    python benchmarks/same_mentions.py OUT.txt CORPUS [CORPUS ...] [--compare BEFORE.txt]

Each line of ``OUT.txt`` is the tuple of all fields of one mention, in input order. Run it
before and after a change (e.g. in a ``git worktree`` of the old commit, with ``PYTHONPATH``
pointing at it) and compare: any difference is a change in the extraction's output.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("corpus", type=Path, nargs="+")
    ap.add_argument("--compare", type=Path, help="an earlier dump: exit 1 when this one differs")
    args = ap.parse_args(argv)

    from extract.pipeline import extract_papers
    from kg.readers import merge_papers, read_paths

    n, digest = 0, hashlib.sha256()
    with args.out.open("w", encoding="utf-8") as f:
        for path in args.corpus:
            for mentions in extract_papers(merge_papers(read_paths([path]))):
                for m in mentions:
                    line = repr(dataclasses.astuple(m)) + "\n"
                    f.write(line)
                    digest.update(line.encode())
                    n += 1
    print(f"{n:,} mentions, sha256 {digest.hexdigest()[:16]}")
    if args.compare is None:
        return 0
    before = args.compare.read_text(encoding="utf-8").splitlines()
    after = args.out.read_text(encoding="utf-8").splitlines()
    if before == after:
        print(f"same as {args.compare}")
        return 0
    first = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
                 min(len(before), len(after)))
    print(f"DIFFERENT from {args.compare} ({len(before):,} vs {len(after):,} mentions); first difference at "
          f"line {first + 1}:\n- {before[first] if first < len(before) else ''}\n"
          f"+ {after[first] if first < len(after) else ''}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
