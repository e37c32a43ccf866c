"""Small text helpers shared by the readers and the later stages.

* :func:`clean_text` removes characters that must never reach the graph (NUL and other
  control characters, lone surrogates, byte-order marks) but keeps newlines and tabs.
* :func:`normalize_whitespace` is the one normalisation applied to titles and abstracts
  (offsets into the abstract are computed later, so it is applied once, by the reader).
* :func:`find_urls` lists the http(s) URLs in a text, without trailing punctuation.
* :func:`slugify` makes a deterministic ``[a-z0-9-]`` slug.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["clean_text", "find_urls", "normalize_whitespace", "short_hash", "slugify"]

# Control characters (category Cc) except tab and newline, lone surrogates (Cs), stray
# byte-order marks and the non-characters U+FFFE/U+FFFF.
_BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")

# A hyphen at the end of a hard-wrapped line joins the two halves without a space
# ("state-of-the-\nart" -> "state-of-the-art"); any other line break becomes a space.
_HYPHEN_WRAP = re.compile(r"(?<=\w-)[ \t]*\n\s*(?=\w)")
_SPACES = re.compile(r"\s+")


def _replace_bad(match: re.Match[str]) -> str:
    # Whitespace-like controls (CR, vertical tab, form feed, NEL...) separate words.
    return "\n" if match.group(0).isspace() else ""


def clean_text(text: str) -> str:
    """``text`` without control characters (except newline and tab), lone surrogates and
    byte-order marks; CR LF and other line-breaking controls become a newline."""
    return _BAD_CHARS.sub(_replace_bad, text.replace("\r\n", "\n"))


def normalize_whitespace(text: str) -> str:
    """NFC-normalise ``text``, strip control characters, join hard line wraps and collapse
    every run of whitespace into one space; leading and trailing whitespace is removed.

    The function is idempotent: ``normalize_whitespace(normalize_whitespace(s))`` equals
    ``normalize_whitespace(s)``.
    """
    text = unicodedata.normalize("NFC", clean_text(text))
    text = _HYPHEN_WRAP.sub("", text)
    return _SPACES.sub(" ", text).strip()


# URL characters: anything but whitespace, quotes/angle brackets, braces, backslashes and
# CJK punctuation (which in practice ends a URL written inside Chinese or Japanese text).
_URL = re.compile(r"""https?://[^\s<>"`{}|\\^\u3000-\u303f\uff08\uff09\uff0c\uff1a\uff1b\u201c\u201d]+""",
                  re.IGNORECASE)
_TRAILING = ".,;:!?'\"*\u2019\u00bb\u2026"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_HAS_HOST = re.compile(r"https?://[^/?#\s.]", re.IGNORECASE)


def _trim_url(url: str) -> str:
    """Remove trailing punctuation and unbalanced closing brackets from a matched URL
    (in linear time: bracket counts are kept up to date, not recounted)."""
    counts = {c: url.count(c) for c in "()[]{}"}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last in _PAIRS and counts[last] > counts[_PAIRS[last]]:
            counts[last] -= 1
            end -= 1
        else:
            break
    return url[:end]


def find_urls(text: str) -> tuple[str, ...]:
    """The http(s) URLs in ``text``, in order of first appearance, without duplicates.

    Trailing punctuation (``.,;:!?'"``) and unbalanced closing brackets are not part of
    the URL, but balanced parentheses inside it are kept::

        >>> find_urls("Code: https://github.com/a/b. See (https://x.org/A_(b)).")
        ('https://github.com/a/b', 'https://x.org/A_(b)')
    """
    seen: dict[str, None] = {}
    for match in _URL.finditer(text):
        url = _trim_url(match.group(0))
        if _HAS_HOST.match(url):
            seen.setdefault(url, None)
    return tuple(seen)


def short_hash(text: str, length: int = 8) -> str:
    """The first ``length`` hex digits of the SHA-1 of ``text`` (UTF-8)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int | None = None) -> str:
    """A deterministic slug of ``text`` made only of ``[a-z0-9-]``.

    The text is NFKC-normalised and case-folded, accents are dropped ("Café" -> "cafe")
    and every run of other characters becomes one ``-``. When letters or digits had no
    ASCII form (e.g. Greek or CJK), or when the slug is cut to ``max_length``, the first
    8 hex digits of the SHA-1 of the normalised text are appended (after a ``-``) so that
    different texts keep different slugs. An empty or punctuation-only text gives ``""``.
    """
    norm = _SPACES.sub(" ", unicodedata.normalize("NFKC", clean_text(text)).casefold()).strip()
    folded = unicodedata.normalize("NFKD", norm)
    ascii_chars: list[str] = []
    lost = False
    for ch in folded:
        if ch.isascii():
            ascii_chars.append(ch)
        elif unicodedata.combining(ch):
            continue  # accent of a decomposed letter
        else:
            lost = lost or ch.isalnum()
            ascii_chars.append(" ")
    slug = _NON_SLUG.sub("-", "".join(ascii_chars).lower()).strip("-")
    if max_length is not None and len(slug) > max_length:
        slug = slug[: max(max_length, 1)].rstrip("-")
        lost = True
    if lost:
        digest = short_hash(norm)
        slug = f"{slug}-{digest}" if slug else digest
    return slug
