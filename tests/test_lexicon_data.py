"""Checks on the curated entity lexicon shipped in ``extract/data/lexicon.jsonl``.

Each line is one JSON object::

    {"label": "...", "type": "benchmark|dataset|model|method", "aliases": [...]}

with an optional ``"ambiguous": true`` for entries whose label or an alias is also an
ordinary English word or name.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

LEXICON = Path(__file__).parents[1] / "extract" / "data" / "lexicon.jsonl"
TYPES = {"benchmark", "dataset", "model", "method"}
REQUIRED_KEYS = {"label", "type", "aliases"}
OPTIONAL_KEYS = {"ambiguous"}
MIN_ENTRIES = 1000

_DASHES = re.compile(r"[-\u2010\u2011\u2012\u2013\u2014]")


def norm(text: str) -> str:
    """Casefold, turn hyphens (and dash variants) into spaces, collapse whitespace."""
    return " ".join(_DASHES.sub(" ", text.casefold()).split())


def _load() -> list[dict[str, Any]]:
    raw = LEXICON.read_bytes()
    text = raw.decode("utf-8")  # must be valid UTF-8
    entries = []
    for lineno, line in enumerate(text.splitlines(), 1):
        assert line.strip(), f"line {lineno}: blank line"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:  # pragma: no cover - failure path
            pytest.fail(f"line {lineno}: invalid JSON: {exc}")
        assert isinstance(obj, dict), f"line {lineno}: not a JSON object"
        entries.append(obj)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    assert LEXICON.is_file(), f"missing {LEXICON}"
    return _load()


@pytest.fixture(scope="module")
def index(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Normalised surface form (label or alias) -> entry."""
    out: dict[str, dict[str, Any]] = {}
    for entry in entries:
        for form in [entry["label"], *entry["aliases"]]:
            out.setdefault(norm(form), entry)
    return out


def lookup(index: dict[str, dict[str, Any]], surface: str) -> dict[str, Any]:
    entry = index.get(norm(surface))
    assert entry is not None, f"{surface!r} not in lexicon"
    return entry


def test_file_ends_with_newline() -> None:
    assert LEXICON.read_bytes().endswith(b"\n")


