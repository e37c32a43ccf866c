"""Reusing unchanged papers' RDF when a file is written again gives the very same bytes."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from exports import chunks, get
from exports.rdf import GraphBlocks
from kg.records import GraphData


def _write(fmt: str, data: GraphData, path: Path, **opts: Any) -> bytes:
    get(fmt).load()(data, path, base_iri=data.info.base_iri, **opts)
    return path.read_bytes()


def _changed(data: GraphData) -> GraphData:
    """Another version of ``data``: one paper retitled, one dropped, one mention moved."""
    papers = list(data.papers)
    papers[3] = replace(papers[3], title=papers[3].title + " (revised)")
    gone = papers.pop(10).id
    mentions = [m for m in data.mentions if m.paper_id != gone]
    moved = next(i for i, m in enumerate(mentions) if m.paper_id == papers[20].id)
    mentions[moved] = replace(mentions[moved], confidence=0.123)
    links = [lk for lk in data.links if gone not in (lk.source, lk.target)]
    links[5] = replace(links[5], weight=links[5].weight + 1)
    entities = list(data.entities)
    entities[2] = replace(entities[2], paper_count=entities[2].paper_count + 1)
    return replace(data, papers=tuple(papers), mentions=tuple(mentions), links=tuple(links),
                   entities=tuple(entities))


def _links_by_source(data: GraphData) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for lk in data.links:
        out.setdefault(lk.source, []).append(lk)
    return out


@pytest.mark.parametrize("fmt", ["turtle", "n-triples"])
def test_reuse_gives_the_bytes_of_a_full_write(seeds_graph, tmp_path: Path, fmt: str,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = seeds_graph.data
    first = tmp_path / "first"
    _write(fmt, data, first, index=chunks.index_path(first))
    new = _changed(data)
    ids = {p.id for p in data.papers}
    rendered: list[str] = []
    paper = GraphBlocks.paper

    def counting(self, p, on_annotation=None):  # type: ignore[no-untyped-def]
        if p.id in ids:  # not the writer's own sample paper
            rendered.append(p.id)
        return paper(self, p, on_annotation)

    link_runs: list[str] = []
    links = GraphBlocks.links

    def counting_links(self, on_link=None, run=None):  # type: ignore[no-untyped-def]
        if run is not None:
            link_runs.append(run[0].source)
        return links(self, on_link, run)

    entity_runs: list[str] = []
    entities = GraphBlocks.entities

    def counting_entities(self, run=None):  # type: ignore[no-untyped-def]
        if run is not None and run[0].id in {e.id for e in data.entities}:
            entity_runs.append(run[0].id)
        return entities(self, run)

    monkeypatch.setattr(GraphBlocks, "paper", counting)
    monkeypatch.setattr(GraphBlocks, "links", counting_links)
    monkeypatch.setattr(GraphBlocks, "entities", counting_entities)
    again = _write(fmt, new, tmp_path / "again", index=chunks.index_path(tmp_path / "again"),
                   reuse=first)
    # the retitled paper and the one whose mention changed; the rest is copied
    assert sorted(rendered) == sorted([new.papers[3].id, new.papers[20].id])
    # links: the runs of the papers that lost a link to the dropped paper or whose link
    # changed weight; the rest is copied
    old_runs, new_runs = _links_by_source(data), _links_by_source(new)
    changed = sorted(s for s in new_runs if new_runs[s] != old_runs.get(s))
    assert changed and sorted(link_runs) == changed
    assert len(changed) < len(new_runs) / 2
    assert entity_runs == [new.entities[2].id]  # the entity whose count changed
    rendered.clear()
    assert again == _write(fmt, new, tmp_path / "full")
    assert len(rendered) == len(new.papers)
    # and a file written from a reused one can itself be reused
    third = _write(fmt, data, tmp_path / "third", index=chunks.index_path(tmp_path / "third"),
                   reuse=tmp_path / "again")
    assert third == first.read_bytes()


def test_an_untrustworthy_index_is_ignored(seeds_graph, tmp_path: Path,  # type: ignore[no-untyped-def]
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    data = seeds_graph.data
    first = tmp_path / "graph.ttl"
    _write("turtle", data, first, index=chunks.index_path(first))
    meta = json.loads(chunks.index_path(first).read_text())
    assert set(meta["papers"]) == {p.id for p in data.papers}
    expected = _write("turtle", data, tmp_path / "full")
    # an edited file (the index no longer describes it): everything is rendered again
    text = first.read_bytes()
    written = first.stat().st_mtime_ns
    first.write_bytes(text.replace(b"Transformer", b"Transformex"))  # same size
    os.utime(first, ns=(written + 10**9, written + 10**9))  # edited a second after indexing
    assert chunks.read_index(first, fingerprint=meta["fingerprint"], base=meta["base"]) is None
    assert _write("turtle", data, tmp_path / "a", index=tmp_path / "a.idx", reuse=first) == expected
    # an index from another writer version (fingerprint) or base IRI
    first.write_bytes(text)
    os.utime(first, ns=(written, written))
    assert chunks.read_index(first, fingerprint=meta["fingerprint"], base=meta["base"])
    for key, value in (("fingerprint", "0" * 32), ("base", "https://other.org/")):
        bad = dict(meta, **{key: value})
        chunks.index_path(first).write_text(json.dumps(bad))
        assert chunks.read_index(first, fingerprint=meta["fingerprint"], base=meta["base"]) is None
    for damaged in ([meta["fingerprint"]], ["x", -1, 5, 1, 1], ["x", len(text), 5, 1, 1]):
        paper = next(iter(meta["papers"]))
        bad = dict(meta, papers=dict(meta["papers"], **{paper: damaged}))
        chunks.index_path(first).write_text(json.dumps(bad))
        assert chunks.read_index(first, fingerprint=meta["fingerprint"], base=meta["base"]) is None
    chunks.index_path(first).write_text("{not json")
    assert chunks.read_index(first, fingerprint=meta["fingerprint"], base=meta["base"]) is None
    assert _write("turtle", data, tmp_path / "b", index=tmp_path / "b.idx", reuse=first) == expected


def test_saved_directories_keep_an_index_and_add_reuses_it(  # type: ignore[no-untyped-def]
        seed_papers_files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # same build times in both
    first, second = seed_papers_files
    out = tmp_path / "out"
    kg.build([first]).save(out, formats=["turtle", "n-triples"])
    for name in ("graph.ttl", "graph.nt"):
        assert chunks.index_path(out / name).exists()
    kg.load(out).add(out, [second])
    full = tmp_path / "full"
    kg.build([first, second]).save(full, formats=["turtle", "n-triples"])
    for name in ("graph.ttl", "graph.nt"):
        assert (out / name).read_bytes() == (full / name).read_bytes()
        papers = json.loads(chunks.index_path(out / name).read_text())["papers"]
        assert len(papers) == len(kg.load(out).data.papers)


@pytest.fixture()
def seed_papers_files(tmp_path: Path) -> tuple[Path, Path]:
    from kg.readers import read_paths
    from tests.conftest import SEEDS

    papers = sorted(read_paths([SEEDS]), key=lambda p: p.id)
    files = []
    for name, part in (("a.jsonl", papers[::2]), ("b.jsonl", papers[1::2])):
        path = tmp_path / name
        path.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n"
                                for p in part), encoding="utf-8")
        files.append(path)
    return files[0], files[1]
