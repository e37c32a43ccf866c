"""The extraction components, each pinned on small hand-written examples."""

from __future__ import annotations

import gc
import json
from dataclasses import replace
from pathlib import Path

import pytest

from extract.abbreviations import best_long_form
from extract.lexicon import LexEntry, Lexicon, read_lexicon
from extract.normalize import entity_key
from extract.pipeline import make_pipeline
from extract.resolve import entity_id, resolve
from kg.errors import InputError
from kg.records import Paper

MINI = [
    {"label": "WebArena", "type": "benchmark", "aliases": []},
    {"label": "VisualWebArena", "type": "benchmark", "aliases": ["VWA"]},
    {"label": "GPT-4", "type": "model", "aliases": []},
    {"label": "GPT-4o", "type": "model", "aliases": []},
    {"label": "Llama 2", "type": "model", "aliases": ["LLaMA-2"]},
    {"label": "reinforcement learning from human feedback", "type": "method", "aliases": ["RLHF"]},
    {"label": "Gemini", "type": "model", "aliases": [], "ambiguous": True},
]


@pytest.fixture(scope="module")
def nlp(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("lex") / "mini.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in MINI), encoding="utf-8")
    return make_pipeline([path], use_default_lexicon=False)


def spans(nlp, text: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    doc = nlp(text)
    return [(s.text, s.label_, s.id_) for s in doc.spans["kg"]]


@pytest.mark.parametrize(
    ("a", "b"),
    [("Vision Transformers", "vision-transformer"), ("LLMs", "LLM"), ("diffusion models", "Diffusion Model"),
     ("Llama 2", "LLaMA-2")],
)
def test_key_merges_variants(a: str, b: str) -> None:
    assert entity_key(a) == entity_key(b)


@pytest.mark.parametrize(("a", "b"), [("GPT-4", "GPT-4o"), ("WebArena", "VisualWebArena"),
                                      ("Llama 2", "Llama 3"), ("CIFAR-10", "CIFAR-100")])
def test_key_keeps_versions_apart(a: str, b: str) -> None:
    assert entity_key(a) != entity_key(b)


def test_lexicon_longest_match_and_versions(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We compare GPT-4o with GPT-4 on WebArena and VisualWebArena.")
    assert ("GPT-4o", "model", "lexicon") in found
    assert ("GPT-4", "model", "lexicon") in found
    assert ("WebArena", "benchmark", "lexicon") in found
    assert ("VisualWebArena", "benchmark", "lexicon") in found


def test_size_suffix_keeps_family_but_new_version_is_new(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("We fine-tune Llama-2-7B and GPT-4-Turbo.")
    got = {s.text: (s.kb_id_, s.id_) for s in doc.spans["kg"]}
    assert got["Llama-2-7B"] == (entity_key("Llama 2"), "lexicon")
    assert got["GPT-4-Turbo"][0] == entity_key("GPT-4 Turbo")


def test_ambiguous_entries_need_their_capitalisation(nlp) -> None:  # type: ignore[no-untyped-def]
    assert [t for t, *_ in spans(nlp, "a gemini of ideas")] == []
    assert ("Gemini", "model", "lexicon") in spans(nlp, "We evaluate Gemini.")


def test_acronym_is_case_sensitive(nlp) -> None:  # type: ignore[no-untyped-def]
    assert spans(nlp, "the rlhf stage") == []


def test_abbreviation_links_long_and_short_form(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("We use Motion Curriculum Learning (MCL). Later, MCL improves results.")
    keys = {s.text: s.kb_id_ for s in doc.spans["kg"]}
    assert keys["Motion Curriculum Learning"] == keys["MCL"] == "motion curriculum learning"
    assert sum(1 for s in doc.spans["kg"] if s.text == "MCL") == 2


def test_generic_abbreviation_is_not_an_entity(nlp) -> None:  # type: ignore[no-untyped-def]
    assert spans(nlp, "Large language models (LLMs) are popular.") == []


def test_schwartz_hearst() -> None:
    assert best_long_form("DPO", "we use direct preference optimization".split()) == 3
    assert best_long_form("XYZ", "nothing matches here".split()) is None


def test_context_rules_type_unknown_names(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We introduce FooBench, a benchmark for agents, and the Zeta Corpus dataset. "
                       "Models such as Blorp-3 and Quux-7B are fine-tuned.")
    assert ("FooBench", "benchmark", "context") in found
    assert ("Zeta Corpus", "dataset", "context:head") in found
    assert ("Blorp-3", "model", "context:list") in found  # listed after "Models such as"
    assert any(t == "Quux-7B" and typ == "model" for t, typ, _ in found)


def test_technique_noun_phrases(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, typ, _ in spans(nlp, "We apply Monte Carlo tree search, rectified flow and "
                                             "instruction tuning to a novel learning setup.")}
    assert {"Monte Carlo tree search", "rectified flow", "instruction tuning"} <= found
    assert not any("apply" in t for t in found)


def test_user_lexicon_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "X", "type": "benchmark"}\n{"label": "Y", "type": "thing"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: .*thing"):
        read_lexicon(bad)


def test_lexicon_index() -> None:
    lex = Lexicon([LexEntry("Monte Carlo tree search", "method", ("MCTS",))])
    assert lex.match(["Monte", "Carlo", "tree", "searches"], 0) == (0, 4)
    assert lex.match(["MCTS"], 0) == (0, 1)
    assert lex.match(["mcts"], 0) is None


def test_corpus_resolution_of_bare_acronyms(nlp) -> None:  # type: ignore[no-untyped-def]
    from extract.pipeline import extract_papers

    papers = [
        Paper("title:a", "Paper A", "We propose Zeta Policy Optimization (ZPO) for agents."),
        Paper("title:b", "Paper B", "We compare against ZPO and XQW on tasks."),
    ]
    raw = [m for ms in extract_papers(papers, nlp=nlp) for m in ms]
    mentions, entities = resolve(raw)
    by_paper = {(m.paper_id, m.text): m.entity for m in mentions}
    assert by_paper[("title:b", "ZPO")] == by_paper[("title:a", "Zeta Policy Optimization")]
    assert ("title:b", "XQW") not in by_paper  # undefined acronym dropped
    ent = {e.id: e for e in entities}[by_paper[("title:b", "ZPO")]]
    assert ent.label == "Zeta Policy Optimization" and "ZPO" in ent.aliases
    assert ent.paper_count == 2


def test_two_letter_acronyms_are_not_resolved_across_papers(nlp) -> None:  # type: ignore[no-untyped-def]
    from extract.pipeline import extract_papers

    papers = [
        Paper("title:a", "Paper A", "We propose Zeta Policy Optimization (ZPO) and Quorb Tuning (QT)."),
        Paper("title:b", "Paper B", "We compare against ZPO and QT on tasks."),
    ]
    raw = [m for ms in extract_papers(papers, nlp=nlp) for m in ms]
    mentions, _ = resolve(raw)
    by_paper = {(m.paper_id, m.text) for m in mentions}
    assert ("title:b", "ZPO") in by_paper and ("title:a", "QT") in by_paper
    assert ("title:b", "QT") not in by_paper


def test_mention_offsets_and_evidence(nlp) -> None:  # type: ignore[no-untyped-def]
    from extract.pipeline import extract_papers

    p = Paper("title:x", "GPT-4o on WebArena", "First sentence. We test GPT-4 on VisualWebArena here.")
    ms = next(extract_papers([p], nlp=nlp))
    for m in ms:
        text = p.text(m.field)
        assert text[m.start:m.end] == m.text
        assert m.sent_start <= m.start < m.end <= m.sent_end
    m = next(m for m in ms if m.text == "GPT-4")
    assert p.abstract[m.sent_start:m.sent_end].startswith("We test GPT-4")
    assert {m.field for m in ms} == {"title", "abstract"}


def test_entity_ids_are_stable_and_distinct() -> None:
    assert entity_id("model", "gpt 4o") == "model/gpt-4o"
    assert entity_id("model", "gpt 4") != entity_id("model", "gpt 4o")
    assert entity_id("method", "α entmax") == entity_id("method", "α entmax")


def test_parallel_extraction_matches_serial(tmp_path: Path) -> None:
    from extract.pipeline import extract_papers

    lex = tmp_path / "mini.jsonl"
    lex.write_text("".join(json.dumps(e) + "\n" for e in MINI), encoding="utf-8")
    papers = [Paper(f"title:{i}", f"Paper {i}", f"We run GPT-4o on WebArena with method M{i}Net.")
              for i in range(40)]
    serial = list(extract_papers(papers, lexicon_paths=[lex]))
    parallel_iter = extract_papers(papers, lexicon_paths=[lex], workers=2, chunk_size=8)
    parallel = [next(parallel_iter)]
    # while forked workers run, the parent's objects are frozen (the workers' garbage
    # collector would otherwise copy every page of them); unfrozen once the pool is gone
    assert gc.get_freeze_count() > 0
    parallel += list(parallel_iter)
    assert gc.get_freeze_count() == 0
    assert serial == parallel
    # a caller's own frozen objects stay frozen
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert list(extract_papers(papers[:10], lexicon_paths=[lex], workers=2)) == serial[:10]
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_auto_workers_uses_one_process_for_small_corpora() -> None:
    import os

    from extract.pipeline import AUTO_WORKERS_MIN_PAPERS, auto_workers

    assert auto_workers(0) == auto_workers(AUTO_WORKERS_MIN_PAPERS - 1) == 1
    assert auto_workers(AUTO_WORKERS_MIN_PAPERS) == len(os.sched_getaffinity(0))


def test_pipeline_round_trips_through_disk(tmp_path: Path) -> None:
    lex = tmp_path / "extra.jsonl"
    lex.write_text('{"label": "ZorbNet", "type": "model", "aliases": ["Zorb Network"]}\n')
    from tests.conftest import run_kg

    proc = run_kg("pipeline", str(tmp_path / "pipe"), "--lexicon", str(lex))
    assert proc.returncode == 0, proc.stderr
    nlp = make_pipeline(pipeline_dir=tmp_path / "pipe")
    doc = nlp("We fine-tune the Zorb Network and Llama-2-7B with RLHF.")
    assert [(s.text, s.label_) for s in doc.spans["kg"]] == [
        ("Zorb Network", "model"), ("Llama-2-7B", "model"), ("RLHF", "method")]
    with pytest.raises(InputError):
        make_pipeline(pipeline_dir=tmp_path / "missing")


def test_multiword_coined_names_and_lists(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "T\n\nWe evaluate on the Financial PhraseBank and Reuters TRC-2.")
    assert ("Financial PhraseBank", "dataset", "context") in found
    assert ("Reuters TRC-2", "dataset", "context") in found


@pytest.fixture(scope="module")
def full():  # type: ignore[no-untyped-def]
    """The default pipeline with the shipped lexicon."""
    return make_pipeline()


def test_cited_acronym_names_prior_work(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "Unlike SNOP [12] and GRAX (Smith et al., 2019), we use QWZ.")
    assert ("SNOP", "method", "citation") in found
    assert ("GRAX", "method", "citation") in found
    assert ("QWZ", "method", "bare-acronym") in found  # uncited: left for the corpus resolver


def test_size_written_apart_keeps_the_family(full) -> None:  # type: ignore[no-untyped-def]
    doc = full("We compare BERT BASE and BERT large with Llama-2-70b base models.")
    got = {s.text: (s.label_, s.kb_id_) for s in doc.spans["kg"]}
    assert got["BERT BASE"] == ("model", "bert") and got["BERT large"] == ("model", "bert")
    assert "Llama-2-70b" in got  # a size is never added twice


def test_technique_named_after_a_model(full) -> None:  # type: ignore[no-untyped-def]
    found = spans(full, "We use GloVe embeddings, BERT distillation and an LSTM encoder-decoder.")
    assert {("GloVe embeddings", "method"), ("BERT distillation", "method"),
            ("LSTM encoder-decoder", "method")} <= {(t, typ) for t, typ, _ in found}


def test_loss_named_after_a_technique(full) -> None:  # type: ignore[no-untyped-def]
    doc = full("We add an MMD loss and a VGG loss to the objective.")
    got = {s.text: (s.label_, s.kb_id_) for s in doc.spans["kg"]}
    assert got["VGG loss"] == ("method", "vgg loss")  # a loss built on a model: an entity of its own
    assert got["MMD loss"] == ("method", "maximum mean discrepancy")  # a technique used as the loss


def test_activation_or_operation_is_the_technique(full) -> None:  # type: ignore[no-untyped-def]
    doc = full("Each layer uses a ReLU activation, then a max pooling operation.")
    got = {s.text: s.kb_id_ for s in doc.spans["kg"]}
    bare_doc = full("Each layer uses ReLU, then max pooling.")
    bare = {s.kb_id_ for s in bare_doc.spans["kg"]}
    assert got["ReLU activation"] in bare and got["max pooling operation"] in bare


def test_momentum_only_beside_optimisation_words(full) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(full, "We train with SGD with momentum 0.9.")}
    assert ("momentum", "method") in found
    found = {(t, typ) for t, typ, _ in spans(full, "Momentum and weight decay are tuned.")}
    assert ("Momentum", "method") in found
    assert not any(t.lower() == "momentum" for t, *_ in spans(full, "The idea gains momentum in physics."))
    assert "momentum" not in {t for t, *_ in spans(full, "We use Nesterov momentum for optimization.")}


def test_setting_heads_make_no_technique_phrase(full) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(full, "We study feature representation learning, global context modeling, "
                                        "post processing optimization and the network receptive field.")}
    assert not found & {"feature representation learning", "global context modeling",
                        "post processing optimization", "network receptive field"}
    found = {t for t, *_ in spans(full, "We propose Motion Curriculum Learning with a gated fusion layer.")}
    assert {"Motion Curriculum Learning", "gated fusion layer"} <= found  # coined names, other heads


def test_hardware_units_and_colour_spaces_are_no_entities(full) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(full, "Training takes 3 days on a GeForce GTX TitanX at 1.5 GHz; images "
                                        "are converted to YCbCr and CIELab before the ResNet.")}
    assert found == {"ResNet"}


def test_dimension_or_adjective_before_architecture(full) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(full, "We train 2D CNNs, a linear SVM, temporal deconvolution and "
                                        "3D convolutions, then a pretrained BERT.")}
    assert {"2D CNNs", "linear SVM", "temporal deconvolution", "3D convolutions", "BERT"} <= found
    assert "pretrained BERT" not in found


def test_defined_long_form_with_unknown_head(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We apply Multidimensional Scaling (MDS) to whole slide images (WSI) "
                       "with No adjustment (NA).")
    assert ("Multidimensional Scaling", "method", "abbreviation") in found
    assert ("MDS", "method", "abbreviation") in found
    assert not any(t in {"whole slide images", "No adjustment"} for t, *_ in found)


def test_technique_phrase_boundaries(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We tune the cyclic warmup learning rate, use approaches for "
                                       "learning contextual word embeddings, tri-axial self-attention and a "
                                       "densely connected network with M convolutions.")}
    assert not any("learning" in t for t in found)  # "learning rate"; a gerund after "for"
    assert {"contextual word embeddings", "tri-axial self-attention", "densely connected network"} <= found
    assert "M convolutions" not in found


