"""Names introduced by a type noun before them: a list after a plural head
(``three datasets: Foo, Bar-2 and Baz``, ``benchmarks such as Foo and Bar``, ``baselines
including Foo [3] and Bar (Li et al., 2020)``) and a name after a naming verb (``a new
dataset, named Gorp``).

The shape rules (:mod:`extract.rules`) only see words that look like names (CamelCase,
digits, acronyms); these contexts also type plain capitalised words (``Gorp``).

>>> from extract.pipeline import make_pipeline
>>> doc = make_pipeline(use_default_lexicon=False)("We use two corpora: Blarg and Frobnik News.")
>>> [(s.text, s.label_) for s in doc.spans["kg"]]
[('Blarg', 'dataset'), ('Frobnik News', 'dataset')]
"""

from __future__ import annotations

import re
from itertools import compress
from typing import TYPE_CHECKING

from extract.normalize import entity_key, singular

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from extract.doc_view import Candidate, Compound, DocView
    from extract.vocab import RuleVocab

__all__ = ["coordinated_phrases", "coordinated_types", "introduced_names"]

_PLURAL_HEADS = frozenset({"datasets", "benchmarks", "corpora", "testbeds", "suites", "methods", "models",
                           "baselines", "approaches", "algorithms", "techniques", "architectures"})
_SINGULAR_HEADS = frozenset({"dataset", "benchmark", "corpus", "testbed", "suite", "model", "method",
                             "framework", "approach", "algorithm"})
_NAMING = frozenset({"called", "named", "dubbed", "termed", "coined"})
_SEPARATORS = frozenset({",", "and", "or"})
_TRIGGERS = _PLURAL_HEADS | _NAMING
_MAX_ITEMS = 8
_OPENERS = frozenset({"[", "("})
_CLOSERS = {"[": "]", "(": ")"}
_QUANTIFIERS = frozenset({"collection", "family", "suite", "set", "series", "pair", "combination"})
_HAS_DIGIT = re.compile(r"\d")
_YEARISH = re.compile(r"^(?:19|20)\d\d[a-z]?$")
_LETTER_NUMBER = re.compile(r"^[A-Z]\d+$")


def introduced_names(doc: Doc, v: DocView, vocab: RuleVocab) -> list[Candidate]:
    lowers = v.lowers
    proposing = vocab.proposal_verbs
    triggers = _TRIGGERS | proposing
    hits = list(compress(range(len(lowers)), map(triggers.__contains__, lowers)))  # one C-level pass
    if not hits:
        return []
    out: list[Candidate] = []
    comps, comp_of_tok, texts = v.compounds, v.comp_of_tok, v.texts
    for i in hits:
        low = lowers[i]
        if low in proposing:
            if i + 1 < len(texts) and texts[i + 1][:1].isupper():  # cheap pre-check
                found = _proposed(comps, comp_of_tok[i] + 1, vocab)
                if found is not None:
                    out.append(found)
            continue
        ci = comp_of_tok[i]
        comp = comps[ci]
        if comp.start != i or comp.end != i + 1:
            continue  # part of a hyphen compound
        if low in _PLURAL_HEADS and not comp.title and (comp.sent_start or comp.text.islower()):
            # not "World Models: Embodied ..." in a Title Case heading
            j = _list_start(comps, ci + 1)
            if j is not None:
                typ = vocab.type_heads.get(singular(low)) or ""  # "baselines": methods or models
                out.extend(_items(comps, j, typ, vocab))
        elif low in _NAMING and ci >= 1:
            k = ci - 1
            if comps[k].text == "," and k >= 1:
                k -= 1
            head = comps[k].text.lower()
            if head in _SINGULAR_HEADS and ci + 1 < len(comps):
                item = _name_run(comps, ci + 1, vocab)
                if item is not None:
                    a, b = item
                    text = " ".join(c.text for c in comps[a:b])
                    out.append((comps[a].start, comps[b - 1].end, vocab.type_heads[head], entity_key(text),
                                "context:named", 0.75))
    return out


