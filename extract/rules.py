"""Rules that find entity names the lexicon does not know.

Five families, all driven by the vocabulary in ``data/rules.json``:

* name shapes: coined CamelCase names (``WebArena``), versioned names (``GPT-4o``,
  ``Llama-2-7B``, ``mT5``), acronyms (``RT-H``), typed by their context; an acronym
  followed by a citation (``SNIP [44]``, ``CPN (Chen et al., 2018)``) names prior work;
* defining contexts: ``the X benchmark``, ``X, a dataset of ...``, ``a benchmark called X``,
  ``evaluated on X and Y``, ``trained on X``, ``models such as X``, ``a new method, X,``,
  ``SSM [51] and PRW [62] datasets``; a coined name's own suffix (``XBench``, ``XData``) and a
  year edition (``LSVRC-2010``);
* title-case runs: ``Task Specified Instruction Modulation`` in a sentence that
  introduces it;
* extensions of lexicon matches: sizes written apart (``BERT BASE``), techniques named
  after a model (``BERT distillation``, ``GloVe embeddings``), a dimension or adjective
  before an architecture (``3D CNNs``, ``linear SVM``), the part of a dataset named before
  its head noun (``the COCO segmentation dataset``);
* technique noun phrases: modifiers + a method head noun (``Monte Carlo tree search``,
  ``rectified flow``, ``instruction tuning``), with a part-of-speech lexicon (lemminflect)
  to stop at verbs and adverbs, and stop-phrases for generic vocabulary; a head followed
  by a noun that continues the phrase (``learning rate``) is no head.
"""

from __future__ import annotations

import re
from itertools import compress
from typing import TYPE_CHECKING

from extract.doc_view import Candidate, Compound, DocView, candidates
from extract.normalize import entity_key, is_acronym, singular
from extract.vocab import _LEMMAS, BOUND_ADVERBS, RuleVocab
from extract.word_tests import BOUND_ADVERB, DIM, MODIFIER, NO_WORD, modifier_kinds, word_tests

if TYPE_CHECKING:
    from spacy.tokens import Doc

_CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+$|^[A-Z]{2,}[a-z]+[A-Za-z0-9]*$")
_LOWER_CAMEL = re.compile(r"^[a-z]{1,3}[A-Z][A-Za-z0-9]*$")
_VERSIONED = re.compile(r"^(?=.*[A-Za-z]{2})(?=.*[A-Z])[A-Za-z][A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)*$")
_HAS_DIGIT = re.compile(r"\d")
_UNITS = re.compile(r"^(?:[A-Z]?\d+[A-Za-z]{0,3}|[A-Z]{1,2}\d{2,4}|v\d+|RQ\d+)$")  # RQ1: a research question
_BILLIONS = re.compile(r"^\d+(?:\.\d+)?[Bb]$")
_DIMENSION = frozenset({"1D", "2D", "3D", "4D", "1-D", "2-D", "3-D", "4-D"})
_ARCH_WORDS = frozenset({"Transformer", "Transformers", "Network", "Networks", "Net", "GAN", "Diffusion",
                         "Encoder", "Decoder", "Former"})
_ACRONYM_HEADS = _ARCH_WORDS | {"Agent", "Agents"}
_NAME_HEADS = frozenset({"Corpus", "Corpora", "Collection", "Database", "Arena", "Suite"})
_CONNECTORS = frozenset({"of", "for", "with", "from", "to", "via", "in", "on", "the"})
_GERUND_PREPS = frozenset({"for", "by", "of", "in", "to", "via", "when", "while", "after", "before",
                           "from", "through", "without", "on", "at", "into"})
# "based on X", "relying on X": X is no dataset
_BUILT_ON = frozenset({"based", "built", "build", "builds", "building", "relies", "rely", "relying", "depend",
                       "depends", "depending", "focus", "focuses", "focused", "focusing", "conditioned",
                       "conditioning", "draws", "drawing"})
_YEAR_SUFFIX = re.compile(r"(?<![0-9.])(?:19[89]\d|20[0-3]\d)$")
_EMPHASIS = re.compile(r"^[A-Z]{2,}[a-z]{3,}$")
_COUNT_SUFFIX = re.compile(r"^[^0-9]+-(?:[1-9]\d{0,2}[kK]|[1-9]\d{3})$")
_YEAR = re.compile(r"^(?:19|20)\d\d[a-z]?$")


def _sentence_words(v: DocView, tok: int, radius: int = 30) -> set[str]:
    s0, s1 = v.sentence(tok)
    return set(v.lowers[max(s0, tok - radius):min(s1, tok + radius)])


def head_type(vocab: RuleVocab, words: list[str]) -> str | None:
    """Entity type signalled by a head noun at the start of ``words`` (lowercase)."""
    if len(words) >= 2:
        t = vocab.type_heads.get(f"{words[0]} {singular(words[1])}")
        if t:
            return t
    return vocab.type_heads.get(singular(words[0])) if words else None


def context_type(doc: Doc, v: DocView, comp: Compound, vocab: RuleVocab) -> tuple[str, float] | None:
    """Type a name from its context: following head noun, appositive, cue before it."""
    ci = v.comp_of_tok[comp.start]
    after = v.comp_lowers[ci + 1:ci + 13]  # the next 12 compounds (as _next_compounds)
    if after[:1] in (["["], ["("]):
        ce = _citation_end(v, ci)
        cited_t = head_type(vocab, v.comp_lowers[ce:ce + 2]) if ce is not None else None
        if cited_t in {"dataset", "benchmark"}:
            return cited_t, 0.85  # "the ZQD [12] benchmark"
    t = head_type(vocab, after[:2])
    if t:
        return t, 0.85
    first = after[0] if after else ""
    if first in _AFTER_CUES:
        if first in SPLIT_PREFIXES and len(after) >= 2 and after[1] in SPLIT_HEADS:
            return "dataset", 0.85  # "the ZQD training set", "the WMB validation split"
        if first in _CONTAIN_VERBS and _contains_items(after):
            return "dataset", 0.8  # "ZQD contains 10,000 images"
    if first in _LIST_SEPARATORS:
        t = _list_head(v, comp, vocab)
        if t:
            return t, 0.8
    if first in _APPOSITION and len(after) > 2 and after[1] in {"a", "an", "the"}:
        # "X, a benchmark for ...", "X is a large-scale dataset of ..."
        for k in range(2, min(len(after), 10)):
            if after[k] in {".", ";", "(", ")"} or (after[0] != "," and after[k] in _COPULA_STOPS):
                break
            t = head_type(vocab, after[k:k + 2])
            if t:
                return t, 0.8
    before = v.comp_lowers[max(0, ci - 4):ci][::-1]  # the previous 4 (as _prev_compounds), nearest first
    if comp.sent_start:
        before = []  # "... MPII datasets. DenseVidCap [142] reports": no cue across a sentence end
    else:
        for k in range(len(before)):
            if v.compounds[ci - 1 - k].sent_start:
                before = before[:k + 1]
                break
    if before and before[0] in _FROM_CUES and (_split_of(before) or _items_from(before)):
        return "dataset", 0.8
    if before and before[0] in {"called", "named", "dubbed", "termed", ":"}:
        before = before[1:]
    if before and before[0] == ",":
        before = before[1:]
    for k in range(min(2, len(before))):
        t = vocab.type_heads.get(singular(before[k]))
        if t:
            return t, 0.75
    if before and before[0] in vocab.model_cues and before[0] not in {"model", "models"}:
        return "model", 0.7
    if before and before[0] in {"as", "like", "including"}:
        # "datasets such as X", "benchmarks like X", "corpora including X"
        for w in before[1:3]:
            t = vocab.type_heads.get(singular(w))
            if t in {"dataset", "benchmark"}:
                return t, 0.75
    if len(before) >= 2 and before[0] in {"as", "like"} and before[1] in {"such", "models", "llms"}:
        return "model", 0.7
    if before[:1] == ["the"]:
        before = before[1:]
    if before and before[0] in {"on", "across"} and (len(before) < 2 or before[1] not in _BUILT_ON) \
            and _sentence_words(v, comp.start) & vocab.eval_words:
        lower = comp.text.lower()
        if any(s in lower for s in ("bench", "eval", "arena", "qa")):
            return "benchmark", 0.7
        return "dataset", 0.6
    return None


