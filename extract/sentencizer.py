"""spaCy's rule-based sentencizer computed on the token lists the rule components share
(factory ``kg_sentencizer``, added to the pipeline under spaCy's name ``sentencizer``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from extract.doc_view import SENTENCE_FINALS, token_arrays


@Language.factory(
    "kg_sentencizer",
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={"punct_chars": None, "overwrite": False,
                    "scorer": {"@scorers": "spacy.senter_scorer.v1"}},
    default_score_weights={"sents_f": 1.0, "sents_p": 0.0, "sents_r": 0.0},
)
def make_sentencizer(nlp: Language, name: str, punct_chars: list[str] | None, overwrite: bool,
                     scorer: Callable[..., Any] | None) -> ArraySentencizer:
    return ArraySentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)


class ArraySentencizer(Sentencizer):
    """spaCy's rule-based ``sentencizer`` (same boundaries, same config) on the token lists
    the rules use anyway (:func:`extract.doc_view.token_arrays`): the original reads
    ``token.text`` and ``token.is_punct`` through a Token object per token.

    spaCy's rule: a sentence starts at the first token, and at the first token after a
    sentence-final character (``punct_chars``) that is neither such a character nor
    punctuation. Each token becomes one byte (word, punctuation, sentence-final) and a
    regular expression finds those starts in C. Other ``punct_chars`` than spaCy's default
    run spaCy's own code.
    """

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0 or self.punct_chars != SENTENCE_FINALS:
            return super().__call__(doc)  # type: ignore[no-any-return]
        marks = bytes(token_arrays(doc).kinds).translate(_SENT_KINDS)
        starts = numpy.full(n, _NOT_START, dtype="uint64")
        starts[0] = 1
        starts[[m.start(1) for m in _SENT_BREAK.finditer(marks)]] = 1
        if not self.overwrite:  # spaCy's sentencizer leaves boundaries already set alone
            current = doc.to_array(SENT_START)
            starts = numpy.where(current == 0, starts, current)
        doc.from_array(_SENT_START, starts.reshape(n, 1))  # type: ignore[arg-type]  # Ints2d: a thinc alias
        return doc


# token kind (extract.doc_view) -> 0 (a word: spaces are words to spaCy's sentencizer),
# 1 (punctuation), 2 (sentence-final)
_SENT_KINDS = bytes([0, 0, 1, 1, 2]).ljust(256, b"\x00")
# a sentence-final token, any punctuation, then the word that starts the next sentence
_SENT_BREAK = re.compile(rb"\x02[\x01\x02]*(\x00)")
_NOT_START = numpy.uint64(2**64 - 1)  # -1 as Doc arrays store it
_SENT_START = [SENT_START]