def test_hyperparameter_value_is_no_edition(full) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(full, "We set weight decay 0.0005 and report PASCAL VOC 2012.")}
    assert {"weight decay", "PASCAL VOC 2012"} <= found


def test_title_case_names(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "T\n\nWe introduce a new simple method, Model Breadcrumbs, which merges models. "
                       "We also introduce Task Specified Instruction Modulation. We evaluate on Natural "
                       "Language Processing tasks, as New York University did with Fully Contained Events.")
    assert ("Model Breadcrumbs", "method", "context") in found
    assert ("Task Specified Instruction Modulation", "method", "title-case") in found
    assert not any(w in t for t, *_ in found for w in ("Processing", "University", "Events"))


def test_coined_name_owns_architecture_word_and_hyphenated_acronym(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We introduce the MotionFlow Transformer. Our method RT-H "
                                       "builds an action hierarchy.")}
    assert {"MotionFlow Transformer", "RT-H"} <= found


def test_dataset_long_forms_and_capitalised_corpus_heads(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We evaluate on the Foo Bar Corpus of Reviews (FBCR) and the Baz Corpus. "
                       "FBCR is large.")
    assert ("Foo Bar Corpus of Reviews", "dataset", "abbreviation") in found
    assert ("FBCR", "dataset", "abbreviation") in found
    assert ("Baz Corpus", "dataset", "context:head") in found