# "the X training set", "the X test split": the name before a split of a dataset is the dataset
SPLIT_PREFIXES = frozenset({"train", "training", "test", "testing", "validation", "val", "dev", "development",
                            "held-out", "heldout"})
SPLIT_HEADS = frozenset({"set", "sets", "split", "splits"})
# before a capitalised word only "set": "the Karpathy test split" is a split named after its author
SET_HEADS = frozenset({"set", "sets"})
# "the English-German test set": a language pair names no dataset
_LANGUAGES = frozenset({"English", "German", "French", "Chinese", "Spanish", "Japanese", "Korean", "Russian",
                        "Arabic", "Italian", "Portuguese", "Dutch", "Hindi", "Romanian", "Czech", "Turkish",
                        "Vietnamese", "Finnish", "Estonian", "Latvian", "Swedish", "Polish", "Greek",
                        "Hebrew", "Indonesian", "Thai", "Persian", "Urdu", "Bengali", "Swahili"})
_LIST_SEPARATORS = frozenset({",", "and", "or", "["})
_APPOSITION = frozenset({",", "is", "was"})
_FROM_CUES = frozenset({"of", "from", "in", "the"})
# "X is a method for ranking datasets": the type head of a copula must come before these
_COPULA_STOPS = frozenset({",", "of", "for", "with", "that", "which", "to", "on", "in"})
_LIST_HEADS = frozenset({"datasets", "benchmarks", "corpora", "suites", "testbeds", "leaderboards",
                         "databases", "collections", "challenges", "arenas", "benches"})


def _list_head(v: DocView, comp: Compound, vocab: RuleVocab) -> str | None:
    """``SSM [51] and PRW [62] datasets``, ``the Foo, Bar and Baz benchmarks``: a name in a
    list of names (or followed by a citation) takes the type of the plural head noun right
    after the last name."""
    if _LIST_HEADS.isdisjoint(v.lowers[comp.end:comp.end + 40]):
        return None  # no plural head noun close by
    skipped = after_name = False
    for c in _next_compounds(v, comp, 12):
        t = c.text
        low = t.lower()
        if low in {"and", "or", ","}:
            skipped, after_name = True, False
        elif t in {"[", "]"} or t.isdigit():
            skipped, after_name = True, t == "]"
        elif t[:1].isupper() or any(ch.isdigit() for ch in t):
            if low in vocab.type_heads:
                return None  # "... and Datasets" in a heading
            after_name = True
        elif skipped and after_name and (low != singular(low) or low == "corpora"):
            th = vocab.type_heads.get(singular(low))
            return th if th in {"dataset", "benchmark"} else None
        else:
            return None
    return None


def _next_compounds(v: DocView, comp: Compound, n: int) -> list[Compound]:
    ci = v.comp_of_tok[comp.start]
    return v.compounds[ci + 1:ci + 1 + n]


def shape_of(text: str, vocab: RuleVocab) -> str | None:
    """``camel``, ``versioned``, ``acronym`` or ``hyphen-title`` for name-like words, else None."""
    if text.islower() or not text[:1].isalnum():
        return None  # the common case: ordinary words and punctuation
    cached = vocab.shape_cache.get(text, "")
    if cached != "":
        return cached
    shape = _shape_of(text, vocab)
    if len(vocab.shape_cache) < 500_000:
        vocab.shape_cache[text] = shape
    return shape


def _shape_of(text: str, vocab: RuleVocab) -> str | None:
    if (len(text) < 2 or text in vocab.stop_names or text.casefold() in vocab.stop_names
            or text.rstrip("s") in vocab.stop_names
            or text.split("-")[0] in vocab.stop_names or _UNITS.match(text)):
        return None
    if "-" not in text and (_CAMEL.match(text) or _LOWER_CAMEL.match(text)):
        if _EMPHASIS.match(text) and _word(text.lower()):
            return None  # "QUAdruped Robots (QUAR)": an ordinary word with the letters of an acronym stressed
        return "versioned" if _HAS_DIGIT.search(text) else "camel"
    if _HAS_DIGIT.search(text) and _VERSIONED.match(text):
        return "versioned"
    parts = text.split("-")
    if any(_CAMEL.match(p) or _LOWER_CAMEL.match(p) for p in parts) and _VERSIONED.match(text):
        return "camel"
    if text.isupper() and text.isalpha() and 2 <= len(text) <= 10:
        return "acronym"
    if "-" in text and text.isupper() and len(text) <= 12 and all(p.isalnum() for p in parts) \
            and any(len(p) >= 2 and p.isalpha() for p in parts):
        return "acronym"  # "RT-H", "BERT-PKD"
    if len(parts) == 2 and parts[1] == "Net" and parts[0][:1].isupper() and parts[0].isalpha():
        return "camel"  # "Dilated-Net", "Deconv-Net"
    if len(parts) > 1 and _hyphen_title(text, vocab):
        return "hyphen-title"  # "Detect-and-Track": a name only when cited
    return None


def _word(lower: str) -> bool:
    from lemminflect import getAllLemmas

    return bool(getAllLemmas(lower))


