"""Linking: papers to entities, and papers to papers through the entities they share.

Paper-paper weights are Adamic-Adar sums: a shared entity mentioned by ``df`` papers adds
``1 / ln(1 + df)`` (:func:`entity_weight`), so a rare shared benchmark counts
far more than "reinforcement learning". A weight depends only on the entities' own paper
counts, never on the corpus size, and every hub entity (in more than ``max_df`` papers)
adds the same small amount: adding papers changes the weights of the pairs that share a
rare entity the new papers mention, and nothing else, which is what lets
:func:`kg.relink.relink` update a graph in proportion to the change.
The projection stays sparse and linear in corpus size: entities in more than ``max_df``
papers generate no pairs (they still add weight to pairs found through rarer entities),
and each paper keeps its ``top_k`` strongest links. Papers are ranked in blocks of
about ``_BLOCK_PAIRS`` candidate pairs, so memory does not grow with the total number of pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kg.records import Entity, GraphData, Link, Mention, Paper, new_link

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


def entity_weight(df: Any, *, max_df: int = DEFAULT_MAX_DF) -> Any:
    """What a shared entity in ``df`` papers adds to a link (a number or a numpy array):
    ``1 / ln(1 + df)``, Adamic-Adar's weighting, with every hub (``df > max_df``) counted
    as if it were in ``max_df + 1`` papers.

    >>> [round(float(entity_weight(df, max_df=200)), 4) for df in (2, 200, 201, 5000)]
    [0.9102, 0.1886, 0.1884, 0.1884]
    """
    import numpy as np

    return 1.0 / np.log1p(np.minimum(df, max_df + 1))


def link_papers(
    entities_of: Mapping[str, set[str]],
    *,
    top_k: int = DEFAULT_TOP_K,
    max_df: int = DEFAULT_MAX_DF,
    min_weight: float = DEFAULT_MIN_WEIGHT,
) -> list[Link]:
    """Adamic-Adar-weighted paper-paper links (see :func:`entity_weight`), at most ``top_k``
    per paper (kept if either end keeps it).

    >>> links = link_papers({"a": {"x", "hub"}, "b": {"x", "hub"}, "c": {"hub"}}, max_df=2)
    >>> [(l.source, l.target, l.shared) for l in links]
    [('a', 'b', ('x', 'hub'))]
    """
    return link_papers_with_ends(entities_of, top_k=top_k, max_df=max_df,
                                 min_weight=min_weight)[0]


def link_papers_with_ends(
    entities_of: Mapping[str, set[str]],
    *,
    top_k: int = DEFAULT_TOP_K,
    max_df: int = DEFAULT_MAX_DF,
    min_weight: float = DEFAULT_MIN_WEIGHT,
) -> tuple[list[Link], list[int]]:
    """:func:`link_papers`, plus for each link which end keeps it among its ``top_k``
    (``KEPT_BY_SOURCE | KEPT_BY_TARGET`` bits): what :func:`kg.relink.relink` starts from."""
    inc = Incidence(entities_of, max_df=max_df)
    return inc.links(*inc.top_links(None, top_k=top_k, min_weight=min_weight))


KEPT_BY_SOURCE, KEPT_BY_TARGET = 1, 2
_BLOCK_PAIRS = 4_000_000  # candidate pairs per block: bounds the linking stage's memory


class Incidence:
    """The paper x entity matrix of a corpus and the weights derived from it.

    Papers and entities are numbered in id order. Pairs come only from entities in
    2..``max_df`` papers (a sparse product, linear in the number of such pairs); hub
    entities add their weight to those pairs afterwards.
    """

    def __init__(self, entities_of: Mapping[str, Collection[str]], *, max_df: int) -> None:
        import numpy as np
        from scipy import sparse

        self.papers = sorted(entities_of)
        self.index = {p: i for i, p in enumerate(self.papers)}
        self.ent_ids = sorted({e for es in entities_of.values() for e in es})
        self.col = {e: j for j, e in enumerate(self.ent_ids)}
        col = self.col
        counts = [len(entities_of[p]) for p in self.papers]
        cols = [col[e] for p in self.papers for e in sorted(entities_of[p])]
        indptr = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        self.a = sparse.csr_matrix((np.ones(len(cols)), np.asarray(cols, dtype=np.int64), indptr),
                                   shape=(len(self.papers), len(self.ent_ids)))
        self.df = np.asarray(self.a.sum(axis=0)).ravel().astype(np.int64)
        self.max_df = max_df
        self.weight = entity_weight(self.df, max_df=max_df)
        self.rare = (self.df >= 2) & (self.df <= max_df)
        hub = self.df > max_df
        self.by_rare = self.a[:, self.rare].tocsr()
        # rare entity -> papers, weighted
        self.to_papers = (sparse.diags(self.weight[self.rare]) @ self.by_rare.T).tocsr()
        self.by_hub = self.a[:, hub].tocsr() if hub.any() else None
        self.hub_weight = self.weight[hub]

    def top_links(self, rows: Any, *, top_k: int, min_weight: float) -> tuple[Any, Any, Any, Any]:
        """The ``top_k`` strongest links of the papers numbered ``rows`` (all when None),
        each pair once: (low end, high end, weight, ``KEPT_BY_*`` bits) ordered by pair."""
        import numpy as np

        kept = [_top_links_of_rows(self.by_rare[block], self.to_papers, block,
                                   by_hub=self.by_hub, hub_idf=self.hub_weight, top_k=top_k,
                                   min_weight=min_weight)
                for block in _row_blocks(self.by_rare, self.df[self.rare], rows)]
        if not kept:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0), empty
        lo, hi, both_w, keeper = (np.concatenate([k[i] for k in kept]) for i in range(4))
        bits = np.where(keeper == lo, KEPT_BY_SOURCE, KEPT_BY_TARGET)
        # each kept pair once (both ends may keep it), ordered by (paper, paper)
        code, first, inverse = np.unique(lo * len(self.papers) + hi, return_index=True,
                                         return_inverse=True)
        ends = np.zeros(len(code), dtype=np.int64)
        np.bitwise_or.at(ends, inverse.ravel(), bits)
        return code // len(self.papers), code % len(self.papers), both_w[first], ends

    def links(self, lo: Any, hi: Any, weights: Any, ends: Any) -> tuple[list[Link], list[int]]:
        """Link records for the pairs (``lo``, ``hi``) of paper numbers."""
        import numpy as np

        # shared entities listed rarest first (ties by id: columns are in id order)
        n_ent = len(self.ent_ids)
        rank = np.empty(n_ent, dtype=np.int64)
        rank[np.lexsort((np.arange(n_ent), -self.weight))] = np.arange(n_ent)
        ids = np.array(self.ent_ids, dtype=object)
        paper_ids = np.array(self.papers, dtype=object)
        weight_list = weights.tolist()
        links: list[Link] = []
        for at in range(0, len(lo), _LINK_CHUNK):  # chunks bound the intersection's memory
            i, j = lo[at:at + _LINK_CHUNK], hi[at:at + _LINK_CHUNK]
            both = self.a[i].multiply(self.a[j]).tocsr()  # row k: the entities pair k shares
            counts = np.diff(both.indptr)
            row = np.repeat(np.arange(len(i)), counts)
            cols = both.indices[np.lexsort((rank[both.indices], row))]
            shared = ids[cols].tolist()
            stops = np.cumsum(counts).tolist()
            begin = 0
            for pa, pb, w, end in zip(paper_ids[i].tolist(), paper_ids[j].tolist(),
                                      weight_list[at:at + _LINK_CHUNK], stops, strict=True):
                links.append(new_link(pa, pb, round(w, 6), tuple(shared[begin:end])))
                begin = end
        return links, [int(x) for x in ends]


def _row_blocks(by_rare: Any, rare_df: Any, rows: Any = None) -> list[Any]:
    """The paper numbers ``rows`` (all when None) cut into consecutive blocks whose candidate
    pairs (bounded by the sum of the rare entities' paper counts over the rows) stay near
    ``_BLOCK_PAIRS`` each, so the memory of the linking stage does not grow with the
    corpus's total number of candidate pairs."""
    import numpy as np

    per_row = np.asarray(by_rare @ rare_df.astype(np.int64)).ravel()
    if rows is None:
        rows = np.arange(len(per_row))
    rows = np.asarray(rows, dtype=np.int64)
    cum = np.cumsum(per_row[rows])
    if not len(cum):
        return []
    cuts = np.searchsorted(cum, np.arange(_BLOCK_PAIRS, cum[-1], _BLOCK_PAIRS), side="right")
    bounds = np.unique(np.concatenate([[0], cuts, [len(cum)]])).tolist()
    return [rows[b:e] for b, e in zip(bounds, bounds[1:], strict=False)]


def _top_links_of_rows(rows: Any, to_papers: Any, row_ids: Any, *, by_hub: Any,
                       hub_idf: Any, top_k: int, min_weight: float
                       ) -> tuple[Any, Any, Any, Any]:
    """The ``top_k`` strongest links of each paper in ``rows`` (the rows ``row_ids`` of the
    paper x rare entity matrix) as (low end, high end, weight, keeping paper) arrays.
    Each paper ranks all its candidates, so a block needs no other block; a pair's weight
    sums the same terms in the same (entity) order from either end."""
    import numpy as np

    w = (rows @ to_papers).tocoo()
    r, c, val = row_ids[w.row.astype(np.int64)], w.col.astype(np.int64), w.data
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
    r, c, val = r[sel], c[sel], val[sel]
    return np.minimum(r, c), np.maximum(r, c), val, r


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