def test_names_in_a_list_take_the_plural_head(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We train on the QWX [51] and ZRB [62] datasets and test on MUTAZ, NCQ1 and "
                       "PROTZ benchmarks. We use XYZ and ABC, and datasets.")
    assert {("QWX", "dataset"), ("ZRB", "dataset"), ("MUTAZ", "benchmark"), ("NCQ1", "benchmark"),
            ("PROTZ", "benchmark")} <= {(t, typ) for t, typ, _ in found}
    assert not any(t in {"XYZ", "ABC"} and typ == "dataset" for t, typ, _ in found)


def test_long_form_drops_words_before_a_capitalised_name(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "A model to predict Temporal Flow Fields (TTF) is used.")
    assert ("Temporal Flow Fields", "method", "abbreviation") in found


def test_words_between_a_dataset_and_its_head_name_a_part(full) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(full, "We use the COCO segmentation dataset, the FiQA Task 1 "
                                                   "sentiment scoring dataset, the ImageNet validation "
                                                   "dataset and the ImageNet and COCO datasets.")}
    assert {("COCO segmentation", "dataset"), ("FiQA Task 1 sentiment scoring", "dataset"),
            ("ImageNet", "dataset"), ("COCO", "dataset")} <= found
    assert not any(t.startswith("ImageNet ") for t, _ in found)
    found = {t for t, *_ in spans(full, "We test on the MNIST handwritten digit dataset.")}
    assert "MNIST" in found


def test_dataset_name_in_lowercase_before_its_head(full) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(full, "We pre-train on the kinetics dataset, then check the "
                                                   "kinetics of charades.")}
    assert ("kinetics", "dataset") in found
    assert not any(t == "charades" for t, _ in found)
    # a name that is also an ordinary word ("APPS", an ambiguous entry) is that word in
    # lowercase, head noun or not
    found = {t.lower() for t, *_ in spans(full, "MoTIF is a more realistic app dataset, and the "
                                                "math benchmark is harder.")}
    assert not found & {"app", "apps", "math"}


def test_camelcase_names_with_one_capital(full) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(full, "We train a Resnet-18 with Adagrad and compare with GloVe.")}
    assert {"Resnet-18", "Adagrad", "GloVe"} <= found
    assert not any(t == "Glove" for t in {t for t, *_ in spans(full, "Glove sizes vary.")})


def test_cited_hyphen_names(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "Methods involved are Detect-and-Track [21] and Dilated-Net [37], unlike "
                       "Well-Known methods.")
    assert ("Detect-and-Track", "method", "citation") in found
    assert "Dilated-Net" in {t for t, *_ in found}
    assert "Well-Known" not in {t for t, *_ in found}


def test_glued_size_and_research_questions(full) -> None:  # type: ignore[no-untyped-def]
    doc = full("To answer RQ1, we distil its teacher BERTBASE into a student.")
    got = {s.text: (s.label_, s.kb_id_) for s in doc.spans["kg"]}
    assert got.get("BERTBASE") == ("model", "bert")
    assert "RQ1" not in got


def test_metric_names_and_year_editions(full) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(full, "We get an Inception score of 9.4 on the LSVRC-2010 "
                                                   "contest with residual nets and a Zorg-7B model, using "
                                                   "a recently-developed regularization method.")}
    assert not any(t.startswith("Inception") for t, _ in found)
    assert "reward model" in {t for t, *_ in spans(full, "The reward model scores each response.")}
    assert {("LSVRC-2010", "dataset"), ("residual nets", "model"), ("Zorg-7B", "model")} <= found
    assert not any("recently" in t for t, _ in found)


def test_long_form_whose_initials_spell_the_short_form(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "Proximal Policy Optimization (PPO) alternates between sampling and optimizing.")
    assert ("Proximal Policy Optimization", "method", "abbreviation") in found


def test_technique_head_before_a_dataset_head_is_no_technique(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We use the citation network datasets and a graph neural network.")}
    assert "citation network" not in found
    assert "graph neural network" in found


def test_coined_title_case_name_past_a_lexicon_method(full) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(full, "Our Global Convolution Network enlarges the field; we "
                                                   "use temporal convolution kernels and DPO-Zephyr-7B.")}
    # the longest technique phrase around the lexicon method wins: "temporal convolution kernels"
    assert {("Global Convolution Network", "method"), ("temporal convolution kernels", "method"),
            ("DPO-Zephyr-7B", "model")} <= found


def test_shorter_phrase_inside_a_lexicon_method_does_not_win(full) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(full, "We apply a depth-wise separable convolution after temporal "
                                        "convolutions.")}
    assert {"depth-wise separable convolution", "temporal convolutions"} <= found
    assert "separable convolution" not in found


def test_name_suffixes_and_training_contexts(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(nlp, "We collect GlimData and HuskyQA. We pre-train on FooBar, "
                                                  "then build on BarNet for training.")}
    assert {("GlimData", "dataset"), ("HuskyQA", "benchmark"), ("FooBar", "dataset")} <= found
    assert ("BarNet", "dataset") not in found


