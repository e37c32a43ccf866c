"""A loaded graph answers from the saved lines (kg.saved) exactly as from all its records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.errors import NotFoundError, OutputError


def _full(out: Path) -> kg.KnowledgeGraph:
    g = kg.load(out)
    _ = g.data  # every record loaded: the answers below come from them
    return g


def test_open_reads_no_records(seeds_out: Path) -> None:
    g = kg.load(seeds_out)
    repr(g), g.summary(), g.info, g.top_entities(k=3)
    assert "data" not in g.__dict__ and "raw_mentions" not in g.__dict__


def test_lazy_answers_equal_loaded_answers(seeds_out: Path) -> None:
    lazy, full = kg.load(seeds_out), _full(seeds_out)
    assert lazy.summary() == full.summary()
    assert lazy.info == full.info
    assert lazy.communities() == full.communities()
    for t in (None, "benchmark", "dataset", "model", "method"):
        assert lazy.top_entities(type=t, k=7) == full.top_entities(type=t, k=7)
        assert lazy.entities(t) == full.entities(t)
    for p in full.papers():
        for ref in (p.id, p.title, *([p.arxiv_id] if p.arxiv_id else [])):
            assert lazy.paper(ref) == p
        assert lazy.related(p, k=50) == full.related(p, k=50)
        assert lazy.mentions_of(p) == full.mentions_of(p)
        assert lazy.entities_of(p) == full.entities_of(p)
    for e in full.entities()[::7]:
        assert lazy.papers_mentioning(e.id) == full.papers_mentioning(e.id)
        assert lazy.entity(e.label) == full.entity(e.label)
    assert "data" not in lazy.__dict__
    with pytest.raises(NotFoundError):
        lazy.paper("no such paper")


def test_many_papers_mentioning_read_all_papers_once(seeds_out: Path) -> None:
    lazy, full = kg.load(seeds_out), _full(seeds_out)
    top = full.top_entities(k=1)[0]["entity"]
    assert len(full.papers_mentioning(top)) > 1
    assert lazy.papers_mentioning(top) == full.papers_mentioning(top)


def test_loading_a_replaced_graph_is_refused(tmp_path: Path, seeds_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    first = kg.load(out).papers()[0]
    h = kg.load(out)
    manifest = out / "manifest.json"
    m = json.loads(manifest.read_text())
    m["info"]["finished"] = "2999-01-01T00:00:00Z"  # as a kg add that replaced it would
    manifest.write_text(json.dumps(m))
    with pytest.raises(OutputError, match="changed since it was loaded"):
        h.related(first)
    with pytest.raises(OutputError, match="changed since it was loaded"):
        _ = h.data


def test_corrupt_line_names_file_and_line(tmp_path: Path, seeds_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    pid = kg.load(seeds_out).top_entities(k=1)[0]["entity"]
    path = out / "mentions.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    hit = next(i for i, line in enumerate(lines) if f'"{pid}"' in line)
    lines[hit] = "{" + lines[hit][1:]
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(OutputError, match=rf"mentions.jsonl:{hit + 1}: corrupt record"):
        kg.load(out).papers_mentioning(pid)


def test_cli_info_and_related_match_the_loaded_graph(seeds_out: Path) -> None:
    from tests.conftest import run_kg

    full = _full(seeds_out)
    p = full.papers()[0]
    proc = run_kg("related", str(seeds_out), p.id, "-k", "3")
    assert proc.returncode == 0, proc.stderr
    want = [r["paper"] for r in full.related(p, k=3)]
    assert [line.split("  ", 2)[1] for line in proc.stdout.splitlines()] == [
        full.paper(q).title for q in want]
    info = run_kg("info", str(seeds_out))
    assert info.returncode == 0 and f"papers: {len(full.papers())}" in info.stdout


def test_papers_without_a_trusted_index_are_read_in_one_pass(tmp_path: Path, seeds_out: Path) -> None:
    from kg.saved import SavedGraph

    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    full = _full(seeds_out)
    ids = [p.id for p in full.papers()[::3]]
    want = {p.id: p for p in full.papers() if p.id in set(ids)}
    assert SavedGraph(out)._indexed_rows("papers.jsonl", set(ids)) is not None
    assert SavedGraph(out).papers([*ids, "no such id"]) == want  # through the chunk index
    (out / ".papers.jsonl.chunks.json").unlink()
    assert SavedGraph(out).papers(ids) == want  # one pass over papers.jsonl


def test_a_query_no_file_can_hold_is_not_found(seeds_out: Path) -> None:
    with pytest.raises(NotFoundError):
        kg.load(seeds_out).paper("\udcff")  # a lone surrogate, as a non-UTF-8 argument gives
    from tests.conftest import run_kg

    proc = run_kg("related", str(seeds_out), "\udcff")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and "no paper" in proc.stderr


@pytest.mark.parametrize(("name", "damage", "ask"), [
    ("entities.jsonl", '{"id": "x"}', lambda g, p: g.top_entities()),
    ("links.jsonl", '{"source": "@P", "target": "zzz"}', lambda g, p: g.related(p)),
    ("mentions.jsonl", '["@P", "title"]', lambda g, p: g.mentions_of(p)),
    ("papers.jsonl", '{"id": "@P", "title": "t", "abstract": "a", "colour": 1}',
     lambda g, p: g.paper(p)),
])
def test_records_of_the_wrong_shape_name_file_and_line(
        tmp_path: Path, seeds_out: Path, name: str, damage: str, ask: Any) -> None:
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    pid = kg.load(seeds_out).papers()[-1].id  # its own lines come after the damaged one
    path = out / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, damage.replace("@P", pid) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(OutputError, match=rf"{name}:2: record does not match format version"):
        ask(kg.load(out), pid)


def test_communities_are_checked(tmp_path: Path, seeds_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    (out / "communities.json").write_text("[1, 2]")
    with pytest.raises(OutputError, match="communities.json: not a map"):
        kg.load(out).communities()
