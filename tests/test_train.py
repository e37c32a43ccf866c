"""``kg train``: a recogniser trained on annotations joins the rule pipeline."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from kg.errors import InputError, KGError, OutputError
from kg.evaluate import GoldDoc, read_gold
from tests.conftest import run_kg

# Coined lowercase names no rule or lexicon entry knows: only a trained recogniser finds them.
_NAMES = {"method": ["flumbering", "quaddle pooling", "zeptonic search", "grimbal"],
          "dataset": ["vorple", "tanzik", "mirocorp"]}
_TEMPLATES = ["We apply {method} to the inputs and report results on {dataset}.",
              "Our approach combines {method} with a simple baseline, evaluated on {dataset}.",
              "Experiments on {dataset} show that {method} improves accuracy.",
              "Compared with {method}, the proposed variant is faster on {dataset}.",
              "{method} is trained on {dataset} for ten epochs."]


def _write_gold(path: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            method, dataset = rng.choice(_NAMES["method"]), rng.choice(_NAMES["dataset"])
            text = rng.choice(_TEMPLATES).format(method=method, dataset=dataset)
            ents = [{"start": text.index(v), "end": text.index(v) + len(v), "type": t}
                    for t, v in (("method", method), ("dataset", dataset))]
            f.write(json.dumps({"id": f"d{i}", "text": text, "entities": ents}) + "\n")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[type-arg]
    from extract.train import train

    d = tmp_path_factory.mktemp("train")
    docs = list(read_gold(_write_gold(d / "train.jsonl", 60, 1), format="jsonl"))
    dev = list(read_gold(_write_gold(d / "dev.jsonl", 15, 2), format="jsonl"))
    summary = train(docs, d / "pipeline", dev_docs=dev, epochs=12)
    return d / "pipeline", summary


def test_trained_pipeline_finds_names_the_rules_cannot(trained: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    from extract.pipeline import extract_papers
    from kg.records import Paper

    pipe, summary = trained
    assert summary["labels"] == ["dataset", "method"] and summary["dropped_spans"] == 0
    assert [r["epoch"] for r in summary["epochs"]] == list(range(1, 13))
    assert summary["pipeline"].index("ner") < summary["pipeline"].index("kg_mentions")
    paper = Paper("p", "", "Results on vorple confirm that flumbering helps.")
    (rules_only,) = extract_papers([paper])
    (with_ner,) = extract_papers([paper], pipeline_dir=pipe)
    assert not {m.text for m in rules_only} & {"vorple", "flumbering"}
    found = {(m.text, m.type, m.rule) for m in with_ner}
    assert {("vorple", "dataset", "ner"), ("flumbering", "method", "ner")} <= found


def test_recogniser_candidates_are_typed_and_rank_below_the_lexicon() -> None:
    from spacy.language import Language
    from spacy.tokens import Doc

    from extract.pipeline import make_pipeline

    @Language.component("test_fake_ner")
    def fake_ner(doc: Doc) -> Doc:  # what a recogniser that mistypes GPT-4 would say
        doc.ents = [doc.char_span(m.start(), m.end(), label=label)
                    for m, label in ((_find(doc.text, "GPT-4"), "method"),
                                     (_find(doc.text, "parsing"), "Task"),
                                     (_find(doc.text, "vorple"), "dataset"))]
        return doc

    nlp = make_pipeline()
    nlp.add_pipe("test_fake_ner", before="kg_mentions")
    nlp.add_pipe("kg_ner_candidates", before="kg_mentions")
    doc = nlp("\n\nWe fine-tune GPT-4 for parsing on vorple.")
    found = {(s.text, s.label_, s.id_) for s in doc.spans["kg"]}
    # the lexicon's GPT-4 (a model) wins over the recogniser's guess; a type we do not
    # have is ignored; what only the recogniser saw is kept with rule "ner"
    assert ("GPT-4", "model", "lexicon") in found and ("vorple", "dataset", "ner") in found
    assert not any(text == "parsing" for text, _, _ in found)


def _find(text: str, word: str):  # type: ignore[no-untyped-def]
    import re

    return re.search(re.escape(word), text)


def test_label_of_gold_groups() -> None:
    from extract.train import label_of

    assert label_of("dataset|benchmark") == "dataset"
    assert label_of("method|model") == "method"
    assert label_of("model") == "model"
    assert label_of("Task") is None


def test_training_without_our_types_is_a_clear_error(tmp_path: Path) -> None:
    from extract.train import train

    docs = [GoldDoc("x", "We study parsing.", [(9, 16, "Task")])]
    with pytest.raises(InputError, match="no annotated entity"):
        train(docs, tmp_path / "p", epochs=1)
    with pytest.raises(KGError, match="epochs"):
        train(docs, tmp_path / "p", epochs=0)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a spaCy pipeline"):
        train([GoldDoc("y", "On vorple.", [(3, 9, "dataset")])], tmp_path / "notes", epochs=1)
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"


def test_cli_train_then_build_with_the_pipeline(tmp_path: Path) -> None:
    gold = _write_gold(tmp_path / "gold.jsonl", 60, 3)
    pipe = tmp_path / "pipe"
    proc = run_kg("train", str(gold), "--out", str(pipe), "--epochs", "12",
                  "--dev", str(_write_gold(tmp_path / "dev.jsonl", 10, 4)))
    assert proc.returncode == 0, proc.stderr
    assert "trained on 60 documents" in proc.stdout and (pipe / "ner").is_dir()
    papers = tmp_path / "papers.jsonl"
    papers.write_text(json.dumps({"id": "p1", "title": "A study",
                                  "abstract": "Experiments on tanzik show that flumbering "
                                              "improves accuracy."}) + "\n")
    out = tmp_path / "out"
    proc = run_kg("build", str(papers), "--out", str(out), "--pipeline", str(pipe), "--no-html")
    assert proc.returncode == 0, proc.stderr
    labels = {json.loads(line)["label"] for line in (out / "entities.jsonl").open()}
    assert {"flumbering", "tanzik"} <= labels


def test_cli_train_without_our_types_names_the_file(tmp_path: Path) -> None:
    gold = tmp_path / "tasks.jsonl"
    gold.write_text('{"text": "We study parsing.", "entities": [{"start": 9, "end": 16, "type": "Task"}]}\n')
    proc = run_kg("train", str(gold), "--out", str(tmp_path / "p"), "--epochs", "1")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"kg: error: {gold}: no annotated entity")
    assert not (tmp_path / "p").exists()


def test_cli_train_bad_gold_is_one_clean_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "entities": [{"start": 0, "end": 9, "type": "model"}]}\n')
    proc = run_kg("train", str(bad), "--out", str(tmp_path / "p"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("kg: error:") and "bad.jsonl:1" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "p").exists()


def test_kg_add_extracts_with_the_pipeline_the_graph_was_built_with(
        trained: tuple[Path, dict], tmp_path: Path) -> None:  # type: ignore[type-arg]
    import shutil

    import kg
    from kg.update import add_papers

    pipe, _ = trained
    day1, day2 = tmp_path / "day1.jsonl", tmp_path / "day2.jsonl"
    day1.write_text(json.dumps({"id": "p1", "title": "One", "abstract":
                                "Experiments on tanzik show that flumbering improves accuracy."}) + "\n")
    day2.write_text(json.dumps({"id": "p2", "title": "Two", "abstract":
                                "Experiments on vorple show that flumbering improves accuracy."}) + "\n")
    own = tmp_path / "pipe"
    shutil.copytree(pipe, own)
    kg.build([day1], pipeline=own).save(tmp_path / "out", formats=())
    added, counts = add_papers(tmp_path / "out", [day2])
    rebuilt = kg.build([day1, day2], pipeline=own)
    assert counts["added"] == 1
    assert "vorple" in {e.label for e in added.data.entities}  # found by the recogniser
    assert added.data.entities == rebuilt.data.entities and added.data.links == rebuilt.data.links
    shutil.rmtree(own)
    day3 = tmp_path / "day3.jsonl"
    day3.write_text(json.dumps({"id": "p3", "title": "Three", "abstract": "On mirocorp."}) + "\n")
    with pytest.raises(OutputError, match="no longer"):
        add_papers(tmp_path / "out", [day3])