def name_candidates(doc: Doc, v: DocView, vocab: RuleVocab) -> list[Candidate]:
    """Shape-based names (typed by context) and capitalised names before a type head noun."""
    out: list[Candidate] = []
    proposal = {v.sent_of[i] for i in compress(range(len(v.lowers)),
                                               map(vocab.proposal_verbs.__contains__, v.lowers))}
    for ci in list(compress(range(len(v.comp_texts)), word_tests(v, vocab)[0])):
        comp = v.compounds[ci]
        text = comp.text
        shape = shape_of(text, vocab)
        if shape is not None and v.lowers[comp.end:comp.end + 2] == ["et", "al"]:
            continue  # "LeCun et al.": an author's name
        if shape is None:
            t = _head_after_capitalised(v, ci, vocab)
            if t is not None:
                out.append(t)
                if t[2] in {"dataset", "benchmark"} and text.lower() in _LIST_HEADS:
                    out.extend(_listed_before(v, t, vocab))
            continue
        if shape == "hyphen-title":
            if _cited(v, ci):
                # "Detect-and-Track [21]": a cited capitalised hyphen compound names prior work
                out.append((comp.start, comp.end, "method", entity_key(text), "citation", 0.6))
            continue
        k = ci
        if shape != "acronym":
            # "Financial PhraseBank", "Google Speech Commands": capitalised words before a
            # coined name belong to it
            while k > 0 and ci - k < 2 and _proper_word(v.compounds[k - 1], vocab):
                k -= 1
            if k < ci:
                first = v.compounds[k]
                comp = comp._replace(start=first.start)
                text = " ".join(c.text for c in v.compounds[k:ci + 1])
        ctx = context_type(doc, v, comp, vocab) or _coordinated(v, k, out)
        if shape == "acronym" and ctx is not None and ctx[0] in {"method", "model"} \
                and ci + 1 < len(v.compounds):
            nxt = v.compounds[ci + 1].text.lower()
            if nxt != singular(nxt) and vocab.type_heads.get(singular(nxt)) in {"method", "model"}:
                ctx = None  # "VLN methods", "VLA models": an unknown acronym before a plural head is a field
        if shape == "acronym" and ci + 1 < len(v.compounds) and v.compounds[ci + 1].text in _ACRONYM_HEADS \
                and v.sent_of[v.compounds[ci + 1].start] == v.sent_of[comp.start]:
            # "PC Agent", "ZQ Transformer": a capitalised architecture word after an acronym is
            # part of the name
            arch = v.compounds[ci + 1]
            out.append((comp.start, arch.end, ctx[0] if ctx else "method",
                        entity_key(f"{text} {arch.text}"), "context:head", 0.96))
            continue
        if shape == "acronym":
            if ctx is not None:
                out.append((comp.start, comp.end, ctx[0], entity_key(text), "context", ctx[1] - 0.05))
            elif _cited(v, ci):
                # "SNIP [44]", "CPN (Chen et al., 2018)": a cited acronym names prior work
                out.append((comp.start, comp.end, "method", entity_key(text), "citation", 0.6))
            else:
                out.append((comp.start, comp.end, "method", entity_key(text), "bare-acronym", 0.0))
            continue
        if ctx is not None:
            typ, conf = ctx
            rule = "context"
        elif (suffix_type := _name_suffix_type(text)) is not None:
            # "ProactiveBench", "HuskyQA", "GlimData": the name says what it is
            typ, conf, rule = suffix_type, 0.6, "shape:" + shape
        elif shape == "versioned" and _YEAR_SUFFIX.search(text):
            # "LSVRC-2010", "CoNLL-2003", "BraTS2020": a year names an edition of a dataset
            # or shared task; models carry versions and sizes, not years
            typ, conf, rule = "dataset", 0.6, "shape:versioned"
        elif _COUNT_SUFFIX.search(text):
            # "FSS-1000", "QRT-3K": a count of samples or classes names a dataset
            typ, conf, rule = "dataset", 0.6, "shape:versioned"
        elif shape == "versioned" or any(vocab.is_size(p) for p in text.split("-")[1:]):
            typ, conf, rule = "model", 0.6, "shape:versioned"
        else:
            in_proposal = v.sent_of[comp.start] in proposal or _cited(v, ci)
            typ, conf, rule = "method", (0.6 if in_proposal else 0.5), "shape:camel"
        if "-" in text and is_acronym(text.rsplit("-", 1)[1]) \
                and entity_key(text.rsplit("-", 1)[0]) in vocab.generic_phrases:
            continue  # "Large Language Models-LLMs": a generic long form with its acronym glued on
        end = comp.end
        if ci + 1 < len(v.compounds) and v.compounds[ci + 1].text in _ARCH_WORDS \
                and v.sent_of[v.compounds[ci + 1].start] == v.sent_of[comp.start]:
            # "MotionFlow Transformer", "Zorb Network": the coined name owns the architecture word
            end = v.compounds[ci + 1].end
            text = f"{text} {v.compounds[ci + 1].text}"
            conf = max(conf, 0.96)
        out.append((comp.start, end, typ, entity_key(text), rule, conf))
    out.extend(title_case_names(doc, v, vocab, proposal))
    out.extend(coined_datasets(doc, v, vocab))
    out.extend(lexicon_extensions(doc, v, vocab))
    return out


_VERSION_PART = re.compile(r"^[vV]\d")
_BENCH_SUFFIXES = ("Bench", "Eval", "QA", "Arena")
_DATA_SUFFIXES = ("Data", "Dataset", "Corpus", "Bank", "DB")
_ALL_SUFFIXES = _BENCH_SUFFIXES + _DATA_SUFFIXES


def _name_suffix_type(text: str) -> str | None:
    """The type a coined name's last part announces: ``XBench`` a benchmark, ``XData`` a dataset
    (a version after it does not count: ``LongBench-v2``)."""
    if not text.endswith(_ALL_SUFFIXES) and "-" not in text:
        return None  # the common case, cheaply
    parts = text.split()[-1].split("-")
    while len(parts) > 1 and (parts[-1][:1].isdigit() or _VERSION_PART.match(parts[-1])):
        parts.pop()
    last = parts[-1]
    if len(last) < 5:
        return None
    if last.endswith(_BENCH_SUFFIXES) and not last.startswith(_BENCH_SUFFIXES):
        return "benchmark"
    if last.endswith(_DATA_SUFFIXES) and not last.startswith(_DATA_SUFFIXES):
        return "dataset"
    return None


def title_case_names(doc: Doc, v: DocView, vocab: RuleVocab, proposal: set[int]) -> list[Candidate]:
    """Runs of capitalised words inside a sentence: coined names (``Model Breadcrumbs``,
    ``Task Specified Instruction Modulation``, ``Long Range Arena``).

    A run of two words needs a defining context ("a method, X", "X, a benchmark");
    three or more need a sentence that introduces something (``proposal``: sentence
    numbers with "propose", "introduce", ...), a technique or type head, or a repeat.
    Runs ending in a task, object or organisation word are no names.
    """
    out: list[Candidate] = []
    comps = v.compounds
    n = len(comps)
    titled = word_tests(v, vocab)[2]
    ci = 0
    for start in list(compress(range(n), titled)):
        c = comps[start]
        if start < ci or c.title or c.sent_start:
            continue  # inside the previous run
        ci = start
        words = [ci]
        k = ci + 1
        while k < n and not comps[k].sent_start:
            t = comps[k].text
            if titled[k]:
                words.append(k)
                k += 1
            elif t in _CONNECTORS and k + 1 < n and titled[k + 1] and not comps[k + 1].sent_start:
                k += 1  # "Reinforcement Learning from Human Feedback"
            else:
                break
        ci = k
        if len(words) < 2:
            continue
        while words and comps[words[-1]].text.lower() in vocab.generic_modifiers:
            words.pop()  # "... Segmentation Previous work"
        if len(words) < 2:
            continue
        first, last = comps[words[0]], comps[words[-1]]
        text = v.span_text(first.start, last.end)
        key = entity_key(text)
        head = singular(last.text.lower().split("-")[-1])
        if key in vocab.generic_phrases or head in vocab.task_heads \
                or any(comps[w].text.lower() in vocab.organisation_words for w in words):
            continue  # "Natural Language Processing", "New York University"
        span = Compound(first.start, last.end, text, first.sent_start, first.title)
        co = _coordinated(v, words[0], out)
        if co is not None and co[0] in {"dataset", "benchmark"}:
            # "on Oxford Penguin Counting and Hockey Fights": a run listed after a dataset
            out.append((first.start, last.end, co[0], key, "context", co[1]))
            continue
        if head in vocab.object_heads:
            # "Image Patches" is no name, but "results on Hockey Fights" names data
            if _on_eval(v, span, words[0], vocab):
                out.append((first.start, last.end, "dataset", key, "context", 0.6))
            continue
        ctx = _run_context(doc, v, span, words[0], vocab)
        if ctx is not None:
            if ctx == _CONTAINS_CTX and words[0] > 0 and comps[words[0] - 1].sent_start \
                    and titled[words[0] - 1] and not comps[words[0] - 1].title:
                # "Oxford Penguin Counting contains ...": the run began the sentence
                first = comps[words[0] - 1]
                key = entity_key(v.span_text(first.start, last.end))
            out.append((first.start, last.end, ctx[0], key, "context", ctx[1]))
        elif len(words) >= 3 and (v.sent_of[first.start] in proposal or head in vocab.method_heads
                                  or head in vocab.type_heads or _repeated(words, comps)):
            # a coined name is introduced ("we propose ..."), has a technique head, or recurs
            typ = vocab.type_heads.get(head, "method")
            out.append((first.start, last.end, typ, key, "title-case", 0.55))
    return out


