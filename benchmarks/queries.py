"""What a user waits for when asking a saved graph one question.

Times whole commands through the real ``kg`` entry point on a built output directory (each
a fresh process: start, open, answer, print), and in the same run the baseline they replace:
loading every record first (``kg.load(out).data``, what every command did before
``kg.saved``), then answering. Figures are medians of ``--repeat`` runs, reported with their
ratio to the baseline (the machine is shared: only same-run ratios mean much). The baseline
understates what commands cost before: they also read every raw mention, which now loads
only when an update needs it.

    python benchmarks/queries.py OUT_DIR --out benchmarks/results-queries.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

_BASELINE = """
import sys, kg
g = kg.load(sys.argv[1]); g.data
for r in g.related(sys.argv[2], k=10):
    print(f"{r['weight']:7.3f}  {g.paper(r['paper']).title}")
"""


def _timed(cmd: Sequence[str]) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
    return took, proc.stdout


def _git() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                          text=True, check=False)
    return proc.stdout.strip() or "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="Markdown file to write")
    args = ap.parse_args(argv)
    manifest = json.loads((args.out_dir / "manifest.json").read_text(encoding="utf-8"))
    with (args.out_dir / "papers.jsonl").open(encoding="utf-8") as f:
        paper = json.loads(f.readline())["id"]
    entities = [json.loads(line) for line in (args.out_dir / "entities.jsonl").open(encoding="utf-8")]
    hub = max(entities, key=lambda e: e["paper_count"])["label"]
    rare = next(e["label"] for e in entities if e["paper_count"] == 2)
    kg = [sys.executable, "-m", "kg"]
    lib = [sys.executable, "-c"]
    commands = [
        ("baseline: load every record, then related", [*lib, _BASELINE, str(args.out_dir), paper]),
        ("kg info", [*kg, "info", str(args.out_dir)]),
        ("kg related PAPER", [*kg, "related", str(args.out_dir), paper]),
        ("kg.load(out).mentions_of(PAPER)",
         [*lib, "import sys,kg; print(len(kg.load(sys.argv[1]).mentions_of(sys.argv[2])))",
          str(args.out_dir), paper]),
        (f"kg.load(out).papers_mentioning({rare!r}) (2 papers)",
         [*lib, "import sys,kg; print(len(kg.load(sys.argv[1]).papers_mentioning(sys.argv[2])))",
          str(args.out_dir), rare]),
        (f"kg.load(out).papers_mentioning({hub!r}) (the most-used entity)",
         [*lib, "import sys,kg; print(len(kg.load(sys.argv[1]).papers_mentioning(sys.argv[2])))",
          str(args.out_dir), hub]),
    ]
    load0 = os.getloadavg()
    times: dict[str, list[float]] = {label: [] for label, _ in commands}
    outputs: dict[str, str] = {}
    for _ in range(args.repeat):  # interleaved, so a busy spell hits every command alike
        for label, cmd in commands:
            took, out = _timed(cmd)
            times[label].append(took)
            outputs[label] = out
    load1 = os.getloadavg()
    base_label = commands[0][0]
    same = outputs[base_label].splitlines() == [
        line.rsplit("  [", 1)[0] for line in outputs["kg related PAPER"].splitlines()]
    base = statistics.median(times[base_label])
    counts = manifest.get("counts", {})
    lines = [
        "# Answering one question from a saved graph",
        "",
        f"Produced by `python benchmarks/queries.py {args.out_dir} --repeat {args.repeat}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, paper-kg git {_git()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs. Load average at start "
        f"{load0[0]:.2f}, at end {load1[0]:.2f} (a shared machine: read the ratios).",
        "",
        f"Graph: {counts.get('papers', '?'):,} papers, {counts.get('mentions', '?'):,} mentions, "
        f"{counts.get('links', '?'):,} links, {counts.get('entities', '?'):,} entities. Each row "
        "is a fresh process (start, open, answer, print); median of the runs, interleaved.",
        "",
        "| command | median (s) | runs (s) | vs baseline |",
        "|---|---:|---:|---:|",
    ]
    for label, _ in commands:
        med = statistics.median(times[label])
        runs = ", ".join(f"{t:.2f}" for t in times[label])
        ratio = "1.00x" if label == base_label else f"{base / med:.1f}x faster"
        lines.append(f"| {label} | {med:.2f} | {runs} | {ratio} |")
    verdict = "yes" if same else "NO"
    lines += ["", f"`kg related` gave the baseline's papers and weights in the same order: {verdict}."]
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
