"""In-process paired comparison: the tokenizer's plain suffix/infix/URL regexes with
``doc.spans["kg"]`` built (the extraction before speed7) against this code's shortcuts
(:mod:`extract.affixes`) without the spans ``extract_papers`` never reads.

    python benchmarks/affixes_paired.py CORPUS.jsonl [--n 5000] [--batch 100]

Two pipelines in one process run the same batches in alternating order (each has its own
vocabulary, so each meets the same new words; the rules' per-word memos are shared and
warmed first), and every batch's mentions must be equal. On a busy machine this resolves
differences that whole-process runs (``ab_extract.py``) cannot. The garbage-collector freeze
of ``extract_papers`` is global to the process and is not part of this comparison.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import Any


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=100)
    args = ap.parse_args()

    from extract.pipeline import TITLE_SEP, _extract_texts, doc_mentions, make_pipeline
    from kg.readers import merge_papers, read_paths

    papers = merge_papers(read_paths([args.corpus], format="jsonl"))[:args.n]
    items = [(p.id, p.title, p.abstract) for p in papers]
    plain, fast = make_pipeline([], lean_lexemes=True), make_pipeline([], lean_lexemes=True)
    tok: Any = plain.tokenizer
    tok.suffix_search = re.compile(tok.suffix_search.__self__.pattern).search
    tok.infix_finditer = re.compile(tok.infix_finditer.__self__.pattern).finditer
    tok.url_match = re.compile(tok.url_match.__self__.pattern).match

    def before(chunk: list[tuple[str, str, str]]) -> list[Any]:
        texts = [title + TITLE_SEP + abstract for _, title, abstract in chunk]
        return [doc_mentions(doc, pid, len(title), text) for (pid, title, _), text, doc
                in zip(chunk, texts, plain.pipe(texts, batch_size=256), strict=True)]

    def after(chunk: list[tuple[str, str, str]]) -> list[Any]:
        return list(_extract_texts(fast, chunk))

    warm = min(50, len(items) // 5)
    before(items[:warm])
    after(items[:warm])
    secs = {"before": 0.0, "after": 0.0}
    for b, k in enumerate(range(warm, len(items), args.batch)):
        chunk = items[k:k + args.batch]
        got = {}
        for name, run in ([("before", before), ("after", after)] if b % 2 == 0
                          else [("after", after), ("before", before)]):
            t = time.process_time()
            got[name] = run(chunk)
            secs[name] += time.process_time() - t
        assert got["before"] == got["after"], f"different mentions in batch {b}"
    n = len(items) - warm
    print(f"{n:,} abstracts, batches of {args.batch}, same mentions in every batch")
    print(f"plain regexes + doc.spans: {secs['before']:.2f} s CPU; shortcuts, no spans: "
          f"{secs['after']:.2f} s CPU; change {secs['after'] / max(secs['before'], 1e-9) - 1:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
