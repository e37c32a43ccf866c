"""Offline, self-contained interactive HTML explorer of the graph (vis-network, inlined).

Nothing is loaded from the network. The data is one compact, escaped JSON document in
``<script id="kg-data">``; the page (``assets/explorer.html``, ``explorer.css`` and the scripts
of :data:`APP_SCRIPTS`) builds graph, legend, filters, search, side panel and overview from it
with ``textContent``/``createElement`` only. :func:`subset` cuts a focused view out of the data.

Payload; node ``i`` is ``papers[i]`` for ``i < len(papers)``, then ``entities[i - len(papers)]``:

* ``papers``: ``{id, title, abstract, marks: [[start, end, type, entity node | -1]], ents: [entity
  node], url, href, date, authors, links: [[url, href]]}`` (empty fields left out)
* ``entities``: ``{id, label, type, aliases, papers, total, evidence: [[paper node, field (0 title,
  1 abstract), sentence start, start, end, sentence end]], more}``
* ``links``: ``[paper node, paper node, weight, [shared entity nodes]]``; ``community``: number
  per node (-1: none, ``[]`` without communities); ``xy``: ``[x0, y0, x1, ...]`` when precomputed
* ``overview``: corpus counts, top entities per type, communities and their defining entities.

Text offsets are UTF-16 code units (JavaScript string indices); ``href`` is "" unless http(s).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kg.errors import NotFoundError
from kg.records import ENTITY_TYPES, GraphData, Mention, Paper

TYPE_COLORS = {
    "benchmark": "#e45756", "dataset": "#4c78a8", "model": "#54a24b", "method": "#b279a2"}
TYPE_TINTS = {
    "benchmark": "#f9d5d5", "dataset": "#d3e0ee", "model": "#d5ebd2", "method": "#ecdde8"}
PAPER_COLOR = "#f2a541"
PAPER_TINT = "#fde7c4"
UNKNOWN_COLOR = "#7f7f7f"
MENTION_EDGE_COLOR = "#c4c4c4"
LINK_EDGE_COLOR = "#3b3b98"
NO_COMMUNITY_COLOR = "#9e9e9e"
COMMUNITY_PALETTE = (
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6",
    "#9d755d", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf",
)
APP_SCRIPTS = ("explorer.js", "panel.js", "search.js", "overview.js")
DEFAULT_MAX_NODES = 5000  # more nodes (and their edges) make vis-network too slow to explore
HUGE_GRAPH = 5000  # above this many nodes the force layout is replaced by a cheap one
TOP_ENTITIES = 12  # bars per type in the overview
TOP_COMMUNITIES = 40  # communities described in the overview
_JSON_ESCAPES = {
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SAFE_URL = re.compile(r"https?://\S+\Z", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{\{(KG_TITLE|KG_DATA|VIS_CSS|VIS_JS|APP_CSS|APP_JS)\}\}")


def write_html(data: GraphData, path: Path, **options: Any) -> None:
    """Write the interactive view of ``data`` to ``path`` (see :func:`render_html` for options)."""
    Path(path).write_text(render_html(data, **options), encoding="utf-8", errors="replace")


def render_html(data: GraphData, *, title: str = "paper-kg", include_links: bool = True,
                max_nodes: int | None = DEFAULT_MAX_NODES, color_by: str = "type",
                physics_threshold: int = 1000, max_evidence: int = 50) -> str:
    """The page as a string; same ``data`` and options give the same bytes.

    ``max_nodes`` (``None``: no limit) caps the graph's nodes: the entities in most papers (a
    quarter of the budget) and the papers mentioning most of them; the overview still describes
    all of ``data``. ``color_by`` is the initial colouring, ``"type"`` or ``"community"``. Above
    ``physics_threshold`` nodes the layout is computed here and physics is off; at most
    ``max_evidence`` evidence sentences are embedded per entity.
    """
    if color_by not in ("type", "community"):
        raise ValueError(f"color_by must be 'type' or 'community', not {color_by!r}")
    view = data
    by_entity = _entity_papers(data)  # the corpus's, used by the budget and the overview
    if max_nodes is not None and len(data.papers) + len(data.entities) > max_nodes:
        view = _within_budget(data, max_nodes, by_entity)
    payload = _payload(view, title, include_links, color_by, physics_threshold, max_evidence)
    payload["overview"] = _overview(data, view, by_entity)
    lib = _vis_dir()
    parts = {
        "KG_TITLE": html.escape(title),
        "KG_DATA": json_for_script(payload),
        "VIS_CSS": _guard((lib / "vis-network.css").read_text(encoding="utf-8"), "style"),
        "VIS_JS": _guard((lib / "vis-network.min.js").read_text(encoding="utf-8"), "script"),
        "APP_CSS": _guard(_asset("explorer.css") + _type_css(), "style"),
        "APP_JS": "\n".join(_guard(_asset(name), "script") for name in APP_SCRIPTS),
    }
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _asset("explorer.html"))


def json_for_script(value: Any) -> str:
    """``value`` as JSON safe inside ``<script>``: no ``<``, ``>``, ``&``, U+2028 or U+2029."""
    text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def highlight_segments(text: str, mentions: Iterable[Mention]) -> list[tuple[int, int, str, str]]:
    """Non-overlapping ``(start, end, type, entity)`` spans of ``text``, in order.

    Mentions out of bounds are dropped; of overlapping ones the earlier (then longer) wins.
    """
    spans = sorted(
        ((m.start, m.end, m.type, m.entity) for m in mentions if 0 <= m.start < m.end <= len(text)),
        key=lambda s: (s[0], -s[1], s[2], s[3]),
    )
    kept: list[tuple[int, int, str, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def subset(data: GraphData, *, top: int | None = None, community: int | None = None,
           around: str | None = None, hops: int = 1) -> GraphData:
    """A focused part of ``data``; the filters given are applied in turn (community, around, top).

    ``top``: the ``top`` entities by paper count and the papers that mention them.
    ``community``: the papers and entities of that community (``data.communities``).
    ``around``: the papers and entities within ``hops`` steps of the paper or entity named
    by id, title, label or alias (case-insensitive) in the bipartite paper-entity graph.
    Mentions, links and communities are restricted to what is kept.
    """
    if hops < 0:
        raise ValueError(f"hops must be >= 0, not {hops}")
    if community is not None:
        members = {n for n, c in data.communities.items() if c == community}
        if not members:
            raise NotFoundError(f"community {community} is not in the graph")
        data = _restrict(data, members, members)
    if around is not None:
        seen = _resolve(data, around)
        adjacency = _adjacency(data)
        frontier = set(seen)
        for _ in range(hops):
            frontier = {n for f in frontier for n in adjacency.get(f, ())} - seen
            seen |= frontier
        data = _restrict(data, seen, seen)
    if top is not None:
        ranked = sorted(data.entities, key=lambda e: (-e.paper_count, e.id))[: max(top, 0)]
        keep = {e.id for e in ranked}
        papers = {p for p, ents in _paper_entities(data).items() if ents & keep}
        data = _restrict(data, papers, keep)
    return data


def _paper_entities(data: GraphData) -> dict[str, set[str]]:
    papers = {p.id for p in data.papers}
    entities = {e.id for e in data.entities}
    out: dict[str, set[str]] = defaultdict(set)
    for m in data.mentions:
        if m.paper_id in papers and m.entity in entities:
            out[m.paper_id].add(m.entity)
    return out


def _entity_papers(data: GraphData) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for paper, ents in _paper_entities(data).items():
        for eid in ents:
            out[eid].add(paper)
    return out


def _adjacency(data: GraphData) -> dict[str, set[str]]:
    adjacency: dict[str, set[str]] = defaultdict(set)
    for paper, ents in _paper_entities(data).items():
        adjacency[paper] |= ents
        for e in ents:
            adjacency[e].add(paper)
    return adjacency


def _resolve(data: GraphData, value: str) -> set[str]:
    ids = {p.id for p in data.papers} | {e.id for e in data.entities}
    if value in ids:
        return {value}
    key = value.strip().casefold()
    found = {p.id for p in data.papers
             if key in {s.casefold() for s in (p.id, p.title, p.arxiv_id or "", p.doi or "")}}
    found |= {e.id for e in data.entities
              if key in {s.casefold() for s in (e.id, e.label, *e.aliases)}}
    if not key or not found:
        raise NotFoundError(f"no paper or entity matches {value!r}")
    return found


def _restrict(data: GraphData, papers: set[str], entities: set[str]) -> GraphData:
    kept_p = tuple(p for p in data.papers if p.id in papers)
    kept_e = tuple(e for e in data.entities if e.id in entities)
    pids, eids = {p.id for p in kept_p}, {e.id for e in kept_e}
    return replace(
        data,
        papers=kept_p,
        entities=kept_e,
        mentions=tuple(m for m in data.mentions
                       if m.paper_id in pids and (not m.entity or m.entity in eids)),
        links=tuple(k for k in data.links if k.source in pids and k.target in pids),
        communities={n: c for n, c in data.communities.items() if n in pids or n in eids},
    )


def _within_budget(data: GraphData, max_nodes: int,
                   by_entity: dict[str, set[str]] | None = None) -> GraphData:
    """The entities in most papers (a quarter of the budget) and the papers that mention most
    of them (the rest); entities left without a paper are dropped. ``by_entity``: the
    papers of each entity of ``data``, if already known."""
    by_entity = _entity_papers(data) if by_entity is None else by_entity
    ranked = sorted(data.entities, key=lambda e: (-len(by_entity.get(e.id, ())), -e.paper_count, e.id))
    entities = {e.id for e in ranked[: max(1, max_nodes // 4)]}
    score = Counter(p for e in entities for p in by_entity.get(e, ()))
    papers = {p for p, _ in sorted(score.items(), key=lambda x: (-x[1], x[0]))[: max_nodes - len(entities)]}
    entities = {e for e in entities if by_entity.get(e, set()) & papers}
    return _restrict(data, papers, entities)


def _payload(data: GraphData, title: str, include_links: bool, color_by: str,
             physics_threshold: int, max_evidence: int) -> dict[str, Any]:
    n_papers = len(data.papers)
    index = {e.id: n_papers + j for j, e in enumerate(data.entities)}
    paper_index = {p.id: i for i, p in enumerate(data.papers)}
    by_paper: dict[str, list[Mention]] = defaultdict(list)
    for m in data.mentions:
        if m.paper_id in paper_index:
            by_paper[m.paper_id].append(m)
    evidence: dict[str, list[list[int]]] = defaultdict(list)
    papers: list[dict[str, Any]] = []
    for i, p in enumerate(data.papers):
        ms = by_paper[p.id]
        firsts: dict[str, Mention] = {}
        for m in sorted(ms, key=lambda m: (m.field != "abstract", m.start, m.end)):
            if m.entity in index:
                firsts.setdefault(m.entity, m)
        for eid, m in firsts.items():
            evidence[eid].append([i, *_evidence(p, m)])
        to16 = _utf16(p.abstract)
        marks = [[to16(s), to16(e), kind, index.get(entity, -1)] for s, e, kind, entity
                 in highlight_segments(p.abstract, (m for m in ms if m.field == "abstract"))]
        row: dict[str, Any] = {"id": p.id, "title": p.title, "abstract": p.abstract,
                               "marks": marks, "ents": sorted(index[e] for e in firsts)}
        extra: dict[str, Any] = {"url": p.url or "", "href": _href(p.url), "date": p.date or "",
                                 "authors": list(p.authors), "links": [[u, _href(u)] for u in p.links]}
        row.update((k, v) for k, v in extra.items() if v)
        papers.append(row)
    entities: list[dict[str, Any]] = []
    for e in data.entities:
        ev = evidence[e.id]
        row = {"id": e.id, "label": e.label, "type": e.type, "papers": len(ev),
               "evidence": ev[:max_evidence]}
        extra = {"aliases": list(e.aliases), "more": max(len(ev) - max_evidence, 0),
                 "total": e.paper_count if e.paper_count > len(ev) else 0}
        row.update((k, v) for k, v in extra.items() if v)
        entities.append(row)
    node_index = {**paper_index, **index}
    kept_links = (k for k in (data.links if include_links else ())
                  if k.source in paper_index and k.target in paper_index)
    links: list[list[Any]] = [[paper_index[k.source], paper_index[k.target], round(k.weight, 3),
                               [index[s] for s in k.shared if s in index]] for k in kept_links]
    community = []
    if data.communities:
        community = [-1] * len(node_index)
        for node, c in data.communities.items():
            if node in node_index:
                community[node_index[node]] = int(c)
    n = len(node_index)
    large = n > physics_threshold
    xy: list[int] = []
    if large:
        pairs = [(i, j) for i, row in enumerate(papers) for j in row["ents"]]
        pairs += [(a, b) for a, b, _, _ in links]
        xy = [c for point in _layout(n, pairs) for c in point]
    return {
        "title": title, "color_by": color_by, "physics": not large, "options": _options(large, n),
        "papers": papers, "entities": entities, "links": links, "community": community, "xy": xy,
        "style": {"types": TYPE_COLORS, "type_order": list(ENTITY_TYPES), "paper": PAPER_COLOR,
                  "unknown": UNKNOWN_COLOR, "mention_edge": MENTION_EDGE_COLOR, "link_edge": LINK_EDGE_COLOR,
                  "palette": list(COMMUNITY_PALETTE), "no_community": NO_COMMUNITY_COLOR},
    }


def _options(large: bool, n: int) -> dict[str, Any]:
    """vis-network options: ForceAtlas2 that stops once stable, or fixed precomputed positions."""
    physics: dict[str, Any] = {"enabled": False}
    if not large:
        physics = {"enabled": True, "solver": "forceAtlas2Based",
                   "forceAtlas2Based": {"gravitationalConstant": -60, "centralGravity": 0.01,
                                        "springLength": 110, "springConstant": 0.08,
                                        "damping": 0.5, "avoidOverlap": 0.2},
                   "stabilization": {"enabled": True, "iterations": 600, "fit": True}}
    return {
        "physics": physics,
        "edges": {"smooth": {"enabled": False}},
        "nodes": {"font": {"size": 13, "color": "#222222"}, "borderWidth": 1},
        "interaction": {"hover": not large, "tooltipDelay": 150, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large},
        "layout": {"improvedLayout": not large and n <= 300, "randomSeed": 7},
    }


def _overview(corpus: GraphData, view: GraphData,
              by_entity: dict[str, set[str]] | None = None) -> dict[str, Any]:
    """Counts, most-mentioned entities per type, communities with their defining entities."""
    by_entity = _entity_papers(corpus) if by_entity is None else by_entity
    count = {e.id: len(by_entity.get(e.id, ())) or e.paper_count for e in corpus.entities}
    types = Counter(e.type for e in corpus.entities)
    top = [[t, [[e.id, e.label, count[e.id]] for e in sorted(
        (e for e in corpus.entities if e.type == t), key=lambda e: (-count[e.id], e.id))[:TOP_ENTITIES]]]
        for t in ENTITY_TYPES]
    members: dict[int, list[str]] = defaultdict(list)
    for node, c in sorted(corpus.communities.items()):
        members[c].append(node)
    labels = {e.id: e.label for e in corpus.entities}
    communities = []
    for c in sorted(members, key=lambda c: (-len(members[c]), c))[:TOP_COMMUNITIES]:
        own = set(members[c])
        ents = [n for n in members[c] if n in labels]
        local = {e: len(by_entity.get(e, set()) & own) for e in ents}
        defining = sorted(ents, key=lambda e: (-local[e], -count[e], e))[:6]
        communities.append({"id": c, "papers": len(members[c]) - len(ents), "entities": len(ents),
                            "top": [[e, labels[e], local[e]] for e in defining]})
    return {
        "counts": {"papers": len(corpus.papers), "entities": len(corpus.entities),
                   "types": [[t, types.get(t, 0)] for t in ENTITY_TYPES],
                   "mentions": sum(1 for m in corpus.mentions if m.entity),
                   "links": len(corpus.links), "communities": len(members)},
        "shown": {"papers": len(view.papers), "entities": len(view.entities)},
        "top": top, "communities": communities,
        "info": {"version": corpus.info.version, "built": corpus.info.finished},
    }


def _utf16(text: str) -> Any:
    """A function mapping code point offsets of ``text`` to UTF-16 offsets (JavaScript's)."""
    if text.isascii() or max(text) < "\U00010000":
        return lambda i: i
    units = np.concatenate(([0], np.cumsum([2 if ord(c) > 0xFFFF else 1 for c in text])))
    return lambda i: int(units[i])


def _evidence(p: Paper, m: Mention) -> list[int]:
    """``[field, sentence start, start, end, sentence end]`` of ``m`` (clamped, UTF-16)."""
    text = p.text(m.field)
    n = len(text)
    start = min(max(m.start, 0), n)
    end = min(max(m.end, start), n)
    sent_start, sent_end = min(max(m.sent_start, 0), start), max(min(m.sent_end, n), end)
    to16 = _utf16(text)
    return [int(m.field != "title"), *(to16(x) for x in (sent_start, start, end, sent_end))]


def _href(url: str | None) -> str:
    """``url`` when it is a plain http(s) URL, else "" (shown as text only)."""
    return url if url and _SAFE_URL.match(url) else ""


def _type_css() -> str:
    """CSS classes ``kg-t-<type>`` setting ``--kg-c`` (colour) and ``--kg-tint`` (background)."""
    rules = [f".kg-t-{t}{{--kg-c:{TYPE_COLORS[t]};--kg-tint:{TYPE_TINTS[t]}}}" for t in ENTITY_TYPES]
    return "\n" + "\n".join([*rules, f".kg-t-paper{{--kg-c:{PAPER_COLOR};--kg-tint:{PAPER_TINT}}}"])


def _layout(n: int, edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pixel positions: Fruchterman-Reingold (numpy) up to HUGE_GRAPH nodes, else a spiral."""
    if n == 0:
        return []
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    degree = np.bincount(pairs.ravel(), minlength=n)
    # Sunflower spiral, best-connected nodes in the middle; papers pulled to their entities.
    order = np.lexsort((np.arange(n), -degree))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    radius, angle = np.sqrt(rank + 0.5) / math.sqrt(n), rank * (math.pi * (3 - math.sqrt(5)))
    pos = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1).astype(np.float32)
    if n > HUGE_GRAPH and len(pairs):
        total = np.zeros_like(pos)
        np.add.at(total, pairs[:, 0], pos[pairs[:, 1]])
        np.add.at(total, pairs[:, 1], pos[pairs[:, 0]])
        pull = degree > 0
        pos[pull] = 0.5 * pos[pull] + 0.5 * total[pull] / degree[pull, None]
    elif n <= HUGE_GRAPH:
        pos = _force_layout(pos, pairs, iterations=50 if n <= 2500 else 30)
    pos -= pos.mean(axis=0)
    scale = 60 * math.sqrt(n) / max(float(np.abs(pos).max()), 1e-9)
    return [(int(round(float(x))), int(round(float(y)))) for x, y in pos * scale]


def _force_layout(pos: np.ndarray, pairs: np.ndarray, iterations: int) -> np.ndarray:
    """Vectorised, seeded-by-input Fruchterman-Reingold (float32, chunked rows).

    nx.spring_layout took 5 s (1.5k nodes) to 40 s (5k nodes) here; this takes ~0.5 s / ~3 s.
    """
    n = len(pos)
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    k2 = np.float32(1.0 / n)
    k = math.sqrt(1.0 / n)
    t, cool = 0.1, 0.1 / (iterations + 1)
    chunk = max(1, 1_000_000 // n)
    for _ in range(iterations):
        fx, fy = np.zeros(n, np.float32), np.zeros(n, np.float32)
        for i in range(0, n, chunk):
            dx, dy = x[i:i + chunk, None] - x[None, :], y[i:i + chunk, None] - y[None, :]
            w = dx * dx
            w += dy * dy
            np.maximum(w, 1e-9, out=w)
            np.divide(k2, w, out=w)
            fx[i:i + chunk] += (dx * w).sum(axis=1)
            fy[i:i + chunk] += (dy * w).sum(axis=1)
        if len(pairs):
            ex, ey = x[pairs[:, 0]] - x[pairs[:, 1]], y[pairs[:, 0]] - y[pairs[:, 1]]
            f = np.sqrt(ex * ex + ey * ey) / np.float32(k)
            np.add.at(fx, pairs[:, 0], -ex * f)
            np.add.at(fx, pairs[:, 1], ex * f)
            np.add.at(fy, pairs[:, 0], -ey * f)
            np.add.at(fy, pairs[:, 1], ey * f)
        fx -= x * np.float32(0.5)  # mild gravity keeps isolated nodes near the rest
        fy -= y * np.float32(0.5)
        length = np.maximum(np.sqrt(fx * fx + fy * fy), np.float32(1e-9))
        step = np.minimum(length, np.float32(t)) / length
        x += fx * step
        y += fy * step
        t -= cool
    return np.stack([x, y], axis=1)


def _vis_dir() -> Path:
    import pyvis

    return Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"


def _asset(name: str) -> str:
    return resources.files("exports").joinpath("assets", name).read_text(encoding="utf-8")


def _guard(text: str, element: str) -> str:
    """Make inlined JS/CSS unable to close its ``<script>``/``<style>`` element early."""
    text = re.sub(f"</(?={element})", "<\\\\/", text, flags=re.IGNORECASE)
    return text.replace("<!--", "<\\!--") if element == "script" else text
