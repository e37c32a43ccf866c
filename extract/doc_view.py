"""A light, once-per-Doc view of the tokens that the rule components share.

spaCy's tokenizer (with paper-kg's hyphen infix) splits ``Llama-2-7B`` into
``Llama - 2 - 7B``. Rules reason about *words* (``Llama-2-7B`` as one compound) and
lexicon lookups about the word sequence with hyphens dropped; both are computed here
once and cached in ``doc.user_data`` so every component reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from spacy.tokens import Doc

HYPHENS = frozenset({"-", "‐", "‑", "–"})

# (start token, end token (exclusive), type, key, rule, confidence)
Candidate = tuple[int, int, str, str, str, float]


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
        """The Doc's text (``doc.text`` builds a Token per token on every access)."""
        return "".join([t + " " if ws else t for t, ws in zip(self.texts, self.spaces, strict=True)])

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text`` without building a Span and its Tokens."""
        texts = self.texts[start:end]
        if not texts:
            return ""
        spaces = self.spaces[start:start + len(texts) - 1]
        return "".join([t + " " if ws else t for t, ws in zip(texts, spaces, strict=False)]) + texts[-1]

    def may_contain(self, *needles: str) -> bool:
        """True when some needle occurs in :attr:`text` (a cheap test on the tokens joined
        without spaces first: a substring without whitespace occurs there too)."""
        joined = "".join(self.texts)
        return any(x in joined for x in needles) and any(x in self.text for x in needles)

    def compound_at(self, tok: int) -> Compound | None:
        ci = self.comp_of_tok[tok]
        return None if ci < 0 else self.compounds[ci]

    def sentence(self, tok: int) -> tuple[int, int]:
        return self.sent_bounds[self.sent_of[tok]]


def title_end(doc: Doc) -> int:
    """Index of the first abstract token: the paper text is ``title + "\\n\\n" + abstract``."""
    for tok in doc:
        if tok.is_space and "\n\n" in tok.text:
            return tok.i + 1
    return 0


class _OrthTexts(dict[int, str]):
    """Token text by orth id, filled on first use (the vocabulary is Zipfian, so most lookups
    hit; ``StringStore.__getitem__`` decodes a new string on every call)."""

    def __init__(self, strings: Any) -> None:
        super().__init__()
        self.strings = strings

    def __missing__(self, orth: int) -> str:
        text: str = self.strings[orth]
        self[orth] = text
        return text


# per vocabulary (kept alive with it): orth -> text
_ORTH_CACHES: dict[int, tuple[Any, _OrthTexts]] = {}
_CACHE_LIMIT = 2_000_000  # distinct tokens per cache before it starts afresh


def _orth_texts(doc: Doc) -> _OrthTexts:
    vocab = doc.vocab
    entry = _ORTH_CACHES.get(id(vocab))
    if entry is None or entry[0] is not vocab or len(entry[1]) > _CACHE_LIMIT:
        entry = (vocab, _OrthTexts(vocab.strings))
        _ORTH_CACHES[id(vocab)] = entry
    return entry[1]


def view(doc: Doc) -> DocView:
    """The cached :class:`DocView` of ``doc`` (one pass over the tokens' arrays)."""
    cached = doc.user_data.get("kg_view")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, ORTH, SENT_START, SPACY

    # One C-level pass over the token arrays and a per-orth cache of the texts; per-token Python
    # attribute access (and ``doc.text``, which builds a Token per token) is what made this slow.
    arr = doc.to_array([ORTH, IS_SPACE, IS_PUNCT, SENT_START, SPACY, IDX])
    n = len(arr)
    orth = arr[:, 0].tolist()
    text_of = _orth_texts(doc)
    is_space, is_punct, sent_start, spacy_, idx = arr[:, 1:].T.astype("int64").tolist()
    texts = list(map(text_of.__getitem__, orth))
    lowers = [t.lower() for t in texts]
    starts = [0, *(i for i in range(1, n) if sent_start[i] == 1)]
    bounds = list(zip(starts, [*starts[1:], n], strict=True))
    sent_of: list[int] = []
    for si, (a, b) in enumerate(bounds):
        sent_of += [si] * (b - a)
    t_end = 0
    for i in range(n):
        if is_space[i] and "\n\n" in texts[i]:
            t_end = i + 1
            break
    sent_first = set(starts)
    sent_first.add(t_end)
    # hyphens that join their neighbours into one compound ("Llama-2-7B"): no whitespace on
    # either side, a word (not a space or punctuation) after
    joins = {k for k in range(1, n - 1) if texts[k] in HYPHENS and not spacy_[k - 1] and not spacy_[k]
             and not is_space[k - 1] and not is_space[k + 1] and not is_punct[k + 1]}
    # every non-space token heads a compound, except join hyphens and the word after each
    nonspace = [i for i in range(n) if not is_space[i]]
    if joins:
        absorbed = joins | {k + 1 for k in joins}
        heads = [i for i in nonspace if i not in absorbed]
        word_tok = [i for i in nonspace if i not in joins]
    else:
        heads = word_tok = nonspace
    comp_end = [i + 1 for i in heads]
    comp_text = [texts[i] for i in heads]
    comp_of_tok = [-1] * n
    for ci, i in enumerate(heads):
        comp_of_tok[i] = ci
    if joins:
        for ci, i in enumerate(heads):
            if i + 1 in joins:
                j = i
                while j + 1 in joins:
                    j += 2
                comp_end[ci] = j + 1
                comp_text[ci] = "".join(texts[i:j + 1])
                comp_of_tok[i + 1:j + 1] = [ci] * (j - i)
    # tuple.__new__ straight from zip: no Python-level NamedTuple.__new__ per compound
    compounds: list[Compound] = list(map(tuple.__new__, repeat(Compound), zip(
        heads, comp_end, comp_text, [i in sent_first for i in heads], [i < t_end for i in heads],
        strict=True)))
    words = [texts[i] for i in word_tok]
    lower_words = [lowers[i] for i in word_tok]
    comp_lower = [lowers[i] for i in heads]
    if joins:
        comp_lower = [t.lower() for t in comp_text]
    v = DocView(texts, lowers, sent_of, bounds, words, lower_words, word_tok, compounds, comp_text,
                comp_lower, comp_of_tok, t_end, idx, spacy_)
    doc.user_data["kg_view"] = v
    return v


def candidates(doc: Doc) -> list[Candidate]:
    """The candidate list components append to (created on first use)."""
    cands: list[Candidate] = doc.user_data.setdefault("kg_candidates", [])
    return cands