def _repeated(words: list[int], comps: list[Compound]) -> bool:
    """True when the run's first two words occur together again elsewhere in the document."""
    a, b = comps[words[0]].text, comps[words[1]].text
    hits = 0
    for k in range(len(comps) - 1):
        if comps[k].text == a and comps[k + 1].text == b:
            hits += 1
            if hits > 1:
                return True
    return False


def _hyphen_title(text: str, vocab: RuleVocab) -> bool:
    """``Detect-and-Track``: capitalised first and last parts, letters only, no stop-name."""
    parts = text.split("-")
    return (len(parts) >= 2 and parts[-1][:1].isupper() and all(p.isalpha() for p in parts)
            and text not in vocab.stop_names and text.lower() not in vocab.generic_phrases)


def _title_word(text: str, vocab: RuleVocab) -> bool:
    """A capitalised content word: ``Breadcrumbs``, ``Fine-Tuning``, ``MotionFlow`` (not ``GPU``)."""
    if not text[:1].isupper() or not text.replace("-", "").isalpha() or len(text) < 2:
        return False
    if text.isupper() or text in vocab.stop_names or ("-" in text and any(map(is_acronym, text.split("-")))):
        return False
    return text.lower() not in vocab.stop_words


def _run_context(doc: Doc, v: DocView, span: Compound, ci: int, vocab: RuleVocab) -> tuple[str, float] | None:
    """Context typing for a title-case run: a cue word right before it, or a head/appositive after."""
    before = v.comp_lowers[max(0, ci - 3):ci][::-1]
    if before[:1] in (["called"], ["named"], ["dubbed"], ["termed"]):
        return "method", 0.65
    if _on_eval(v, span, ci, vocab):
        return "dataset", 0.6  # "results on Oxford Penguin Counting"
    if len(before) >= 2 and before[0] in {",", ":"} and singular(before[1]) in vocab.type_heads:
        return vocab.type_heads[singular(before[1])], 0.7  # "a new method, Model Breadcrumbs,"
    last_ci = v.comp_of_tok[span.end - 1]
    after = v.comp_lowers[last_ci + 1:last_ci + 12]
    if _contains_items(after):
        return _CONTAINS_CTX  # "Oxford Penguin Counting contains 10,000 images"
    if after[:1] == [","] and len(after) > 2 and after[1] in {"a", "an"}:
        for k in range(2, min(len(after), 10)):
            if after[k] in {".", ";", "(", ")"}:
                break
            t = head_type(vocab, after[k:k + 2])
            if t and after[k + 1:k + 2] != ["of"]:  # "a collection of techniques"
                return t, 0.7
    return None


def _on_eval(v: DocView, span: Compound, ci: int, vocab: RuleVocab) -> bool:
    """A name (starting at compound ``ci``) after "on"/"across" in a sentence about training
    or evaluation: ``results on (the) Oxford Penguin Counting``, not ``based on ...``."""
    head = singular(span.text.lower().rsplit(" ", 1)[-1].split("-")[-1])
    last = v.comp_of_tok[span.end - 1]
    nxt = v.comp_lowers[last + 1] if 0 <= last < len(v.comp_lowers) - 1 else ""
    if nxt and v.compounds[last + 1].text[:1].isupper():
        return False  # a run cut short ("Natural Language Inference" without its generic last word)
    if head in vocab.method_heads or vocab.type_heads.get(head) in {"method", "model"} \
            or nxt in vocab.task_followers or vocab.type_heads.get(singular(nxt)) in {"method", "model"}:
        return False  # "on Graph Neural Networks", "on Natural Language Inference tasks"
    before = v.comp_lowers[max(0, ci - 3):ci][::-1]
    if _items_from(before):
        return True  # "images from Oxford Penguin Counting"
    if before[:1] == ["the"]:
        before = before[1:]
    return bool(before) and before[0] in {"on", "across"} \
        and (len(before) < 2 or before[1] not in _BUILT_ON) \
        and bool(_sentence_words(v, span.start) & vocab.eval_words)


def _cited(v: DocView, ci: int) -> bool:
    """True when a citation follows compound ``ci``: ``[12]`` or ``(Smith et al., 2019)``."""
    comps = v.compounds
    if ci + 2 >= len(comps):
        return False
    nxt, first = comps[ci + 1].text, comps[ci + 2].text
    if nxt == "[":
        return first[:1].isdigit()
    if nxt != "(" or not first[:1].isupper() or not first.isalpha():
        return False
    after = [c.text for c in comps[ci + 3:ci + 7]]
    return after[:1] == ["et"] or any(_YEAR.match(t) for t in after[:3])


def _citation_end(v: DocView, ci: int) -> int | None:
    """Index of the compound after a citation that follows compound ``ci`` (see :func:`_cited`)."""
    if not _cited(v, ci):
        return None
    close = "]" if v.compounds[ci + 1].text == "[" else ")"
    for k in range(ci + 2, min(len(v.compounds), ci + 14)):
        if v.compounds[k].text == close:
            return k + 1
    return None


def _citation_start(v: DocView, ci: int) -> int | None:
    """Index of the compound before a citation that ends at compound ``ci`` (``]`` or ``)``)."""
    close = v.compounds[ci].text
    if close not in {"]", ")"}:
        return None
    opener = "[" if close == "]" else "("
    for k in range(ci - 1, max(-1, ci - 14), -1):
        if v.compounds[k].text == opener:
            return k - 1 if k >= 1 and _citation_end(v, k - 1) == ci + 1 else None
    return None


