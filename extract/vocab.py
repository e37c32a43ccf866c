"""The rule vocabulary: head nouns, stop lists and cue words from ``data/rules.json``, with
the part-of-speech and shape caches the rules consult on their hot paths.

>>> vocabulary().type_heads["benchmark"]
'benchmark'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from extract.normalize import entity_key

__all__ = ["BOUND_ADVERBS", "RuleVocab", "WordMemo", "vocabulary"]

# adverbs that bind to a participle inside a technique name ("fully connected layer")
BOUND_ADVERBS = frozenset({"fully", "densely", "sparsely", "locally", "partially"})

_SIZE = re.compile(r"^\d+(?:\.\d+)?[BMKT]$|^\d+x\d+B$", re.IGNORECASE)


def _plural_forms(words: Iterable[str]) -> frozenset[str]:
    # every w with singular(w) == h is one of these (see extract.normalize.singular)
    return frozenset(f for h in words for f in (h, h + "s", h + "es", h[:-1] + "ies"))


class WordMemo(dict[str, Any]):
    """``decide(word)`` memoised: a missing word is decided on first lookup (and stored, up
    to a size limit)."""

    __slots__ = ("decide",)
    LIMIT = 1_000_000

    def __init__(self, decide: Callable[[str], Any]) -> None:
        super().__init__()
        self.decide = decide

    def __missing__(self, word: str) -> Any:
        value = self.decide(word)
        if len(self) < self.LIMIT:
            self[word] = value
        return value


def _all_lemmas(word: str) -> Any:
    from lemminflect import getAllLemmas

    return getAllLemmas(word)


_LEMMAS = WordMemo(_all_lemmas)  # the part-of-speech lexicon's answers (read, never changed)


@lru_cache(maxsize=1)
def vocabulary() -> RuleVocab:
    """The shipped rule vocabulary (loaded once per process)."""
    path = resources.files("extract") / "data" / "rules.json"
    return RuleVocab.from_json(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class RuleVocab:
    type_heads: dict[str, str]  # head word -> entity type
    method_heads: frozenset[str]
    weak_method_heads: frozenset[str]
    task_heads: frozenset[str]
    generic_phrases: frozenset[str]  # entity keys
    generic_modifiers: frozenset[str]
    stop_words: frozenset[str]
    stop_names: frozenset[str]
    proposal_verbs: frozenset[str]
    eval_words: frozenset[str]
    model_cues: frozenset[str]
    size_words: frozenset[str]
    verb_context: frozenset[str]
    head_initials: frozenset[str]
    extension_heads: frozenset[str] = frozenset()
    span_heads: frozenset[str] = frozenset()  # "ReLU activation", "maxout units": the same technique
    spaced_sizes: frozenset[str] = frozenset()
    head_followers: frozenset[str] = frozenset()
    object_heads: frozenset[str] = frozenset()
    organisation_words: frozenset[str] = frozenset()
    split_words: frozenset[str] = frozenset()
    task_followers: frozenset[str] = frozenset()  # "the NSP task": the name before it is a task
    pos_cache: dict[str, bool] = field(default_factory=dict)
    shape_cache: dict[str, str | None] = field(default_factory=dict)
    memos: dict[str, WordMemo] = field(default_factory=dict)  # see :meth:`memo`

    def memo(self, name: str, decide: Callable[[str], Any]) -> WordMemo:
        """A per-word cache of the rule decision ``decide(word)`` (words are Zipfian, so most
        lookups hit): ``list(map(vocab.memo(...).__getitem__, words))`` decides a whole document."""
        m = self.memos.get(name)
        if m is None:
            m = self.memos[name] = WordMemo(decide)
        return m

    @cached_property
    def type_head_forms(self) -> frozenset[str]:
        """Lowercase words whose singular may be a type head (a cheap pre-filter)."""
        return _plural_forms(self.type_heads)

    @cached_property
    def method_head_forms(self) -> frozenset[str]:
        """Lowercase words whose singular may be a method head (a cheap pre-filter)."""
        return _plural_forms(self.method_heads)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RuleVocab:
        from spacy.lang.en.stop_words import STOP_WORDS

        heads = {w: t for t, words in d["type_heads"].items() for w in words}
        return cls(
            type_heads=heads,
            method_heads=frozenset(d["method_heads"]),
            weak_method_heads=frozenset(d["weak_method_heads"]),
            task_heads=frozenset(d["task_heads"]),
            generic_phrases=frozenset(entity_key(p) for p in d["generic_phrases"]),
            generic_modifiers=frozenset(d["generic_modifiers"]),
            stop_words=frozenset(STOP_WORDS) | frozenset(d["stop_words_extra"]),
            stop_names=frozenset(d["stop_names"]) | frozenset(n.casefold() for n in d["stop_names"]),
            proposal_verbs=frozenset(d["proposal_verbs"]),
            eval_words=frozenset(d["eval_words"]),
            model_cues=frozenset(d["model_cues"]),
            size_words=frozenset(d["size_suffix_words"]),
            verb_context=frozenset(d["verb_context"]),
            head_initials=frozenset(w[:1] for w in heads),
            extension_heads=frozenset(d.get("extension_heads", ())),
            span_heads=frozenset(d.get("span_heads", ())),
            spaced_sizes=frozenset(d.get("spaced_size_words", ())),
            head_followers=frozenset(d.get("head_followers", ())),
            object_heads=frozenset(d.get("object_heads", ())),
            organisation_words=frozenset(d.get("organisation_words", ())),
            split_words=frozenset(d.get("dataset_split_words", ())),
            task_followers=frozenset(d.get("task_followers", ())),
        )

    def can_modify(self, word: str) -> bool:
        """True if ``word`` (lowercase) may be a modifier in a technique noun phrase."""
        ok = self.pos_cache.get(word)
        if ok is None:
            ok = self._can_modify(word)
            self.pos_cache[word] = ok
        return ok

    def _can_modify(self, word: str) -> bool:
        if word in self.stop_words or word in self.generic_modifiers or not word[:1].isalpha() \
                or len(word) < 2:
            return False
        parts = word.split("-")
        if len(parts) > 1:
            if len(parts[0]) > 4 and parts[0].endswith("ly") and parts[0] not in BOUND_ADVERBS \
                    and parts[-1].endswith(("ed", "ing", "wn")):
                return False  # "recently-developed", "widely-used", "well-known": no technique words
            return parts[-1] not in self.generic_modifiers and any(
                p not in self.stop_words for p in parts
            )
        if not word.isalpha():
            return False
        if word.endswith("ing") and word in self.method_heads:
            return True  # a technique gerund as a noun adjunct: "pooling layer", "gating network"
        pos = _LEMMAS[word]
        if not pos:
            return True  # unknown to the POS lexicon: a technical term
        if "ADJ" in pos and word not in pos["ADJ"]:
            return False  # comparatives and superlatives: "lower", "deeper", "best"
        return "NOUN" in pos or "ADJ" in pos or "PROPN" in pos

    def adjective(self, word: str) -> bool:
        """A plain lowercase adjective that can name a kind of architecture ("linear", "sparse")."""
        if not word.isalpha() or not word.islower() or word in self.stop_words \
                or word in self.generic_modifiers:
            return False
        pos = _LEMMAS[word]
        return "ADJ" in pos and "VERB" not in pos and word in pos["ADJ"]

    def participle(self, word: str) -> bool:
        """Verb-only past participles ("supervised", "learned"): modifiers of strong heads only."""
        if not word.endswith("ed") or not word.isalpha():
            return False
        return set(_LEMMAS[word]) == {"VERB"}

    def verb_like(self, word: str) -> bool:
        return "VERB" in _LEMMAS[word]

    def is_size(self, text: str) -> bool:
        return bool(_SIZE.match(text)) or text.lower() in self.size_words
