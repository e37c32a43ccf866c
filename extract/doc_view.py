"""A light, once-per-Doc view of the tokens that the rule components share.

spaCy's tokenizer (with paper-kg's hyphen infix) splits ``Llama-2-7B`` into
``Llama - 2 - 7B``. Rules reason about *words* (``Llama-2-7B`` as one compound) and
lexicon lookups about the word sequence with hyphens dropped; both are computed here
once and cached in ``doc.user_data`` so every component reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

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
    comp_of_tok: list[int]  # compound index of each token (-1 for spaces)
    title_end: int  # first token after the title (0 when there is no title)
    text: str = ""  # the Doc's text (``doc.text`` rebuilds it on every access)

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


def view(doc: Doc) -> DocView:
    """The cached :class:`DocView` of ``doc`` (one pass over the tokens' arrays)."""
    cached = doc.user_data.get("kg_view")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, SENT_START, SPACY

    # one C-level pass; per-token Python attribute access is what made this slow
    is_space, is_punct, sent_start, spacy_, idx, length = doc.to_array(
        [IS_SPACE, IS_PUNCT, SENT_START, SPACY, IDX, LENGTH]).T.tolist()
    text = doc.text
    texts = [text[i:i + n] for i, n in zip(idx, length, strict=True)]
    lowers = [t.lower() for t in texts]
    n = len(texts)
    sent_of = list(accumulate(1 if i and s == 1 else 0 for i, s in enumerate(sent_start)))
    starts = [0, *(i for i in range(1, n) if sent_start[i] == 1)]
    bounds = list(zip(starts, [*starts[1:], n], strict=True))
    t_end = 0
    for i in range(n):
        if is_space[i] and "\n\n" in texts[i]:
            t_end = i + 1
            break
    words: list[str] = []
    lower_words: list[str] = []
    word_tok: list[int] = []
    compounds: list[Compound] = []
    comp_of_tok = [-1] * n
    i = 0
    while i < n:
        if is_space[i]:
            i += 1
            continue
        j = i
        # extend over "-" joins with no whitespace on either side
        while (j + 2 < n and not spacy_[j] and texts[j + 1] in HYPHENS and not spacy_[j + 1]
               and not is_space[j + 2] and not is_punct[j + 2]):
            j += 2
        comp_text = texts[i] if i == j else text[idx[i]:idx[j] + length[j]]
        ci = len(compounds)
        start_of_sent = i == 0 or sent_of[i] != sent_of[i - 1] or i == t_end
        compounds.append(Compound(i, j + 1, comp_text, start_of_sent, i < t_end))
        if i == j:
            comp_of_tok[i] = ci
            words.append(texts[i])
            lower_words.append(lowers[i])
            word_tok.append(i)
        else:
            for k in range(i, j + 1):
                comp_of_tok[k] = ci
                if texts[k] not in HYPHENS:
                    words.append(texts[k])
                    lower_words.append(lowers[k])
                    word_tok.append(k)
        i = j + 1
    v = DocView(texts, lowers, sent_of, bounds, words, lower_words, word_tok, compounds, comp_of_tok,
                t_end, text)
    doc.user_data["kg_view"] = v
    return v


def candidates(doc: Doc) -> list[Candidate]:
    """The candidate list components append to (created on first use)."""
    cands: list[Candidate] = doc.user_data.setdefault("kg_candidates", [])
    return cands
