"""Linking: papers to entities, and papers to papers through the entities they share.

Paper-paper weights are IDF sums: a shared entity mentioned by ``df`` of ``N`` papers adds
``log(N / df)``, so a rare shared benchmark counts far more than "reinforcement learning".
The projection stays sparse and linear in corpus size: entities in more than ``max_df``
papers generate no pairs (they still add weight to pairs found through rarer entities),
and each paper keeps its ``top_k`` strongest links.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from kg.records import Entity, GraphData, Link, Mention, Paper

if TYPE_CHECKING:
    import networkx as nx

DEFAULT_TOP_K = 20
DEFAULT_MAX_DF = 200
DEFAULT_MIN_WEIGHT = 0.0


def paper_entities(mentions: Iterable[Mention]) -> dict[str, set[str]]:
    """Paper id -> ids of the entities it mentions."""
    out: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        if m.entity:
            out[m.paper_id].add(m.entity)
    return dict(out)


def link_papers(
    entities_of: Mapping[str, set[str]],
    *,
    n_papers: int | None = None,
    top_k: int = DEFAULT_TOP_K,
    max_df: int = DEFAULT_MAX_DF,
    min_weight: float = DEFAULT_MIN_WEIGHT,
) -> list[Link]:
    """IDF-weighted paper-paper links, at most ``top_k`` per paper (kept if either end keeps it).

    >>> links = link_papers({"a": {"x", "hub"}, "b": {"x", "hub"}, "c": {"hub"}}, max_df=2)
    >>> [(l.source, l.target, l.shared) for l in links]
    [('a', 'b', ('x', 'hub'))]
    """
    n = n_papers if n_papers is not None else len(entities_of)
    papers_of: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(entities_of):
        for e in entities_of[pid]:
            papers_of[e].append(pid)
    idf = {e: math.log(n / len(ps)) if n else 0.0 for e, ps in papers_of.items()}

    candidates: set[tuple[str, str]] = set()
    for e in sorted(papers_of):
        ps = papers_of[e]
        if 2 <= len(ps) <= max_df:
            for i, a in enumerate(ps):
                for b in ps[i + 1:]:
                    candidates.add((a, b))

    best: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
    weights: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
    for a, b in candidates:
        shared = entities_of[a] & entities_of[b]
        w = sum(idf[e] for e in shared)
        if w <= min_weight:
            continue
        weights[(a, b)] = (w, tuple(sorted(shared, key=lambda e: (-idf[e], e))))
        for p, q in ((a, b), (b, a)):
            heap = best[p]
            item = (w, q, p)
            if len(heap) < top_k:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
    keep: set[tuple[str, str]] = set()
    for p, heap in best.items():
        for _, q, _ in heap:
            keep.add((p, q) if p < q else (q, p))
    return [Link(a, b, round(weights[(a, b)][0], 6), weights[(a, b)][1]) for a, b in sorted(keep)]


def to_networkx(data: GraphData) -> nx.Graph:
    """The knowledge graph as one undirected NetworkX graph.

    Nodes: papers (``kind="paper"``) and entities (``kind="entity"``, ``type``, ``label``,
    ``aliases``, ``paper_count``). Edges: paper-entity (``kind="mentions"``, ``count``,
    ``evidence`` = the first evidence sentence) and paper-paper (``kind="link"``,
    ``weight``, ``shared``).
    """
    import networkx as nx

    g = nx.Graph()
    papers = {p.id: p for p in data.papers}
    for p in data.papers:
        g.add_node(p.id, kind="paper", label=p.title, url=p.url or "")
    for e in data.entities:
        g.add_node(e.id, kind="entity", type=e.type, label=e.label, aliases=list(e.aliases),
                   paper_count=e.paper_count)
    for m in data.mentions:
        if not m.entity:
            continue
        if g.has_edge(m.paper_id, m.entity):
            g.edges[m.paper_id, m.entity]["count"] += 1
        else:
            text = papers[m.paper_id].text(m.field)
            g.add_edge(m.paper_id, m.entity, kind="mentions", count=1,
                       evidence=text[m.sent_start:m.sent_end])
    for link in data.links:
        g.add_edge(link.source, link.target, kind="link", weight=link.weight,
                   shared=list(link.shared))
    return g


def papers_by_id(papers: Iterable[Paper]) -> dict[str, Paper]:
    return {p.id: p for p in papers}


def entities_by_id(entities: Iterable[Entity]) -> dict[str, Entity]:
    return {e.id: e for e in entities}
