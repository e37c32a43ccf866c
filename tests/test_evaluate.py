"""``kg evaluate`` on small hand-written gold files (JSONL and the SciER layout)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.evaluate import detokenize, evaluate, format_report
from tests.conftest import run_kg

TEXT = "We fine-tune GPT-4o on WebArena and compare with reinforcement learning from human feedback."


def _span(text: str, needle: str) -> dict[str, int]:
    start = text.index(needle)
    return {"start": start, "end": start + len(needle)}


@pytest.fixture()
def gold(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    ents = [{**_span(TEXT, "GPT-4o"), "type": "model"}, {**_span(TEXT, "WebArena"), "type": "benchmark"},
            {**_span(TEXT, "reinforcement learning from human feedback"), "type": "method"},
            {**_span(TEXT, "compare"), "type": "method"}]
    path.write_text(json.dumps({"text": TEXT, "entities": ents}) + "\n", encoding="utf-8")
    return path


def test_jsonl_scores(gold: Path) -> None:
    report = evaluate(gold, format="jsonl")
    ent = report["levels"]["entity"]
    assert ent["model"]["f1"] == 1.0 and ent["benchmark"]["f1"] == 1.0
    assert ent["method"]["precision"] == 1.0 and ent["method"]["recall"] == 0.5
    assert 0 < ent["overall"]["f1"] < 1
    assert "| entity | overall |" in format_report(report)


def test_type_map_groups(gold: Path) -> None:
    report = evaluate(gold, format="jsonl",
                      type_map={"benchmark": "dataset|benchmark", "model": "method|model",
                                "method": "method|model"})
    assert set(report["levels"]["entity"]) == {"dataset|benchmark", "method|model", "overall"}


def test_scier_layout_and_synonyms(tmp_path: Path) -> None:
    tokens = ["We", "use", "direct", "preference", "optimization", "(", "DPO", ")", "on", "MS", "COCO", "."]
    doc = {"doc_id": "x", "sentences": [tokens],
           "ner": [[[2, 4, "Method"], [6, 6, "Method"], [9, 10, "Dataset"], [0, 0, "Task"]]],
           "relations": [[[6, 6, 2, 4, "Synonym-Of"]]]}
    path = tmp_path / "scier.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    report = evaluate(path, format="scier")
    assert report["synonyms"] == {"pairs": 1, "resolved": 1}
    assert report["levels"]["mention_exact"]["method|model"]["recall"] == 1.0
    assert report["levels"]["entity"]["dataset|benchmark"]["f1"] == 1.0


def test_detokenize_offsets() -> None:
    text, spans = detokenize(["ResNet", "-", "1", "0", "1", "(", "x", ")", ","])
    assert text == "ResNet-101 (x),"
    assert [text[a:b] for a, b in spans] == ["ResNet", "-", "1", "0", "1", "(", "x", ")", ","]


def test_detokenize_rejoins_split_digits() -> None:
    # SciER splits digits off letters and each other; written forms come back
    def join(*toks: str, ends: tuple[int, ...] = ()) -> str:
        return detokenize(list(toks), set(ends))[0]

    assert join("than", "YOLOv", "3", "(", "3", "3", ".", "0", "%", ")") == "than YOLOv3 (33.0%)"
    assert join("the", "I", "3", "D", "model") == "the I3D model"
    assert join("MobileNet", "-", "v", "2", "and", "SQuAD", "v", "1", ".", "1") \
        == "MobileNet-v2 and SQuAD v1.1"
    assert join("word", "2", "vec", "and", "1", "1", "0", "M") == "word2vec and 110M"
    assert join("on", "SIM", "1", "0", "k", "for", "9", "0", "k", "updates") == "on SIM10k for 90k updates"
    assert join("p", "=", "0.", "1") == "p = 0.1"
    assert join("Deeplabv", "2", "-", "CRF") == "Deeplabv2-CRF"
    assert join("FCN", "-", "8", "s", "-", "heavy", "in", "2", "s", "per") == "FCN-8s-heavy in 2 s per"
    assert join("RetinaNet", "2", "[", "3", "1", "]") == "RetinaNet 2 [31]"
    assert join("YOLOv", "2", "[", "4", "]", "FCN", "4", "[", "5", "]") == "YOLOv2 [4] FCN4 [5]"
    # ordinary words, years and sentence-final periods keep their spaces
    assert join("in", "Table", "1", "and", "in", "2", "ways") == "in Table 1 and in 2 ways"
    assert join("PASCAL", "VOC", "2", "0", "1", "2") == "PASCAL VOC 2012"
    assert join("see", "3", ".", "4", "shows", ends=(2,)) == "see 3. 4 shows"


def test_bad_gold_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "abc", "entities": []}\n{"text": "abc", "entities": [{"start": 2, '
                    '"end": 9, "type": "model"}]}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2"):
        evaluate(path, format="jsonl")


def test_cli_evaluate(gold: Path) -> None:
    proc = run_kg("evaluate", str(gold), "--format", "jsonl", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["documents"] == 1
