"""Normalisation of entity surface forms into grouping keys.

Case, hyphen/space, plural and spacing variants share a key; versions do not:

>>> entity_key("Vision Transformers") == entity_key("vision-transformer")
True
>>> entity_key("GPT-4") == entity_key("GPT-4o")
False
>>> entity_key("LLMs")
'llm'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_/]+")
_ACRONYM_PLURAL = re.compile(r"^([A-Z][A-Za-z0-9]*[A-Z0-9])s$")
_NO_PLURAL_SUFFIXES = ("ss", "us", "is", "ics", "ous", "sis")


def split_words(text: str) -> list[str]:
    """Split a surface form into words on whitespace, hyphens, dashes, underscores and slashes."""
    text = unicodedata.normalize("NFKC", text).strip().strip(".,;:!?\"'")
    return [w for w in _SEPARATORS.split(text) if w]


@lru_cache(maxsize=1 << 16)
def singular(word: str) -> str:
    """The singular of a lowercase word as far as entity names need it.

    >>> singular("strategies"), singular("losses"), singular("analysis")
    ('strategy', 'loss', 'analysis')
    """
    if not word.isalpha() or not word.islower() or len(word) < 4:
        return word
    if word.endswith(_NO_PLURAL_SUFFIXES):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 18)
def entity_key(text: str) -> str:
    """The grouping key of a surface form: casefolded words, last word singular."""
    words = split_words(text)
    if not words:
        return ""
    last = words[-1]
    plural_acronym = _ACRONYM_PLURAL.match(last)
    if plural_acronym and any(c.isupper() for c in plural_acronym.group(1)[1:]):
        words[-1] = plural_acronym.group(1)
    elif last.isalpha():
        words[-1] = singular(last.lower())
    return " ".join(w.casefold() for w in words)


@lru_cache(maxsize=1 << 18)
def is_acronym(word: str) -> bool:
    """True for acronym-like words: ``RLHF``, ``MoE``, ``LLMs``, ``xP3``, ``ViT``."""
    if not 2 <= len(word) <= 12 or not word[0].isalnum():
        return False
    body = word[:-1] if word.endswith("s") and len(word) > 2 else word
    uppers = sum(1 for c in body if c.isupper())
    return uppers >= 2 or (uppers >= 1 and any(c.isdigit() for c in body) and body[0].isalpha())
