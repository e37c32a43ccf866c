"""spaCy components of the paper-kg pipeline, registered with ``@Language.factory``.

Order in the pipeline: ``sentencizer`` -> ``kg_title_boundary`` -> ``kg_lexicon`` -> ``kg_names`` ->
``kg_abbreviations`` -> ``kg_mentions``. The first three append candidates
``(start, end, type, key, rule, confidence)`` to ``doc.user_data["kg_candidates"]``;
``kg_mentions`` picks the best non-overlapping ones and writes them to ``doc.spans["kg"]``
(label = type, ``kb_id_`` = normalised key, ``id_`` = rule) and to
``doc.user_data["kg_mentions"]`` (the same tuples, with confidence). The ``sentencizer`` is
spaCy's rule computed on the token lists the rules share (factory ``kg_sentencizer``, in
:mod:`extract.sentencizer`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import compress, repeat
from operator import contains
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from extract.abbreviations import Abbreviation, find_abbreviations, long_form_type, redefines, stated_type
from extract.doc_view import Candidate, DocView, candidates, title_end, view
from extract.filters import filter_uses
from extract.lexicon import LexEntry, Lexicon, load_lexicon, read_lexicon
from extract.lists import coordinated_phrases, coordinated_types, introduced_names
from extract.normalize import entity_key, singular
from extract.rules import cued_techniques, kernel_sizes, name_candidates, technique_candidates
from extract.sentencizer import ArraySentencizer  # noqa: F401  (registers kg_sentencizer)
from extract.vocab import vocabulary

_GLUED_SIZES = ("BASE", "LARGE")
_METRIC_WORDS = frozenset({"score", "scores", "distance"})
# "Llama 3 scores 45.1% on MMLU", "Mistral 7B scores higher": "scores" the verb, not a metric
_SCORES_VERB_NEXT = frozenset({"well", "higher", "lower", "better", "worse", "best", "only", "just",
                               "above", "below", "over", "under", "about", "around", "nearly",
                               "up", "highest", "lowest", "poorly", "comparably", "competitively"})
_DATA_HEADS = frozenset({"dataset", "datasets", "benchmark", "benchmarks", "corpus", "corpora"})
_APOSTROPHE_YEAR = re.compile(r"^([A-Za-z][A-Za-z0-9]+)['’](\d\d)$")
# "GTA5-to-Cityscapes", "ImageNet-only", "COCO-and-LVIS": a lexicon name joined to the rest
# of a hyphenated compound by one of these words is that name, not a variant of it
# ("BiDAF-with-ctx", "BERT-without-NSP" are variants: "with"/"without" name ablations)
_CONNECTIVES = frozenset({"to", "and", "or", "vs", "versus", "only", "from", "via", "into", "on", "in",
                          "for"})
# a Doc whose user_data has this key set gets no ``doc.spans["kg"]`` from kg_mentions (only
# ``user_data["kg_mentions"]`` and ``["kg_mention_chars"]``: what extract_papers reads)
NO_SPANS = "kg_no_spans"
_EDITION = re.compile(r"^(?:19[89]\d|20[0-4]\d|v\d+(?:\.\d+)*|[1-9]\d*\.\d+)$")  # not "0.0005"


@Language.factory("kg_title_boundary", default_config={})
def make_title_boundary(nlp: Language, name: str) -> TitleBoundary:
    return TitleBoundary()


class TitleBoundary:
    """Starts a sentence at the abstract (the text is ``title + "\\n\\n" + abstract``)."""

    def __call__(self, doc: Doc) -> Doc:
        t = title_end(doc)
        if 0 < t < len(doc):
            doc[t].is_sent_start = True
        return doc


@Language.factory(
    "kg_lexicon",
    default_config={"use_default": True, "size_suffixes": True},
)
def make_lexicon_matcher(
    nlp: Language, name: str, use_default: bool, size_suffixes: bool
) -> LexiconMatcher:
    return LexiconMatcher(name, use_default=use_default, size_suffixes=size_suffixes)


_TRAIN_WORDS = frozenset({"train", "trained", "training", "trains", "tune", "tuned", "tuning", "finetune",
                          "finetuned", "finetuning", "pretrain", "pretrained", "pretraining"})
_AFTER_DATA = frozenset({".", ",", ";", "and", "or", "(", "for", "to", "with", "data", "dataset"})


def _trained_on(lowers: list[str], i: int, nw: int) -> bool:
    """``fine-tuned on Alpaca``, ``we train Llama on Dolly and ...``: the word at ``i`` (after
    "on") follows a training verb within six words and ends the phrase."""
    nxt = lowers[i + nw] if i + nw < len(lowers) else "."
    if nxt not in _AFTER_DATA:
        return False  # "trained on GPT-4 outputs"
    window = lowers[max(0, i - 7):i - 1]
    if "." in window:
        window = window[len(window) - window[::-1].index("."):]  # this sentence only
    return not _TRAIN_WORDS.isdisjoint(window)


class LexiconMatcher:
    """Longest-match lookup of lexicon entries over the hyphen-free word sequence.

    A match must cover whole hyphen compounds: ``Llama-2-7B`` is the Llama 2 entity (a
    size suffix keeps the family), but ``GPT-4-Turbo`` is not GPT-4: it becomes a new
    entity of the same type.
    """

    def __init__(self, name: str, *, use_default: bool = True, size_suffixes: bool = True) -> None:
        self.name = name
        self.use_default = use_default
        self.size_suffixes = size_suffixes
        self.lexicon: Lexicon = load_lexicon(use_default=use_default)

    def add_entries(self, entries: Iterable[LexEntry]) -> None:
        self.lexicon.add(entries)

    def add_file(self, path: str | Path) -> None:
        self.lexicon.add(read_lexicon(path))

    def __call__(self, doc: Doc) -> Doc:
        v = view(doc)
        out = candidates(doc)
        words, lowers, lex, vocab = v.words, v.lower_words, self.lexicon, vocabulary()
        n, after = len(words), 0
        positions = lex.start_positions(lowers)
        # rarer lookups, only in documents that can have them (C-level tests)
        glued: set[int] = set()
        if v.may_contain("BASE", "LARGE"):
            starts = set(positions)
            glued = {i for i, w in enumerate(words) if w.endswith(_GLUED_SIZES) and i not in starts}
            positions = sorted(starts | glued)
        heads = not _DATA_HEADS.isdisjoint(lowers)
        for i in positions:
            if i < after:
                continue  # inside the previous match
            if i in glued:
                self._glued_size(v, words[i], i, out)
                continue
            found = lex.match(words, i, lowers)
            if found is None:
                found = self._before_data_head(words, lowers, i) if heads \
                    and not _DATA_HEADS.isdisjoint(lowers[i + 1:i + 4]) else None
                if found is None:
                    continue
            idx, nw = found
            entry = lex.entries[idx]
            if i + nw < n and lowers[i + nw] in _METRIC_WORDS and entry.type in {"model", "method"} \
                    and words[i][:1].isupper() and not (
                        lowers[i + nw] == "scores" and i + nw + 1 < n
                        and (lowers[i + nw + 1][:1].isdigit() or lowers[i + nw + 1] in _SCORES_VERB_NEXT)):
                # "Inception score", "Fréchet Inception Distance", "CLIP score": a metric named
                # after a model, not the model ("reward model scores" still name the model)
                after = i + nw
                continue
            start, end = v.word_tok[i], v.word_tok[i + nw - 1] + 1
            first, last = v.compound_at(start), v.compound_at(end - 1)
            conf = 0.8 if entry.ambiguous else 0.95
            if entry.type == "model" and words[i][:1].isupper() and (
                    (heads and i + nw < n and lowers[i + nw] in _DATA_HEADS
                     and lowers[i + nw] not in {"benchmark", "benchmarks"})
                    or (i and lowers[i - 1] == "on" and _trained_on(lowers, i, nw))):
                # "the Dolly dataset", "fine-tuned on Alpaca": a model's name before a dataset
                # head noun, or what a model is trained on, names the data released with it (a
                # key of its own: the model keeps its type elsewhere)
                out.append((start, end, "dataset", entry.key + " dataset", "lexicon", conf))
                after = i + nw
                continue
            if first is not None and last is not None and (first.start != start or last.end != end):
                tail = v.span_text(end, last.end).strip("-")
                parts = [p for p in tail.split("-") if p]
                if _joined_by_connectives(v.span_text(first.start, start), parts):
                    out.append((start, end, entry.type, entry.key, "lexicon", conf))
                elif first.start == start and self.size_suffixes and all(vocab.is_size(p) for p in parts):
                    out.append((start, last.end, entry.type, entry.key, "lexicon", conf))
                elif first.start == start and parts and (
                        parts[0].lower() in vocab.generic_modifiers or vocab.participle(parts[0])):
                    # "BERT-based", "RNN-like": the entity is the part before the suffix; only
                    # names take such a suffix, so an ambiguous entry ("ReAct-style") is sure
                    out.append((start, end, entry.type, entry.key, "lexicon", 0.95))
                else:
                    whole = v.span_text(first.start, last.end)
                    # "SFR-Iterative-DPO-LLaMA-3-8B-R": a compound with a size is a model
                    typ = "model" if entry.type == "method" and any(
                        vocab.is_size(p) for p in whole.split("-")) else entry.type
                    if typ in {"dataset", "benchmark"} and self._names_a_technique(whole, entry):
                        typ = "model"  # "PTB-LSTM", "BERT-SQuAD": a network trained on the data
                    out.append((first.start, last.end, typ, entity_key(whole),
                                "lexicon-variant", conf - 0.15))
            elif i + nw < n and v.word_tok[i + nw] <= end + 1 and _EDITION.match(words[i + nw]):
                # "PASCAL VOC 2012", "SQuAD v2.0": an edition is a distinct entity of the same type
                end2 = v.word_tok[i + nw] + 1
                out.append((start, end2, entry.type, entity_key(v.span_text(start, end2)), "lexicon-variant",
                            conf - 0.05))
                nw += 1
            else:
                out.append((start, end, entry.type, entry.key, "lexicon", conf))
            after = i + nw
        if "/" in lowers:
            self._slashed_names(v, out)
        if v.may_contain("-"):
            self._line_break_hyphens(v, out)
        if v.may_contain("'1", "'0", "'2", "'9", "’"):
            self._apostrophe_editions(v, out)
        return doc

    def _names_a_technique(self, whole: str, entry: LexEntry) -> bool:
        """Whether another part of a hyphenated compound around a dataset name is a known
        model or method (one word of the lexicon)."""
        own = {w.lower() for s in entry.surfaces() for w in s.replace("-", " ").split()}
        for part in whole.split("-"):
            low = part.lower()
            if not part or low in own:
                continue
            found = self.lexicon.match([part], 0, [low])
            if found is not None and self.lexicon.entries[found[0]].type in {"model", "method"}:
                return True
        return False

    def _slashed_names(self, v: Any, out: list[Candidate]) -> None:
        """``CNN/DailyMail``, ``CNN/Daily Mail``: a lexicon name written with a slash between
        words (no spaces around it) matches across the slash, which the word sequence keeps
        as a word of its own (so ``SQuAD/NewsQA`` stays two names)."""
        words, lowers, spaces, word_tok = v.words, v.lower_words, v.spaces, v.word_tok
        for i in list(compress(range(len(words)), map("/".__eq__, words))):
            if i == 0 or i + 1 >= len(words):
                continue
            tok = word_tok[i]
            if spaces[tok - 1] or spaces[tok]:
                continue
            for j in (i - 1, i - 2):
                if j < 0:
                    continue
                seq = words[j:i] + words[i + 1:i + 1 + self.lexicon.max_words]
                found = self.lexicon.match(seq, 0, lowers[j:i] + lowers[i + 1:i + 1 + self.lexicon.max_words])
                if found is None or found[1] <= i - j:
                    continue  # no match, or one that ends before the slash
                entry = self.lexicon.entries[found[0]]
                end = word_tok[i + found[1] - (i - j)] + 1
                out.append((word_tok[j], end, entry.type, entry.key, "lexicon", 0.95))
                break

    def _apostrophe_editions(self, v: Any, out: list[Candidate]) -> None:
        """``WMT'14``, ``CoNLL'03``: a dataset or benchmark with a two-digit year is an edition
        of it (a distinct entity of the same type, as ``PASCAL VOC 2012``)."""
        words = v.words  # only words with an apostrophe can match (found in C), in word order
        at = range(len(words))
        for i in sorted({*compress(at, map(contains, words, repeat("'"))),
                         *compress(at, map(contains, words, repeat("’")))}):
            w = words[i]
            m = _APOSTROPHE_YEAR.match(w)
            if m is None:
                continue
            stem = m.group(1)
            found = self.lexicon.match([stem], 0, [stem.lower()])
            if found is None or self.lexicon.entries[found[0]].type not in {"dataset", "benchmark"}:
                continue
            entry = self.lexicon.entries[found[0]]
            tok = v.word_tok[i]
            out.append((tok, tok + 1, entry.type, entity_key(w.replace("’", "'")), "lexicon-variant", 0.9))

    def _line_break_hyphens(self, v: Any, out: list[Candidate]) -> None:
        """``Vi-sualGenome``, ``PAS-CAL``, ``Ima-geNet``: a name split by a line-break hyphen
        in text extracted from a PDF is the name (only when the joined word is a
        one-word lexicon name and nothing else matched the compound)."""
        comps = v.compounds
        # the compounds with a hyphen; map/compress keeps the per-compound test out of Python
        # bytecode (this runs on every document)
        hyphened = [comps[i] for i in compress(range(len(comps)), map(contains, v.comp_texts, repeat("-")))]
        covered = {c[0] for c in out} if hyphened else set()
        for comp in hyphened:
            text = comp.text
            if comp.start in covered or text.count("-") != 1:
                continue
            a, b = text.split("-")
            if len(a) < 2 or len(b) < 2 or not a.isalpha() or not b.isalpha() or not a[:1].isupper() \
                    or not (b[:1].islower() or (a.isupper() and b.isupper())):
                continue  # "Cross-Task" is a compound of two words, not "CrossTask" split by a line break
            joined = a + b
            found = self.lexicon.match([joined], 0, [joined.lower()])
            if found is not None:
                entry = self.lexicon.entries[found[0]]
                out.append((comp.start, comp.end, entry.type, entry.key, "lexicon-variant", 0.8))

    def _glued_size(self, v: Any, word: str, i: int, out: list[Candidate]) -> None:
        """``BERTBASE``, ``RoBERTaLARGE``: a model name with its size glued on (a subscript
        lost in PDF extraction) is that model."""
        stem = word.removesuffix("BASE").removesuffix("LARGE") if word.isupper() or word[-4:].isupper() \
            else word
        if stem == word or len(stem) < 2:
            return
        found = self.lexicon.match([stem], 0, [stem.lower()])
        if found is not None and self.lexicon.entries[found[0]].type == "model":
            entry = self.lexicon.entries[found[0]]
            tok = v.word_tok[i]
            out.append((tok, tok + 1, entry.type, entry.key, "lexicon", 0.9))

    def _before_data_head(self, words: list[str], lowers: list[str], i: int) -> tuple[int, int] | None:
        """``the kinetics dataset``: a dataset or benchmark name in another capitalisation
        than its case-sensitive form, right before a dataset/benchmark head noun."""
        found = self.lexicon.match(words, i, lowers, any_case=True)
        if found is None:
            return None
        idx, nw = found
        entry = self.lexicon.entries[idx]
        # an all-capitals name written in lowercase is an ordinary word ("an app dataset" is
        # no APPS, "the math benchmark" no MATH); a word name is not ("the kinetics dataset")
        if entry.label.isupper() and not any(w.isupper() for w in words[i:i + nw]):
            return None
        if i + nw < len(words) and lowers[i + nw] in _DATA_HEADS \
                and entry.type in {"dataset", "benchmark"}:
            return found
        return None

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "lexicon.jsonl").write_text(self.lexicon.to_jsonl(), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> LexiconMatcher:
        self.lexicon = Lexicon(read_lexicon(Path(path) / "lexicon.jsonl"))
        return self


@Language.factory("kg_names", default_config={"noun_phrases": True})
def make_name_rules(nlp: Language, name: str, noun_phrases: bool) -> NameRules:
    return NameRules(noun_phrases=noun_phrases)


class NameRules:
    """Names the lexicon does not know: name shapes, defining contexts, technique phrases."""

    def __init__(self, *, noun_phrases: bool = True) -> None:
        self.noun_phrases = noun_phrases

    def __call__(self, doc: Doc) -> Doc:
        v, vocab = view(doc), vocabulary()
        out = candidates(doc)
        out.extend(name_candidates(doc, v, vocab))
        out.extend(introduced_names(doc, v, vocab))
        if self.noun_phrases:
            out.extend(technique_candidates(doc, v, vocab))
        out.extend(kernel_sizes(v, out))
        out.extend(cued_techniques(v))
        return doc


@Language.factory("kg_abbreviations", default_config={})
def make_abbreviations(nlp: Language, name: str) -> AbbreviationLinker:
    return AbbreviationLinker()


class AbbreviationLinker:
    """Gives a defined acronym and its long form one key and type, and applies it to bare uses."""

    def __call__(self, doc: Doc) -> Doc:
        v, vocab = view(doc), vocabulary()
        out = candidates(doc)
        by_span: dict[tuple[int, int], Candidate] = {}
        for c in out:
            if c[5] > by_span.get((c[0], c[1]), (0, 0, "", "", "", -1.0))[5]:
                by_span[(c[0], c[1])] = c
        defined: dict[str, tuple[str, str, float]] = {}
        abbrevs = find_abbreviations(doc, v)
        doc.user_data["kg_abbreviations"] = [(a.short, a.long) for a in abbrevs]
        lex_firsts = {v.texts[c[0]] for c in out if c[4] == "lexicon" and c[1] - c[0] > 1} \
            if abbrevs else set()
        for a in abbrevs:
            long_c = by_span.get((a.long_start, a.long_end))
            short_c = by_span.get((a.short_start, a.short_end))
            if short_c is not None and (long_c is None or not long_c[4].startswith("lexicon")) \
                    and short_c[3] != entity_key(a.short) and redefines(short_c, a.long):
                # "Complex Task Completion (CTC)": the paper's own definition wins over the
                # lexicon's expansion of the acronym, here and at its bare uses (also when a
                # rule found the long form: "Druxri Contrastive Tuning (DCT)" is no DCT); an
                # entry named by the acronym itself ("MSR-VTT") is its own expansion
                lex_key = short_c[3]
                # a long form naming a task or a notion leaves no guess about the acronym standing
                notion = long_form_type(a.short, a.long, vocab) is None \
                    and stated_type(v.lowers, a.long_start, vocab) is None
                out[:] = [c for c in out if v.span_text(c[0], c[1]) != a.short
                          or not (notion or (c[3] == lex_key and c[4] == "lexicon"))]
                short_c = None
                if notion:
                    continue
            if long_c is None and a.short in lex_firsts:
                # "TD (Task-specific Distillation)" makes "TD learning" no temporal-difference learning
                texts = v.texts
                out[:] = [c for c in out if not (c[1] - c[0] > 1 and texts[c[0]] == a.short
                                                 and redefines(c, a.long))]
            lexical = any(c is not None and c[4].startswith("lexicon") for c in (long_c, short_c))
            if not lexical and entity_key(a.long) in vocab.generic_phrases:
                # "Language model agents (LMA)": a generic class defined with an acronym is no
                # entity, nor is the acronym wherever shape or context rules guessed one
                forms = {a.short, a.short + "s"}
                out[:] = [c for c in out if c[4].startswith("lexicon") or not (
                    c[:2] == (a.long_start, a.long_end) or v.span_text(c[0], c[1]) in forms)]
                continue
            if not lexical and singular(a.long.split()[-1].split("-")[-1].lower()) in vocab.task_heads \
                    and stated_type(v.lowers, a.long_start, vocab) is None:
                # "Fine-grained Action Recognition (FAR)": an acronym for a task names no
                # dataset or method anywhere in the paper ("two FAR datasets")
                forms = {a.short, a.short + "s"}
                out[:] = [c for c in out
                          if c[4].startswith("lexicon") or v.span_text(c[0], c[1]) not in forms]
                continue
            typed = _typed(long_c, short_c)
            stated = stated_type(v.lowers, a.long_start, vocab)
            if typed is None or (stated is not None and not lexical):
                typed = long_form_type(a.short, a.long, vocab) if stated is None \
                    else (stated, entity_key(a.long), 0.8)
                if typed is None:
                    continue
            t, key, conf = typed
            if conf < 0.7 and not lexical and t not in {"dataset", "benchmark"}:
                # "real occluded fruits (ROF) ... the ROF dataset": when the type is only a
                # guess, a use of the name that its context types as data decides
                data_t = _data_use_type(doc, out, (a.short, a.long))
                if data_t is not None and not _claimed_method(v, out, a):
                    t = data_t
            conf = max(conf, 0.97)  # a definition outranks a lexicon match inside its long form
            out.append((a.long_start, a.long_end, t, key, "abbreviation", conf))
            out.append((a.short_start, a.short_end, t, key, "abbreviation", conf))
            defined[a.short] = (t, key, conf)
            if a.short.endswith("s") and len(a.short) > 2 and a.short[-2].isupper():
                defined[a.short[:-1]] = (t, key, conf)
        if defined:
            for comp in v.compounds:
                hit = defined.get(comp.text) or (
                    defined.get(comp.text[:-1]) if comp.text.endswith("s") else None
                )
                if hit is not None:
                    out.append((comp.start, comp.end, hit[0], hit[1], "abbreviation", hit[2] - 0.05))
        return doc


def _data_use_type(doc: Doc, cands: list[Candidate], forms: tuple[str, ...]) -> str | None:
    """The type of a use of one of ``forms`` that a context rule typed as a dataset or benchmark."""
    v = view(doc)
    for c in cands:
        if c[2] in {"dataset", "benchmark"} and c[4].startswith("context") and c[5] >= 0.7 \
                and v.span_text(c[0], c[1]) in forms:
            return c[2]
    return None


_CLAIMS = frozenset({"propose", "proposes", "proposed", "our"})
_CLAIM_FILLERS = frozenset({"a", "an", "the", "new", "novel", "simple", "method", "model", "approach",
                            "framework", "called", "named", ","})


def _claimed_method(v: DocView, cands: list[Candidate], a: Abbreviation) -> bool:
    """True when the paper itself treats a defined name as its method, so that a use of it as
    data ("the MRF dataset") does not make it a dataset.

    The data-use rule (:class:`AbbreviationLinker`) gives the whole definition, and with it
    every use of the acronym in the paper, the type of a use its context types as data.
    That is right for "real occluded fruits (ROF) ... the ROF dataset", but a method paper
    that names the data its method produced ("we propose Masked Residual Fusion (MRF) ...
    the MRF data") would lose its method. A name is claimed as a method when the paper
    proposes it ("we propose (a novel) Foo Bar (FB)", "the proposed FB", "our FB") in a use
    no context types as data, or when context rules type at least as many of its uses as a
    method or model as they type as data ("the MRF model ... the MRF dataset").
    """
    texts, lowers = v.texts, v.lowers
    data_at: set[int] = set()
    method_uses = data_uses = 0
    forms = (a.short, a.long)
    for c in cands:
        if c[4].startswith("context") and c[5] >= 0.7 and v.span_text(c[0], c[1]) in forms:
            if c[2] in {"dataset", "benchmark"}:
                data_uses += 1
                data_at.add(c[0])
            else:
                method_uses += 1
    if method_uses >= data_uses:
        return True
    starts = [a.long_start] + [i for i, t in enumerate(texts) if t == a.short and i != a.short_start]
    for i in starts:
        if i in data_at:
            continue
        k = i - 1
        while k >= 0 and i - k <= 4 and lowers[k] in _CLAIM_FILLERS:
            k -= 1
        if k >= 0 and lowers[k] in _CLAIMS:
            return True
    return False


def _joined_by_connectives(head: str, tail_parts: list[str]) -> bool:
    """Whether a lexicon match inside a hyphenated compound stands apart from the rest of it:
    the compound's text before the match (``head``) ends in a connective word and the parts
    after it start with one, where there is text on that side."""
    head_parts = [p for p in head.split("-") if p.strip()]
    if not head_parts and not tail_parts:
        return False
    return (not head_parts or head_parts[-1].strip().lower() in _CONNECTIVES) \
        and (not tail_parts or tail_parts[0].lower() in _CONNECTIVES)


def _typed(*cands: Candidate | None) -> tuple[str, str, float] | None:
    best = max((c for c in cands if c is not None and c[5] >= 0.5), key=lambda c: c[5], default=None)
    if best is None:
        return None
    return best[2], best[3], best[5]


@Language.factory("kg_mentions", default_config={"min_confidence": 0.5})
def make_mention_selector(nlp: Language, name: str, min_confidence: float) -> MentionSelector:
    return MentionSelector(min_confidence=min_confidence)


class MentionSelector:
    """Keeps the best non-overlapping candidates and writes them to ``doc.spans["kg"]``.

    A weak candidate in the title is kept only when the abstract confirms its key; bare
    acronyms (confidence 0) are kept for the corpus-level resolver, which drops them
    unless some paper defines them.
    """

    def __init__(self, *, min_confidence: float = 0.5) -> None:
        self.min_confidence = min_confidence

    def __call__(self, doc: Doc) -> Doc:
        cands = doc.user_data.pop("kg_candidates", [])
        v = view(doc)
        if cands:
            vocab = vocabulary()
            cands.extend(coordinated_types(v, cands, vocab))
            cands.extend(coordinated_phrases(v, cands, vocab))
            cands = filter_uses(cands, v.lowers, v.texts)
        t_end = v.title_end
        confirmed = {c[3] for c in cands if c[0] >= t_end and c[5] >= self.min_confidence}
        keep: list[Candidate] = []
        lex_ends: dict[tuple[int, str], int] = {}  # (end, type) -> start of a lexicon method
        phrases = titled = False
        for c in cands:
            if c[4] == "bare-acronym" or c[5] >= self.min_confidence:
                keep.append(c)
            elif c[0] < t_end and c[3] in confirmed and c[5] >= 0.4:
                keep.append(c)
            else:
                continue
            rule = c[4]
            if rule == "lexicon" and c[2] == "method":
                lex_ends[(c[1], c[2])] = min(c[0], lex_ends.get((c[1], c[2]), c[0]))
            elif rule == "noun-phrase":
                phrases = True
            elif rule == "title-case":
                titled = True
        if phrases:
            keep = self._prefer_longer_names(keep, lex_ends, titled)
        keep.sort(key=lambda c: (-c[5], -(c[1] - c[0]), c[0]))
        taken = bytearray(len(doc))
        chosen: list[Candidate] = []
        for c in keep:
            if any(taken[c[0]:c[1]]):
                continue
            taken[c[0]:c[1]] = b"\x01" * (c[1] - c[0])
            chosen.append(c)
        chosen.sort(key=lambda c: c[0])
        doc.user_data["kg_mentions"] = chosen
        # character offsets of each mention and its sentence, while the token arrays are at hand
        idx, texts = v.idx, v.texts
        spans = []
        for c in chosen:
            s0, s1 = v.sentence(c[0])
            spans.append((idx[c[0]], idx[c[1] - 1] + len(texts[c[1] - 1]),
                          idx[s0], idx[s1 - 1] + len(texts[s1 - 1])))
        doc.user_data["kg_mention_chars"] = spans
        doc.user_data.pop("kg_view", None)
        doc.user_data.pop("kg_tokens", None)
        if doc.user_data.pop(NO_SPANS, False):
            return doc  # a caller that reads only the records above (extract_papers)
        # a Span given strings adds them to the store once per Span: add the few distinct ones
        # once per Doc (not cached across Docs: ``nlp.memory_zone()`` removes them afterwards)
        strings = doc.vocab.strings
        ids = {t: strings.add(t) for t in {c[2] for c in chosen} | {c[4] for c in chosen}}
        doc.spans["kg"] = [Span(doc, c[0], c[1], label=ids[c[2]], kb_id=c[3], span_id=ids[c[4]])
                           for c in chosen]
        return doc

    def _prefer_longer_names(self, keep: list[Candidate], lex_ends: dict[tuple[int, str], int],
                             titled: bool) -> list[Candidate]:
        # "temporal convolutions", "offline reinforcement learning": a technique phrase that
        # extends a lexicon method leftwards is the more specific name
        if lex_ends:
            keep = [(c[0], c[1], c[2], c[3], c[4], 0.96) if c[4] == "noun-phrase"
                    and c[5] >= self.min_confidence
                    and any(c[0] < lex_ends.get((e, c[2]), -1) for e in range(c[0] + 1, c[1] + 1)) else c
                    for c in keep]
        # "Fast Region-based Convolutional Network": a Title Case run that ends in a technique
        # phrase ("Convolutional Network") and goes on before it is the whole name
        np_end: dict[int, float] = {}
        boosted = []
        for c in keep:
            if c[4] == "noun-phrase" and c[5] >= self.min_confidence:
                np_end[c[1]] = max(np_end.get(c[1], 0.0), c[5])
                if c[5] == 0.96:
                    boosted.append(c)
        if titled and np_end:
            keep = [(c[0], c[1], c[2], c[3], c[4], np_end[c[1]] + 0.005) if c[4] == "title-case"
                    and c[1] in np_end and np_end[c[1]] > c[5] else c for c in keep]
        # "Global Convolution Network": a coined Title Case name that goes on past such a
        # phrase is the whole name
        if boosted:
            keep = [(c[0], c[1], c[2], c[3], c[4], 0.965) if c[4] == "noun-phrase" and c[5] == 0.7
                    and any(b[0] >= c[0] and b[1] < c[1] for b in boosted) else c for c in keep]
        return keep


def pipeline_config() -> dict[str, Any]:
    """The component names in pipeline order (for documentation and tests)."""
    from extract.pipeline import PIPELINE

    return {"components": list(PIPELINE)}
