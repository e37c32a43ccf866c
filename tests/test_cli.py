"""The ``kg`` command through its real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEEDS, run_kg


def test_build_writes_a_loadable_versioned_directory(seeds_out: Path) -> None:
    manifest = json.loads((seeds_out / "manifest.json").read_text())
    assert manifest["format"] == "paper-kg" and manifest["format_version"] == 2
    assert manifest["counts"]["papers"] == 91
    for name in ("graph.ttl", "graph.html", "graph.nt", "papers.jsonl", "mentions.jsonl"):
        assert (seeds_out / name).stat().st_size > 0
    assert not [p for p in seeds_out.parent.iterdir() if p.name.endswith((".tmp", ".old"))]


def test_info(seeds_out: Path) -> None:
    proc = run_kg("info", str(seeds_out), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["papers"] == 91


def test_sparql_shipped_query_with_binding(seeds_out: Path) -> None:
    proc = run_kg("sparql", str(seeds_out), "papers-using-benchmark", "--bind", "name=VisualWebArena",
                  "--output", "csv")
    assert proc.returncode == 0, proc.stderr
    assert "ICAL" in proc.stdout


def test_sparql_syntax_error_is_one_clean_line(seeds_out: Path) -> None:
    proc = run_kg("sparql", str(seeds_out), "SELECT WHERE {")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("kg: error:")


def test_related_and_html_subset(seeds_out: Path, tmp_path: Path) -> None:
    proc = run_kg("related", str(seeds_out), "ICAL: Continual Learning of Multimodal Agents by "
                  "Transforming Trajectories into Actionable Insights", "-k", "3")
    assert proc.returncode == 0, proc.stderr
    assert "Reflective Tree Search" in proc.stdout
    out = tmp_path / "sub.html"
    proc = run_kg("html", str(seeds_out), "--around", "VisualWebArena", "--hops", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 0


def test_missing_input_is_a_clean_error(tmp_path: Path) -> None:
    proc = run_kg("build", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "out"))
    assert proc.returncode != 0
    assert "nope.jsonl" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_failed_build_leaves_previous_output_untouched(seeds_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"title": "A paper", "abstract": "We evaluate GPT-4 on MMLU."}) + "\n")
    assert run_kg("build", str(good), "--out", str(out), "--no-html").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.json"
    bad.write_text("<html>not json</html>")
    proc = run_kg("build", str(bad), "--out", str(out))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_empty_corpus_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_kg("build", str(empty), "--out", str(tmp_path / "out"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr


def test_unknown_export_format(seeds_out: Path) -> None:
    proc = run_kg("export", str(seeds_out), "--format", "docx")
    assert proc.returncode != 0 and "unknown export format" in proc.stderr


def test_load_rejects_newer_format(seeds_out: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(seeds_out, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format_version"] = 99
    (copy / "manifest.json").write_text(json.dumps(manifest))
    proc = run_kg("info", str(copy))
    assert proc.returncode != 0 and "newer" in proc.stderr


def test_seeds_dir_is_bundled() -> None:
    assert (SEEDS / "daily_papers.txt").is_file()


def test_sparql_inline_query_text(seeds_out: Path) -> None:
    proc = run_kg("sparql", str(seeds_out / "graph.ttl"),
                  "PREFIX pkg: <https://w3id.org/paper-kg/ontology#> "
                  "SELECT (COUNT(?b) AS ?n) WHERE { ?b a pkg:Benchmark }", "--output", "json")
    assert proc.returncode == 0, proc.stderr
    assert '"n"' in proc.stdout
