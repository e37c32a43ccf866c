"""Abbreviation definitions: ``long form (SF)`` and ``SF (long form)``.

The long form is chosen with the Schwartz & Hearst (2003) rule: the shortest run of
words before the parenthesis in which the short form's characters appear in order, the
first one starting a word; a run whose initials spell the short form wins over a shorter
letter match ("Proximal Policy Optimization (PPO)"). Plural short forms (``LLMs``) and a trailing ``, ...`` or
``; ...`` inside the parentheses are handled.

>>> best_long_form("RLHF", ["we", "use", "reinforcement", "learning", "from", "human", "feedback"])
5
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING

from extract.doc_view import Compound, DocView
from extract.normalize import entity_key, is_acronym, singular

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from extract.vocab import RuleVocab


@dataclass(frozen=True, slots=True)
class Abbreviation:
    short_start: int
    short_end: int
    long_start: int
    long_end: int
    short: str
    long: str


_DIMENSIONS = frozenset({"1D", "2D", "3D", "4D"})


def _core(short: str) -> str:
    s = short[:-1] if short.endswith("s") and len(short) > 2 and short[-2].isupper() else short
    return "".join(c.lower() for c in s if c.isalnum())


def best_long_form(short: str, words: list[str]) -> int | None:
    """How many trailing ``words`` form the long form of ``short`` (None if none do).

    A "2" or "4" inside a short form may stand for "to" or "for" (``Learning-to-Modulate
    (L2M)``, ``Image-to-Image (I2I)``), an "X" for "cross" (``Cross-Modal Deep Clustering
    (XDC)``)."""
    chars = _core(short)
    if len(chars) < 2:
        return None
    n = _best_long_form(chars, words)
    if n is None and ("2" in chars[1:-1] or "4" in chars[1:-1]):
        n = _best_long_form(chars[0] + chars[1:-1].replace("2", "t").replace("4", "f") + chars[-1], words)
    if n is None and "x" in chars:
        n = _best_long_form(chars.replace("x", "c"), words)  # X for "cross": XQDA, XNLI, XDC
    return n


def _best_long_form(chars: str, words: list[str]) -> int | None:
    text_words = [w.lower() for w in words]
    max_words = min(len(chars) + 5, len(chars) * 2)
    for n in range(1, min(max_words, len(text_words)) + 1):
        cand = text_words[-n:]
        if _matches(chars, cand):
            # the first word must start with the short form's first character
            if cand[0][:1] == chars[0]:
                # "Proximal Policy Optimization (PPO)": letters inside words can match a
                # shorter run; words whose initials spell the short form win
                for n2 in range(n + 1, min(len(chars), len(text_words)) + 1):
                    if "".join(w[:1] for w in text_words[-n2:]) == chars:
                        return n2
                return n
    return None


def _matches(chars: str, words: list[str]) -> bool:
    text = " ".join(words)
    si, li = len(chars) - 1, len(text) - 1
    while si >= 0:
        c = chars[si]
        while li >= 0 and (text[li] != c or (si == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        si -= 1
        li -= 1
    return True


def find_abbreviations(doc: Doc, v: DocView) -> list[Abbreviation]:
    """All abbreviation definitions in ``doc``."""
    out: list[Abbreviation] = []
    comps = v.compounds
    for ci in list(compress(range(len(comps)), map("(".__eq__, v.comp_texts))):
        close = next((k for k in range(ci + 1, min(ci + 14, len(comps))) if comps[k].text == ")"), None)
        if close is None or close == ci + 1:
            continue
        inner = comps[ci + 1:close]
        cut = next((k for k, c in enumerate(inner) if c.text in {",", ";"}), len(inner))
        inner = inner[:cut]
        if not inner:
            continue
        if len(inner) == 1 and is_acronym(inner[0].text):
            # long form (SF): words before "(" in the same sentence
            sf = inner[0]
            lo = ci - 1
            prev = []
            while lo >= 0 and ci - lo <= 12 and comps[lo].text not in {"(", ")", ",", ";", ":", "."}:
                prev.append(comps[lo])
                if comps[lo].sent_start:
                    break
                lo -= 1
            prev.reverse()
            n = best_long_form(sf.text, [w for c in prev for w in c.text.split("-")])
            if n is None:
                continue
            # map word count back to compounds (a compound may hold several words)
            words_seen, start_comp = 0, len(prev)
            while start_comp > 0 and words_seen < n:
                start_comp -= 1
                words_seen += len(prev[start_comp].text.split("-"))
            lf = _title_run(prev[start_comp:], sf.text)
            if not lf:
                continue
            if start_comp > 0 and prev[start_comp - 1].text in _DIMENSIONS and lf[0] is prev[start_comp]:
                lf = prev[start_comp - 1:]  # "2D residual networks (ResNets)": the dimension belongs
            long_text = v.span_text(lf[0].start, lf[-1].end)
            out.append(Abbreviation(sf.start, sf.end, lf[0].start, lf[-1].end, sf.text, long_text))
        elif len(inner) >= 2 and ci > 0 and is_acronym(comps[ci - 1].text) \
                and not _citation(comps[ci + 1:close]):
            # SF (long form)
            sf = comps[ci - 1]
            words = [w for c in inner for w in c.text.split("-")]
            n = best_long_form(sf.text, words)
            if n is None or n < len(words) - 1:
                continue
            long_text = v.span_text(inner[0].start, inner[-1].end)
            out.append(Abbreviation(sf.start, sf.end, inner[0].start, inner[-1].end, sf.text, long_text))
    return out


def _citation(inner: list[Compound]) -> bool:
    """``GAN (Ganin and Lempitsky, 2015)``, ``ZOE (Zhou et al. 2018)``: a parenthesis holding a
    year or "et al." cites the name's authors, it does not spell the name out."""
    texts = [c.text for c in inner]
    return "al" in texts or "al." in texts or any(_YEAR.match(t) for t in texts)