def _list_start(comps: list[Compound], j: int) -> int | None:
    """Index of the first name after ``datasets:``, ``datasets such as``, ``datasets, namely``,
    ``datasets including``, ``datasets like``, ``datasets (``; None when no list cue follows."""
    w = [c.text.lower() for c in comps[j:j + 3]]
    if w[:1] == ["("]:  # "datasets (Foo, Bar and Baz)", "benchmarks (e.g., Foo)"
        w, j = w[1:], j + 1
        if w[:1] in (["e.g."], ["i.e."], ["including"]):
            j += 2 if w[1:2] == [","] else 1
        return j
    if w[:1] == [","]:
        w, j = w[1:], j + 1
        if w[:1] not in (["namely"], ["including"], ["e.g."], ["i.e."], ["such"]):
            return None
    if w[:1] in ([":"], ["including"], ["like"], ["namely"], ["e.g."], ["i.e."]):
        j += 1
    elif w[:2] == ["such", "as"]:
        j += 2
    else:
        return None
    if j < len(comps) and comps[j].text.lower() == "the":
        j += 1
    return j


def _name_run(comps: list[Compound], j: int, vocab: RuleVocab) -> tuple[int, int] | None:
    """The compounds ``[j, end)`` of a name starting at ``j``: capitalised or numbered words
    (at most four), not a sentence start, stop name or function word."""
    k = j
    while k < len(comps) and k - j < 4:
        c = comps[k]
        t = c.text
        if k > j and c.sent_start:
            break
        if k > j and t.lower() in vocab.type_heads:
            if t[:1].isupper() and singular(t.lower()) not in {"dataset", "benchmark"}:
                k += 1  # "Long Range Arena", "Penn Treebank Corpus": the head ends the name
            break
        if not (t[:1].isupper() or (t[:1].isdigit() and k > j) or (t[:1].isalpha() and any(
                ch.isdigit() for ch in t))):
            break
        if t in vocab.stop_names or t.lower() in vocab.stop_words or not t[:1].isalnum():
            break
        if t.endswith(".") and len(t) > 1:
            return None  # "Command R. Our code ...": a sentence end the tokenizer kept on the name
        k += 1
    return (j, k) if k > j else None


def _items(comps: list[Compound], j: int, typ: str, vocab: RuleVocab) -> list[Candidate]:
    out: list[Candidate] = []
    n = len(comps)
    while j < n and len(out) < _MAX_ITEMS:
        item = _name_run(comps, j, vocab)
        if item is None:
            break
        a, b = item
        nxt = comps[b].text if b < n else ""
        if nxt[:1].isalpha() and nxt.islower() and nxt not in _SEPARATORS:
            break  # "such as Bayesian optimization": a capitalised word that a lowercase one goes on from
        text = " ".join(c.text for c in comps[a:b])
        if typ:
            out.append((comps[a].start, comps[b - 1].end, typ, entity_key(text), "context:list", 0.8))
        else:  # a baseline with a version or size is a model ("Foo-2.5-7B"); weaker than other rules
            out.append((comps[a].start, comps[b - 1].end, "model" if _HAS_DIGIT.search(text) else "method",
                        entity_key(text), "context:list", 0.62))
        j = b
        if j < n and comps[j].text in _OPENERS:  # a citation after the name: "[4]", "(Li et al., 2021)"
            close = _CLOSERS[comps[j].text]
            k = next((k for k in range(j + 1, min(n, j + 16)) if comps[k].text == close), None)
            if k is None or (close == ")" and not any(
                    _YEARISH.match(c.text) or c.text == "al." for c in comps[j + 1:k])):
                break
            j = k + 1
        if j < n and comps[j].text in _SEPARATORS:
            j += 1
            if j < n and comps[j].text in {"and", "or"}:
                j += 1  # "A, B, and C"
            if j < n and comps[j].text.lower() == "the":
                j += 1
            continue
        break
    return out


def _proposed(comps: list[Compound], j: int, vocab: RuleVocab) -> Candidate | None:
    """``We introduce Gorp, a benchmark for ...``, ``we propose Quorb, a simple method``: a
    capitalised name right after a proposal verb, with an appositive whose head is a type noun."""
    if j <= 0 or j >= len(comps):
        return None
    item = _name_run(comps, j, vocab)
    if item is None:
        return None
    a, b = item
    if b + 2 >= len(comps) or comps[b].text != "," or comps[b + 1].text.lower() not in {"a", "an", "the"}:
        return None
    for k in range(b + 2, min(len(comps), b + 10)):
        low = comps[k].text.lower()
        if low == "of" and comps[k - 1].text.lower() in _QUANTIFIERS:
            continue  # "a collection of techniques", "a family of models": the head comes after "of"
        if low in {".", ";", "(", ")", ",", "that", "which", "for", "of", "to", "with"}:
            return None
        t = vocab.type_heads.get(singular(low))
        if t is not None and not (k + 1 < len(comps) and comps[k + 1].text == "of" and low in _QUANTIFIERS):
            text = " ".join(c.text for c in comps[a:b])
            return (comps[a].start, comps[b - 1].end, t, entity_key(text), "context:proposed", 0.75)
    return None


