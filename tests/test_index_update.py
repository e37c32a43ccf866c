"""kg add/remove update a directory's SPARQL index in place: the same triples as a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
import kg.sparql as sparql
from exports import chunks
from kg.readers import read_paths
from kg.update import add_papers, remove_papers
from tests.conftest import SEEDS
from tests.test_update import _write_jsonl


def _quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None)}


def _fresh(path: Path) -> set[str]:
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return _quads(store)


def _indexed(out: Path) -> set[str]:
    stamp = json.loads((out / sparql.INDEX_DIR / "source.json").read_text())
    assert stamp == sparql.index_stamp(out / "graph.ttl")
    return _quads(ox.Store.read_only(str(out / sparql.INDEX_DIR)))


@pytest.fixture(scope="module")
def seed_papers() -> list:  # type: ignore[type-arg]
    return sorted(read_paths([SEEDS]), key=lambda p: p.id)


@pytest.fixture()
def indexed_out(seed_papers: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[type-arg]
    monkeypatch.setattr(sparql, "INDEX_MIN_BYTES", 0)  # index even the small seed graph
    monkeypatch.setattr(sparql, "_STORES", {})
    out = tmp_path / "out"
    kg.build([_write_jsonl(tmp_path / "a.jsonl", seed_papers[:40])]).save(out, formats=("turtle",))
    assert sparql.refresh_index(out)
    return out


def test_add_and_remove_update_the_index_in_place(indexed_out: Path, seed_papers: list,  # type: ignore[type-arg]
                                                  tmp_path: Path) -> None:
    out = indexed_out
    heard: list[str] = []
    add_papers(out, [_write_jsonl(tmp_path / "b.jsonl", seed_papers[40:46])], progress=heard.append)
    assert len(heard) == 1 and heard[0].startswith("updating the SPARQL index")
    assert _indexed(out) == _fresh(out / "graph.ttl")
    heard.clear()
    remove_papers(out, [seed_papers[3].id, seed_papers[41].id], progress=heard.append)
    assert heard[0].startswith("updating the SPARQL index")
    assert _indexed(out) == _fresh(out / "graph.ttl")
    # a changed paper (same id, new text) and nothing new at all
    changed = [seed_papers[5].__class__(**{**seed_papers[5].to_dict(), "title": "A new title"})]
    add_papers(out, [_write_jsonl(tmp_path / "c.jsonl", changed)])
    assert _indexed(out) == _fresh(out / "graph.ttl")
    before = _indexed(out)
    add_papers(out, [tmp_path / "c.jsonl"])
    assert _indexed(out) == before and not list(out.parent.glob(".out.sparql-*"))
    sparql._STORES.clear()  # a new process answers from the index, as from the graph
    count = sparql.load_query("entity-counts")
    assert sparql.run_query(out, count).as_dicts() == \
        sparql.run_query(kg.load(out).rdf(), count).as_dicts()


def test_an_index_that_cannot_be_updated_is_rebuilt(indexed_out: Path, seed_papers: list,  # type: ignore[type-arg]
                                                    tmp_path: Path) -> None:
    out = indexed_out
    chunks.index_path(out / "graph.ttl").unlink()  # no runs to compare: rebuild
    heard: list[str] = []
    add_papers(out, [_write_jsonl(tmp_path / "b.jsonl", seed_papers[40:42])], progress=heard.append)
    assert heard[0].startswith("indexing")
    assert _indexed(out) == _fresh(out / "graph.ttl")


def test_a_failed_update_keeps_the_index(indexed_out: Path, tmp_path: Path) -> None:
    out = indexed_out
    before = _indexed(out)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(kg.errors.KGError):
        add_papers(out, [bad], strict=True)
    assert _indexed(out) == before and not list(out.parent.glob(".out.sparql-*"))


def test_an_update_that_changes_most_of_the_graph_rebuilds_the_index(
        indexed_out: Path, seed_papers: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = indexed_out
    heard: list[str] = []
    add_papers(out, [_write_jsonl(tmp_path / "b.jsonl", seed_papers[40:])], progress=heard.append)
    assert heard[0].startswith("indexing")  # much of the graph changed: a bulk load
    assert _indexed(out) == _fresh(out / "graph.ttl")


def test_what_a_killed_update_left_is_cleared_and_the_index_rebuilt(
        indexed_out: Path, seed_papers: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = indexed_out
    # a killed update had moved the index aside: OUT has none, the kept copy is beside it
    left = out.parent / ".out.sparql-abcd1234"
    (out / sparql.INDEX_DIR).rename(left)
    neighbour = out.parent / ".out.sparql-x.abcdefgh.old"  # another directory's backup
    neighbour.mkdir()
    heard: list[str] = []
    add_papers(out, [_write_jsonl(tmp_path / "b.jsonl", seed_papers[40:42])], progress=heard.append)
    assert not left.exists() and neighbour.is_dir()
    assert heard[0].startswith("indexing")
    assert _indexed(out) == _fresh(out / "graph.ttl")


def test_the_index_stays_in_place_until_the_new_directory_is_written(
        indexed_out: Path, seed_papers: list, tmp_path: Path,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.index_update as iu

    out = indexed_out
    seen: list[bool] = []
    move = iu.move_index

    def recording(target: Path, kept: Path) -> None:
        # called once the new directory is complete, the old index still serving queries
        seen.append((out / sparql.INDEX_DIR).is_dir())
        move(target, kept)

    monkeypatch.setattr(iu, "move_index", recording)
    add_papers(out, [_write_jsonl(tmp_path / "b.jsonl", seed_papers[40:43])])
    assert seen == [True]
    assert _indexed(out) == _fresh(out / "graph.ttl")