def test_title_case_run_ending_in_a_technique_phrase(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We present a Fast Region-based Convolutional Network method.")}
    assert "Fast Region-based Convolutional Network" in found


def test_dimension_makes_a_kind_of_architecture(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We initialise 3D networks from 2D residual networks (ResNets).")}
    assert {"3D networks", "2D residual networks", "ResNets"} <= found


def test_period_after_a_hyphenated_capital_ends_the_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We evaluate on the ClueWeb09-B. Then we stop.")}
    assert "ClueWeb09-B" in found


def test_method_name_used_as_a_task_is_no_method(full) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(full, "BERT is pre-trained on the MLM and NSP tasks, and solves the "
                                        "bipartite graph matching problem; we then apply masked language "
                                        "modeling to DMControl tasks.")}
    assert "MLM" not in found and "NSP" not in found
    assert "bipartite graph matching" not in found
    assert "masked language modeling" in found  # not followed by a task word
    assert "DMControl" in found  # a coined name before "tasks" is kept


def test_unknown_acronym_before_a_plural_method_head_is_a_field(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {(t, rule) for t, _, rule in spans(nlp, "We study ZQN systems and then propose the ZQR method.")}
    assert ("ZQN", "bare-acronym") in found  # dropped by the resolver unless some paper defines it
    assert ("ZQR", "context") in found


def test_verb_after_an_adverb_is_no_technique_modifier(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "Users reliably update machine learning models, the agent never "
                                       "stops learning, and spatially separable convolutions help.")}
    assert not any(t.startswith(("update", "stops")) for t in found)
    assert "spatially separable convolutions" in found


def test_capitalised_architecture_word_after_an_acronym_is_part_of_the_name(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We present PC Agent, an AI system, and a QZR Transformer.")}
    assert {"PC Agent", "QZR Transformer"} <= found


def test_a_lexicon_variant_keeps_its_entry_type_against_a_context_guess() -> None:
    from kg.records import Mention

    def m(start: int, text: str, typ: str, rule: str, conf: float) -> Mention:
        return Mention("p1", "abstract", start, start + len(text), text, typ, "fspascal", rule, conf,  # type: ignore[arg-type]
                       0, 100)

    # "fine-tuned on fs-PASCAL" (a variant of the PASCAL dataset) vs "the fsPASCAL model"
    _, ents = resolve([m(0, "fs-PASCAL", "dataset", "lexicon-variant", 0.8),
                       m(40, "fsPASCAL", "model", "context", 0.85)])
    assert [e.type for e in ents] == ["dataset"]


def test_dataset_context_beats_a_known_method_acronym(full) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(full, "Person search datasets including SSM and PRW are used. "
                                                   "We also train an SSM on text.")}
    assert ("SSM", "dataset") in found
    assert ("SSM", "method") in found  # elsewhere it stays the known method


def test_name_before_a_processor_word_is_hardware(full) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(full, "CornerNet needs ten Titan X (PASCAL) GPUs; we evaluate on "
                                        "PASCAL VOC.")}
    assert "PASCAL" not in found
    assert any(t.startswith("PASCAL VOC") for t in found)


def test_a_papers_own_definition_beats_the_lexicon_expansion(full) -> None:  # type: ignore[no-untyped-def]
    doc = full("We study Complex Task Completion (CTC). CTC needs planning. In the CTC framework, we plan.")
    assert not any(s.text == "CTC" for s in doc.spans["kg"])
    doc = full("We train with connectionist temporal classification (CTC). CTC aligns frames.")
    assert {s.kb_id_ for s in doc.spans["kg"] if s.text in {"CTC", "CTC loss"}} \
        == {"connectionist temporal classification"}
    doc = full("It has two steps: TD (Task-specific Distillation) and GD. On MNLI, TD learning helps.")
    assert not any(s.kb_id_ == "temporal difference learning" for s in doc.spans["kg"])
    doc = full("We train a speech model with a CTC loss.")
    assert {s.kb_id_ for s in doc.spans["kg"] if s.text in {"CTC", "CTC loss"}} \
        == {"connectionist temporal classification"}


def test_a_type_noun_before_a_long_form_states_its_type(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We introduce a new dataset Mobile app Tasks with Iterative Feedback (MoTIF). "
                       "MoTIF is large.")
    assert ("Mobile app Tasks with Iterative Feedback", "dataset", "abbreviation") in found
    assert ("MoTIF", "dataset", "abbreviation") in found


def test_generic_classes_with_acronyms_are_no_entities(nlp) -> None:  # type: ignore[no-untyped-def]
    assert spans(nlp, "Language model agents (LMA) emerged as a paradigm. We show that LMA fail, and "
                      "prompted LMAs (such as GPT-4) too.") == [("GPT-4", "model", "lexicon")]
    assert spans(nlp, "The deployment of Large Language Models-LLMs in many sectors.") == []
    assert spans(nlp, "We modulate the information flow of the frozen model.") == []


def test_a_count_suffix_names_a_dataset(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(nlp, "We report results with QRT-3K, FSS-1000 and Blorp-2.")}
    assert {("QRT-3K", "dataset"), ("FSS-1000", "dataset"), ("Blorp-2", "model")} <= found


def test_names_listed_after_a_plural_head_or_a_naming_verb(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(nlp, "We evaluate on three datasets: Blarg, Frobnik News [4], "
                                                   "and WQX-2. We use benchmarks such as the Long Frob "
                                                   "Arena. We collect a new dataset, named Gorp.")}
    assert {("Blarg", "dataset"), ("Frobnik News", "dataset"), ("WQX-2", "dataset"),
            ("Long Frob Arena", "benchmark"), ("Gorp", "dataset")} <= found
    assert spans(nlp, "We use three datasets: the results are shown in Table 2.") == []
    found = {t for t, *_ in spans(nlp, "We use benchmarks such as Zorbo (Li et al., 2021), Frab [3] and "
                                       "Quux (which is small) and Blip.")}
    assert found == {"Zorbo", "Frab", "Quux"}
    found = {(t, typ) for t, typ, _ in spans(nlp, "Experiments on three datasets (Zorbo, Frab and QRT), two "
                                                   "benchmarks (e.g., Quux) and datasets (Tab. 1).")}
    assert found == {("Zorbo", "dataset"), ("Frab", "dataset"), ("QRT", "dataset"), ("Quux", "benchmark")}
    found = {(t, typ) for t, typ, _ in spans(nlp, "We compare with baselines such as Zorbo, Frab (Li et al., "
                                                   "2020) and models including Blip. Approaches such as "
                                                   "Bayesian optimization fail.")}
    assert {("Zorbo", "method"), ("Frab", "method"), ("Blip", "model")} <= found
    assert not any(t == "Bayesian" for t, _ in found)
    found = {(t, typ) for t, typ, _ in spans(nlp, "It beats baselines including Zorbo-2.5-7B and Quux.")}
    assert {("Zorbo-2.5-7B", "model"), ("Quux", "method")} <= found


def test_a_line_break_hyphen_inside_a_known_name(full) -> None:  # type: ignore[no-untyped-def]
    found = {(t, typ) for t, typ, _ in spans(full, "We use Vi-sualGenome, PAS-CAL and Ima-geNet features "
                                                   "for Cross-Task Generalization.")}
    assert {("Vi-sualGenome", "dataset"), ("PAS-CAL", "dataset"), ("Ima-geNet", "dataset")} <= found
    assert not any(t == "Cross-Task" for t, _ in found)