_DATA_TYPES = frozenset({"dataset", "benchmark"})
_WEAK_RULES = frozenset({"shape:camel", "shape:versioned", "citation", "bare-acronym"})
_METHOD_PLURALS = frozenset({"methods", "models", "approaches", "baselines", "algorithms", "architectures",
                             "techniques", "frameworks", "systems", "networks", "detectors", "trackers"})
_GAP_WORDS = frozenset({",", "and", "or", "the", "as", "well"})
_LIST_CUES = frozenset({":", "on", "in", "from", "of", "like", "including", "include", "includes", "namely",
                        "e.g.", "i.e.", "(", "use", "uses", "using", "with", "and", "datasets", "benchmarks"})


def coordinated_types(v: DocView, cands: list[Candidate], vocab: RuleVocab) -> list[Candidate]:
    """Lists are homogeneous: in ``SQuAD [3], NewsQ [4] and Zorbs``, a name whose type is only a
    guess from its shape (a CamelCase or versioned word, a cited or bare acronym) is a dataset
    when the list holds a known dataset or benchmark (lexicon, or typed by its context) and no
    known method or model, unless a plural method noun just before it says what the list holds
    (``methods involved are PoseTrack [28], JointFlow [16]``). A bare acronym, or a run of
    capitalised words no rule found (``Sketchy``, ``Google Images``), is typed so only in a list
    of three or more names. A name the paper claims as its own (``we propose FooNet``, ``the
    proposed FooNet``, ``our FooNet``) is never made data by a list (``Compared with COCO,
    FooNet is faster`` is no list); see also :func:`extract.resolve._outvoted_list_votes`."""
    by_start: dict[int, Candidate] = {}
    for c in cands:
        if c[5] < 0.5 and c[4] != "bare-acronym":
            continue
        best = by_start.get(c[0])
        if best is None or (c[5], c[1] - c[0]) > (best[5], best[1] - best[0]):
            by_start[c[0]] = c
    if not by_start:
        return []
    by_end = {c[1]: c for c in by_start.values()}
    texts, n = v.texts, len(v.texts)
    out: list[Candidate] = []
    seen: set[int] = set()
    claimed: set[str] | None = None  # computed when a list first retypes a name
    for start in sorted(by_start):
        if start in seen:
            continue
        chain = [by_start[start]]
        seen.add(start)
        while True:
            j = _after_gap(texts, chain[-1][1], n)
            if j is None or j in seen:
                break
            nxt = by_start.get(j) or _plain_name(v, j, vocab)
            if nxt is None:
                break
            chain.append(nxt)
            seen.add(j)
        while True:  # items before the first one: "Mapillary, Apolloscape and Cityscapes"
            e = _before_gap(texts, chain[0][0])
            if e is None:
                break
            prev = by_end.get(e) or _plain_name_before(v, e, vocab)
            if prev is None or prev[0] in seen:
                break
            chain.insert(0, prev)
            seen.add(prev[0])
        if len(chain) < 2 or (len(chain) == 2 and not _listed_two(v.lowers, chain[0], chain[1])):
            continue
        data = [c for c in chain if c[2] in _DATA_TYPES and c[5] >= 0.7
                and (c[4].startswith(("lexicon", "context")) or c[4] == "abbreviation")]
        known = [c for c in chain if c[2] in {"method", "model"} and c[4].startswith("lexicon")]
        if not data and len(known) >= 2 and len(chain) >= 3 and not any(c[2] in _DATA_TYPES for c in chain):
            # "Hourglass [72], SegNet [2], DeconvNet [74]": a capitalised word listed with
            # known methods or models is one too
            out.extend((c[0], c[1], "method", c[3], "context:coordinated", 0.62)
                       for c in chain if c[4] == "plain")
            continue
        if not data or known:
            continue
        s0 = max(v.sentence(chain[0][0])[0], chain[0][0] - 10)
        if any(w in _METHOD_PLURALS for w in v.lowers[s0:chain[0][0]]):
            continue  # "methods involved are PoseTrack [28], JointFlow [16]": a list of methods
        typ = data[0][2]
        if claimed is None:
            claimed = _claimed_keys(v, cands)
        for c in chain:
            if c[3] in claimed:
                continue  # "we propose FooNet ... Compared with COCO, FooNet is faster"
            if c[2] not in _DATA_TYPES and c[4] in _WEAK_RULES \
                    and (c[4] != "bare-acronym" or len(chain) >= 3):
                out.append((c[0], c[1], typ, c[3], "context:coordinated", 0.72))
            elif c[4] == "plain" and len(chain) >= 3:
                out.append((c[0], c[1], typ, c[3], "context:coordinated", 0.7))
    return out


