"""Proportional re-linking: the same links as linking the new corpus from scratch."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.graph import link_papers_with_ends
from kg.relink import LinkState, link_options, read_state, relink, write_state

corpus = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=2),
                         st.frozensets(st.sampled_from("stuvwxyz"), max_size=5), max_size=14)


def _state(ents: dict[str, frozenset[str]], top_k: int, max_df: int) -> LinkState:
    links, ends = link_papers_with_ends(ents, top_k=top_k, max_df=max_df)
    return LinkState(ents, links, ends, link_options(top_k, max_df, 0.0))


@settings(max_examples=200, deadline=None)
@given(corpus, corpus, st.sets(st.text("abcdefgh", min_size=1, max_size=2), max_size=4),
       st.integers(1, 4), st.integers(2, 6))
def test_relink_equals_linking_from_scratch(old: dict[str, frozenset[str]],
                                            edits: dict[str, frozenset[str]],
                                            removed: set[str], top_k: int, max_df: int) -> None:
    # an update adds papers, changes some papers' entities and removes others
    new = {p: es for p, es in {**old, **edits}.items() if p not in removed}
    links, ends, affected = relink(new, previous=_state(old, top_k, max_df), top_k=top_k,
                                   max_df=max_df, min_weight=0.0)
    assert (links, ends) == link_papers_with_ends(new, top_k=top_k, max_df=max_df)
    assert affected <= len(new)


def test_an_unrelated_paper_re_ranks_only_the_papers_it_can_affect() -> None:
    # 40 papers in pairs through their own rare entity, all sharing a hub
    old = {f"p{i:02}": frozenset({f"e{i // 2}", "hub"}) for i in range(40)}
    state = _state(old, 20, 5)
    new = {**old, "q": frozenset({"e0", "hub"})}
    links, ends, affected = relink(new, previous=state, top_k=20, max_df=5, min_weight=0.0)
    assert affected == 3  # q and the two papers of e0; the hub's count moved, not its weight
    assert (links, ends) == link_papers_with_ends(new, top_k=20, max_df=5)


def test_state_round_trip(tmp_path: Path) -> None:
    ents = {"a": frozenset({"x", "y"}), "b": frozenset({"x", "y"}), "c": frozenset({"y"})}
    state = _state(ents, 20, 200)
    assert write_state(tmp_path, state)
    back = read_state(tmp_path, options=state.options, papers=ents)
    assert back == LinkState(ents, state.links, state.ends, state.options)
    # other options or other papers: not reusable
    assert read_state(tmp_path, options=link_options(5, 200, 0.0), papers=ents) is None
    assert read_state(tmp_path, options=state.options, papers=["a"]) is None
    (tmp_path / "link_state.npz").write_bytes(b"not a zip")
    assert read_state(tmp_path, options=state.options, papers=ents) is None
