"""Re-linking after an update, in proportion to what changed.

A link's weight depends only on the paper counts of the entities two papers share (see
:func:`kg.graph.entity_weight`), and every hub entity counts the same. So when papers are
added, changed or removed, a paper's ranking of its candidates can change only if

* its own entities changed (it is new, its text changed, or resolution renamed one), or
* it mentions a rare entity (in at most ``max_df`` papers, before or after) whose set of
  papers changed, or a rare entity of a changed paper (a hub the changed paper gained or
  lost moves the weight of every pair it forms through such an entity).

Those papers are re-ranked; every other paper keeps exactly the links it kept before, with
the same weights and shared entities. :func:`relink` therefore gives exactly the links and
keeping ends of :func:`kg.graph.link_papers_with_ends` on the new corpus (a hypothesis test
checks it against random edits), at the cost of the affected papers' candidates.

The state an update starts from (each paper's entities, the links and which end keeps
each) is saved in ``OUT/link_state.npz`` (:func:`write_state`, :func:`read_state`): numpy
arrays, no pickles. It is a cache: missing, from other link options, or unreadable, and
the update links the whole corpus again, with the same result.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.bulk import gc_paused
from kg.graph import KEPT_BY_SOURCE, KEPT_BY_TARGET, Incidence
from kg.records import Link, new_link

STATE_FILE = "link_state.npz"
STATE_VERSION = 1
WEIGHTING = "adamic-adar"  # a change of weighting makes older states unusable


@dataclass(frozen=True)
class LinkState:
    """What one linking leaves for the next: each paper's entity ids, the links, and for
    each link which of its ends keeps it (``KEPT_BY_SOURCE | KEPT_BY_TARGET`` bits)."""

    entities_of: Mapping[str, frozenset[str]]
    links: Sequence[Link]
    ends: Sequence[int]
    options: Mapping[str, Any]  # top_k, max_df, min_weight, weighting


def link_options(top_k: int, max_df: int, min_weight: float) -> dict[str, Any]:
    """The options a saved state must match to be reused."""
    from exports.chunks import code_digest

    return {"top_k": top_k, "max_df": max_df, "min_weight": float(min_weight),
            "weighting": WEIGHTING, "version": STATE_VERSION,
            "code": code_digest("kg.graph", "kg.relink")}


def relink(
    entities_of: Mapping[str, Iterable[str]],
    *,
    previous: LinkState,
    top_k: int,
    max_df: int,
    min_weight: float,
) -> tuple[list[Link], list[int], int]:
    """The links of ``entities_of`` (and their keeping ends) from ``previous``'s, re-ranking
    only the papers the change can affect; also returns how many papers were re-ranked.

    >>> from kg.graph import link_papers_with_ends
    >>> old = {"a": {"x"}, "b": {"x"}, "c": {"y"}}
    >>> links, ends = link_papers_with_ends(old)
    >>> state = LinkState({p: frozenset(e) for p, e in old.items()}, links, ends,
    ...                   link_options(20, 200, 0.0))
    >>> new = {**old, "d": {"y"}}
    >>> relink(new, previous=state, top_k=20, max_df=200, min_weight=0.0)[0] == \\
    ...     link_papers_with_ends(new)[0]
    True
    """
    import numpy as np

    new = {p: frozenset(es) for p, es in entities_of.items()}
    old = previous.entities_of
    inc = Incidence(new, max_df=max_df)
    changed = [p for p in new if old.get(p) != new[p]]
    gone = [p for p in old if p not in new]
    delta: Counter[str] = Counter()
    touched: set[str] = set()
    for p in (*changed, *gone):
        before, after = old.get(p, frozenset()), new.get(p, frozenset())
        touched |= before ^ after
        delta.update(after)
        delta.subtract(before)
    col, df = inc.col, inc.df
    seeds = set()
    for e in touched:
        now = int(df[col[e]]) if e in col else 0
        if now <= max_df or now - delta[e] <= max_df:  # rare before or after
            seeds.add(e)
    for p in changed:
        seeds.update(e for e in new[p] if df[col[e]] <= max_df)
    affected = set(changed)
    affected.update(p for p, es in new.items() if not seeds.isdisjoint(es))
    rows = np.array(sorted(inc.index[p] for p in affected), dtype=np.int64)
    lo, hi, weights, ends = inc.top_links(rows, top_k=top_k, min_weight=min_weight)

    # a link with an end that was not re-ranked is still kept by that end, unchanged
    n = len(inc.papers)
    number = inc.index.get
    src = np.array([number(lk.source, -1) for lk in previous.links], dtype=np.int64)
    dst = np.array([number(lk.target, -1) for lk in previous.links], dtype=np.int64)
    was_affected = np.zeros(n + 1, dtype=bool)  # index -1 (a removed paper) stays False
    was_affected[rows] = True
    bits = np.asarray(previous.ends, dtype=np.int64) \
        & (np.where(was_affected[src], 0, KEPT_BY_SOURCE) | np.where(was_affected[dst], 0, KEPT_BY_TARGET))
    still = (bits > 0) & (src >= 0) & (dst >= 0)
    old_codes, old_bits = src[still] * n + dst[still], bits[still]
    new_codes = lo * n + hi
    fresh = ~np.isin(new_codes, old_codes)
    made, _ = inc.links(lo[fresh], hi[fresh], weights[fresh], ends[fresh])
    codes, inverse = np.unique(np.concatenate([old_codes, new_codes]), return_inverse=True)
    merged = np.zeros(len(codes), dtype=np.int64)
    np.bitwise_or.at(merged, inverse.ravel(), np.concatenate([old_bits, ends]))
    records = np.empty(len(codes), dtype=object)
    old_links = np.empty(len(previous.links), dtype=object)
    old_links[:] = previous.links
    records[inverse[:len(old_codes)]] = old_links[still]
    records[inverse[len(old_codes):][fresh]] = made
    return records.tolist(), merged.tolist(), len(affected)


def write_state(directory: Path, state: LinkState) -> bool:
    """Save ``state`` as ``directory/link_state.npz``; False (nothing written) when an id
    cannot be stored in its newline-separated lists."""
    import numpy as np

    papers = sorted(state.entities_of)
    ent_ids = sorted({e for es in state.entities_of.values() for e in es}
                     | {e for lk in state.links for e in lk.shared})
    if any("\n" in x for x in (*papers, *ent_ids)):
        return False
    pnum = {p: i for i, p in enumerate(papers)}
    enum = {e: i for i, e in enumerate(ent_ids)}
    inc_counts = [len(state.entities_of[p]) for p in papers]
    inc_cols = [enum[e] for p in papers for e in sorted(state.entities_of[p])]
    shared_counts = [len(lk.shared) for lk in state.links]
    arrays = {
        "meta": _bytes(json.dumps(dict(state.options), sort_keys=True)),
        "papers": _bytes("\n".join(papers)),
        "entities": _bytes("\n".join(ent_ids)),
        "inc_indptr": np.concatenate([[0], np.cumsum(inc_counts, dtype=np.int64)]),
        "inc_indices": np.array(inc_cols, dtype=np.int32),
        "link_source": np.array([pnum[lk.source] for lk in state.links], dtype=np.int32),
        "link_target": np.array([pnum[lk.target] for lk in state.links], dtype=np.int32),
        "link_weight": np.array([lk.weight for lk in state.links], dtype=np.float64),
        "link_ends": np.array(state.ends, dtype=np.int8),
        "shared_indptr": np.concatenate([[0], np.cumsum(shared_counts, dtype=np.int64)]),
        "shared_indices": np.array([enum[e] for lk in state.links for e in lk.shared],
                                   dtype=np.int32),
    }
    with (directory / STATE_FILE).open("wb") as f:
        np.savez(f, **arrays)
    return True


def read_state(out: str | Path, *, options: Mapping[str, Any], papers: Iterable[str]
               ) -> LinkState | None:
    """The link state saved in ``out``, or None when there is none or it does not match
    ``options`` (see :func:`link_options`) and the saved ``papers``."""
    import numpy as np

    path = Path(out) / STATE_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(_text(z["meta"]))
            paper_ids = _text(z["papers"]).split("\n")
            ent_ids = _text(z["entities"]).split("\n")
            inc_ptr, inc_idx = z["inc_indptr"].tolist(), z["inc_indices"].tolist()
            src, dst = z["link_source"], z["link_target"]
            weights, ends = z["link_weight"].tolist(), z["link_ends"].tolist()
            sh_ptr, sh_idx = z["shared_indptr"].tolist(), z["shared_indices"]
    except (OSError, ValueError, KeyError):
        return None
    if meta != dict(options) or sorted(papers) != (paper_ids if paper_ids != [""] else []):
        return None
    if ent_ids == [""]:
        ent_ids = []
    try:
        with gc_paused():  # a million small objects: no collection passes while they are made
            entities_of = {p: frozenset(ent_ids[k] for k in inc_idx[inc_ptr[i]:inc_ptr[i + 1]])
                           for i, p in enumerate(paper_ids) if p}
            pids, eids = np.array(paper_ids, dtype=object), np.array(ent_ids, dtype=object)
            shared = eids[sh_idx].tolist()
            links = [new_link(s, t, w, tuple(shared[a:b])) for s, t, w, a, b in zip(
                pids[src].tolist(), pids[dst].tolist(), weights, sh_ptr[:-1], sh_ptr[1:],
                strict=True)]
    except (IndexError, ValueError):
        return None
    if len(ends) != len(links):
        return None
    return LinkState(entities_of, links, ends, meta)


def _bytes(text: str) -> Any:
    import numpy as np

    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: Any) -> str:
    return bytes(array.tobytes()).decode("utf-8")
