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


_AFFIX_CHARS = list("aAzZ019.-,;:'\"()[]{}!?/\\%$€°+*^~<>=_&@#—–‐‑…\n ’“”´`") + ["é", "ß", "😀", "中", "²"]


def _affix_strings(seed: int) -> list[str]:
    rng = random.Random(seed)
    out = ["", "\n", "a\n", "GPT-4o.", "7B.", "U.S.", "well-known", "x...", "(a)", "'s", "9km", "°C."]
    out += ["".join(rng.choice(_AFFIX_CHARS) for _ in range(rng.randint(1, 9))) for _ in range(20_000)]
    return out


def _span(m: object) -> tuple[int, int] | None:
    return None if m is None else m.span()  # type: ignore[attr-defined]


@pytest.mark.parametrize("which", ["pipeline", "spacy"])
def test_fast_affixes_find_what_the_plain_patterns_find(which: str) -> None:
    import re

    from spacy.util import compile_infix_regex, compile_suffix_regex

    from extract.affixes import FastInfixes, FastSuffixes, fast_infix_finditer, fast_suffix_search

    if which == "pipeline":
        tok = make_pipeline().tokenizer
        suffixes = re.compile(tok.suffix_search.__self__.pattern)  # type: ignore[attr-defined]
        infixes = re.compile(tok.infix_finditer.__self__.pattern)  # type: ignore[attr-defined]
    else:
        defaults = spacy.blank("en").Defaults
        suffixes = compile_suffix_regex(defaults.suffixes or ())
        infixes = compile_infix_regex(defaults.infixes or ())
    fast_suffix, fast_infix = fast_suffix_search(suffixes), fast_infix_finditer(infixes)
    assert isinstance(fast_suffix.__self__, FastSuffixes)  # type: ignore[attr-defined]
    assert isinstance(fast_infix.__self__, FastInfixes)  # type: ignore[attr-defined]
    for s in _affix_strings(seed=5):
        assert _span(fast_suffix(s)) == _span(suffixes.search(s)), repr(s)
        assert [m.span() for m in fast_infix(s)] == [m.span() for m in infixes.finditer(s)], repr(s)


def test_fast_affixes_on_unusual_patterns() -> None:
    import re

    from extract.affixes import fast_infix_finditer, fast_suffix_search

    not_anchored = re.compile(r"\.$|b")  # a suffix pattern must end every alternative in $
    assert fast_suffix_search(not_anchored) == not_anchored.search
    multiline = re.compile(r"\.$", re.MULTILINE)
    assert fast_suffix_search(multiline) == multiline.search
    strings = _affix_strings(seed=7)[:3000] + ["xa", "b", "a\n", "ab.", "xxy-", "(a)aa-b"]
    # alternatives that can match nothing, optional or repeated edges, groups, backreferences
    for suffix in [r"a?$|\.$", r"(?<=[0-9])(?:km|m)$|\.+$|x*$", r"(a)\1$|[!?]{1,3}$"]:
        pattern = re.compile(suffix)
        fast = fast_suffix_search(pattern)
        assert fast != pattern.search
        for s in strings:
            assert _span(fast(s)) == _span(pattern.search(s)), (suffix, s)
    for infix in [r"x*y|-", r"(a)\1|-|(?<=[0-9])[.,](?=[0-9])", r"\b|;", r"(?i:é)|[^a-z]"]:
        pattern = re.compile(infix)
        fast_i = fast_infix_finditer(pattern)
        for s in strings:
            assert [m.span() for m in fast_i(s)] == [m.span() for m in pattern.finditer(s)], (infix, s)


def test_fast_affix_tokenizer_saves_loads_and_pickles(tmp_path: object) -> None:
    import pickle

    nlp = make_pipeline()
    text = "We fine-tune Llama-2-7B (Touvron et al., 2023) on GSM8K... and U.S. data, 7B.\n\nOK?"
    want = [(t.text, t.whitespace_) for t in nlp.make_doc(text)]
    nlp.to_disk(tmp_path)  # spaCy saves the tokenizer's patterns from ``.__self__.pattern``
    loaded = make_pipeline(pipeline_dir=tmp_path)  # type: ignore[arg-type]
    assert [(t.text, t.whitespace_) for t in loaded.make_doc(text)] == want
    tok = pickle.loads(pickle.dumps(nlp.tokenizer))
    for fn in (tok.url_match, tok.suffix_search, tok.infix_finditer, loaded.tokenizer.url_match):
        assert type(fn.__self__).__name__.startswith("Fast")  # type: ignore[union-attr]
    assert [(t.text, t.whitespace_) for t in tok(text)] == want


def test_extract_papers_skips_spans_and_leaves_the_gc_as_it_was() -> None:
    import gc

    from extract.components import NO_SPANS

    nlp = make_pipeline(lean_lexemes=True)
    text = "We fine-tune BERT on SQuAD."
    doc = nlp.make_doc(text)
    doc.user_data[NO_SPANS] = True
    doc = nlp(doc)
    full = nlp(text)
    assert "kg" not in doc.spans and NO_SPANS not in doc.user_data
    assert doc.user_data["kg_mentions"] == full.user_data["kg_mentions"]
    assert {s.text for s in full.spans["kg"]} == {"BERT", "SQuAD"}
    papers = [Paper("p1", "A study", text)]
    assert gc.get_freeze_count() == 0
    assert [m.text for m in next(extract_papers(papers, nlp=nlp))] == ["BERT", "SQuAD"]
    gc.freeze()  # a caller's own freeze is kept
    try:
        frozen = gc.get_freeze_count()
        assert list(extract_papers(papers, nlp=nlp))
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
    list(extract_papers(papers, nlp=nlp))
    assert gc.get_freeze_count() == 0


def test_fast_url_match_matches_what_the_plain_pattern_matches() -> None:
    import re

    from extract.affixes import FastUrls, fast_url_match

    nlp = make_pipeline()
    plain = re.compile(nlp.tokenizer.url_match.__self__.pattern)  # type: ignore[union-attr]
    fast = fast_url_match(plain)
    assert isinstance(fast.__self__, FastUrls)  # type: ignore[attr-defined]
    strings = _affix_strings(seed=3) + ["https://github.com/a/b", "www.example.org", "example.com/x?y",
                                        "10.0.0.1", "8.8.8.8:80", "user@host.io", "localhost", "http://x"]
    for s in strings:
        assert _span(fast(s)) == _span(plain.match(s)), repr(s)
    assert fast_url_match(re.compile(r"a?[bc]")) == re.compile(r"a?[bc]").match  # nothing certain
    assert fast_url_match(re.compile(r"a?b")).__self__._required == ("b",)  # type: ignore[attr-defined]
    assert fast_url_match(re.compile(r"x\.y", re.I)) == re.compile(r"x\.y", re.I).match
