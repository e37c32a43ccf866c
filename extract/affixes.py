"""Exact shortcuts for the tokenizer's suffix, infix and URL regular expressions.

spaCy's tokenizer runs its suffix expression (85 alternatives, each ending in ``$``) and its
infix expression on every chunk it has not cached; on abstracts, where new words keep
coming, those two searches were about 40% of the time of a cache miss (~12 and ~9 us a
chunk). Python's regex engine tries each alternative at each position, although most
chunks (``model``, ``GSM8K``) cannot match at all.

A match of either expression consumes at least one character (checked on the parsed
pattern, or no shortcut is made), so:

* a suffix match (every alternative ends in ``$``) ends with the chunk's last character
  (or just before a final newline, which takes the full search): when no alternative can
  end with that character, there is no match;
* an infix match starts with a character some alternative can start with: when the chunk
  has none of those, there is no match.

Which characters those are is read from the parsed pattern (the last, or first, character
matcher of each alternative, skipping zero-width assertions) and decided per character
once, by the regex engine itself. Any construct the analysis does not know leaves the
expression as it was. The wrappers keep ``.__self__.pattern`` (what spaCy saves).

The URL pattern (tried on every new chunk too) matches only strings that contain a "."
(:class:`FastUrls`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from re import _compiler, _parser  # type: ignore[attr-defined]  # stable since 3.11, not in typeshed
from typing import Any

__all__ = ["FastInfixes", "FastSuffixes", "FastUrls", "fast_infix_finditer", "fast_suffix_search",
           "fast_url_match"]

_C = _parser  # the opcode constants live in re._constants, re-exported by the parser
_ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}
_ONE_CHAR = {_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY}
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", _C.MAX_REPEAT)}


def _edge_matchers(items: list[Any], last: bool) -> list[Any] | None:
    """The one-character matchers that can consume the last (or first) character of a match
    of the sequence ``items``, or None when that is not certain."""
    for op, av in (reversed(items) if last else items):
        if op in _ZERO_WIDTH:
            continue
        if op in _ONE_CHAR:
            return [(op, av)]
        if op is _C.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags or sub.getwidth()[0] < 1:
                return None
            return _edge_matchers(sub.data, last)
        if op is _C.BRANCH:
            found: list[Any] = []
            for alt in av[1]:
                if alt.getwidth()[0] < 1:
                    return None
                got = _edge_matchers(alt.data, last)
                if got is None:
                    return None
                found += got
            return found
        if op in _REPEATS:
            lo, _hi, sub = av
            if lo < 1 or sub.getwidth()[0] < 1:
                return None
            return _edge_matchers(sub.data, last)
        return None
    return None  # nothing consumed



class _Alternatives:
    """The top-level alternatives of a pattern, and which of them can consume a given
    character at their edge (the last character for a suffix, the first for an infix),
    decided once per character by the regex engine itself."""

    def __init__(self, parsed: Any, last: bool) -> None:
        alts = parsed.data[0][1][1] if len(parsed.data) == 1 and parsed.data[0][0] is _C.BRANCH \
            else [parsed]
        self.state, self.flags, self.alts = parsed.state, parsed.state.flags, alts
        self._tests: list[list[Callable[[str], Any]] | None] = []
        for alt in alts:
            matchers = _edge_matchers(alt.data, last) if alt.getwidth()[0] >= 1 else None
            # None: the alternative is always kept (the analysis cannot exclude it)
            self._tests.append(None if matchers is None else [
                _compiler.compile(_parser.SubPattern(self.state, [m]), self.flags).fullmatch
                for m in {repr(m): m for m in matchers}.values()])
        self._of_char: dict[str, tuple[int, ...]] = {}
        self._regexes: dict[tuple[int, ...], re.Pattern[str] | None] = {}

    def of_char(self, c: str) -> tuple[int, ...]:
        """Indexes of the alternatives that can consume ``c`` at their edge."""
        found = self._of_char.get(c)
        if found is None:
            found = self._of_char[c] = tuple(
                i for i, tests in enumerate(self._tests) if tests is None or any(t(c) for t in tests))
        return found

    def regex(self, which: tuple[int, ...]) -> re.Pattern[str] | None:
        """The pattern of only the alternatives ``which``, in their order: in a string where
        no other alternative can match, it finds what the whole pattern finds."""
        if which not in self._regexes:
            pattern = None
            if which:
                chosen = [self.alts[i] for i in which]
                data = chosen[0].data if len(chosen) == 1 else [(_C.BRANCH, (None, chosen))]
                pattern = _compiler.compile(_parser.SubPattern(self.state, list(data)), self.flags)
            self._regexes[which] = pattern
        return self._regexes[which]

    def width(self, which: tuple[int, ...]) -> int:
        """The longest match of the alternatives ``which`` (:data:`_UNBOUNDED` if unbounded)."""
        return min(_UNBOUNDED, max(self.alts[i].getwidth()[1] for i in which))


_UNBOUNDED = 1 << 62
_Search = Callable[[str, int], "re.Match[str] | None"]


class FastSuffixes:
    """``pattern.search`` of a suffix expression (every alternative ends in ``$``): only the
    alternatives that can end with the string's last character, from the first position
    where a match of theirs can start (see the module docstring)."""

    def __init__(self, pattern: re.Pattern[str], alts: _Alternatives) -> None:
        self.pattern = pattern.pattern  # what spaCy's tokenizer serialises
        self.flags = pattern.flags
        self._search = pattern.search
        self._alts = alts
        self._by_last: dict[str, tuple[_Search, int] | None] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_suffixes, (self.pattern, self.flags))

    def search(self, string: str) -> re.Match[str] | None:
        last = string[-1:]
        try:
            how = self._by_last[last]
        except KeyError:
            how = self._learn(last)
        if how is None:
            return None
        search, width = how
        # a match ends at the end of the string, so it starts no earlier than its width
        # allows (lookbehinds and anchors still see the whole string)
        return search(string, max(0, len(string) - width))

    def _learn(self, last: str) -> tuple[_Search, int] | None:
        how: tuple[_Search, int] | None
        if not last or last == "\n":
            how = (self._search, _UNBOUNDED)  # ``$`` also matches before a final newline
        else:
            which = self._alts.of_char(last)
            regex = self._alts.regex(which)
            how = None if regex is None else (regex.search, self._alts.width(which))
        self._by_last[last] = how
        return how


class FastInfixes:
    """``pattern.finditer`` of an infix expression: only the alternatives that can start with
    a character of the string (see the module docstring)."""

    def __init__(self, pattern: re.Pattern[str], alts: _Alternatives) -> None:
        self.pattern = pattern.pattern
        self.flags = pattern.flags
        self._alts = alts
        self._inert: set[str] = set()  # characters no alternative can start with
        self._by_chars: dict[frozenset[str], re.Pattern[str] | None] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_infixes, (self.pattern, self.flags))

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        inert = self._inert
        if inert.issuperset(string):
            return iter(())
        chars = frozenset(string).difference(inert)
        try:
            regex = self._by_chars[chars]
        except KeyError:
            regex = self._learn(chars)
        return iter(()) if regex is None else regex.finditer(string)

    def _learn(self, chars: frozenset[str]) -> re.Pattern[str] | None:
        which: set[int] = set()
        for c in chars:
            of = self._alts.of_char(c)
            if not of:
                self._inert.add(c)
            which.update(of)
        regex = self._alts.regex(tuple(sorted(which)))
        if len(self._by_chars) < 100_000:
            self._by_chars[chars] = regex
        return regex


def _parse(pattern: re.Pattern[str]) -> Any:
    if pattern.flags & (re.MULTILINE | re.VERBOSE) or not isinstance(pattern.pattern, str):
        return None
    try:
        return _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001  (a pattern this analysis cannot read: no shortcut)
        return None


def _all_end_anchored(parsed: Any) -> bool:
    """Every top-level alternative ends with ``$`` (as spaCy's ``compile_suffix_regex`` writes
    them): then a match ends at the end of the string, or before a final newline."""
    alts = parsed.data[0][1][1] if len(parsed.data) == 1 and parsed.data[0][0] is _C.BRANCH \
        else [parsed]
    return all(alt.data and alt.data[-1] == (_C.AT, _C.AT_END) for alt in alts)


def fast_suffix_search(pattern: re.Pattern[str]) -> Callable[[str], re.Match[str] | None]:
    """``pattern.search`` for spaCy's ``suffix_search``, with the shortcut when the pattern
    allows it (else ``pattern.search`` itself)."""
    parsed = _parse(pattern)
    if parsed is None or not _all_end_anchored(parsed):
        return pattern.search
    return FastSuffixes(pattern, _Alternatives(parsed, last=True)).search


def fast_infix_finditer(pattern: re.Pattern[str]) -> Callable[[str], Iterator[re.Match[str]]]:
    """``pattern.finditer`` for spaCy's ``infix_finditer``, with the shortcut when the pattern
    allows it (else ``pattern.finditer`` itself)."""
    parsed = _parse(pattern)
    if parsed is None:
        return pattern.finditer
    return FastInfixes(pattern, _Alternatives(parsed, last=False)).finditer


# unpickling: the object whose ``search`` / ``finditer`` the tokenizer held (a pickled bound
# method is its object and the method's name)
def _rebuild_suffixes(pattern: str, flags: int) -> Any:
    return fast_suffix_search(re.compile(pattern, flags)).__self__  # type: ignore[attr-defined]


def _rebuild_infixes(pattern: str, flags: int) -> Any:
    return fast_infix_finditer(re.compile(pattern, flags)).__self__  # type: ignore[attr-defined]


def _required_chars(items: list[Any]) -> set[str]:
    """Characters every match of the sequence ``items`` contains (a literal outside any
    optional part; only certain ones: assertions, sets and case-folded parts add none)."""
    required: set[str] = set()
    for op, av in items:
        if op is _C.LITERAL:
            required.add(chr(av))
        elif op is _C.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & re.IGNORECASE:
                required |= _required_chars(sub.data)
        elif op is _C.BRANCH:
            alts = [_required_chars(alt.data) for alt in av[1]]
            required |= set.intersection(*alts) if alts else set()
        elif op in _REPEATS and av[0] >= 1:
            required |= _required_chars(av[2].data)
    return required


class FastUrls:
    """``pattern.match`` of a pattern whose every match contains certain characters (spaCy's
    URL pattern: the "." of a host name or address): a string without one of them is no
    match, without running the pattern."""

    def __init__(self, pattern: re.Pattern[str], required: set[str]) -> None:
        self.pattern = pattern.pattern
        self.flags = pattern.flags
        self._match = pattern.match
        self._required = tuple(sorted(required))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_urls, (self.pattern, self.flags))

    def match(self, string: str) -> re.Match[str] | None:
        for c in self._required:
            if c not in string:
                return None
        return self._match(string)


def fast_url_match(pattern: re.Pattern[str]) -> Callable[[str], re.Match[str] | None]:
    """``pattern.match`` for spaCy's ``url_match``, with the shortcut when every match of the
    pattern contains some known characters (else ``pattern.match`` itself)."""
    parsed = _parse(pattern)
    if parsed is None or parsed.state.flags & re.IGNORECASE:
        return pattern.match
    required = _required_chars(parsed.data)
    if not required:
        return pattern.match
    return FastUrls(pattern, required).match


def _rebuild_urls(pattern: str, flags: int) -> Any:
    return fast_url_match(re.compile(pattern, flags)).__self__  # type: ignore[attr-defined]
