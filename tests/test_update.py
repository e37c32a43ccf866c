"""Incremental updates: ``kg add`` / ``kg remove`` give what a full rebuild gives."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

import kg
from kg.readers import read_paths
from tests.conftest import SEEDS, run_kg


def _write_jsonl(path: Path, papers: list[kg.records.Paper]) -> Path:  # type: ignore[name-defined]
    path.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n"
                            for p in papers), encoding="utf-8")
    return path


def _same(a: kg.KnowledgeGraph, b: kg.KnowledgeGraph) -> None:
    # where a record was read from (file, line) may differ; the papers themselves may not
    assert [replace(p, source="", line=0) for p in a.data.papers] == \
        [replace(p, source="", line=0) for p in b.data.papers]
    assert a.data.entities == b.data.entities
    assert a.data.mentions == b.data.mentions
    assert a.data.links == b.data.links
    assert a.data.communities == b.data.communities


@pytest.fixture(scope="module")
def seed_papers() -> list:  # type: ignore[type-arg]
    return sorted(read_paths([SEEDS]), key=lambda p: p.id)


@pytest.mark.parametrize("seed", [0, 1])
def test_add_equals_rebuild_on_random_splits(seed_papers: list, tmp_path: Path, seed: int) -> None:  # type: ignore[type-arg]
    rng = random.Random(seed)
    papers = seed_papers[:]
    rng.shuffle(papers)
    cut = rng.randrange(20, 70)
    first = _write_jsonl(tmp_path / "first.jsonl", papers[:cut])
    second = _write_jsonl(tmp_path / "second.jsonl", papers[cut:])
    out = tmp_path / "out"
    kg.build([first]).save(out, formats=["turtle"])
    added = kg.load(out).add(out, [second])
    full = kg.build([first, second])
    _same(added, full)
    _same(kg.load(out), full)
    assert kg.load(out).summary() == full.summary()


def test_add_only_extracts_new_papers(seed_papers: list, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def,type-arg]
    first = _write_jsonl(tmp_path / "a.jsonl", seed_papers[:50])
    out = tmp_path / "out"
    kg.build([first]).save(out, formats=["turtle"])
    import extract.pipeline as pipeline

    seen: list[str] = []
    real = pipeline.extract_papers

    def spy(papers, **kw):  # type: ignore[no-untyped-def]
        papers = list(papers)
        seen.extend(p.id for p in papers)
        return real(papers, **kw)

    monkeypatch.setattr(pipeline, "extract_papers", spy)
    both = _write_jsonl(tmp_path / "b.jsonl", seed_papers[40:60])
    from kg.update import add_papers

    _, counts = add_papers(out, [both])
    assert counts == {"added": 10, "changed": 0, "unchanged": 10}
    assert len(seen) == 10


def test_changed_paper_is_re_extracted(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_text(json.dumps({"id": "2401.00001", "title": "P", "abstract": "We evaluate GPT-4 on MMLU."})
                 + "\n")
    out = tmp_path / "out"
    kg.build([a]).save(out, formats=["turtle"])
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"id": "2401.00001", "title": "P", "abstract": "We evaluate GPT-4o on GSM8K."})
                 + "\n")
    from kg.update import add_papers

    g, counts = add_papers(out, [b])
    assert counts["changed"] == 1
    assert {e.label for e in g.entities()} == {"GPT-4o", "GSM8K"}


def test_remove_and_cli(seed_papers: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    first = _write_jsonl(tmp_path / "a.jsonl", seed_papers[:30])
    second = _write_jsonl(tmp_path / "b.jsonl", seed_papers[30:40])
    out = tmp_path / "out"
    assert run_kg("build", str(first), "--out", str(out), "--no-html").returncode == 0
    proc = run_kg("add", str(out), str(second))
    assert proc.returncode == 0, proc.stderr
    assert "10 added" in proc.stdout
    assert not (out / "graph.html").exists()  # the update keeps the exports the build chose
    gone = seed_papers[35]
    proc = run_kg("remove", str(out), "--paper", gone.id)
    assert proc.returncode == 0, proc.stderr
    rebuilt = kg.build([_write_jsonl(tmp_path / "c.jsonl", seed_papers[:35] + seed_papers[36:40])])
    _same(kg.load(out), rebuilt)


def test_update_needs_raw_mentions(tmp_path: Path, seeds_out: Path) -> None:
    import shutil

    copy = tmp_path / "old"
    shutil.copytree(seeds_out, copy)
    (copy / "raw_mentions.jsonl").unlink()
    proc = run_kg("add", str(copy), str(SEEDS))
    assert proc.returncode != 0 and "rebuild" in proc.stderr