_CLAIMS = frozenset({"propose", "proposes", "proposed", "our"})
_CLAIM_FILLERS = frozenset({"a", "an", "the", "new", "novel", "simple"})


def _claimed_keys(v: DocView, cands: list[Candidate]) -> set[str]:
    """Keys of the names the paper claims: right after ``propose``, ``proposed`` or ``our``
    (``a``, ``the``, ``new``, ``novel``, ``simple`` may come between)."""
    lowers = v.lowers
    out: set[str] = set()
    for c in cands:
        k = c[0] - 1
        while k >= 0 and c[0] - k <= 3 and lowers[k] in _CLAIM_FILLERS:
            k -= 1
        if k >= 0 and lowers[k] in _CLAIMS:
            out.add(c[3])
    return out


_PAIR_CUES = frozenset({"as", "including", "e.g.", "e.g.,", "like", "namely", ":"})  # "such as"


def _listed_two(lowers: list[str], first: Candidate, second: Candidate) -> bool:
    """Two names make a list when ``and`` or ``or`` joins them (outside a citation), a list
    cue comes before them (``such as Foo, Bar``) or ``etc.`` after them: ``COCO and FooNet``
    and ``sources such as Wikipedia, Zorbpedia, etc.`` are lists, ``Compared with COCO,
    FooNet is faster`` is not."""
    depth = 0
    for w in lowers[first[1]:second[0]]:
        if w in {"[", "("}:
            depth += 1
        elif w in {"]", ")"}:
            depth -= 1
        elif depth == 0 and w in {"and", "or"}:
            return True
    k = first[0] - 1
    if k >= 0 and lowers[k] == "the":
        k -= 1
    if k >= 0 and lowers[k] in _PAIR_CUES:
        return True
    after = lowers[second[1]:second[1] + 6]
    if after[:1] in (["["], ["("]):
        close = "]" if after[0] == "[" else ")"
        after = after[after.index(close) + 1:] if close in after else []
    return after[:1] in (["etc"], ["etc."]) or after[:2] in ([",", "etc"], [",", "etc."])


def _plain_name(v: DocView, j: int, vocab: RuleVocab) -> Candidate | None:
    """A run of one to three capitalised compounds starting at token ``j`` and ending before a
    separator, a citation or the end of the sentence (a list item no rule typed)."""
    ci = v.comp_of_tok[j]
    comps = v.compounds
    if ci < 0 or comps[ci].start != j or comps[ci].sent_start:
        return None
    k = ci
    while k < len(comps) and k - ci < 3:
        t = comps[k].text
        if not (t[:1].isupper() and t[:1].isalpha()) or t in vocab.stop_names \
                or t.lower() in vocab.stop_words or comps[k].sent_start:
            break
        k += 1
    if k == ci or (k == ci + 1 and _LETTER_NUMBER.match(comps[ci].text)):
        return None  # "P2, P3 and P4": pyramid levels, layers and variables
    end = comps[k - 1].end
    if end < len(v.texts) and v.texts[end] not in _SEPARATORS and v.texts[end] not in _OPENERS \
            and v.texts[end] not in {".", ";", ":", ")"}:
        return None
    text = " ".join(c.text for c in comps[ci:k])
    return (j, end, "", entity_key(text), "plain", 0.0)


def _plain_name_before(v: DocView, end: int, vocab: RuleVocab) -> Candidate | None:
    """A run of one to three capitalised compounds ending at token ``end`` (see :func:`_plain_name`),
    after a separator, a list cue or a preposition."""
    ci = v.comp_of_tok[end - 1] if end >= 1 else -1
    comps = v.compounds
    if ci < 0 or comps[ci].end != end:
        return None
    k = ci
    while k >= 0 and ci - k < 3:
        t = comps[k].text
        if not (t[:1].isupper() and t[:1].isalpha()) or t in vocab.stop_names \
                or t.lower() in vocab.stop_words:
            break
        k -= 1
        if comps[k + 1].sent_start:
            break
    first = k + 1
    if first > ci or comps[first].sent_start or k < 0:
        return None
    if comps[k].text.lower() not in _SEPARATORS | _LIST_CUES:
        return None
    return _plain_name(v, comps[first].start, vocab)


