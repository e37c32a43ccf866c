"""Smoke tests of the benchmark tools: the abstract generator and benchmarks/run.py.

No timing assertions: these only check that the tools work and the table is produced.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATE = ROOT / "benchmarks" / "generate.py"
RUN = ROOT / "benchmarks" / "run.py"
LEXICON = ROOT / "extract" / "data" / "lexicon.jsonl"


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three corpora of 50 abstracts, generated concurrently: seeds 0, 0 and 1."""
    tmp = tmp_path_factory.mktemp("gen")
    outs = {"a": (0, tmp / "a.jsonl"), "b": (0, tmp / "b.jsonl"), "c": (1, tmp / "c.jsonl")}
    procs = [subprocess.Popen([sys.executable, str(GENERATE), "50", "--seed", str(seed),
                               "--out", str(path)], stderr=subprocess.PIPE)
             for seed, path in outs.values()]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode(errors="replace")
    return {k: path for k, (_, path) in outs.items()}


def test_generator_is_deterministic(corpora: dict[str, Path]) -> None:
    assert corpora["a"].read_bytes() == corpora["b"].read_bytes()
    assert corpora["a"].read_bytes() != corpora["c"].read_bytes()


def test_generator_records(corpora: dict[str, Path]) -> None:
    lines = corpora["a"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == 50
    records = [json.loads(line) for line in lines]
    for i, rec in enumerate(records, 1):
        assert rec["id"] == f"gen-{i:06d}"
        assert rec["arxiv_id"] == f"2501.{i:05d}"
        assert rec["title"].strip() and rec["abstract"].strip()
        assert 100 <= len(rec["abstract"].split()) <= 300
    assert len({r["abstract"] for r in records}) == 50


def test_generator_uses_lexicon_names(corpora: dict[str, Path]) -> None:
    names = set()
    for line in LEXICON.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            names.update(n for n in [entry["label"], *entry.get("aliases", [])] if len(n) > 3)
    text = corpora["a"].read_text(encoding="utf-8")
    found = {n for n in names if n in text}
    assert len(found) >= 20


def test_generator_reads_as_papers(corpora: dict[str, Path]) -> None:
    from kg.readers import merge_papers, read_paths

    papers = merge_papers(read_paths([corpora["a"]]))
    assert len(papers) == 50
    assert papers[0].id == "arxiv:2501.00001"


def test_run_produces_table(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "200", "--no-build", "--timeout", "120",
         "--workdir", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "| stage | N | wall (s) | throughput | CPU (s) | peak RSS (MB) | notes |" in text
    for label in ("read (read_paths + merge_papers)", "extract (1 worker)", "extract (2 workers)",
                  "resolve", "link (paper_entities + link_papers)", "nx graph (to_networkx)",
                  "RDF n-triples", "RDF turtle", "HTML (exports html)", "load (kg.api.load)",
                  "baseline: spacy.blank('en') tokenizer"):
        assert f"| {label}" in text
    assert "| 200 |" in text
    assert "nproc" in text or "CPUs" in text
    assert "extraction / blank tokenizer throughput" in text
    assert "2-worker extraction speedup" in text
    assert text in proc.stdout


def test_ab_extract_compares_two_trees(corpora: dict[str, Path]) -> None:
    corpus = next(iter(corpora.values()))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ab_extract.py"), str(corpus),
                           str(ROOT), str(ROOT), "--n", "20", "--rounds", "2"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split()[2] for line in lines[:4]] == ["old", "new", "new", "old"]
    # the same tree on both sides finds the same mentions
    assert len({re.search(r"CPU, (\S+) mentions", line)[1] for line in lines[:4]}) == 1  # type: ignore[index]
    assert lines[-1].startswith("new vs old extraction CPU time: ")


def test_affixes_paired_runs_both_tokenizers_on_the_same_batches(corpora: dict[str, Path]) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "affixes_paired.py"),
                           str(corpora["a"]), "--batch", "10"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "same mentions in every batch" in proc.stdout and "change " in proc.stdout


def test_recheck_builds_adds_and_times_every_readme_query(corpora: dict[str, Path],
                                                          tmp_path: Path) -> None:
    proc = subprocess.run(["bash", str(ROOT / "benchmarks" / "recheck.sh"), str(corpora["a"]),
                           str(corpora["c"]), str(tmp_path / "w")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    timed = re.findall(r"^([\w() -]+?) [\d.]+ s", proc.stdout + proc.stderr, flags=re.M)
    for name in ("build", "add", "sparql first (index)", "top-benchmarks", "papers-using-benchmark",
                 "co-occurring-methods", "related-papers", "entity-counts"):
        assert name in timed, (name, timed)
    assert "kg: error" not in proc.stderr and (tmp_path / "w" / "updated" / "graph.ttl").is_file()