def test_keys_are_exactly_the_allowed_ones(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        keys = set(entry)
        assert REQUIRED_KEYS <= keys, f"missing keys in {entry}"
        assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, f"unexpected keys in {entry}"
        if "ambiguous" in entry:
            assert entry["ambiguous"] is True, f"'ambiguous' must be true when present: {entry}"


def test_field_values(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        label = entry["label"]
        assert isinstance(label, str) and label.strip(), f"empty label: {entry}"
        assert label == label.strip(), f"label has outer whitespace: {entry}"
        assert entry["type"] in TYPES, f"bad type: {entry}"
        aliases = entry["aliases"]
        assert isinstance(aliases, list), f"aliases must be a list: {entry}"
        for alias in aliases:
            assert isinstance(alias, str) and alias.strip(), f"empty alias: {entry}"
            assert alias == alias.strip(), f"alias has outer whitespace: {entry}"


def test_enough_entries(entries: list[dict[str, Any]]) -> None:
    assert len(entries) >= MIN_ENTRIES
    counts = {t: sum(e["type"] == t for e in entries) for t in TYPES}
    assert all(counts.values()), f"every type should be represented: {counts}"


def test_sorted_by_type_then_label(entries: list[dict[str, Any]]) -> None:
    keys = [(e["type"], e["label"].casefold()) for e in entries]
    assert keys == sorted(keys)


def own_norm(entry: dict[str, Any], form: str) -> str:
    """:func:`norm` within one entry; an ambiguous entry's forms match only with their exact
    capitalisation, so its case variants ("Retrieval-Augmented Generation" beside
    "retrieval-augmented generation") are forms of their own."""
    return " ".join(_DASHES.sub(" ", form).split()) if entry.get("ambiguous") else norm(form)


def test_no_alias_equal_to_own_label(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        label = own_norm(entry, entry["label"])
        for alias in entry["aliases"]:
            assert own_norm(entry, alias) != label, f"alias {alias!r} repeats label of {entry['label']!r}"


def test_no_duplicate_alias_within_entry(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        normed = [own_norm(entry, a) for a in entry["aliases"]]
        assert len(normed) == len(set(normed)), f"duplicate aliases in {entry['label']!r}"


def test_no_surface_form_shared_by_two_entries(entries: list[dict[str, Any]]) -> None:
    owners: dict[str, set[int]] = defaultdict(set)
    for i, entry in enumerate(entries):
        for form in [entry["label"], *entry["aliases"]]:
            owners[norm(form)].add(i)
    shared = {
        form: sorted(entries[i]["label"] for i in ids)
        for form, ids in owners.items()
        if len(ids) > 1
    }
    assert not shared, f"surface forms owned by several entries: {shared}"


def test_no_two_labels_share_an_entity_key(entries: list[dict[str, Any]]) -> None:
    # the loader keys entries by entity_key(label) and a later entry with an earlier one's
    # key replaces it: "VITS" (key "vit", singular) silently replaced "ViT"
    from extract.normalize import entity_key

    owners: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        owners[entity_key(entry["label"])].append(entry["label"])
    shared = {key: labels for key, labels in owners.items() if len(labels) > 1}
    assert not shared, f"labels with the same entity key: {shared}"


def test_vit_is_the_vision_transformer() -> None:
    from extract.lexicon import load_lexicon
    from extract.normalize import entity_key

    lex = load_lexicon()
    vit = lex.entry_for_key(entity_key("ViT"))
    assert vit is not None and vit.label == "ViT" and vit.type == "model"
    snips = lex.entry_for_key(entity_key("SNIPS"))
    assert snips is not None and snips.type == "dataset"


@pytest.mark.parametrize(
    ("surface", "etype"),
    [
        ("WebArena", "benchmark"),
        ("VisualWebArena", "benchmark"),
        ("MMLU", "benchmark"),
        ("GSM8K", "benchmark"),
        ("HumanEval", "benchmark"),
        ("SWE-bench", "benchmark"),
        ("GPT-4", "model"),
        ("GPT-4o", "model"),
        ("BLOOMZ", "model"),
        ("mT0", "model"),
        ("Llama 2", "model"),
        ("Llama 3", "model"),
        ("ResNet-50", "model"),
        ("xP3", "dataset"),
        ("ImageNet", "dataset"),
        ("MS COCO", "dataset"),
        ("SQuAD", "dataset"),
        ("LoRA", "method"),
        ("RLHF", "method"),
        ("DPO", "method"),
        ("Transformer", "method"),
        ("U-Net", "method"),
        ("Leeds Sports Pose", "dataset"),
        ("IJB-A", "benchmark"),
        ("J-HMDB", "dataset"),
        ("Yahoo Answers", "dataset"),
        ("ATIS", "dataset"),
        ("IWSLT14", "benchmark"),
        # quality6: classic datasets of face alignment/expression, re-ID, retrieval, MT
        ("300-W", "dataset"),
        ("AFEW", "dataset"),
        ("VIPeR", "dataset"),
        ("NUS-WIDE", "dataset"),
        ("newstest2014", "dataset"),
        ("WordSim-353", "dataset"),
        ("TRECVID", "benchmark"),
        # quality6: classic optimisation, vision and metric-learning methods
        ("adversarial loss", "method"),
        ("ADMM", "method"),
        ("Hough transform", "method"),
        ("KISSME", "method"),
        ("SPP-net", "model"),
        ("dynamic time warping", "method"),
        ("Granger causality", "method"),
        ("Wide Residual Network", "model"),
        ("L1 regularization", "method"),
        ("depth-wise convolution", "method"),
        ("point-wise convolution", "method"),
        # lexicon-modern: 2023-2026 benchmarks, data, models and post-training methods
        ("GPQA Diamond", "benchmark"),
        ("AIME 2025", "benchmark"),
        ("Terminal-Bench", "benchmark"),
        ("DPG-Bench", "benchmark"),
        ("VSI-Bench", "benchmark"),
        ("FineWeb2", "dataset"),
        ("OpenThoughts", "dataset"),
        ("Llama 4 Scout", "model"),
        ("Wan 2.2", "model"),
        ("DAPO", "method"),
        ("GSPO", "method"),
        ("multi-token prediction", "method"),
        ("Claude Sonnet 4.5", "model"),
        ("Gemini 3 Pro", "model"),
        ("Seedream 3.0", "model"),
        ("Stack-Edu", "dataset"),
        ("SWE-Lancer", "benchmark"),
        ("warmup-stable-decay", "method"),
        ("negative preference optimization", "method"),
        ("3DMatch", "dataset"),
        ("Terra Incognita", "dataset"),
        ("USAMO", "benchmark"),
        ("SWE-bench Pro", "benchmark"),
        ("LLaVA-665K", "dataset"),
        ("Koala-36M", "dataset"),
        ("verl", "method"),
        ("InternVL3", "model"),
        ("SGLang", "method"),
    ],
)
def test_well_known_entries(index: dict[str, dict[str, Any]], surface: str, etype: str) -> None:
    assert lookup(index, surface)["type"] == etype


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("WebArena", "VisualWebArena"),
        ("GPT-4", "GPT-4o"),
        ("GPT-4", "GPT-4V"),
        ("Llama 2", "Llama 3"),
        ("BLOOM", "BLOOMZ"),
        ("mT5", "mT0"),
        ("Stable Diffusion", "SDXL"),
        ("GPQA", "GPQA Diamond"),
        ("Gemini 3", "Gemini 3 Pro"),
        ("Wan 2.1", "Wan 2.2"),
        ("Seedream", "Seedream 4.0"),
        ("Llama 4", "Llama 4 Scout"),
    ],
)
def test_versions_and_variants_are_distinct(
    index: dict[str, dict[str, Any]], first: str, second: str
) -> None:
    assert lookup(index, first) is not lookup(index, second)


def test_rlhf_is_alias_of_long_form(index: dict[str, dict[str, Any]]) -> None:
    entry = lookup(index, "reinforcement learning from human feedback")
    assert entry["type"] == "method"
    assert "RLHF" in entry["aliases"]


@pytest.mark.parametrize(
    "surface",
    [
        "Gemini",
        "Claude",
        "Falcon",
        "Mistral",
        "Alpaca",
        "Vicuna",
        "Phi",
        "Whisper",
        "Sora",
        "Flamingo",
        "Chinchilla",
        "Gopher",
        "Pile",
        "MATH",
        "ARC",
        "Adam",
        "BLOOM",
        "Orca",
        "Kinetics",
        "Places",
        "Terra Incognita",
        "Stable Audio",
        "Common Pile",
    ],
)
def test_common_word_names_are_flagged_ambiguous(
    index: dict[str, dict[str, Any]], surface: str
) -> None:
    assert lookup(index, surface).get("ambiguous") is True


def test_names_that_are_ordinary_word_sequences_need_their_capitalisation() -> None:
    from extract.pipeline import make_pipeline

    doc = make_pipeline()("We apply a softmax, then the agents go explore and do not answer. "
                          "SphereFace uses A-Softmax.")
    assert {s.kb_id_ for s in doc.spans["kg"] if s.text == "A-Softmax"} == {"sphereface"}
    assert not any(s.text.lower() in {"a softmax", "go explore", "do not answer"} for s in doc.spans["kg"])


def test_scores_the_verb_keeps_the_model_and_a_metric_named_after_one_is_no_model() -> None:
    from extract.pipeline import make_pipeline

    doc = make_pipeline()("We study it. Llama 3 scores 45.1% on MMLU and Mistral 7B scores higher. "
                          "The Inception scores of the samples rise.")
    found = {s.text for s in doc.spans["kg"]}
    assert {"Llama 3", "Mistral 7B", "MMLU"} <= found
    assert "Inception" not in found


def test_title_case_and_curly_apostrophe_forms() -> None:
    from extract.pipeline import make_pipeline

    doc = make_pipeline()("We combine Retrieval-Augmented Generation with Chain-of-Thought reasoning "
                          "and test on Humanity’s Last Exam, where Claude 4 and Gemini 3 Pro lead.")
    found = {(s.text, s.label_) for s in doc.spans["kg"]}
    assert {("Retrieval-Augmented Generation", "method"), ("Chain-of-Thought", "method"),
            ("Humanity’s Last Exam", "benchmark"), ("Claude 4", "model"),
            ("Gemini 3 Pro", "model")} <= found


def test_llama_written_with_one_capital_is_llama_and_keeps_its_versions() -> None:
    from extract.pipeline import make_pipeline

    doc = make_pipeline()("We fine-tune Llama-7b, Llama 2 and Llama-3.1-8B-Instruct; the llama is an animal.")
    found = {(s.text, s.kb_id_) for s in doc.spans["kg"]}
    assert {("Llama-7b", "llama"), ("Llama 2", "llama 2"), ("Llama-3.1-8B-Instruct", "llama 3.1")} <= found
    assert not any(text == "llama" for text, _ in found)


def test_compare_the_verb_after_a_list_of_models_is_no_technique() -> None:
    from extract.pipeline import make_pipeline

    doc = make_pipeline()("We fine-tune Mistral 7B and Llama 2 and compare with other baselines.")
    assert {s.text for s in doc.spans["kg"]} == {"Mistral 7B", "Llama 2"}


def test_number_formats_and_accelerators_are_no_names() -> None:
    from extract.pipeline import make_pipeline

    doc = make_pipeline()("We quantize weights to MXFP4 and NVFP4 or use W4A16 and W8A8 on TPUv4, "
                          "MI300X and Gaudi2 chips and Ascend NPUs.")
    assert not list(doc.spans["kg"])


def test_editions_and_numbered_releases_are_entities_of_their_own() -> None:
    """A year's edition of a benchmark or a numbered release is not its family (review of
    the lexicon-modern additions: they had been folded into one entity)."""
    from extract.pipeline import make_pipeline

    nlp = make_pipeline()
    doc = nlp("We report AIME 2024, AIME 2025 and AIME, HMMT 2025, Zamba2 and Zamba, "
              "Moondream2, OASST2 and OASST1.")
    ids = {s.text: s.kb_id_ for s in doc.spans["kg"]}
    assert len({ids["AIME 2024"], ids["AIME 2025"], ids["AIME"]}) == 3
    assert ids["Zamba2"] != ids["Zamba"] and ids["OASST2"] != ids["OASST1"]
    assert "HMMT 2025" in ids and "Moondream2" in ids


def test_common_words_and_acronyms_of_other_fields_are_no_lexicon_names() -> None:
    from extract.pipeline import make_pipeline

    nlp = make_pipeline()
    assert not nlp("The field gains momentum as models grow.").spans["kg"]
    doc = nlp("Sentence boundary detection (SBD) is hard. We use ICDAR 2017 RCTW.")
    assert all(s.label_ not in {"dataset", "benchmark"} or "RCTW" in s.text for s in doc.spans["kg"])
    assert not any(s.kb_id_ == "semantic boundaries dataset" for s in doc.spans["kg"])
