"""Per-word tests of the rules in :mod:`extract.rules`, memoised across documents.

The vocabulary is Zipfian: most words of a document were seen before, so the rules decide
once per distinct word (name shape or type head? technique head? title word? what kind of
modifier?) and look the answer up per compound afterwards (C-level ``map`` over dicts).
The tests are exactly the checks the rules made inline before; they only depend on the
word and the rule vocabulary.
"""

from __future__ import annotations

from extract.doc_view import DocView
from extract.normalize import is_acronym, singular
from extract.vocab import BOUND_ADVERBS, RuleVocab, WordMemo

__all__ = ["BOUND_ADVERB", "DIM", "MODIFIER", "NO_WORD", "OTHER", "modifier_kinds", "word_tests"]


def word_tests(v: DocView, vocab: RuleVocab) -> list[bytes]:
    """For the compounds of a document: name-relevant (:func:`name_relevant`), technique
    head (:func:`technique_head`), title word (``rules._title_word``), each a bytes of 0/1
    per compound (for ``compress`` and truth tests); one memo lookup per compound, shared
    by the rules through ``DocView.cache``."""
    tests: list[bytes] | None = v.cache.get("word-tests")
    if tests is None:
        memo = vocab.memo("word-tests", lambda t: _decide(t, vocab))
        # one small int per word, split into the three flags by C-level byte translation
        codes = bytes(map(memo.__getitem__, v.comp_texts))
        tests = v.cache["word-tests"] = [codes.translate(table) for table in _FLAG_TABLES]
    return tests


# byte code -> 0/1 for each of the three flags of :func:`_decide`
_FLAG_TABLES = [bytes((code >> bit) & 1 for code in range(256)) for bit in range(3)]


def _decide(text: str, vocab: RuleVocab) -> int:
    return bool(name_relevant(text, vocab)) | bool(technique_head(text, vocab)) << 1 \
        | bool(_rules._title_word(text, vocab)) << 2


def name_relevant(text: str, vocab: RuleVocab) -> bool:
    """Only a word that is not all lowercase can have a name shape, and a lowercase word
    matters only as a type head ("the Penn Treebank dataset"); a word without a shape only
    as a type head other than a method one (see ``rules._head_after_capitalised``)."""
    if text.islower() and text not in vocab.type_head_forms and text not in _rules.SET_HEADS:
        return False
    if _rules.shape_of(text, vocab) is not None:
        return True
    if text in _rules.SET_HEADS:
        return True  # "the Penn Treebank training set" (``rules._before_split``)
    t = vocab.type_heads.get(singular(text.lower()))
    return t is not None and t != "method"


def technique_head(text: str, vocab: RuleVocab) -> bool:
    """A method head noun that may end a technique phrase (``rules.technique_candidates``)."""
    head = text.lower()
    if "-" not in text and head not in vocab.method_head_forms:
        return False
    if singular(head) in vocab.method_heads or head in vocab.method_heads:
        return True
    if "-" not in head:
        return False
    # "tri-axial self-attention", "deep Q-learning": the last part is the head
    last = singular(head.rsplit("-", 1)[1])
    return last in vocab.method_heads and last not in vocab.weak_method_heads


DIM, NO_WORD, MODIFIER, BOUND_ADVERB, OTHER = range(5)


def modifier_kinds(vocab: RuleVocab) -> WordMemo:
    """word -> (kind, capitalised) for the modifier walk of ``rules.technique_candidates``."""
    return vocab.memo("modifier", lambda text: _modifier_kind(text, vocab))


def _modifier_kind(text: str, vocab: RuleVocab) -> tuple[int, bool]:
    low = text.lower()
    if text in _rules._DIMENSION:
        kind = DIM
    elif not text[:1].isalpha() or is_acronym(text.split("-")[0]):
        kind = NO_WORD
    elif vocab.can_modify(low):
        kind = MODIFIER
    else:
        kind = BOUND_ADVERB if low in BOUND_ADVERBS else OTHER
    return kind, text[:1].isupper()


# at the end: extract.rules imports this module's names above (a circular import either way round)
import extract.rules as _rules  # noqa: E402