def test_a_shot_count_is_no_version_of_the_name(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "Results of OSLSM-1 shot and Guided Network-5 shot, and Blorp-2.")}
    assert {"OSLSM", "Guided Network", "Blorp-2"} <= found


def test_a_kind_before_a_type_head_is_no_name(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "Our LLM-based model beats Instruction-Tuned models on the "
                                       "Helpful-Harmless dataset and the Continual-World benchmark.")}
    assert found == {"Helpful-Harmless", "Continual-World"}


def test_an_unknown_acronym_before_plural_models_is_a_field(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We propose QUART, a family of VLA models, and the Foo Bar models.")
    assert ("VLA", "model") not in {(t, typ) for t, typ, _ in found}
    assert ("Foo Bar", "model", "context:head") in found


def test_state_adjectives_are_not_part_of_a_technique_name(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We keep a frozen visual encoder and add a learnable query "
                                       "transformer.")}
    assert found == {"visual encoder", "query transformer"}


def test_an_ordinary_word_with_stressed_capitals_is_no_name(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {t for t, *_ in spans(nlp, "We study tasks for QUAdruped Robots and propose ZorbNet.")}
    assert "QUAdruped" not in found
    assert "ZorbNet" in found


def test_an_acronym_defined_for_a_task_names_no_entity(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We address Fine-grained Action Recognition (FAR). ZorbNet is state of the art on "
                       "two FAR datasets. We study Neural Machine Translation (NMT).")
    assert {t for t, *_ in found} == {"ZorbNet"}


def test_a_name_after_a_proposal_verb_takes_its_appositive_type(nlp) -> None:  # type: ignore[no-untyped-def]
    text = ("We introduce Gorp, a benchmark for agents. We present Zibble, a large-scale dataset of "
            "images. We propose Quux, a collection of techniques. We release Blorp, which is a corpus.")
    found = {(t, typ) for t, typ, _ in spans(nlp, text)}
    assert {("Gorp", "benchmark"), ("Zibble", "dataset"), ("Quux", "method")} <= found
    assert not any(t == "Blorp" for t, _ in found)


def test_name_before_a_split_of_a_dataset(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We report results on the Zorblax test set and train on the Penn Wumpus training set. "
                       "Scores on the ZQD validation split and the English-German test set are lower. "
                       "Captions are scored on the Karpathy test split.")
    assert ("Zorblax", "dataset", "context:head") in found
    assert ("Penn Wumpus", "dataset", "context:head") in found
    assert ("ZQD", "dataset", "context") in found
    assert not any(t.startswith("English") or t == "Karpathy" for t, _, _ in found)


def test_split_of_a_named_dataset(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We report accuracy on the validation set of ZQD. "
                       "Then we use the test split of Zorblax.")
    assert ("ZQD", "dataset", "context") in found
    assert ("Zorblax", "dataset", "context") in found


def test_coined_word_evaluated_on_is_a_dataset(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "Experiments on Zorblax show gains. The model is trained on Quxbar and Flimflam. "
                       "It is based on Blimpo and achieves good results. We visited Snorfle in summer. "
                       "Speedups on Xeon and Atom processors are large with the same accuracy. "
                       "Results on English are better.")
    assert ("Zorblax", "dataset", "context") in found
    assert ("Quxbar", "dataset", "context") in found
    assert ("Flimflam", "dataset", "context") in found
    assert not any(t in {"Blimpo", "Snorfle", "Xeon", "Atom", "English"} for t, _, _ in found)


def test_kernel_size_before_a_technique() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We replace the 3 × 3 convolution with 5x5 convolutions. "
                       "Images of 32 × 32 ZQD are used.")
    assert ("3 × 3 convolution", "method", "noun-phrase") in found
    assert ("5x5 convolutions", "method", "noun-phrase") in found
    assert not any(t.startswith("32") for t, _, _ in found)


def test_model_name_before_a_dataset_head_is_its_data() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We fine-tune on the Dolly dataset with the instruction tuning corpus, then compare "
                       "with the Dolly model. The WMT 2014 English-German dataset is used.")
    assert ("Dolly", "dataset", "lexicon") in found
    assert ("Dolly", "model", "lexicon") in found
    assert ("instruction tuning", "method", "lexicon") in found
    assert not any(t == "English-German" for t, _, _ in found)  # a language pair names no dataset


def test_title_case_run_evaluated_on_is_a_dataset(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We evaluate on Oxford Penguin Counting and Hockey Fights. "
                       "We report experiments on Natural Language Inference tasks. "
                       "The method is based on Zorblax Action Set and achieves gains.")
    assert ("Oxford Penguin Counting", "dataset", "context") in found
    assert ("Hockey Fights", "dataset", "context") in found  # listed after a dataset
    assert not any(t.startswith("Natural") or t.startswith("Zorblax") for t, _, _ in found)


def test_items_from_a_named_dataset(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "Figure 2 shows images from ZQD and questions in Oxford Penguin Counting. "
                       "We use a subset of Quxbar-3 for training. The images in Paris are nice. "
                       "Samples from FooGAN-2 look real.")
    assert ("ZQD", "dataset", "context") in found
    assert not any(t == "FooGAN-2" and typ == "dataset" for t, typ, _ in found)
    assert ("Oxford Penguin Counting", "dataset", "context") in found
    assert ("Quxbar-3", "dataset", "context") in found
    assert not any(t == "Paris" for t, _, _ in found)


def test_name_that_contains_counted_items_is_a_dataset(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "Zorblax contains 5,000 videos of 20 action classes. "
                       "ZQD-2 consists of 10,000 images collected from the web. "
                       "Oxford Penguin Counting contains 1,000 images. FooNet consists of 12 layers.")
    assert ("Zorblax", "dataset", "context") in found
    assert ("ZQD-2", "dataset", "context") in found
    assert ("Oxford Penguin Counting", "dataset", "context") in found
    assert not any(t == "FooNet" and typ == "dataset" for t, typ, _ in found)


def test_features_of_a_model_are_a_technique() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We extract CNN features for each frame and feed them to a VGG feature extractor.")
    assert ("CNN features", "method", "noun-phrase") in found
    assert not any(t == "VGG feature" for t, _, _ in found)


def test_copula_apposition_types_a_name(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "ZorbQA is a large-scale benchmark for visual reasoning. "
                       "ZQD is the largest dataset of aerial images. "
                       "FooNet is a ranking technique for datasets.")
    assert ("ZorbQA", "benchmark", "context") in found
    assert ("ZQD", "dataset", "context") in found
    assert ("FooNet", "method", "context") in found  # the head before "for" decides


def test_apostrophe_year_is_an_edition() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "Results on WMT'14 and WMT’16 are shown; the model's accuracy is high.")
    assert ("WMT'14", "benchmark", "lexicon-variant") in found
    assert ("WMT’16", "benchmark", "lexicon-variant") in found


def test_names_after_datasets_such_as_are_datasets(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We use standard datasets such as ZQD-1 and WMB-2 to evaluate. "
                       "Models such as Blorp-3 are strong.")
    assert ("WMB-2", "dataset", "context") in found
    assert ("Blorp-3", "model", "context") in found