_YEAR = re.compile(r"^(?:19|20)\d\d[a-z]?$")


def _title_run(lf: list[Compound], short: str) -> list[Compound]:
    """``to predict Temporal Flow Fields (TTF)``: lowercase words the letter match pulled in
    before a capitalised name of two or more words (starting with the short form's first
    letter) are not part of the long form."""
    if len(lf) < 3 or not lf[0].text[:1].islower():
        return lf
    k = next((i for i, c in enumerate(lf) if c.text[:1].isupper()), len(lf))
    run = lf[k:]
    if len(run) >= 2 and all(c.text[:1].isupper() or c.text in {"of", "for", "and"} for c in run) \
            and run[0].text[:1] == short[:1]:
        return run
    return lf


def long_form_type(short: str, long: str, vocab: RuleVocab) -> tuple[str, str, float] | None:
    """(type, key, confidence) of a defined long form nothing else has typed, or None.

    The head noun decides when it is a type or method head ("... Network", "... Dataset");
    a long form with another head is still a coined technique name ("Multidimensional
    Scaling (MDS)", "Non-Local (NL)") unless it names a task, a generic notion, an object
    ("whole slide images") or starts with a function word ("No adjustment (NA)").
    """
    long_key = entity_key(long)
    if long_key in vocab.generic_phrases:
        return None
    words = long.split()
    head = singular(words[-1].split("-")[-1].lower())
    if head in vocab.task_heads:
        return None
    if head in vocab.type_heads:
        return vocab.type_heads[head], long_key, 0.8
    if head in vocab.method_heads:
        return "method", long_key, 0.8
    for w in words[:-1]:
        t = vocab.type_heads.get(singular(w.lower()))
        if t in {"dataset", "benchmark"}:
            return t, long_key, 0.8  # "Corpus of Reviews", "Benchmark for Agents"
    first = words[0].split("-")[0].lower()
    if (short in vocab.stop_names or first in vocab.stop_words or head in vocab.head_followers
            or head in vocab.object_heads or not head.isalpha()):
        return None
    return "method", long_key, 0.6


_NAMING = frozenset({"called", "named", "dubbed", "termed", "coined", ",", ":"})


def stated_type(lowers: list[str], start: int, vocab: RuleVocab) -> str | None:
    """The type a singular type noun right before a long form states: ``a new dataset Mobile
    app Tasks with Iterative Feedback (MoTIF)``, ``a benchmark called Foo Bar (FB)``."""
    k = start - 1
    if k >= 0 and lowers[k] in _NAMING:
        k -= 1
    if k < 1 or lowers[k - 1] not in _STATING:
        return None
    return vocab.type_heads.get(lowers[k]) if lowers[k] in _STATED_HEADS else None


# determiners and adjectives before a type noun that introduces a name
_STATING = frozenset({"a", "an", "the", "new", "novel", "our", "large-scale", "first"})
_STATED_HEADS = frozenset({"dataset", "benchmark", "corpus", "model", "method", "framework", "approach",
                           "algorithm", "suite", "testbed"})


def redefines(short_cand: tuple[int, int, str, str, str, float], long: str) -> bool:
    """A lexicon match of a short form whose known expansion shares no word with the paper's
    own long form (``Complex Task Completion (CTC)`` is not connectionist temporal
    classification). Lexicon entries labelled by the acronym itself are never overridden."""
    if short_cand[4] != "lexicon":
        return False
    known = short_cand[3].split()
    if len(known) < 2:
        return False
    mine = {singular(w) for w in entity_key(long).split()}
    return not mine.intersection(singular(w) for w in known)
