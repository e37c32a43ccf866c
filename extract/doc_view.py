"""A light, once-per-Doc view of the tokens that the rule components share.

spaCy's tokenizer (with paper-kg's hyphen infix) splits ``Llama-2-7B`` into
``Llama - 2 - 7B``. Rules reason about *words* (``Llama-2-7B`` as one compound) and
lexicon lookups about the word sequence with hyphens dropped; both are computed here
once and cached in ``doc.user_data`` so every component reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

HYPHENS = frozenset({"-", "‐", "‑", "–"})

# (start token, end token (exclusive), type, key, rule, confidence)
Candidate = tuple[int, int, str, str, str, float]


@dataclass(slots=True)
class Compound:
    """Tokens joined by hyphens with no whitespace: ``Qwen2.5-VL-72B``, ``chain-of-thought``."""

    start: int
    end: int
    text: str
    sent_start: bool  # first word of its sentence
    title: bool  # inside the paper title


@dataclass(slots=True)
class DocView:
    words: list[str]  # token texts without hyphen and space tokens
    word_tok: list[int]  # token index of each word
    compounds: list[Compound]
    comp_of_tok: list[int]  # compound index of each token (-1 for spaces)
    title_end: int  # first token after the title (0 when there is no title)

    def compound_at(self, tok: int) -> Compound | None:
        ci = self.comp_of_tok[tok]
        return None if ci < 0 else self.compounds[ci]


def title_end(doc: Doc) -> int:
    """Index of the first abstract token: the paper text is ``title + "\\n\\n" + abstract``."""
    for tok in doc:
        if tok.is_space and "\n\n" in tok.text:
            return tok.i + 1
    return 0


def view(doc: Doc) -> DocView:
    """The cached :class:`DocView` of ``doc``."""
    cached = doc.user_data.get("kg_view")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    words: list[str] = []
    word_tok: list[int] = []
    compounds: list[Compound] = []
    comp_of_tok = [-1] * len(doc)
    t_end = title_end(doc)
    n = len(doc)
    i = 0
    while i < n:
        tok = doc[i]
        if tok.is_space:
            i += 1
            continue
        j = i
        # extend over "-" joins with no whitespace on either side
        while (j + 2 < n and doc[j].whitespace_ == "" and doc[j + 1].text in HYPHENS
               and doc[j + 1].whitespace_ == "" and not doc[j + 2].is_space
               and not doc[j + 2].is_punct):
            j += 2
        text = doc[i:j + 1].text
        ci = len(compounds)
        compounds.append(Compound(i, j + 1, text, bool(tok.is_sent_start) or i == t_end, i < t_end))
        for k in range(i, j + 1):
            comp_of_tok[k] = ci
            if doc[k].text not in HYPHENS:
                words.append(doc[k].text)
                word_tok.append(k)
        i = j + 1
    v = DocView(words, word_tok, compounds, comp_of_tok, t_end)
    doc.user_data["kg_view"] = v
    return v


def candidates(doc: Doc) -> list[Candidate]:
    """The candidate list components append to (created on first use)."""
    cands: list[Candidate] = doc.user_data.setdefault("kg_candidates", [])
    return cands