def lexicon_extensions(doc: Doc, v: DocView, vocab: RuleVocab) -> list[Candidate]:
    """Longer names built on a lexicon match (run after the lexicon component):

    * a size written apart: ``BERT BASE``, ``BERT large``, ``Llama 2 70B`` (same entity);
    * a technique named after a model: ``BERT distillation``, ``GloVe embeddings``;
    * a dimension or an adjective before an architecture acronym or a one-word method:
      ``3D CNNs``, ``linear SVM``, ``temporal deconvolution`` (a new, more specific entity).
    """
    out: list[Candidate] = []
    comps = v.compounds
    for c in candidates(doc):
        if c[4] not in {"lexicon", "lexicon-variant"}:
            continue
        if c[2] in {"dataset", "benchmark"}:
            ext = _language_pair(v, c) or _dataset_subset(doc, v, vocab, c)
            if ext is not None:
                out.append(ext)
            continue
        if c[2] not in {"model", "method"}:
            continue
        first_ci, last_ci = v.comp_of_tok[c[0]], v.comp_of_tok[c[1] - 1]
        if first_ci < 0 or last_ci < 0 or comps[last_ci].end != c[1] or comps[first_ci].start != c[0]:
            continue
        sent = v.sent_of[c[0]]
        if last_ci + 1 < len(comps) and v.sent_of[comps[last_ci + 1].start] == sent:
            nxt = comps[last_ci + 1]
            low = nxt.text.lower()
            if c[2] == "model" and (low in vocab.spaced_sizes or _BILLIONS.match(nxt.text)) \
                    and (nxt.text.isupper() or nxt.text[:1].islower() or nxt.text[1:].islower()) \
                    and not vocab.is_size(v.texts[c[1] - 1]):
                out.append((c[0], nxt.end, c[2], c[3], c[4], c[5] + 0.02))
                continue
            if c[2] == "method" and low in vocab.span_heads:
                out.append((c[0], nxt.end, c[2], c[3], c[4], c[5] + 0.02))
                continue
            if singular(low) in vocab.extension_heads or low in vocab.extension_heads:
                text = v.span_text(c[0], nxt.end)
                out.append((c[0], nxt.end, "method", entity_key(text), "noun-phrase", 0.97))
                continue
        if first_ci == 0 or comps[first_ci].sent_start:
            continue
        prev = comps[first_ci - 1]
        if v.sent_of[prev.start] != sent or prev.title != comps[first_ci].title:
            continue
        surface = v.span_text(c[0], c[1])
        single = is_acronym(surface.split("-")[0]) or (surface.islower() and " " not in surface)
        if prev.text in _DIMENSION or (c[2] == "method" and single and vocab.adjective(prev.text)):
            text = f"{prev.text} {surface}"
            out.append((prev.start, c[1], c[2], entity_key(text), "noun-phrase", 0.96))
    return out


# on the tokens joined without spaces: a size has a digit next to an "x". Written to start
# with the literal "x" (same yes/no answer as r"x\d|\dx"): re then jumps from "x" to "x"
# instead of trying the pattern at every character (26 -> 1.5 us per abstract)
_KERNEL_JOINED = re.compile(r"x(?:(?<=\dx)|\d)")
_KERNEL = re.compile(r"^\d{1,2}[x×]\d{1,2}$")
_KERNEL_SIDE = re.compile(r"^(?:\d{1,2}|[a-zA-Z])$")
_TECHNIQUE_RULES = frozenset({"lexicon", "lexicon-variant", "noun-phrase"})


# a common word that names a technique only beside the words of its field: "SGD with momentum
# 0.9", "momentum and weight decay" (not "the momentum of the field", "angular momentum")
_CUED_TECHNIQUES: dict[str, tuple[str, frozenset[str]]] = {
    "momentum": ("momentum", frozenset({"sgd", "nesterov", "optimizer", "optimizers", "optimiser",
                                        "optimisers", "optimization", "optimisation", "descent", "adam",
                                        "rmsprop", "adagrad", "decay", "decays", "lr"})),
}


def cued_techniques(v: DocView) -> list[Candidate]:
    """Common words in ``_CUED_TECHNIQUES`` as the technique they name, when their sentence
    holds one of the field's cue words (one set lookup per document when none occurs)."""
    out: list[Candidate] = []
    lowers = v.lowers
    if all(w not in lowers for w in _CUED_TECHNIQUES):  # the common case: a few C-level scans
        return out
    for i, low in enumerate(lowers):
        entry = _CUED_TECHNIQUES.get(low)
        if entry is None or v.texts[i] not in {low, low.capitalize()}:
            continue
        comp = v.compound_at(i)
        if comp is None or comp.start != i or comp.end != i + 1:
            continue  # part of a compound: "momentum-based", "Momentum Contrast"
        prev = v.compound_at(i - 1) if i else None
        if prev is not None and prev.text[:1].isupper() and not prev.sent_start:
            continue  # "Nesterov momentum": a name ending in the word is the lexicon's
        key, cues = entry
        s0, s1 = v.sentence(i)
        if not cues.isdisjoint(lowers[s0:s1]):
            out.append((i, i + 1, "method", key, "context", 0.8))
    return out


def kernel_sizes(v: DocView, cands: list[Candidate]) -> list[Candidate]:
    """``3 × 3 convolution``, ``1x1 conv``: a kernel size before a technique names a more
    specific technique (a new entity, outranking the bare technique)."""
    out: list[Candidate] = []
    texts = v.texts
    joined = v.joined
    if "×" not in joined and _KERNEL_JOINED.search(joined) is None:
        return out  # the common case: no kernel size in the document
    for c in cands:
        if c[2] != "method" or c[0] < 1 or c[5] < 0.5 or c[4] not in _TECHNIQUE_RULES:
            continue
        k = c[0] - 1
        while k >= 0 and not texts[k].strip():
            k -= 1  # whitespace tokens
        if k < 0 or v.sent_of[k] != v.sent_of[c[0]]:
            continue
        if _KERNEL.match(texts[k]):
            start = k
        elif k >= 2 and texts[k - 1] in {"×", "x"} and _KERNEL_SIDE.match(texts[k]) \
                and _KERNEL_SIDE.match(texts[k - 2]) and (texts[k].isdigit() or texts[k - 2].isdigit()) \
                and v.sent_of[k - 2] == v.sent_of[c[0]]:
            start = k - 2
        else:
            continue
        text = v.span_text(start, c[1])
        out.append((start, c[1], "method", entity_key(text), "noun-phrase", max(c[5], 0.97)))
    return out


_DATA_HEADS = frozenset({"dataset", "datasets", "benchmark", "benchmarks", "corpus", "corpora", "database",
                         "challenge"})
_SUBSET_CUES = frozenset({"task", "track", "subtask"})


_LANGUAGE_CODES = frozenset({"en", "de", "fr", "zh", "ja", "ko", "ru", "ro", "cs", "tr", "fi", "et", "lv",
                             "es", "it", "pt", "nl", "ar", "hi", "vi", "lt", "kk", "gu", "ps", "km", "ne",
                             "si"})


def _language_pair(v: DocView, c: Candidate) -> Candidate | None:
    """``WMT 2014 English-to-German``, ``IWSLT'14 De-En``: a translation dataset followed by its
    language pair names that pair's data (a new, more specific entity of the same type)."""
    last_ci = v.comp_of_tok[c[1] - 1]
    comps = v.compounds
    if last_ci < 0 or comps[last_ci].end != c[1] or last_ci + 1 >= len(comps):
        return None
    nxt = comps[last_ci + 1]
    if v.sent_of[nxt.start] != v.sent_of[c[0]]:
        return None
    parts = [p for p in re.split(r"[-→–]", nxt.text) if p and p.lower() != "to"]
    if len(parts) != 2 or not all(p in _LANGUAGES or (p.lower() in _LANGUAGE_CODES and (
            p.istitle() or p.isupper() or p.islower())) for p in parts):
        return None
    return (c[0], nxt.end, c[2], entity_key(v.span_text(c[0], nxt.end)), "lexicon-variant", 0.96)


