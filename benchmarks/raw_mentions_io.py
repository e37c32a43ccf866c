"""Raw mentions on disk: JSON Lines (format version 1) against columns (version 2).

Every ``kg add`` reads all of a graph's raw mentions and writes them again. This writes the
raw mentions of a built graph in both forms and times reading and writing each, interleaved
in one run (``--repeat`` times; medians), so the ratio holds on a busy machine:

    python benchmarks/raw_mentions_io.py OUT_DIR --out benchmarks/raw-mentions-io.txt
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def _jsonl_write(path: Path, mentions: Sequence[Any]) -> None:
    from kg.store import _write_jsonl

    _write_jsonl(path, (m.to_row() for m in mentions))


def _jsonl_read(path: Path) -> list[Any]:
    from kg.store import read_raw_mentions

    d = path.parent / "v1"
    d.mkdir(exist_ok=True)
    target = d / "raw_mentions.jsonl"
    if not target.exists():
        os.link(path, target)
    found = read_raw_mentions(d)
    assert found is not None
    return found


def main(argv: Sequence[str] | None = None) -> int:
    from kg.mention_columns import read_columns, write_columns
    from kg.store import read_raw_mentions

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    mentions = read_raw_mentions(args.out_dir)
    if mentions is None:
        raise SystemExit(f"{args.out_dir}: no raw mentions")
    with tempfile.TemporaryDirectory() as tmp:
        jl, cols = Path(tmp) / "raw.jsonl", Path(tmp) / "raw.npz"

        def write_cols() -> None:
            with cols.open("wb") as f:
                write_columns(f, mentions)

        cases: list[tuple[str, Callable[[], Any]]] = [
            ("write JSON Lines", lambda: _jsonl_write(jl, mentions)),
            ("write columns", write_cols),
            ("read JSON Lines", lambda: _jsonl_read(jl)),
            ("read columns", lambda: read_columns(str(cols), name=str(cols))),
        ]
        times: dict[str, list[float]] = {label: [] for label, _ in cases}
        load0 = os.getloadavg()[0]
        for _ in range(args.repeat):
            for label, fn in cases:
                t = time.perf_counter()
                result = fn()
                times[label].append(time.perf_counter() - t)
                if label.startswith("read"):
                    assert result == mentions, label
        sizes = {"JSON Lines": jl.stat().st_size, "columns": cols.stat().st_size}
    med = {k: statistics.median(v) for k, v in times.items()}
    lines = [
        f"# python benchmarks/raw_mentions_io.py {args.out_dir} --repeat {args.repeat}",
        f"# {len(mentions):,} raw mentions; load average {load0:.2f} at start, "
        f"{os.getloadavg()[0]:.2f} at end; both reads give the same mentions",
        *(f"{label:18s} median {med[label]:6.2f} s   runs "
          + ", ".join(f"{t:.2f}" for t in times[label]) for label, _ in cases),
        f"read: columns take {med['read columns'] / med['read JSON Lines']:.2f}x the time of JSON Lines",
        f"write: columns take {med['write columns'] / med['write JSON Lines']:.2f}x the time of JSON Lines",
        "size: " + json.dumps({k: f"{v / 1e6:.0f} MB" for k, v in sizes.items()}),
    ]
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