def test_platforms_are_no_coined_dataset_names(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We run all experiments on Ubuntu and report the accuracy on Zorblax. "
                       "Training on Nvidia hardware and evaluation on Colab take an hour. "
                       "Performance on Monday is lower.")
    assert ("Zorblax", "dataset", "context") in found
    assert not any(t in {"Ubuntu", "Nvidia", "Colab", "Monday"} for t, _, _ in found)


def test_bare_fine_tuning_is_generic() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We use ResNet-152 as our base model for fine tuning, "
                       "then apply discriminative fine tuning.")
    assert not any(t == "fine tuning" for t, _, _ in found)
    assert any(t == "discriminative fine tuning" for t, _, _ in found)


def test_an_amount_of_tuning_is_no_technique(nlp) -> None:  # type: ignore[no-untyped-def]
    # quantifiers say how much of something there is, not which one
    found = spans(nlp, "The hyper-parameters require little tuning, much searching or less "
                       "pruning, and the gradient clipping needs careful tuning.")
    texts = {t for t, _, _ in found}
    assert not texts & {"little tuning", "much searching", "less pruning", "careful tuning"}
    assert "gradient clipping" in texts


def test_ambiguous_name_with_a_style_suffix_is_the_name() -> None:
    # "ReAct", "LLaMA" (default lexicon) are also ordinary words, but only a name takes
    # "-style"/"-like"
    nlp = make_pipeline()
    found = {(t, label) for t, label, _ in spans(nlp, "We build a LLaMA-like decoder and a "
                                                      "ReAct-style agent.")}
    assert found == {("LLaMA", "model"), ("ReAct", "method")}
    assert spans(nlp, "The llama-like animals write react-style code.") == []


def test_model_name_trained_on_is_its_data() -> None:
    nlp = make_pipeline()
    doc = nlp("We fine-tune Llama-2 on Alpaca and evaluate it on MMLU. Models trained on GPT-4 outputs "
              "are strong. We evaluate on Vicuna.")
    found = [(s.text, s.label_, s.kb_id_) for s in doc.spans["kg"]]
    assert ("Alpaca", "dataset", "alpaca dataset") in found  # a key of its own: the model keeps its type
    assert any(t == "GPT-4" and typ == "model" for t, typ, _ in found)
    assert any(t == "Vicuna" and typ == "model" for t, typ, _ in found)


def test_names_listed_before_a_plural_dataset_head(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We use the Hockey Fights, Crowd Violence and Violent Flows datasets. "
                       "The Zorblax and Quxbar datasets are used.")
    for name in ("Hockey Fights", "Crowd Violence", "Violent Flows", "Zorblax", "Quxbar"):
        assert (name, "dataset", "context:head") in found
    assert not any(t.startswith("The") for t, _, _ in found)


def test_names_coordinated_with_known_datasets_are_datasets() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "Results on SQuAD [3], GlorpText [4] and TriviaQA [5] are reported. "
                       "We compare with SQuAD, GlorpText, ZQRB and MNIST.")
    assert ("GlorpText", "dataset", "context:coordinated") in found
    assert ("ZQRB", "dataset", "context:coordinated") in found  # a bare acronym in a list of four
    found = spans(nlp, "We report results on SQuAD (Rajpurkar et al., in press), "
                       "GlorpText (Li et al., in press) "
                       "and MNIST.")
    assert ("GlorpText", "dataset", "context:coordinated") in found  # a citation without a year
    found = spans(nlp, "Methods involved are PoseNet [28], GlorpText [16] and SQuAD [3].")
    assert ("GlorpText", "method", "shape:camel") in found  # the plural head says what the list holds
    found = spans(nlp, "We train BERT, GlorpText and SQuAD-style readers.")
    assert not any(t == "GlorpText" and typ == "dataset" for t, typ, _ in found)  # a known model in the list


def test_guessed_acronym_type_yields_to_a_data_use() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We also collect blurry garden lizards (BGL) from the web. "
                       "Results on the BGL dataset are shown in Table 2.")
    assert ("blurry garden lizards", "dataset", "abbreviation") in found
    assert ("BGL", "dataset", "abbreviation") in found
    found = spans(nlp, "We propose blurry garden lizards (BGL) to denoise images. The BGL method is fast.")
    assert ("BGL", "method", "abbreviation") in found


def test_evaluative_adjectives_name_no_technique() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "Such methods have drawn increasing attention. We replace the regular convolution "
                       "with a dilated convolution. A useful sentence embedding is learned by the "
                       "individual network.")
    texts = {t for t, _, _ in found}
    assert "dilated convolution" in texts
    assert not texts & {"increasing attention", "regular convolution", "useful sentence embedding",
                        "individual network"}


def test_augmentation_and_connection_heads_name_techniques() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We add lateral connections and use bilinear interpolation with random horizontal "
                       "flipping and random cropping.")
    texts = {t for t, typ, _ in found if typ == "method"}
    assert {"lateral connections", "bilinear interpolation", "random horizontal flipping",
            "random cropping"} <= texts


def test_a_verb_ends_the_modifiers_of_a_technique() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "The network makes connections between layers, and the model treats convolution "
                       "as a filter. We apply weights pruning.")
    texts = {t for t, _, _ in found}
    assert "weights pruning" in texts  # a plural data noun stays a modifier
    assert not any(t.startswith(("network makes", "makes", "treats")) for t in texts)


def test_plain_phrase_listed_with_known_methods_is_a_technique() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We regularise with dropout, weight decay and feature blurring to avoid overfitting. "
                       "We regularise with dropout, feature blurring and weight decay.")
    assert found.count(("feature blurring", "method", "context:coordinated")) == 2
    found = spans(nlp, "We train on ImageNet, BERT, COCO and street scenes.")  # a dataset in the list
    assert not any(t == "street scenes" for t, _, _ in found)
    found = spans(nlp, "We compare BERT, RoBERTa and GloVe, respectively.")
    assert not any(t == "respectively" for t, _, _ in found)


def test_author_names_and_adjectives_name_no_method() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "As shown by McDermid et al. (2019) and [DeLuca et al., 2020], two-stream ConvNets "
                       "fuse the two streams; a two-stream network is strong.")
    texts = {t for t, _, _ in found}
    assert not texts & {"McDermid", "DeLuca", "two-stream", "two streams"}
    assert "two-stream network" in texts


def test_digit_in_a_short_form_stands_for_to_or_for() -> None:
    assert best_long_form("L2M", "we propose Learning to Modulate".split()) == 3
    assert best_long_form("Q4A", "we build Quizzes for Agents".split()) == 3
    assert best_long_form("R50", "we use ResNet 50".split()) == 2  # digits that are digits still match
    nlp = make_pipeline()
    found = spans(nlp, "We propose a novel method, Learning-to-Modulate (L2M), that avoids forgetting.")
    assert ("L2M", "method", "abbreviation") in found


def test_x_in_a_short_form_stands_for_cross() -> None:
    assert best_long_form("XDC", "we propose Cross Modal Deep Clustering".split()) == 4
    assert best_long_form("XQDA", "we use cross view quadratic discriminant analysis".split()) == 5
    assert best_long_form("XYZ", "a cross of nothing".split()) is None


def test_the_count_before_shot_belongs_to_the_technique() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We study one shot domain adaptation. The shot adaptation is bad.")
    texts = {t for t, _, _ in found}
    assert "one shot domain adaptation" in texts
    assert not any(t.startswith("shot") for t in texts)


