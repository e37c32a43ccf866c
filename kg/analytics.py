"""Graph analytics over the NetworkX graph of :func:`kg.graph.to_networkx`.

Functions take the graph first, options keyword-only, and return plain data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kg.errors import NotFoundError
from kg.records import Entity, GraphData, Link

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


def related_from_links(paper: str, links: Iterable[Link], *, k: int = 10) -> list[dict[str, Any]]:
    """:func:`related` from the links that have ``paper`` at one end (no graph needed)."""
    out: list[dict[str, Any]] = [
        {"paper": lk.target if lk.source == paper else lk.source, "weight": lk.weight,
         "shared": list(lk.shared)} for lk in links if paper in (lk.source, lk.target)]
    out.sort(key=lambda r: (-r["weight"], r["paper"]))
    return out[:k]


def leiden(
    nodes: Iterable[str], edges: Iterable[tuple[str, str, float]], *, seed: int = 42,
    resolution: float = 1.0,
) -> list[list[str]]:
    """Communities of a weighted undirected graph that maximise modularity, reproducible for
    a given ``seed``: igraph's C implementation of Leiden, fed nodes and edges in a canonical
    order. Largest community first, members sorted.

    Leiden rather than Louvain: it never leaves a community internally disconnected (Louvain
    left two on the 100k-paper benchmark graph), reaches a higher modularity, and took 0.62x
    the time of igraph's Louvain there (``benchmarks/communities-100k.txt``).

    >>> leiden("abcd", [("a", "b", 1.0), ("c", "d", 1.0), ("b", "c", 0.1)])
    [['a', 'b'], ['c', 'd']]
    """
    names = sorted(set(nodes))
    return _leiden_arrays(names, *_edge_arrays(names, edges), seed=seed, resolution=resolution)


def _edge_arrays(names: list[str], edges: Iterable[tuple[str, str, float]]) -> tuple[Any, Any, Any]:
    """Source and target positions in ``names`` and weights of ``edges``, as numpy arrays."""
    import numpy as np

    index = {n: i for i, n in enumerate(names)}
    edge_list = edges if isinstance(edges, list) else list(edges)
    return (np.array([index[a] for a, _, _ in edge_list], dtype=np.int64),
            np.array([index[b] for _, b, _ in edge_list], dtype=np.int64),
            np.array([w for _, _, w in edge_list], dtype=np.float64))


def _leiden_arrays(names: list[str], src: Any, dst: Any, wts: Any, *, seed: int,
                   resolution: float) -> list[list[str]]:
    """:func:`leiden` over edges given as arrays of positions in the sorted ``names``."""
    import random

    import igraph
    import numpy as np

    keep = src != dst
    lo, hi, wts = np.minimum(src, dst)[keep], np.maximum(src, dst)[keep], wts[keep]
    # one edge per pair, in (lo, hi) order; a repeated pair keeps its last weight
    code = (lo * max(len(names), 1) + hi)[::-1]
    code, last = np.unique(code, return_index=True)
    lo, hi, wts = lo[::-1][last], hi[::-1][last], wts[::-1][last]
    graph = igraph.Graph(n=len(names), edges=list(zip(lo.tolist(), hi.tolist(), strict=True)))
    # igraph draws from Python's random module unless told otherwise: a private,
    # seeded generator keeps the result reproducible and leaves the caller's state alone
    igraph.set_random_number_generator(random.Random(seed))
    try:
        membership = graph.community_leiden(
            objective_function="modularity", weights=wts.tolist() or None,
            resolution=resolution, n_iterations=2).membership
    finally:
        igraph.set_random_number_generator(random)
    groups: dict[int, list[str]] = {}
    for name, c in zip(names, membership, strict=True):
        groups.setdefault(c, []).append(name)
    return sorted(groups.values(), key=lambda c: (-len(c), c[0]))


def place_entities(
    groups: list[list[str]], papers_of: Mapping[str, Iterable[str]]
) -> list[list[str]]:
    """``groups`` of papers with each entity added to the group holding most of its papers
    (ties: the lower group number); entities in no grouped paper are left out."""
    index = {p: i for i, c in enumerate(groups) for p in c}
    out = [list(c) for c in groups]
    for entity in sorted(papers_of):
        found = [index[q] for q in set(papers_of[entity]) if q in index]
        if len(found) == 1:  # most entities: one paper, nothing to vote on
            out[found[0]].append(entity)
        elif found:
            votes = Counter(found)
            out[min(votes, key=lambda i: (-votes[i], i))].append(entity)
    return [sorted(c) for c in out]


def communities(g: nx.Graph, *, seed: int = 42, resolution: float = 1.0) -> list[list[str]]:
    """Communities of papers (seeded Leiden on the weighted paper-paper links, see
    :func:`leiden`) with each entity placed in the community holding most of its papers.
    Largest first."""
    papers = [n for n, d in g.nodes(data=True) if d["kind"] == "paper"]
    links = ((a, b, d["weight"]) for a, b, d in g.edges(data=True) if d.get("kind") == "link")
    groups = leiden(papers, links, seed=seed, resolution=resolution)
    entities = {n: [q for q in g[n] if g.nodes[q]["kind"] == "paper"]
                for n, d in g.nodes(data=True) if d["kind"] == "entity"}
    return place_entities(groups, entities)


def community_index(g: nx.Graph, *, seed: int = 42) -> dict[str, int]:
    """Node id -> community number (see :func:`communities`)."""
    return {n: i for i, c in enumerate(communities(g, seed=seed)) for n in c}


def data_community_index(data: GraphData, *, seed: int = 42) -> dict[str, int]:
    """:func:`community_index` computed from the records, without a NetworkX graph."""
    names = sorted(p.id for p in data.papers)
    edges = [(lk.source, lk.target, lk.weight) for lk in data.links]
    groups = _leiden_arrays(names, *_edge_arrays(names, edges), seed=seed, resolution=1.0)
    papers_of: dict[str, set[str]] = {}
    for m in data.mentions:
        if m.entity:
            papers_of.setdefault(m.entity, set()).add(m.paper_id)
    return {n: i for i, c in enumerate(place_entities(groups, papers_of)) for n in c}


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
    return _ranked([(n, g.nodes[n]["label"], g.nodes[n]["type"], score[n]) for n in nodes], k)


def entities_by_papers(entities: Iterable[Entity], *, type: str | None = None,
                       k: int = 10) -> list[dict[str, Any]]:
    """:func:`central_entities` by ``papers`` from the entity records (no graph needed)."""
    return _ranked([(e.id, e.label, e.type, float(e.paper_count)) for e in entities
                    if type is None or e.type == type], k)


def _ranked(scored: list[tuple[str, str, str, float]], k: int) -> list[dict[str, Any]]:
    """The ``k`` best of (id, label, type, score), highest score first, then by label."""
    scored.sort(key=lambda x: (-x[3], x[1].casefold()))
    return [{"entity": n, "label": label, "type": t, "score": round(score, 6)}
            for n, label, t, score in scored[:k]]


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