def _dataset_subset(doc: Doc, v: DocView, vocab: RuleVocab, c: Candidate) -> Candidate | None:
    """``the COCO segmentation dataset``, ``the FiQA Task 1 sentiment scoring dataset``: words
    between a known dataset and its head noun that end in a task name a part of it (a new,
    more specific entity). Split and generic words ("the ImageNet validation dataset") and
    other nouns ("the COCO 2017 keypoint benchmark") do not.
    """
    comps = v.compounds
    last_ci = v.comp_of_tok[c[1] - 1]
    if last_ci < 0 or comps[last_ci].end != c[1]:
        return None
    sent = v.sent_of[c[0]]
    k = last_ci + 1
    words = 0
    while k < len(comps) and k - last_ci <= 5 and v.sent_of[comps[k].start] == sent:
        t = comps[k].text
        low = t.lower()
        if low in _DATA_HEADS:
            break
        if low in _SUBSET_CUES and k + 1 < len(comps) and comps[k + 1].text.isdigit():
            k += 2  # "Task 1"
            words += 1
            continue
        if not (t.replace("-", "").isalpha() and t.islower()) or low in vocab.stop_words \
                or low in vocab.generic_modifiers or low in vocab.split_words:
            return None
        words += 1
        k += 1
    else:
        return None
    if not words or k >= len(comps) or comps[k].text.lower() not in _DATA_HEADS:
        return None
    last = comps[k - 1].text.lower().split("-")[-1]
    if singular(last) not in vocab.task_heads and not last.endswith("ing"):
        return None  # the part is named by its task ("segmentation", "sentiment scoring")
    end = comps[k - 1].end
    return (c[0], end, c[2], entity_key(v.span_text(c[0], end)), "noun-phrase", 0.97)


def _proper_word(c: Compound, vocab: RuleVocab) -> bool:
    t = c.text
    return (t[:1].isupper() and t[1:].islower() and t.isalpha() and not c.sent_start and not c.title
            and t.lower() not in vocab.stop_words and t not in vocab.stop_names)


def _coordinated(v: DocView, ci: int, found: list[Candidate]) -> tuple[str, float] | None:
    """``X, Y and Z``: a name in a list takes the type of the typed name before it."""
    if not found or ci < 2:
        return None
    prev = found[-1]
    k = ci - 1
    seps = 0
    while k >= 0 and v.compounds[k].text in {",", "and", "or"} and seps < 2:
        k -= 1
        seps += 1
    if seps == 0 or k < 0 or v.compounds[k].end != prev[1] or prev[4] not in {"context", "context:list"}:
        return None
    return prev[2], prev[5]


def _head_after_capitalised(v: DocView, ci: int, vocab: RuleVocab) -> Candidate | None:
    """``the Penn Treebank dataset``: capitalised words right before a type head noun."""
    comp = v.compounds[ci]
    lower = comp.text.lower()
    if lower in SET_HEADS:
        return _before_split(v, ci, vocab)
    if lower[:1] not in vocab.head_initials:
        return None  # cheap pre-check: no type head starts with this letter
    t = vocab.type_heads.get(singular(lower))
    if t is None or t == "method" or ci == 0:
        return None
    head_ci = ci
    if t in {"dataset", "benchmark"} and v.compounds[ci - 1].text in {"]", ")"}:
        cs = _citation_start(v, ci - 1)
        if cs is not None:
            ci = cs + 1  # "the Menpo [47] dataset": the name is before the citation
    k = ci - 1
    while k >= 0 and ci - k <= 4:
        c = v.compounds[k]
        if not c.text[:1].isupper() or c.text.lower() in vocab.stop_words or c.sent_start or c.title:
            break
        k -= 1
    if k == ci - 1:
        return None
    first, last = v.compounds[k + 1], v.compounds[ci - 1]
    text = " ".join(c.text for c in v.compounds[k + 1:ci])
    suffix = last.text.rsplit("-", 1)[-1] if "-" in last.text else ""
    if text in vocab.stop_names or entity_key(f"{text} {comp.text}") in vocab.generic_phrases \
            or entity_key(text) in vocab.generic_phrases or len(text) < 2 \
            or all(p in _LANGUAGES for c in v.compounds[k + 1:ci] for p in c.text.split("-")) \
            or (suffix and (suffix in vocab.generic_modifiers or vocab.participle(suffix.lower()))):
        return None  # "LLM-based models", "Instruction-Tuned models": a kind, not a name
    if t == "model" and lower != singular(lower) and k == ci - 2 and text.isupper() and text.isalpha():
        return None  # "VLA models": an unknown acronym before a plural head is a field
    if k == ci - 2 and (last.text.lower() in vocab.generic_modifiers or last.text.endswith("ed")):
        return None  # "Existing datasets", "Unsupervised benchmarks" in a heading
    if singular(last.text.rsplit("-", 1)[-1].lower()) in vocab.task_heads and all(
            _LEMMAS[w.lower()] and not _CAMEL.match(w)
            for c in v.compounds[k + 1:ci] for w in c.text.split("-")):
        # "the Activity Recognition dataset" names a task's data; "the Cross-lingual Question
        # Answering Dataset" is a name with its capitalised head ("YouTube Video Object
        # Segmentation" has a name word of its own)
        if comp.text[:1].isupper() and not comp.title and head_ci == ci and t == "dataset":
            return (first.start, comp.end, t, entity_key(f"{text} {comp.text}"), "context:head", 0.75)
        return None
    if comp.text in _NAME_HEADS and not comp.title and head_ci == ci:
        # "the Foo Bar Corpus": a capitalised corpus word is part of the name
        return (first.start, comp.end, t, entity_key(f"{text} {comp.text}"), "context:head", 0.75)
    return (first.start, last.end, t, entity_key(text), "context:head", 0.75)


def coined_word(text: str, vocab: RuleVocab) -> bool:
    """``Zorblax``, ``Wikipedia``: a capitalised word that is no English word (nor a stop-name)."""
    return (len(text) >= 4 and text[:1].isupper() and text[1:].islower() and text.isalpha()
            and text.lower() not in vocab.stop_names and text.lower() not in vocab.stop_words
            and text not in _LANGUAGES and text not in _CALENDAR and not _LEMMAS[text.lower()])


_CALENDAR = frozenset({"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                       "January", "February", "March", "April", "June", "July", "August", "September",
                       "October", "November", "December"})


_COINED_CUES = frozenset({"on", "across", "set", "sets", "split", "splits", "contains", "consists",
                          "comprises", "includes", "collects", "covers"})