def test_lexicon_name_written_with_a_slash() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We summarise CNN/DailyMail and CNN/Daily Mail articles, and read SQuAD/NewsQA "
                       "with an encoder/decoder.")
    assert ("CNN/DailyMail", "dataset", "lexicon") in found
    assert ("CNN/Daily Mail", "dataset", "lexicon") in found
    assert ("SQuAD", "dataset", "lexicon") in found and ("NewsQA", "dataset", "lexicon") in found
    assert not any(t == "CNN" for t, _, _ in found)


def test_a_citation_between_a_name_and_its_data_head(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We use the Zorblax [47] dataset and the ZQD [12] benchmark for training. "
                       "We also use the Quxbar (Li et al., 2017) dataset.")
    assert ("Zorblax", "dataset", "context:head") in found
    assert ("ZQD", "benchmark", "context") in found
    assert ("Quxbar", "dataset", "context:head") in found


def test_task_named_data_is_no_dataset_name(nlp) -> None:  # type: ignore[no-untyped-def]
    found = spans(nlp, "We release the Cross-lingual Question Answering Dataset. It extends the Activity "
                       "Recognition dataset and the YouTube Video Object Segmentation dataset.")
    assert ("Cross-lingual Question Answering Dataset", "dataset", "context:head") in found
    assert ("YouTube Video Object Segmentation", "dataset", "context:head") in found
    assert not any(t == "Activity Recognition" for t, _, _ in found)
    found = spans(nlp, "Existing Datasets Are Small. Unsupervised benchmarks exist.")
    assert not any(t in {"Existing", "Unsupervised"} for t, _, _ in found)


def test_capitalised_words_listed_with_known_datasets_are_datasets() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We use Caltech 256, Sketchy, TU-Berlin and Zorb Images.")
    for name in ("Sketchy", "TU-Berlin", "Zorb Images"):
        assert (name, "dataset", "context:coordinated") in found
    found = spans(nlp, "We evaluate on COCO, Cityscapes and Figure 3 shows this. We use COCO and Glorp.")
    assert not any(t in {"Figure", "Glorp"} for t, _, _ in found)  # no separator after it; a list of two


def test_capitalised_words_listed_before_a_known_dataset() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We use Zorbillary, Glorpscape and Cityscapes for testing. "
                       "Layers Q2, Q4 and COCO are unrelated.")
    assert ("Zorbillary", "dataset", "context:coordinated") in found
    assert ("Glorpscape", "dataset", "context:coordinated") in found
    assert not any(t in {"Q2", "Q4"} for t, _, _ in found)


def test_capitalised_words_listed_with_known_models_are_methods() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "Prior designs include Zorbglass [72], SegNet [2], DeconvNet [74] and U-Net [8].")
    assert ("Zorbglass", "method", "context:coordinated") in found


def test_a_language_pair_after_a_translation_dataset_names_its_data() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We reach 28.4 BLEU on the WMT 2014 English-to-German task, on IWSLT de-en and on "
                       "WMT 2014. English-German pairs are used.")
    texts = {t for t, typ, _ in found if typ in {"dataset", "benchmark"}}
    assert {"WMT 2014 English-to-German", "IWSLT de-en", "WMT 2014"} <= texts
    assert not any("English-German" in t for t in texts)


def test_no_type_cue_across_a_sentence_end() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We test on the MPII datasets. ZorbGAN generates sharper maps.")
    assert ("ZorbGAN", "method", "shape:camel") in found


def test_compute_units_are_no_names() -> None:
    nlp = make_pipeline()
    assert spans(nlp, "Our network needs 3.2 GFLOPs and 300 MFLOPs, or 2 GMACs.") == []


def test_classic_statistical_methods_are_known() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We use factor analysis, kernel PCA, mean shift, local binary patterns and a "
                       "Laplace approximation.")
    texts = {t for t, typ, _ in found if typ == "method"}
    assert {"factor analysis", "kernel PCA", "mean shift", "local binary patterns",
            "Laplace approximation"} <= texts


def test_a_list_does_not_make_a_claimed_method_data() -> None:
    nlp = make_pipeline()
    # wanted: a name listed with a known dataset is one
    found = spans(nlp, "Both COCO and ZorbNet have labels. Sources such as Wikipedia, QuxPedia, etc. help.")
    assert ("ZorbNet", "dataset", "context:coordinated") in found
    assert ("QuxPedia", "dataset", "context:coordinated") in found
    # a comma between two names, no "and" and no list cue: a clause boundary, not a list
    found = spans(nlp, "Compared with COCO, ZorbNet is faster.")
    assert ("ZorbNet", "method", "shape:camel") in found
    # protected: the paper claims the name as its own
    found = spans(nlp, "We propose ZorbNet for detection. Compared with COCO, ZorbNet is faster. "
                       "Our QuxNet is smaller. On SQuAD, QuxNet and TriviaQA it is faster.")
    assert not any(typ == "dataset" for t, typ, _ in found if t in {"ZorbNet", "QuxNet"})


def test_a_list_vote_does_not_retype_a_name_the_paper_uses_as_something_else() -> None:
    """One type per key, decided by the most confident vote: a list vote (0.72) outranks shape
    guesses (0.5-0.6), but not when the paper mentions the name many more times otherwise."""
    from kg.records import Mention

    def m(paper: str, start: int, typ: str, rule: str, conf: float) -> Mention:
        return Mention(paper, "abstract", start, start + 7, "ZorbNet", typ, "zorbnet", rule, conf,  # type: ignore[arg-type]
                       0, 1000)

    listed = m("p1", 500, "dataset", "context:coordinated", 0.72)
    # protected: five guessed uses as a method and one list in the same paper
    used = [m("p1", 10 * i, "method", "shape:camel", 0.5) for i in range(5)]
    out, ents = resolve([*used, listed])
    assert [e.type for e in ents] == ["method"]
    assert {x.type for x in out} == {"method"}
    # wanted: three guesses and one list (a dataset the paper only lists) keep the list's type
    _, ents = resolve([*used[:3], listed])
    assert [e.type for e in ents] == ["dataset"]
    # the guesses of another paper do not outvote this paper's list
    _, ents = resolve([*(replace(x, paper_id="p2") for x in used), listed])
    assert [e.type for e in ents] == ["dataset"]


def test_a_data_use_does_not_retype_a_proposed_acronym() -> None:
    nlp = make_pipeline()
    # protected: "we propose ... (MRF)" and one "MRF dataset" (the data the method made)
    found = spans(nlp, "We propose masked residual fusion (MRF) for detection. MRF is trained end to end. "
                       "The MRF dataset is released.")
    assert ("MRF", "method", "abbreviation") in found
    assert not any(typ == "dataset" for _, typ, _ in found)
    # protected: its context says method more often than data
    found = spans(nlp, "Masked residual fusion (MRF) is used for detection. The MRF model is small. "
                       "The MRF model is fast. The MRF dataset is released.")
    assert not any(typ == "dataset" for _, typ, _ in found)
    # wanted: a defined name used as data and claimed by no one is a dataset
    found = spans(nlp, "We also collect blurry garden lizards (BGL) from the web. "
                       "Results on the BGL dataset are shown in Table 2.")
    assert ("BGL", "dataset", "abbreviation") in found


