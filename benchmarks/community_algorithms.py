"""Compare igraph's Louvain (``community_multilevel``) and Leiden (what ``kg build`` runs) on
the paper-paper links of a saved graph: time and modularity, alternating, same seed.

    python benchmarks/community_algorithms.py OUT_DIR [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path


def main() -> None:
    import igraph

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with (args.out / "papers.jsonl").open(encoding="utf-8") as f:
        names = sorted(json.loads(line)["id"] for line in f)
    index = {n: i for i, n in enumerate(names)}
    pairs, weights = [], []
    with (args.out / "links.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            pairs.append((index[row["source"]], index[row["target"]]))
            weights.append(row["weight"])
    graph = igraph.Graph(n=len(names), edges=pairs)
    print(f"# {args.out}: {len(names):,} papers, {len(pairs):,} links; seed 42; wall time of the "
          "igraph call only")
    algorithms = {
        "louvain (community_multilevel)": lambda: graph.community_multilevel(weights=weights),
        "leiden (modularity, 2 iterations)": lambda: graph.community_leiden(
            objective_function="modularity", weights=weights, n_iterations=2),
    }
    times: dict[str, list[float]] = {name: [] for name in algorithms}
    for r in range(args.rounds):
        order = list(algorithms) if r % 2 == 0 else list(reversed(algorithms))
        for name in order:
            igraph.set_random_number_generator(random.Random(42))
            t = time.perf_counter()
            clustering = algorithms[name]()
            times[name].append(time.perf_counter() - t)
            q = graph.modularity(clustering.membership, weights=weights)
            parts = sum(1 for c in clustering.subgraphs() if not c.is_connected())
            print(f"round {r + 1} {name}: {times[name][-1]:.2f} s, {len(clustering)} communities, "
                  f"modularity {q:.4f}, {parts} internally disconnected")
    base, new = (statistics.median(v) for v in times.values())
    print(f"median: louvain {base:.2f} s, leiden {new:.2f} s ({new / base:.2f}x the time)")


if __name__ == "__main__":
    main()
