"""Incremental updates: ``kg add`` / ``kg remove`` give what a full rebuild gives."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

import kg
from kg.readers import read_paths
from tests.conftest import ROOT, SEEDS, run_kg


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
    (copy / "raw_mentions.npz").unlink()
    proc = run_kg("add", str(copy), str(SEEDS))
    assert proc.returncode != 0 and "rebuild" in proc.stderr


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def _leftovers(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir() if p.name.endswith((".tmp", ".old"))}


def test_interrupted_add_leaves_the_previous_graph(seed_papers: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    """SIGINT, SIGTERM and SIGKILL at seeded random points of `kg add`: the directory is
    either exactly the previous graph or the complete new one; after a SIGKILL the next
    update clears what was left and its result equals a full rebuild."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT
    from tests.test_reliability import corpus

    first = _write_jsonl(tmp_path / "first.jsonl", seed_papers[:45])
    more = corpus(tmp_path / "more.jsonl", 400, seed=3)
    out = tmp_path / "out"
    assert run_kg("build", str(first), "--out", str(out), "--no-html").returncode == 0
    before = _snapshot(out)
    started = time.perf_counter()
    probe = tmp_path / "probe"
    import shutil

    shutil.copytree(out, probe)
    assert run_kg("add", str(probe), str(more)).returncode == 0
    duration = time.perf_counter() - started
    shutil.rmtree(probe)

    rng = random.Random(11)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL, signal.SIGINT):
        delay = rng.uniform(0.3, duration * 1.05)
        # what a SIGKILLed run left stays until a later run takes the lock and clears it
        left_before = _leftovers(tmp_path)
        proc = subprocess.Popen([sys.executable, "-m", "kg", "add", str(out), str(more)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        time.sleep(delay)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
        note = f"{signal.Signals(sig).name} after {delay:.2f}s: rc {proc.returncode} {stderr[-400:]!r}"
        assert "Traceback" not in stderr, note
        now = _snapshot(out) if out.exists() else {}
        if now == before:
            assert proc.returncode in (128 + sig, -sig), note
            if proc.returncode == 128 + sig:
                assert f"left unchanged: {out}" in stderr, note
        else:  # the run got past the swap: the complete new graph
            assert proc.returncode in (0, 128 + sig, -sig), note
            assert json.loads(now["manifest.json"])["counts"]["papers"] == 445, note
            break
        if sig != signal.SIGKILL:  # an interrupted run leaves nothing of its own
            assert not _leftovers(tmp_path) - left_before, note
    proc = run_kg("add", str(out), str(more))  # clears anything a killed run left
    assert proc.returncode == 0, proc.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".old"))]
    _same(kg.load(out), kg.build([first, more]))


def test_add_equals_rebuild_on_a_generated_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A random split of a generated corpus (coined names, acronyms defined in some papers
    and used bare in others): add gives the records and the very Turtle bytes of a rebuild."""
    import subprocess
    import sys

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # same build times in both
    corpus = tmp_path / "corpus.jsonl"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "240",
                    "--seed", "7", "--out", str(corpus)], check=True, capture_output=True)
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(3).shuffle(lines)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:150]), encoding="utf-8")
    second.write_text("".join(lines[150:]), encoding="utf-8")
    out, full_out = tmp_path / "out", tmp_path / "full"
    kg.build([first]).save(out, formats=["turtle"])
    added = kg.load(out).add(out, [second])
    full = kg.build([first, second])
    full.save(full_out, formats=["turtle"])
    _same(added, full)
    assert (out / "graph.ttl").read_bytes() == (full_out / "graph.ttl").read_bytes()


def test_adding_nothing_new_leaves_the_directory_untouched(seed_papers: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    first = _write_jsonl(tmp_path / "first.jsonl", seed_papers[:30])
    out = tmp_path / "out"
    assert run_kg("build", str(first), "--out", str(out), "--no-html").returncode == 0
    before = _snapshot(out)
    again = run_kg("add", str(out), str(first))  # the same input again: nothing to do
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("0 added, 0 changed, 30 unchanged; now 30 papers")
    assert _snapshot(out) == before
    # a new input file with only known papers is recorded (a rebuild would list it too)
    copy = _write_jsonl(tmp_path / "copy.jsonl", seed_papers[:5])
    assert run_kg("add", str(out), str(copy)).returncode == 0
    assert str(copy) in json.loads((out / "manifest.json").read_text())["info"]["inputs"]


def test_an_update_rebuilds_the_sparql_index_the_directory_had(
        seed_papers: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    import kg.sparql as sparql
    from kg.update import add_papers, remove_papers

    monkeypatch.setattr(sparql, "INDEX_MIN_BYTES", 0)  # index even the small seed graph
    out = tmp_path / "out"
    kg.build([_write_jsonl(tmp_path / "a.jsonl", seed_papers[:30])]).save(out, formats=("turtle",))
    add_papers(out, [_write_jsonl(tmp_path / "b.jsonl", seed_papers[30:35])])
    assert not (out / sparql.INDEX_DIR).exists()  # never queried: no index is made
    count = sparql.load_query("entity-counts")
    sparql.run_query(out, count)  # the first query indexes the graph
    heard: list[str] = []
    add_papers(out, [_write_jsonl(tmp_path / "c.jsonl", seed_papers[35:40])], progress=heard.append)
    stamp = json.loads((out / sparql.INDEX_DIR / "source.json").read_text())
    assert stamp["mtime_ns"] == (out / "graph.ttl").stat().st_mtime_ns and len(heard) == 1
    sparql._STORES.clear()  # a new process: the index answers at once, as the graph does
    assert sparql.run_query(out, count, progress=heard.append).as_dicts() == \
        sparql.run_query(kg.load(out).rdf(), count).as_dicts() and len(heard) == 1
    remove_papers(out, [seed_papers[0].id], refresh_index=False)
    assert not (out / sparql.INDEX_DIR).exists()  # left to the next query


def test_add_upgrades_a_version_1_directory(seed_papers: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    """Format version 1 kept raw mentions as JSON Lines: an update reads them and saves
    version 2 (columns), with the result a rebuild gives."""
    first = _write_jsonl(tmp_path / "a.jsonl", seed_papers[:40])
    second = _write_jsonl(tmp_path / "b.jsonl", seed_papers[40:60])
    out = tmp_path / "out"
    built = kg.build([first])
    built.save(out, formats=["turtle"])
    (out / "raw_mentions.npz").unlink()
    (out / "raw_mentions.jsonl").write_text(
        "".join(json.dumps(m.to_row(), ensure_ascii=False) + "\n" for m in built.raw_mentions),
        encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["format_version"] = 1
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert kg.load(out).raw_mentions == built.raw_mentions
    proc = run_kg("add", str(out), str(second))
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "manifest.json").read_text())["format_version"] == 2
    assert (out / "raw_mentions.npz").exists() and not (out / "raw_mentions.jsonl").exists()
    _same(kg.load(out), kg.build([first, second]))