def coined_datasets(doc: Doc, v: DocView, vocab: RuleVocab) -> list[Candidate]:
    """``results on Zorblax``, ``trained on ImageNet and Zorblax``, ``the test split of
    Zorblax``, ``Zorblax contains 5,000 videos``: a coined capitalised word (no English word)
    in such a context names a dataset, as do the coined words listed with it. Only the
    compounds next to a cue word are looked at."""
    lowers = v.comp_lowers
    n = len(lowers)
    out: list[Candidate] = []
    hits = list(compress(range(n), map(_COINED_CUES.__contains__, lowers)))
    if not hits:
        return out
    coined = vocab.memo("coined", lambda t: coined_word(t, vocab))
    comps = v.compounds
    texts = v.comp_texts
    done: set[int] = set()
    for i in hits:
        cue = lowers[i]
        if cue in SPLIT_HEADS:
            # "the test split of X": a split head is the cue, the "of" after it the position
            if i + 1 >= n or lowers[i + 1] != "of":
                continue
            i += 1
            cue = "of"
        elif cue in _CONTAIN_VERBS:
            ci = i - 1
            if ci >= 0 and ci not in done and comps[ci].text[1:].islower() and not comps[ci].title \
                    and coined[comps[ci].text] and _contains_items(lowers[i:i + 7]):
                done.add(ci)
                out.append((comps[ci].start, comps[ci].end, "dataset", entity_key(comps[ci].text),
                            "context", 0.75))
            continue
        ci = i + 1
        if ci < n and lowers[ci] == "the":
            ci += 1
        if ci >= n or not texts[ci][:1].isupper() or comps[ci].sent_start or comps[ci].title:
            continue  # the common case: no capitalised word after the cue
        if cue == "of":
            if ci not in done and _split_of(lowers[max(0, i - 2):i + 1][::-1]) \
                    and comps[ci].text[1:].islower() and coined[comps[ci].text] \
                    and not _continues_name(v, ci):
                done.add(ci)
                out.append((comps[ci].start, comps[ci].end, "dataset", entity_key(comps[ci].text),
                            "context", 0.75))
            continue
        # "on X", "on X, Y and Z": the listed names; coined ones not typed by other rules are datasets
        listed: list[int] = []
        k = ci
        while k < n and len(listed) < 6 and not comps[k].sent_start:
            if not comps[k].text[:1].isupper():
                break
            listed.append(k)
            k += 1
            if k + 1 < n and lowers[k] in {",", "and", "or"}:
                k += 1
                if k + 1 < n and lowers[k] in {"and", "or"}:
                    k += 1  # ", and"
            else:
                break
        nxt = lowers[listed[-1] + 1:listed[-1] + 3] if listed else []
        if nxt[:1] in (["split"], ["splits"]) or (nxt[:1] and nxt[0] in SPLIT_PREFIXES
                                                  and nxt[1:] in (["split"], ["splits"])):
            continue  # "on the Karpathy (test) split": a split named after its author
        if not listed or (i > 0 and lowers[i - 1] in _BUILT_ON) \
                or not (_sentence_words(v, comps[ci].start) & vocab.eval_words):
            continue  # "based on X"
        found = [k for k in listed if k not in done and comps[k].text[1:].islower() and coined[comps[k].text]
                 and not _continues_name(v, k)]
        if not found or _modifies_noun(v, listed[0], vocab):
            continue  # "on Xeon and Atom processors": names modifying a noun
        for k in found:
            done.add(k)
            out.append((comps[k].start, comps[k].end, "dataset", entity_key(comps[k].text), "context", 0.6))
    return out


def _continues_name(v: DocView, ci: int) -> bool:
    """``on Zorblax Quxbar ...``: a capitalised word after it makes it part of a longer name."""
    return ci + 1 < len(v.compounds) and v.compounds[ci + 1].text[:1].isupper() \
        and not v.compounds[ci + 1].sent_start


_DATA_NOUNS = frozenset({"data", "dataset", "datasets", "benchmark", "benchmarks", "corpus", "corpora"})


def _split_of(before: list[str]) -> bool:
    """``the test split of X``, ``the training set of X`` (``before``: the preceding words,
    nearest first)."""
    return len(before) >= 3 and before[0] == "of" and before[1] in SPLIT_HEADS and before[2] in SPLIT_PREFIXES


# "images from X", "the questions in X", "a subset of X": X is a dataset
# (not "samples", "examples" or "data": "samples from BigGAN" come from a model)
_DATA_ITEMS = frozenset({"images", "videos", "clips", "sentences", "questions", "documents", "articles",
                         "instances", "pairs", "frames", "utterances", "dialogues", "dialogs", "recordings",
                         "reviews", "tweets", "captions", "annotations", "scenes", "photos", "texts",
                         "subset", "subsets"})


def _items_from(before: list[str]) -> bool:
    """``images from (the) X``, ``a subset of X`` (``before``: the preceding words, nearest first)."""
    if before[:1] == ["the"]:
        before = before[1:]
    if len(before) < 2 or before[1] not in _DATA_ITEMS:
        return False
    return before[0] in {"from", "in"} or (before[0] == "of" and before[1] in {"subset", "subsets"})


_CONTAINS_CTX = ("dataset", 0.7)
_CONTAIN_VERBS = frozenset({"contains", "consists", "comprises", "includes", "collects", "covers"})
_AFTER_CUES = SPLIT_PREFIXES | _CONTAIN_VERBS
_COUNTED = _DATA_ITEMS | {"samples", "examples", "classes", "categories", "subjects", "speakers", "hours",
                          "identities"}


def _contains_items(after: list[str]) -> bool:
    """``X contains 10,000 images``, ``X consists of 500 videos of 20 classes`` (``after``: the
    following words)."""
    if not after or after[0] not in _CONTAIN_VERBS:
        return False
    for k in range(1, min(len(after), 6)):
        if after[k][:1].isdigit():
            return any(w in _COUNTED for w in after[k + 1:k + 4])
    return False


def _modifies_noun(v: DocView, ci: int, vocab: RuleVocab) -> bool:
    """True when the names listed from compound ``ci`` on are followed by a common noun
    other than a data noun (``Xeon and Atom processors``)."""
    comps = v.compounds
    k = ci + 1
    while k < len(comps) and k - ci <= 6 and (comps[k].text in {",", "and", "or"} or (
            comps[k].text[:1].isupper() and not comps[k].sent_start)):
        k += 1
    if k >= len(comps) or v.sent_of[comps[k].start] != v.sent_of[comps[ci].start]:
        return False
    w = comps[k].text
    if not (w.isalpha() and w.islower()) or w in vocab.stop_words or w in _DATA_NOUNS:
        return False
    pos = _LEMMAS[w] or _LEMMAS[singular(w)]
    return not pos or ("NOUN" in pos and "VERB" not in pos)  # an unknown word: a technical noun


def _listed_before(v: DocView, c: Candidate, vocab: RuleVocab) -> list[Candidate]:
    """``the Hockey Fights and Violent Flows datasets``: capitalised names listed before the
    one right before a plural head noun take its type."""
    out: list[Candidate] = []
    comps = v.compounds
    k = v.comp_of_tok[c[0]] - 1
    while k >= 1 and len(out) < 5 and comps[k].text in {",", "and", "or"}:
        if comps[k].text in {"and", "or"} and comps[k - 1].text == ",":
            k -= 1  # ", and"
        j = k - 1
        while j >= 0 and k - j <= 4:
            w = comps[j]
            if not w.text[:1].isupper() or w.text.lower() in vocab.stop_words or w.sent_start or w.title:
                break
            j -= 1
        if j == k - 1:
            break
        names = comps[j + 1:k]
        text = " ".join(w.text for w in names)
        if text in vocab.stop_names or entity_key(text) in vocab.generic_phrases:
            break
        out.append((names[0].start, names[-1].end, c[2], entity_key(text), "context:head", c[5]))
        k = j
    return out


def _before_split(v: DocView, ci: int, vocab: RuleVocab) -> Candidate | None:
    """``the Penn Treebank training set``, ``the Zorblax test split``: capitalised words right
    before a split of a dataset name the dataset (not a language pair: ``the English-German
    test set``)."""
    if ci < 2 or v.comp_lowers[ci - 1] not in SPLIT_PREFIXES:
        return None
    k = ci - 2
    while k >= 0 and ci - 2 - k < 3:
        c = v.compounds[k]
        if not c.text[:1].isupper() or c.text.lower() in vocab.stop_words or c.sent_start or c.title:
            break
        k -= 1
    if k == ci - 2:
        return None
    names = v.compounds[k + 1:ci - 1]
    first, last = names[0], names[-1]
    text = " ".join(c.text for c in names)
    if text in vocab.stop_names or entity_key(text) in vocab.generic_phrases or len(text) < 2 \
            or all(p in _LANGUAGES for c in names for p in c.text.split("-")):
        return None
    return (first.start, last.end, "dataset", entity_key(text), "context:head", 0.75)