def _before_gap(texts: list[str], i: int) -> int | None:
    """The end of the list item before the separators (and a citation) that precede the item
    starting at ``i``; None when no separator comes between."""
    sep = False
    k = i - 1
    while k >= 0:
        t = texts[k]
        if t in {"]", ")"}:  # a citation after the previous item
            opener = "[" if t == "]" else "("
            o = next((o for o in range(k - 1, max(-1, k - 16), -1) if texts[o] == opener), None)
            if o is None or (t == ")" and not any(
                    _YEARISH.match(w) or w in {"al", "al."} for w in texts[o + 1:k])):
                return None
            k = o - 1
        elif t.lower() in _GAP_WORDS and t.lower() != "the":
            sep = sep or t in _SEPARATORS
            k -= 1
        else:
            return k + 1 if sep else None
    return None


def _after_gap(texts: list[str], i: int, n: int) -> int | None:
    """The token after the separators (and a citation) that follow a list item ending at ``i``;
    None when no separator comes before the next word."""
    sep = False
    while i < n:
        t = texts[i]
        if t in _OPENERS:  # a citation: "[4]", "(Li et al., 2021)"
            close = _CLOSERS[t]
            k = next((k for k in range(i + 1, min(n, i + 16)) if texts[k] == close), None)
            if k is None or (close == ")" and not any(
                    _YEARISH.match(w) or w in {"al", "al."} for w in texts[i + 1:k])):
                return None
            i = k + 1
        elif t.lower() in _GAP_WORDS:
            sep = sep or t in _SEPARATORS
            i += 1
        else:
            return i if sep else None
    return None


_PHRASE_ENDS = frozenset({".", ";", ":", ")", "]", "to", "for", "in", "on", "with", "as", "are", "is", "were",
                          "was", "have", "has", "which", "that"})
_MAX_PHRASE = 3


def coordinated_phrases(v: DocView, cands: list[Candidate], vocab: RuleVocab) -> list[Candidate]:
    """``dropout, weight decay and label smoothing``: a plain lowercase noun phrase listed
    after a known method, in a list that holds at least two known methods or models and no
    dataset, is a technique too."""
    starts: dict[int, Candidate] = {}
    for c in cands:
        if c[5] >= 0.5 and (c[0] not in starts or c[5] > starts[c[0]][5]):
            starts[c[0]] = c
    strong = sorted((c for c in starts.values()
                     if c[4].startswith("lexicon") and c[2] in {"method", "model"}), key=lambda c: c[0])
    if len(strong) < 2:
        return []
    texts, lowers, n = v.texts, v.lowers, len(v.texts)
    out: list[Candidate] = []
    done: set[int] = set()
    for first in strong:
        if first[0] in done:
            continue
        sent_end = v.sentence(first[0])[1]
        members: list[Candidate] = [first]
        phrases: list[tuple[int, int]] = []
        pos = first[1]
        while True:
            j = _after_gap(texts, pos, min(n, sent_end))
            if j is None:
                break
            hit = starts.get(j)
            if hit is not None:
                members.append(hit)
                pos = hit[1]
                continue
            k = j
            while k < sent_end and k - j <= _MAX_PHRASE and _plain_word(texts[k], vocab):
                k += 1
            if not 0 < k - j <= _MAX_PHRASE or (k < sent_end and lowers[k] not in _PHRASE_ENDS
                                                 and lowers[k] not in _SEPARATORS):
                break
            phrases.append((j, k))
            pos = k
        done.update(c[0] for c in members)
        if not phrases or any(c[2] in _DATA_TYPES for c in members) \
                or sum(c[4].startswith("lexicon") and c[2] in {"method", "model"} for c in members) < 2:
            continue
        for a, b in phrases:
            text = " ".join(texts[a:b])
            key = entity_key(text)
            if key in vocab.generic_phrases or singular(lowers[b - 1]) in vocab.task_heads:
                continue
            out.append((a, b, "method", key, "context:coordinated", 0.62))
    return out


def _plain_word(t: str, vocab: RuleVocab) -> bool:
    low = t.lower()
    return t == low and low.replace("-", "").isalpha() and low not in vocab.stop_words \
        and low not in vocab.generic_modifiers and low not in _SEPARATORS and not low.endswith("ly")
