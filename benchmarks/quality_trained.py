"""What ``kg train`` adds: train on SciER's training sentences, score on dev, test, test_ood.

    python benchmarks/quality_trained.py [--shared ../shared] [--epochs 15]
                                         [--out benchmarks/quality-trained.md]

SciER (GPL-3.0) is used for evaluation only: the training file
``eval/scier/LLM/train.jsonl`` (sentences with ``[text, type]`` entities and no offsets) is
converted in a temporary directory, the pipeline is trained there and deleted at the end;
neither the data nor the trained model is copied into the project (paper-kg ships no
trained model). The epoch kept is the one with the best entity F1 on ``dev``; ``test`` and
``test_ood`` are reported as they come. Dataset -> dataset|benchmark, Method ->
method|model, Task ignored, as in ``benchmarks/quality.py``, whose default-pipeline table
is printed beside this one for comparison.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.evaluate import SCIER_TYPE_MAP, GoldDoc, detokenize, evaluate, read_gold  # noqa: E402

SPLITS = ("dev", "test", "test_ood")


def llm_sentences(path: Path) -> tuple[list[GoldDoc], int]:
    """SciER's LLM-format sentences as gold documents (entities located by their tokens; the
    first unused occurrence), and the number of entities that could not be located."""
    docs, missing = [], 0
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        obj = json.loads(line)
        tokens = obj["sentence"].split()
        text, spans = detokenize(tokens, {len(tokens) - 1})
        used: set[int] = set()
        ents = []
        for name, typ in obj.get("ner", []):
            group = SCIER_TYPE_MAP.get(typ)
            if group is None:
                continue
            want = name.split()
            at = next((k for k in range(len(tokens) - len(want) + 1)
                       if tokens[k:k + len(want)] == want and k not in used), None)
            if at is None:
                missing += 1
                continue
            used.add(at)
            ents.append((spans[at][0], spans[at + len(want) - 1][1], group))
        docs.append(GoldDoc(f"train:{i}", text, ents))
    return docs, missing


def _rows(split: str, report: dict[str, Any], label: str) -> list[str]:
    out = []
    for group, s in report["levels"]["entity"].items():
        out.append(f"| {split} | {label} | {group.replace('|', '/')} | {s['precision']:.3f} | "
                   f"{s['recall']:.3f} | {s['f1']:.3f} |")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "quality-trained.md"))
    ap.add_argument("--splits", default=",".join(SPLITS),
                    help="splits to score (default: all; tune on dev alone)")
    ap.add_argument("--save", type=Path, default=None,
                    help="also keep the trained pipeline there (for experiments; never commit it)")
    ap.add_argument("--confidence", type=float, default=None,
                    help="the recogniser's candidate confidence (default: kg train's)")
    args = ap.parse_args(argv)
    scier = Path(args.shared) / "eval" / "scier"
    from extract.train import train

    train_docs, missing = llm_sentences(scier / "LLM" / "train.jsonl")
    dev_docs = list(read_gold(scier / "PLM" / "dev.jsonl", format="scier"))
    epochs: list[str] = []
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kg-trained-") as tmp:
        pipe = Path(tmp) / "pipeline"
        t0 = time.perf_counter()
        extra = {} if args.confidence is None else {"confidence": args.confidence}
        summary = train(train_docs, pipe, dev_docs=dev_docs, epochs=args.epochs,
                        progress=lambda r: print(r, flush=True), **extra)
        train_secs = time.perf_counter() - t0
        if args.save is not None:
            import shutil

            shutil.copytree(pipe, args.save, dirs_exist_ok=True)
        epochs = [f"| {r['epoch']} | {r['loss']:.1f} | {r['p']:.3f} | {r['r']:.3f} | {r['f']:.3f} |"
                  for r in summary["epochs"]]
        for split in args.splits.split(","):
            gold = scier / "PLM" / f"{split}.jsonl"
            rows += _rows(split, evaluate(gold, format="scier"), "rules (default)")
            rows += _rows(split, evaluate(gold, format="scier", pipeline=pipe), "rules + kg train")
    import subprocess

    import spacy

    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip() or "unknown"
    text = "\n".join([
        "# Extraction quality with a trained recogniser (`kg train`) on SciER",
        "",
        f"Produced by `python benchmarks/quality_trained.py {' '.join(argv or sys.argv[1:])}` on "
        f"{datetime.now(UTC):%Y-%m-%d} (git {rev}; Python {platform.python_version()}, spaCy "
        f"{spacy.__version__}). Trained on SciER's {summary['examples']:,} training sentences "
        f"(`LLM/train.jsonl`; {missing} entities not found in their sentence, "
        f"{summary['dropped_spans']} overlapping or untyped spans left out) in {train_secs:.0f} s "
        f"on one CPU core; epoch {summary['best_epoch']} kept (best mention F1 of the "
        "recogniser alone on dev). The trained pipeline is not shipped or committed.",
        "Entity level = the set of distinct normalised entity names per document, as in "
        "`benchmarks/quality.md`.",
        "",
        "| split | pipeline | group | precision | recall | F1 |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "Training (the recogniser alone, mention level on dev, as spaCy scores it):",
        "",
        "| epoch | loss | P | R | F1 |",
        "|---|---|---|---|---|",
        *epochs,
        "",
    ])
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
