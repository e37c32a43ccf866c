"""Graph analytics over the NetworkX graph of :func:`kg.graph.to_networkx`.

Functions take the graph first, options keyword-only, and return plain data.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from kg.errors import NotFoundError

if TYPE_CHECKING:
    import networkx as nx


def related(g: nx.Graph, paper: str, *, k: int = 10) -> list[dict[str, Any]]:
    """The ``k`` papers most strongly linked to ``paper``: ``{paper, weight, shared}`` dicts."""
    if paper not in g:
        raise NotFoundError(f"no paper {paper!r} in the graph")
    out = [
        {"paper": q, "weight": d["weight"], "shared": list(d["shared"])}
        for q, d in g[paper].items()
        if d.get("kind") == "link"
    ]
    out.sort(key=lambda r: (-r["weight"], r["paper"]))
    return out[:k]


def communities(g: nx.Graph, *, seed: int = 42, resolution: float = 1.0) -> list[list[str]]:
    """Communities of papers (Louvain on the weighted paper-paper links, seeded) with each
    entity placed in the community holding most of its papers. Largest first."""
    import networkx as nx

    papers = sorted(n for n, d in g.nodes(data=True) if d["kind"] == "paper")
    pg = nx.Graph()
    pg.add_nodes_from(papers)
    pg.add_weighted_edges_from(
        (a, b, d["weight"]) for a, b, d in g.edges(data=True) if d.get("kind") == "link"
    )
    parts = nx.community.louvain_communities(pg, weight="weight", seed=seed, resolution=resolution)
    groups = sorted((sorted(c) for c in parts), key=lambda c: (-len(c), c[0]))
    index = {p: i for i, c in enumerate(groups) for p in c}
    for n, d in sorted(g.nodes(data=True)):
        if d["kind"] != "entity":
            continue
        votes = Counter(index[q] for q in g[n] if q in index)
        if votes:
            best = min(votes, key=lambda i: (-votes[i], i))
            groups[best].append(n)
    return [sorted(c) for c in groups]


def community_index(g: nx.Graph, *, seed: int = 42) -> dict[str, int]:
    """Node id -> community number (see :func:`communities`)."""
    return {n: i for i, c in enumerate(communities(g, seed=seed)) for n in c}


def central_entities(
    g: nx.Graph, *, type: str | None = None, k: int = 10, measure: str = "papers"
) -> list[dict[str, Any]]:
    """Top entities by ``measure``: ``papers`` (number of papers mentioning them) or
    ``pagerank`` (on the paper-entity graph)."""
    nodes = [n for n, d in g.nodes(data=True)
             if d["kind"] == "entity" and (type is None or d["type"] == type)]
    if measure == "pagerank":
        import networkx as nx

        sub = g.edge_subgraph((a, b) for a, b, d in g.edges(data=True) if d["kind"] == "mentions")
        pr = nx.pagerank(sub) if sub.number_of_nodes() else {}
        score = {n: pr.get(n, 0.0) for n in nodes}
    elif measure == "papers":
        score = {n: float(g.nodes[n]["paper_count"]) for n in nodes}
    else:
        raise ValueError(f"unknown centrality measure {measure!r} (papers, pagerank)")
    ranked = sorted(nodes, key=lambda n: (-score[n], g.nodes[n]["label"].casefold()))
    return [{"entity": n, "label": g.nodes[n]["label"], "type": g.nodes[n]["type"],
             "score": round(score[n], 6)} for n in ranked[:k]]


def path(g: nx.Graph, source: str, target: str, *, through_links: bool = False) -> list[str]:
    """Shortest path between two nodes (papers or entities) over paper-entity edges
    (and paper-paper links when ``through_links``); ``[]`` when there is none."""
    import networkx as nx

    for n in (source, target):
        if n not in g:
            raise NotFoundError(f"no node {n!r} in the graph")
    view = g if through_links else g.edge_subgraph(
        (a, b) for a, b, d in g.edges(data=True) if d["kind"] == "mentions"
    )
    if source not in view or target not in view:
        return [source] if source == target else []
    try:
        return list(nx.shortest_path(view, source, target))
    except nx.NetworkXNoPath:
        return []
