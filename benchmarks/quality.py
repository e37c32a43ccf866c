"""Extraction quality on SciER (dev, test, test_ood): writes benchmarks/quality.md.

    python benchmarks/quality.py [--shared ../shared] [--out benchmarks/quality.md]

SciER is GPL-3.0 and used for evaluation only: it is read from ``../shared/eval`` and never
copied into the project. Dataset -> dataset|benchmark, Method -> method|model, Task ignored.
``dev`` is the split used for tuning; ``test`` and ``test_ood`` are reported as they come.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.evaluate import evaluate  # noqa: E402

SPLITS = ("dev", "test", "test_ood")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "quality.md"))
    args = ap.parse_args(argv)
    base = Path(args.shared) / "eval" / "scier" / "PLM"
    rows = []
    syn = []
    for split in SPLITS:
        t0 = time.perf_counter()
        report = evaluate(base / f"{split}.jsonl", format="scier")
        secs = time.perf_counter() - t0
        for level in ("entity", "mention_exact", "mention_overlap"):
            for group, s in report["levels"][level].items():
                name = group.replace("|", "/")
                rows.append(f"| {split} | {level} | {name} | {s['precision']:.3f} | {s['recall']:.3f} "
                            f"| {s['f1']:.3f} |")
        sy = report["synonyms"]
        syn.append(f"| {split} | {report['documents']} | {sy['resolved']}/{sy['pairs']} | {secs:.1f} s |")
    import spacy

    text = "\n".join([
        "# Extraction quality on SciER",
        "",
        f"Produced by `python benchmarks/quality.py` on {datetime.now(UTC):%Y-%m-%d} "
        f"(Python {platform.python_version()}, spaCy {spacy.__version__}).",
        "Entity level = the set of distinct normalised entity names per document (what the graph uses).",
        "Targets (entity level, test and test_ood): F1 >= 0.70 dataset|benchmark, >= 0.60 method|model,",
        "precision >= 0.70.",
        "",
        "| split | level | group | precision | recall | F1 |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "| split | documents | Synonym-Of pairs resolved to one entity | time |",
        "|---|---|---|---|",
        *syn,
        "",
    ])
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