_SHOT_WORDS = frozenset({"shot", "shots"})
_SHOT_COUNTS = frozenset({"zero", "one", "few", "low", "two", "single", "multi", "many"})
# "the fifth convolutional layer", "the i-th block", "seventeen residual units": a count or a
# position picks one of several, it is no part of the technique's name
_COUNT_WORDS = frozenset({"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                          "nineteen", "twenty", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                          "ninth", "tenth", "last", "left", "right", "upper", "lower"})
_INDEX_ORDINAL = re.compile(r"^[a-zA-Z]-?th$")


def _counting(word: str) -> bool:
    return word.lower() in _COUNT_WORDS or _INDEX_ORDINAL.match(word) is not None


# "second order pooling", "higher order attention": the degree before "order" is part of the name
_ORDER_DEGREES = frozenset({"first", "second", "third", "zeroth", "high", "higher", "low", "lower",
                            "fractional", "arbitrary"})


def _verb_s_form(word: str) -> bool:
    """``makes``, ``demands``: a third-person verb form (lemminflect knows it as a verb whose
    lemma drops the final -s)."""
    if len(word) < 4 or not word.endswith("s") or word.endswith("ss") or not word.isalpha():
        return False
    lemmas = _LEMMAS[word.lower()].get("VERB", ())
    return any(lem != word.lower() and word.lower().startswith(lem) for lem in lemmas)


def _manner_adverb(word: str) -> bool:
    return len(word) > 4 and word.islower() and word.endswith("ly") and word not in BOUND_ADVERBS \
        and word not in _NOT_ADVERBS


_NOT_ADVERBS = frozenset({"early", "family", "supply", "apply", "reply", "assembly", "only", "poly",
                          "daily", "weekly", "monthly", "yearly", "likely", "friendly", "anomaly"})


# heads of lowercase phrases that name what is learned, modelled or optimised more often
# than a technique ("feature representation learning", "global context modeling", "post
# processing optimization", "receptive field"); known techniques with these heads are in the
# lexicon
_SETTING_HEADS = frozenset({"learning", "training", "modeling", "modelling", "optimization", "optimisation",
                            "propagation", "initialization", "initialisation", "field"})


def technique_candidates(doc: Doc, v: DocView, vocab: RuleVocab) -> list[Candidate]:
    """Technique noun phrases ending in a method head noun (``rectified flow``)."""
    out: list[Candidate] = []
    kinds = modifier_kinds(vocab)
    for ci in list(compress(range(len(v.comp_texts)), word_tests(v, vocab)[1])):
        comp = v.compounds[ci]
        head = comp.text.lower()
        head_s = singular(head)
        if ci + 1 < len(v.compounds) and v.compounds[ci + 1].text.lower() in vocab.head_followers:
            continue  # "learning rates", "attention maps": the phrase goes on past the head
        title_case = comp.text[:1].isupper()
        if title_case and ci + 1 < len(v.compounds) and v.compounds[ci + 1].text.lower() in vocab.task_heads \
                and v.compounds[ci + 1].text[:1].isupper() and not v.compounds[ci + 1].sent_start:
            continue  # "Neural Machine Translation": a Title Case task name goes on past the head
        weak_head = head_s in vocab.weak_method_heads or head in vocab.weak_method_heads
        k = ci - 1
        mods: list[Compound] = []
        while k >= 0 and len(mods) < 4:
            c = v.compounds[k]
            if c.title != comp.title:
                break
            kind, upper = kinds[c.text]
            if kind == DIM:
                mods.append(c)  # "3D convolutional network"
                break
            if kind == NO_WORD:  # not a letter first, or an acronym
                break
            if title_case and not upper:
                break
            if kind != MODIFIER:
                if kind == BOUND_ADVERB and mods:
                    mods.append(c)  # "fully connected layer", "densely connected network"
                break
            mods.append(c)
            if c.sent_start:
                break
            k -= 1
        # strip leading generic modifiers ("novel", "efficient") that slipped through
        while mods and (mods[-1].text.lower() in vocab.generic_modifiers or _counting(mods[-1].text)):
            mods.pop()
        if mods and mods[-1].text.lower() in _SHOT_WORDS:
            # "one shot domain adaptation": the count before "shot" belongs to the name
            pk = v.comp_of_tok[mods[-1].start] - 1
            if pk >= 0 and v.compounds[pk].text.lower() in _SHOT_COUNTS \
                    and v.compounds[pk].title == comp.title:
                mods.append(v.compounds[pk])
            else:
                mods.pop()
        elif mods and mods[-1].text.lower() == "order":
            pk = v.comp_of_tok[mods[-1].start] - 1
            if pk >= 0 and v.compounds[pk].text.lower() in _ORDER_DEGREES \
                    and v.compounds[pk].title == comp.title:
                mods.append(v.compounds[pk])
        # "models exhibit long-term memory": a verb right after its subject is no modifier
        if mods and k >= 0 and v.compounds[k].text.lower() in vocab.verb_context \
                and vocab.verb_like(mods[-1].text.lower()):
            mods.pop()
        # "reliably update machine learning models": after a manner adverb, a word that can be
        # a finite verb is one (participles stay: "jointly learned embeddings")
        if mods and k >= 0 and _manner_adverb(v.compounds[k].text) \
                and not mods[-1].text.endswith("ed") and vocab.verb_like(mods[-1].text.lower()):
            mods.pop()
        # "approaches for learning word embeddings": a gerund after a preposition is a verb
        if mods and k >= 0 and v.compounds[k].text.lower() in _GERUND_PREPS \
                and mods[-1].text.endswith("ing") and vocab.verb_like(mods[-1].text.lower()):
            mods.pop()
        # "the drop layer demands shortcut connections": an -s form that can be a verb is a
        # predicate (or a plural noun, which rarely starts a technique name), not a modifier;
        # plural data nouns stay ("weights pruning", "features extractor")
        for i, c in enumerate(mods):
            if _verb_s_form(c.text) and c.text.lower() not in vocab.head_followers \
                    and c.text.lower() not in vocab.object_heads:
                del mods[i:]  # the words before the verb are its subject
                break
        if not mods:
            continue
        mods.reverse()
        text = " ".join(c.text for c in mods) + " " + comp.text
        key = entity_key(text)
        if key in vocab.generic_phrases or singular(mods[-1].text.lower()) in vocab.task_heads:
            continue
        if head_s in _SETTING_HEADS and not title_case:
            continue  # "representation learning", "language modeling": a task or a setting
        weak = weak_head and len(mods) == 1 and mods[0].text not in _DIMENSION  # "3D networks" is a kind
        conf = 0.45 if comp.title or weak else 0.6
        if title_case and len(mods) >= 1 and not comp.title:
            conf = 0.7  # a coined Title Case technique name ("Motion Curriculum Learning")
        out.append((mods[0].start, comp.end, "method", key, "noun-phrase", conf))
    return out