def test_a_lexicon_name_joined_by_a_connective_is_that_name() -> None:
    # quality6: "Foo-to-Bar", "Foo-only", "Foo-and-Bar" name Foo (and Bar), not a variant of Foo
    nlp = make_pipeline()
    found = spans(nlp, "We adapt from GTA5-to-Cityscapes, compare ImageNet-only pretraining with the "
                       "ImageNet-and-COCO mix, and ablate BiDAF-with-ctx.")
    texts = {(t, typ) for t, typ, _ in found}
    assert {("GTA5", "dataset"), ("Cityscapes", "dataset"), ("ImageNet", "dataset"),
            ("COCO", "dataset")} <= texts
    assert not any("-to-" in t or "-only" in t or "-and-" in t for t, _ in texts)
    assert any(t == "BiDAF-with-ctx" for t, _ in texts)  # "with" names an ablation, a variant


def test_quality6_lexicon_methods_are_known() -> None:
    nlp = make_pipeline()
    found = spans(nlp, "We train with an adversarial loss, align sequences by dynamic time warping, "
                       "detect lines with the Hough transform and learn a metric with KISSME.")
    texts = {t for t, typ, _ in found if typ == "method"}
    assert {"adversarial loss", "dynamic time warping", "Hough transform", "KISSME"} <= texts


def test_a_papers_definition_wins_over_a_known_acronym_a_rule_also_found() -> None:
    # quality6: the long form is found by a rule too (a Title Case technique phrase), yet the
    # paper's definition, not the lexicon's DCT (discrete cosine transform), names the acronym
    nlp = make_pipeline()
    doc = nlp("We propose Dravex Contrastive Tuning (DCT), a new method. DCT is fast.")
    keys = {s.text: s.kb_id_ for s in doc.spans["kg"]}
    assert keys["DCT"] == keys["Dravex Contrastive Tuning"] == entity_key("Dravex Contrastive Tuning")
    # an expansion that shares a word with the known one still is the known entity
    doc = nlp("We apply the discrete cosine transform (DCT).")
    assert {s.text: s.kb_id_ for s in doc.spans["kg"]}["DCT"] == entity_key("discrete cosine transform")


def test_generic_notions_defined_with_an_acronym_are_no_entities() -> None:
    # quality6: "ground truth (GT)", "bounding box (BB)", "field of view (FoV)" name no technique
    nlp = make_pipeline()
    found = spans(nlp, "Each ground truth (GT) mask is drawn by hand. We predict the bounding box (BB) "
                       "of each object. The field of view (FoV) is wide. We upsample low-resolution (LR) "
                       "images with Zorbnet.")
    texts = {t for t, _, _ in found}
    assert not texts & {"ground truth", "GT", "bounding box", "BB", "field of view", "FoV",
                        "low-resolution", "LR"}
    # tasks defined with an acronym are no methods either
    found = spans(nlp, "We study natural language inference (NLI) and information retrieval (IR). "
                       "NLI is hard.")
    assert not {t for t, _, _ in found} & {"natural language inference", "NLI", "information retrieval", "IR"}


def test_the_degree_before_order_belongs_to_the_technique() -> None:
    # quality6: "second order pooling" is the technique, not "order pooling"
    nlp = make_pipeline()
    texts = {t for t, _, _ in spans(nlp, "We apply second order pooling and higher order attention.")}
    assert {"second order pooling", "higher order attention"} <= texts
    assert not any(t.startswith("order") for t in texts)


def test_a_named_function_is_named_without_the_word_function() -> None:
    # quality6: "the sigmoid function" names sigmoid (as "the ReLU layer" names ReLU)
    nlp = make_pipeline()
    found = spans(nlp, "We apply the sigmoid function and then the softmax function.")
    texts = {t for t, typ, _ in found if typ == "method"}
    assert {"sigmoid", "softmax"} <= texts
    assert not any(t.endswith("function") for t in texts)


def test_a_dataset_name_compounded_with_a_known_network_names_a_model() -> None:
    # quality6: "PTB-LSTM" is an LSTM trained on the Penn Treebank, no dataset
    nlp = make_pipeline()
    found = {t: typ for t, typ, _ in spans(nlp, "We compare PTB-LSTM with Cityscapes-Coarse labels.")}
    assert found["PTB-LSTM"] == "model"
    assert found["Cityscapes-Coarse"] == "dataset"


def test_learning_paradigms_are_no_entities() -> None:
    # quality6: "transfer learning", "supervised learning" name a paradigm (as "machine learning"),
    # the named kinds stay ("self-supervised learning"); "plus" modifies no technique
    nlp = make_pipeline()
    found = spans(nlp, "We combine transfer learning, supervised learning and feature learning with "
                       "self-supervised learning, plus unsupervised domain adaptation.")
    texts = {t for t, _, _ in found}
    assert not texts & {"transfer learning", "supervised learning", "feature learning"}
    assert "self-supervised learning" in texts
    assert "unsupervised domain adaptation" in texts
    # pseudo labels are data a method makes, pseudo-labeling is the method
    texts = {t for t, _, _ in spans(nlp, "We make pseudo labels for images by pseudo-labeling.")}
    assert "pseudo-labeling" in texts and "pseudo labels" not in texts


def test_a_count_or_position_is_no_part_of_a_technique_name() -> None:
    # quality6: "the fifth convolutional layer", "the i-th block" pick one of several
    nlp = make_pipeline()
    texts = {t for t, _, _ in spans(nlp, "We prune the fifth gated attention layer and the i-th "
                                         "residual block, keeping seventeen dilated convolutions.")}
    assert not any(t.split()[0] in {"fifth", "i-th", "seventeen"} for t in texts)
    assert "gated attention layer" in texts and "dilated convolutions" in texts


def test_a_citation_in_parentheses_defines_no_acronym() -> None:
    # quality6: "GAN (Ganin and Lempitsky, 2015)" cites; GAN keeps its own meaning
    nlp = make_pipeline()
    doc = nlp("We compare with GAN (Ganin and Lempitsky, 2015) and with ZQX (Zhou et al. 2018).")
    keys = {s.text: s.kb_id_ for s in doc.spans["kg"]}
    assert keys.get("GAN") == entity_key("generative adversarial network")
    assert "Ganin and Lempitsky" not in keys and "Zhou et al. 2018" not in keys


def test_metrics_defined_with_an_acronym_are_no_methods() -> None:
    nlp = make_pipeline()
    texts = {t for t, _, _ in spans(nlp, "A box counts if its intersection over union (IOU) exceeds 0.5; "
                                         "we report mean average precision (MAP).")}
    assert not texts & {"intersection over union", "IOU", "mean average precision", "MAP"}


def test_lexicon_names_with_a_possessive_match() -> None:
    # quality6: the tokenizer splits "Children's" into "Children" + "'s"
    nlp = make_pipeline()
    texts = {t for t, _, _ in spans(nlp, "We test on the Children's Book Test and use Newton's method.")}
    assert {"Children's Book Test", "Newton's method"} <= texts


def test_an_entry_named_by_its_acronym_keeps_it_against_a_definition() -> None:
    # quality6: "MSR-VTT" (a hyphenated acronym label) is its own expansion
    nlp = make_pipeline()
    doc = nlp("We join the Microsoft Research Video to Text (MSR-VTT) challenge.")
    assert {s.text: s.kb_id_ for s in doc.spans["kg"]}.get("MSR-VTT") == entity_key("MSR-VTT")
