"""A loose LaTeX-to-text conversion for BibTeX fields and LaTeX-escaped author names.

Accents become Unicode (``{\\"o}`` -> ``ö``), escaped specials become the character
(``\\&`` -> ``&``), other commands are dropped (``\\emph{x}`` -> ``x``), grouping braces
are removed (``{BERT}`` -> ``BERT``). Math (``$...$``) is kept as written.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["delatex", "split_math"]

_ACCENTS = {
    "'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "b": "\u0331", "d": "\u0323",
}
_SPECIAL = {
    "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
    "LaTeX": "LaTeX", "TeX": "TeX", "textendash": "–", "textemdash": "—",
}
_ESCAPED = {"&": "&", "%": "%", "_": "_", "$": "$", "#": "#", "{": "{", "}": "}", " ": " "}

# Math spans kept as written: $$...$$, $...$, \(...\) and \[...\] (a "$" after a backslash
# is an escaped dollar). Each pattern is tried at a candidate opening; one that finds no
# closing delimiter is not tried again, so splitting is linear even on hostile input.
_MATH_OPEN = re.compile(r"\$|\\[(\[]")
_DISPLAY = re.compile(r"\$\$.+?(?<!\\)\$\$", re.DOTALL)
_INLINE = re.compile(r"\$(?:[^$\\]|\\.)+\$", re.DOTALL)
_PAREN = re.compile(r"\\\(.+?\\\)", re.DOTALL)
_BRACKET = re.compile(r"\\\[.+?\\\]", re.DOTALL)
_ACCENT = re.compile(
    r"\\(?:(['\"`^~=.])\s*|([uvHckrbd])(?:\s+|(?=\{)))"  # the accent command
    r"(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"  # its letter
)
_SPECIAL_CMD = re.compile(
    r"\\(" + "|".join(sorted(_SPECIAL, key=len, reverse=True)) + r")(?![A-Za-z]) *"
)
_ESCAPE = re.compile(r"\\([&%_$#{} ])")
_COMMAND = re.compile(r"\\[A-Za-z]+\*? *|\\[^A-Za-z\s]")
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")


def _accent(match: re.Match[str]) -> str:
    mark = _ACCENTS[match.group(1) or match.group(2)]
    letter = match.group(3) or match.group(4) or ""
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + mark)


def _convert(text: str) -> str:
    """Convert one stretch of text that holds no math."""
    kept: list[str] = []

    def keep(value: str) -> str:
        kept.append(value)
        return _PLACEHOLDER.format(len(kept) - 1)

    text = text.replace("\x00", "").replace("\\\\", " ")
    text = _ESCAPE.sub(lambda m: keep(_ESCAPED[m.group(1)]), text)
    text = _ACCENT.sub(lambda m: keep(_accent(m)), text)
    text = _SPECIAL_CMD.sub(lambda m: keep(_SPECIAL[m.group(1)]), text)
    text = _COMMAND.sub("", text)
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    text = text.replace("---", "—").replace("--", "–")
    return _PLACEHOLDER_RE.sub(lambda m: kept[int(m.group(1))], text)


def _math_match(text: str, pos: int, dead: set[str]) -> re.Match[str] | None:
    """The math span opening at ``text[pos]``, if any. A pattern whose closing delimiter
    occurs nowhere after ``pos`` is added to ``dead``: it cannot match further on either."""
    if text[pos] == "$":
        if pos and text[pos - 1] == "\\":
            return None
        if text.startswith("$$", pos) and "display" not in dead:
            match = _DISPLAY.match(text, pos)
            if match:
                return match
            dead.add("display")
        nxt = text[pos + 1 : pos + 2]
        if nxt and nxt != "$" and "inline" not in dead:
            match = _INLINE.match(text, pos)
            if match:
                return match
            dead.add("inline")
        return None
    kind, pattern = ("paren", _PAREN) if text[pos + 1] == "(" else ("bracket", _BRACKET)
    if kind in dead:
        return None
    match = pattern.match(text, pos)
    if match is None:
        dead.add(kind)
    return match


def split_math(text: str) -> list[str]:
    """``text`` cut into alternating plain-text and math pieces (plain text first).

    >>> split_math(r"a $x$ b \\(y\\)")
    ['a ', '$x$', ' b ', '\\\\(y\\\\)', '']
    """
    parts: list[str] = []
    last = pos = 0
    dead: set[str] = set()
    while True:
        opening = _MATH_OPEN.search(text, pos)
        if opening is None:
            break
        match = _math_match(text, opening.start(), dead)
        if match is None:
            pos = opening.start() + 1
            continue
        parts += [text[last : match.start()], match.group(0)]
        last = pos = match.end()
    parts.append(text[last:])
    return parts


def delatex(text: str) -> str:
    """``text`` with LaTeX accents, escapes, commands and braces converted to plain text.

    >>> delatex(r'{BERT}: Pre-training of {\\"o}ver {D}eep \\emph{Bidirectional} M{\\"u}ller')
    'BERT: Pre-training of över Deep Bidirectional Müller'
    """
    if "\\" not in text and "{" not in text and "~" not in text and "--" not in text:
        return text
    parts = split_math(text)
    return "".join(part if i % 2 else _convert(part) for i, part in enumerate(parts))
