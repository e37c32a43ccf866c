"""Linking: papers to entities, and papers to papers through the entities they share.

Paper-paper weights are IDF sums: a shared entity mentioned by ``df`` of ``N`` papers adds
``log(N / df)``, so a rare shared benchmark counts far more than "reinforcement learning".
The projection stays sparse and linear in corpus size: entities in more than ``max_df``
papers generate no pairs (they still add weight to pairs found through rarer entities),
and each paper keeps its ``top_k`` strongest links. Papers are ranked in blocks of
about ``_BLOCK_PAIRS`` candidate pairs, so memory does not grow with the total number of pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kg.records import Entity, GraphData, Link, Mention, Paper

if TYPE_CHECKING:
    import networkx as nx

DEFAULT_TOP_K = 20
DEFAULT_MAX_DF = 200
DEFAULT_MIN_WEIGHT = 0.0
_LINK_CHUNK = 200_000


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
    import numpy as np
    from scipy import sparse

    n = n_papers if n_papers is not None else len(entities_of)
    papers = sorted(entities_of)
    index = {p: i for i, p in enumerate(papers)}
    ent_ids = sorted({e for es in entities_of.values() for e in es})
    col = {e: j for j, e in enumerate(ent_ids)}
    rows = [index[p] for p in papers for _ in entities_of[p]]
    cols = [col[e] for p in papers for e in entities_of[p]]
    if not rows:
        return []
    a = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(papers), len(ent_ids)))
    df = np.asarray(a.sum(axis=0)).ravel()
    idf = np.log(n / df) if n else np.zeros_like(df)
    # Pairs come only from entities in 2..max_df papers (a sparse product, linear in the
    # number of such pairs); hub entities add their weight to those pairs afterwards.
    rare = (df >= 2) & (df <= max_df)
    hub = df > max_df
    by_rare = a[:, rare].tocsr()
    to_papers = (sparse.diags(idf[rare]) @ by_rare.T).tocsr()  # rare entity -> papers, idf
    by_hub = a[:, hub].tocsr() if hub.any() else None
    kept = [_top_links_of_rows(by_rare[block], to_papers, block.start, by_hub=by_hub,
                               hub_idf=idf[hub], top_k=top_k, min_weight=min_weight)
            for block in _row_blocks(by_rare, df[rare])]
    if not kept:
        return []
    lo, hi, both_w = (np.concatenate([k[i] for k in kept]) for i in range(3))
    # each kept pair once (both ends may keep it), ordered by (paper, paper)
    code, first = np.unique(lo * len(papers) + hi, return_index=True)
    weights = both_w[first].tolist()
    lo, hi = code // len(papers), code % len(papers)
    # shared entities listed rarest first (ties by id: columns are in id order)
    rank = np.empty(len(ent_ids), dtype=np.int64)
    rank[np.lexsort((np.arange(len(ent_ids)), -idf))] = np.arange(len(ent_ids))
    ids = np.array(ent_ids, dtype=object)
    paper_ids = np.array(papers, dtype=object)
    links: list[Link] = []
    for at in range(0, len(code), _LINK_CHUNK):  # chunks bound the intersection's memory
        i, j = lo[at:at + _LINK_CHUNK], hi[at:at + _LINK_CHUNK]
        both = a[i].multiply(a[j]).tocsr()  # row k: the entities pair k shares
        counts = np.diff(both.indptr)
        row = np.repeat(np.arange(len(i)), counts)
        cols = both.indices[np.lexsort((rank[both.indices], row))]
        shared = ids[cols].tolist()
        ends = np.cumsum(counts).tolist()
        begin = 0
        for pa, pb, w, end in zip(paper_ids[i].tolist(), paper_ids[j].tolist(),
                                  weights[at:at + _LINK_CHUNK], ends, strict=True):
            links.append(Link(pa, pb, round(w, 6), tuple(shared[begin:end])))
            begin = end
    return links


_BLOCK_PAIRS = 4_000_000  # candidate pairs per block: bounds the linking stage's memory


def _row_blocks(by_rare: Any, rare_df: Any) -> list[slice]:
    """Consecutive row ranges whose candidate pairs (bounded by the sum of the rare
    entities' paper counts over the rows) stay near ``_BLOCK_PAIRS`` each, so the memory of
    the linking stage does not grow with the corpus's total number of candidate pairs."""
    import numpy as np

    cum = np.cumsum(np.asarray(by_rare @ rare_df.astype(np.int64)).ravel())
    if not len(cum):
        return []
    cuts = np.searchsorted(cum, np.arange(_BLOCK_PAIRS, cum[-1], _BLOCK_PAIRS), side="right")
    bounds = np.unique(np.concatenate([[0], cuts, [len(cum)]])).tolist()
    return [slice(b, e) for b, e in zip(bounds, bounds[1:], strict=False)]


def _top_links_of_rows(rows: Any, to_papers: Any, first_row: int, *, by_hub: Any,
                       hub_idf: Any, top_k: int, min_weight: float) -> tuple[Any, Any, Any]:
    """The ``top_k`` strongest links of each paper in ``rows`` (a block of the paper x rare
    entity matrix starting at paper ``first_row``) as (low end, high end, weight) arrays.
    Each paper ranks all its candidates, so a block needs no other block; a pair's weight
    sums the same terms in the same (entity) order from either end."""
    import numpy as np

    w = (rows @ to_papers).tocoo()
    r, c, val = w.row.astype(np.int64) + first_row, w.col.astype(np.int64), w.data
    not_self = r != c
    r, c, val = r[not_self], c[not_self], val[not_self]
    if by_hub is not None and len(r):
        val = val + np.asarray(by_hub[r].multiply(by_hub[c]) @ hub_idf).ravel()
    keep = val > min_weight
    r, c, val = r[keep], c[keep], val[keep]
    order = _by_paper_weight_neighbour(r, c, val, to_papers.shape[1])
    r, c, val = r[order], c[order], val[order]
    starts = np.searchsorted(r, r, side="left")
    sel = (np.arange(len(r)) - starts) < top_k
    return np.minimum(r[sel], c[sel]), np.maximum(r[sel], c[sel]), val[sel]


def _by_paper_weight_neighbour(r: Any, c: Any, w: Any, n: int) -> Any:
    """The order of (paper ``r``, weight ``w`` descending, neighbour ``c``): one integer
    argsort of a packed key (paper, dense rank of the weight, neighbour) when it fits in
    63 bits (one sort instead of ``np.lexsort``'s three), else ``np.lexsort``."""
    import numpy as np

    _, wrank = np.unique(-w, return_inverse=True)  # equal weights get equal ranks
    bits_n, bits_w = max(n, 1).bit_length(), max(int(wrank.max(initial=0)) + 1, 1).bit_length()
    if 2 * bits_n + bits_w > 63:
        return np.lexsort((c, -w, r))
    key = (r.astype(np.int64) << (bits_w + bits_n)) | (wrank.astype(np.int64) << bits_n) \
        | c.astype(np.int64)
    return np.argsort(key, kind="stable")


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
