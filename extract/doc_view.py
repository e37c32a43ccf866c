"""A light, once-per-Doc view of the tokens that the rule components share.

spaCy's tokenizer (with paper-kg's hyphen infix) splits ``Llama-2-7B`` into
``Llama - 2 - 7B``. Rules reason about *words* (``Llama-2-7B`` as one compound) and
lexicon lookups about the word sequence with hyphens dropped; both are computed here
once and cached in ``doc.user_data`` so every component reuses them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from numpy import flatnonzero
from spacy.attrs import IDX, ORTH, SENT_START, SPACY
from spacy.pipeline import Sentencizer

if TYPE_CHECKING:
    from spacy.tokens import Doc

HYPHENS = frozenset({"-", "‐", "‑", "–"})

# (start token, end token (exclusive), type, key, rule, confidence)
Candidate = tuple[int, int, str, str, str, float]

_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)
_ATTRS = [ORTH, SPACY, IDX]


class Compound(NamedTuple):
    """Tokens joined by hyphens with no whitespace: ``Qwen2.5-VL-72B``, ``chain-of-thought``."""

    start: int
    end: int
    text: str
    sent_start: bool  # first word of its sentence
    title: bool  # inside the paper title


@dataclass(slots=True)
class DocView:
    texts: list[str]  # token texts
    lowers: list[str]  # lowercased token texts
    sent_of: list[int]  # sentence number of each token
    sent_bounds: list[tuple[int, int]]  # (start, end) token range of each sentence
    words: list[str]  # token texts without hyphen and space tokens
    lower_words: list[str]  # the same, lowercased
    word_tok: list[int]  # token index of each word
    compounds: list[Compound]
    comp_texts: list[str]  # the text of each compound
    comp_lowers: list[str]  # the same, lowercased
    comp_of_tok: list[int]  # compound index of each token (-1 for spaces)
    title_end: int  # first token after the title (0 when there is no title)
    idx: list[int]  # character offset of each token
    spaces: list[int]  # 1 where whitespace follows the token
    cache: dict[str, Any] = field(default_factory=dict)  # per-document results the rules share

    @property
    def text(self) -> str:
        """The Doc's text (``doc.text`` builds a Token per token on every access), built once."""
        text: str | None = self.cache.get("text")
        if text is None:
            text = self.cache["text"] = "".join(
                [t + " " if ws else t for t, ws in zip(self.texts, self.spaces, strict=True)])
        return text

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text`` without building a Span and its Tokens."""
        texts = self.texts[start:end]
        if not texts:
            return ""
        spaces = self.spaces[start:start + len(texts) - 1]
        return "".join([t + " " if ws else t for t, ws in zip(texts, spaces, strict=False)]) + texts[-1]

    @property
    def joined(self) -> str:
        """The token texts joined without spaces, built once."""
        joined: str | None = self.cache.get("joined")
        if joined is None:
            joined = self.cache["joined"] = "".join(self.texts)
        return joined

    def may_contain(self, *needles: str) -> bool:
        """True when some needle occurs in :attr:`text` (a cheap test on the tokens joined
        without spaces first: a substring without whitespace occurs there too; a single
        non-space character found there is in the text, no need to build it)."""
        joined = self.joined
        hits = [x for x in needles if x in joined]
        if not hits:
            return False
        if any(len(x) == 1 and not x.isspace() for x in hits):
            return True
        return any(x in self.text for x in needles)

    def compound_at(self, tok: int) -> Compound | None:
        ci = self.comp_of_tok[tok]
        return None if ci < 0 else self.compounds[ci]

    def sentence(self, tok: int) -> tuple[int, int]:
        return self.sent_bounds[self.sent_of[tok]]


def title_end(doc: Doc) -> int:
    """Index of the first abstract token: the paper text is ``title + "\\n\\n" + abstract``."""
    texts, _, kinds, _, _ = token_arrays(doc)
    return next((i + 1 for i in compress(range(len(kinds)), map((_SPACE).__eq__, kinds))
                 if "\n\n" in texts[i]), 0)


class _OrthInfo(dict[int, tuple[str, str, int]]):
    """(text, lowercased text, kind) by orth id, filled on first use: the vocabulary is Zipfian,
    so most lookups hit, and a hit replaces a ``StringStore`` decode, a ``str.lower`` and two
    lexeme flags per token. ``kind`` is :data:`_SPACE`, :data:`_PUNCT`, :data:`_HYPHEN` (a
    punctuation token in :data:`HYPHENS`), :data:`_FINAL` or 0; the flags are spaCy's ``IS_SPACE`` and
    ``IS_PUNCT`` of the lexeme, which depend on the text alone; :data:`_FINAL` is a
    punctuation token in :data:`SENTENCE_FINALS`."""

    def __init__(self, vocab: Any) -> None:
        super().__init__()
        self.vocab = vocab

    def __missing__(self, orth: int) -> tuple[str, str, int]:
        lex = self.vocab[orth]
        text: str = lex.orth_
        kind = _SPACE if lex.is_space else _HYPHEN if text in HYPHENS and lex.is_punct \
            else _FINAL if text in SENTENCE_FINALS and lex.is_punct else _PUNCT if lex.is_punct else 0
        info = (text, text.lower(), kind)
        self[orth] = info
        return info


_SPACE, _PUNCT, _HYPHEN, _FINAL = 1, 2, 3, 4
# the characters spaCy's sentencizer ends sentences at by default
SENTENCE_FINALS = frozenset(Sentencizer.default_punct_chars)

# per vocabulary (kept alive with it): orth -> (text, lower, kind)
_ORTH_CACHES: dict[int, tuple[Any, _OrthInfo]] = {}
_CACHE_LIMIT = 2_000_000  # distinct tokens per cache before it starts afresh


def _orth_info(doc: Doc) -> _OrthInfo:
    vocab = doc.vocab
    entry = _ORTH_CACHES.get(id(vocab))
    if entry is None or entry[0] is not vocab or len(entry[1]) > _CACHE_LIMIT:
        entry = (vocab, _OrthInfo(vocab))
        _ORTH_CACHES[id(vocab)] = entry
    return entry[1]


class TokenArrays(NamedTuple):
    """Per-token lists of a Doc, shared by the sentencizer and :func:`view`."""

    texts: list[str]
    lowers: list[str]
    kinds: list[int]  # 0 (a word), _SPACE, _PUNCT, _HYPHEN or _FINAL
    spaces: list[int]  # 1 where whitespace follows the token
    idx: list[int]  # character offset of each token


def token_arrays(doc: Doc) -> TokenArrays:
    """The Doc's :class:`TokenArrays`, cached in ``doc.user_data`` (the pipeline never
    retokenises): one C-level pass over the token arrays and a per-orth cache of the texts
    and lexeme flags."""
    cached = doc.user_data.get("kg_tokens")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    arr = doc.to_array(_ATTRS)
    orth, spacy_, idx = arr.T.tolist() if len(arr) else ([], [], [])
    info = list(map(_orth_info(doc).__getitem__, orth))
    tokens = TokenArrays(list(map(_FIRST, info)), list(map(_SECOND, info)), list(map(_THIRD, info)),
                         spacy_, idx)
    doc.user_data["kg_tokens"] = tokens
    return tokens


def view(doc: Doc) -> DocView:
    """The cached :class:`DocView` of ``doc`` (one pass over the tokens' arrays)."""
    cached = doc.user_data.get("kg_view")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    # Per-orth caches of the texts and lexeme flags (:func:`token_arrays`), and C-level
    # ``map``/``compress`` over lists wherever a loop would run per token: per-token Python
    # work (and ``doc.text``, which builds a Token per token) is what made this slow.
    texts, lowers, kinds, spacy_, idx = token_arrays(doc)
    n = len(texts)
    marked = flatnonzero(doc.to_array(SENT_START) == 1).tolist()  # SENT_START is 1, -1 or 0 (unset)
    starts = marked if marked[:1] == [0] else [0, *marked]
    bounds = list(zip(starts, [*starts[1:], n], strict=True))
    sent_of: list[int] = []
    for si, (a, b) in enumerate(bounds):
        sent_of += [si] * (b - a)
    spaces_at = list(compress(range(n), map((_SPACE).__eq__, kinds)))
    t_end = next((i + 1 for i in spaces_at if "\n\n" in texts[i]), 0)
    # hyphens that join their neighbours into one compound ("Llama-2-7B"): no whitespace on
    # either side, a word (not a space or punctuation) after
    joins = [k for k in compress(range(n), map((_HYPHEN).__eq__, kinds)) if 0 < k < n - 1
             and not spacy_[k - 1] and not spacy_[k] and kinds[k - 1] != _SPACE and not kinds[k + 1]]
    # every non-space token heads a compound, except join hyphens and the word after each;
    # masks and ``compress`` keep the per-token work in C
    is_word = bytes(map((_SPACE).__ne__, kinds)) if spaces_at else b"\x01" * n
    nonspace = list(compress(range(n), is_word))
    if joins:
        word_mask = bytearray(is_word)
        for k in joins:
            word_mask[k] = 0
        head_mask = bytearray(word_mask)
        for k in joins:
            head_mask[k + 1] = 0
        heads = list(compress(range(n), head_mask))
        word_tok = list(compress(range(n), word_mask))
    else:
        heads = word_tok = nonspace
    comp_end = list(map((1).__add__, heads))
    comp_text = list(map(texts.__getitem__, heads))
    comp_lower = list(map(lowers.__getitem__, heads))
    comp_of_tok = [-1] * n
    if joins:
        # a token's compound is the last head at or before it (spaces belong to none)
        ci_of = list(accumulate(head_mask, initial=-1))[1:]
        if spaces_at:
            for i in spaces_at:
                ci_of[i] = -1
        comp_of_tok = ci_of
        joined = set(joins)
        for k in joins:
            if k - 2 in joined:
                continue  # inside a chain started by an earlier join
            i = j = k - 1
            while j + 1 in joined:
                j += 2
            ci = ci_of[i]
            comp_end[ci] = j + 1
            comp_text[ci] = text = "".join(texts[i:j + 1])
            comp_lower[ci] = text.lower()
    else:
        for ci, i in enumerate(heads):
            comp_of_tok[i] = ci
    sent_first = set(starts)
    sent_first.add(t_end)
    n_title = bisect_left(heads, t_end)  # heads are ascending: the first n_title are in the title
    # tuple.__new__ straight from zip: no Python-level NamedTuple.__new__ per compound
    compounds: list[Compound] = list(map(tuple.__new__, repeat(Compound), zip(
        heads, comp_end, comp_text, map(sent_first.__contains__, heads),
        chain(repeat(True, n_title), repeat(False, len(heads) - n_title)), strict=True)))
    words = list(map(texts.__getitem__, word_tok))
    lower_words = list(map(lowers.__getitem__, word_tok))
    v = DocView(texts, lowers, sent_of, bounds, words, lower_words, word_tok, compounds, comp_text,
                comp_lower, comp_of_tok, t_end, idx, spacy_)
    doc.user_data["kg_view"] = v
    return v


def candidates(doc: Doc) -> list[Candidate]:
    """The candidate list components append to (created on first use)."""
    cands: list[Candidate] = doc.user_data.setdefault("kg_candidates", [])
    return cands
