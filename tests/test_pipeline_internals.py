"""The extraction pipeline's machinery: the array sentencizer against spaCy's own, lean lexeme
attributes, and memory zones (long-running services free strings between batches)."""

from __future__ import annotations

import random

import pytest
import spacy

from extract.pipeline import extract_papers, make_pipeline
from kg.records import Paper

_PIECES = ["word", "Model", "GPT-4o", ".", "!", "?", "...", "?!", "'", '"', ")", "(", ",", ";",
           "。", "\n", "  ", "e.g.", "3.5", "-", "—", ":", "!!"]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "\n\n", ".", "Hello world", "A. B! C? D"]
    for _ in range(n):
        texts.append(" ".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30))))
    return texts


@pytest.mark.parametrize("overwrite", [True, False])
def test_array_sentencizer_matches_spacys(overwrite: bool) -> None:
    ours = make_pipeline()
    theirs = spacy.blank("en")
    theirs.tokenizer = ours.tokenizer  # same tokens: only the sentence rule is compared
    theirs.add_pipe("sentencizer", config={"overwrite": overwrite})
    mine = ours.get_pipe("sentencizer")
    mine.overwrite = overwrite  # type: ignore[attr-defined]
    for text in _random_texts(400, seed=11):
        a, b = ours.make_doc(text), ours.make_doc(text)
        if not overwrite and len(a) > 2:  # a boundary set earlier is kept by both
            a[2].is_sent_start = b[2].is_sent_start = False
        a, b = mine(a), theirs.get_pipe("sentencizer")(b)
        assert [t.is_sent_start for t in a] == [t.is_sent_start for t in b], repr(text)


def test_lean_lexemes_give_the_same_mentions_and_are_opt_in() -> None:
    papers = [Paper(f"p{i}", "A study", t) for i, t in enumerate([
        "We fine-tune Llama-3-8B with LoRA on Alpaca and evaluate on MMLU and GSM8K.",
        "Direct Preference Optimization (DPO) beats PPO; 42 runs of DPO on 3 benchmarks.",
    ])]
    full = list(extract_papers(papers, nlp=make_pipeline()))
    lean = list(extract_papers(papers, nlp=make_pipeline(lean_lexemes=True)))
    assert full == lean and any(full)
    doc = make_pipeline()("Zorblatt numbers 42 run")  # a user's pipeline keeps every attribute
    assert [t.norm_ for t in doc] == ["zorblatt", "numbers", "42", "run"]
    assert [t.like_num for t in doc] == [False, False, True, False]


def test_mentions_inside_memory_zones() -> None:
    nlp = make_pipeline()
    for text, want in [("We fine-tune BERT on SQuAD.", {"BERT", "SQuAD"}),
                       ("We evaluate GPT-4 on MMLU.", {"GPT-4", "MMLU"})]:
        with nlp.memory_zone():  # the zone's strings are gone after it: none may be cached
            doc = nlp(text)
            assert {s.text for s in doc.spans["kg"]} == want
            assert {s.label_ for s in doc.spans["kg"]} <= {"model", "dataset", "benchmark"}
