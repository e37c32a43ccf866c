"""The curated lexicon of ML entities and its token-level index.

A lexicon file is JSON Lines, one entry per line::

    {"label": "WebArena", "type": "benchmark", "aliases": ["Web Arena"]}
    {"label": "reinforcement learning from human feedback", "type": "method", "aliases": ["RLHF"]}

``ambiguous: true`` marks entries whose names are also ordinary words ("Gemini", "Adam"):
they match only with their exact capitalisation. All-caps or mixed-case acronyms
("RLHF", "MoE") always match case-sensitively; other forms match case-insensitively
and across hyphen/space and plural variants.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import compress
from pathlib import Path
from typing import Any

from extract.normalize import entity_key, is_acronym, singular, split_words
from kg.errors import InputError
from kg.records import ENTITY_TYPES

_ALLOWED_KEYS = {"label", "type", "aliases", "ambiguous"}


@dataclass(frozen=True, slots=True)
class LexEntry:
    """One lexicon entry: canonical label, type, aliases."""

    label: str
    type: str
    aliases: tuple[str, ...] = ()
    ambiguous: bool = False

    @property
    def key(self) -> str:
        return entity_key(self.label)

    def surfaces(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"label": self.label, "type": self.type, "aliases": list(self.aliases)}
        if self.ambiguous:
            d["ambiguous"] = True
        return d


def _possessives_apart(words: list[str]) -> list[str]:
    """``Children's Book Test`` as the tokenizer writes it: ``Children``, ``'s``, ``Book``, ..."""
    if not any("'s" in w or "’s" in w for w in words):
        return words
    out: list[str] = []
    for w in words:
        if len(w) > 2 and w[-2:] in {"'s", "’s"}:
            out.extend((w[:-2], w[-2:]))
        else:
            out.append(w)
    return out


def default_lexicon_path() -> Path:
    """The lexicon shipped with paper-kg."""
    return Path(str(resources.files("extract") / "data" / "lexicon.jsonl"))


def read_lexicon(path: str | Path) -> list[LexEntry]:
    """Read a lexicon file; :class:`InputError` names the file and line of a bad entry."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), None, f"cannot read lexicon: {exc}") from None
    entries = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), lineno, f"invalid JSON in lexicon: {exc.msg}") from None
        entries.append(_entry_from_obj(obj, str(path), lineno))
    return entries


def _entry_from_obj(obj: Any, path: str, lineno: int) -> LexEntry:
    if not isinstance(obj, dict):
        raise InputError(path, lineno, "lexicon entry must be a JSON object")
    unknown = set(obj) - _ALLOWED_KEYS
    if unknown:
        raise InputError(path, lineno, f"unknown lexicon field(s): {', '.join(sorted(unknown))}")
    label, etype = obj.get("label"), obj.get("type")
    if not isinstance(label, str) or not label.strip():
        raise InputError(path, lineno, "lexicon entry needs a non-empty 'label'")
    if etype not in ENTITY_TYPES:
        raise InputError(path, lineno, f"lexicon type {etype!r} is not one of {', '.join(ENTITY_TYPES)}")
    aliases = obj.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise InputError(path, lineno, "'aliases' must be a list of strings")
    return LexEntry(label.strip(), etype, tuple(a.strip() for a in aliases if a.strip()),
                    bool(obj.get("ambiguous", False)))


@dataclass(frozen=True, slots=True)
class _Form:
    entry: int  # index into Lexicon.entries
    exact: tuple[str, ...] | None  # required exact word sequence, for case-sensitive forms


class Lexicon:
    """Entries plus an index from lowercased word tuples to entries, for longest-match lookup.

    >>> lex = Lexicon([LexEntry("WebArena", "benchmark"), LexEntry("RLHF", "method")])
    >>> lex.match(["the", "WebArena", "benchmark"], 1)
    (0, 1)
    >>> lex.match(["rlhf"], 0) is None
    True
    """

    def __init__(self, entries: Iterable[LexEntry] = ()) -> None:
        self.entries: list[LexEntry] = []
        self._index: dict[str, dict[tuple[str, ...], list[_Form]]] = {}
        self._lengths: dict[str, list[int]] = {}  # word counts of the forms in each bucket
        self._by_key: dict[str, int] = {}
        self._seconds: dict[str, set[str]] = {}  # second words of the multi-word forms in each bucket
        self._starts: dict[str, bool] = {}  # lowercased word -> :meth:`starts` (memo)
        # (word, its lowercase form, the next word lowercased or None) -> :meth:`match`, for
        # lookups that only one-word forms can answer (most of them; see :meth:`match`)
        self._one_word: dict[tuple[str, str, str | None], tuple[int, int] | None] = {}
        self.max_words = 1
        self.add(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entries: Iterable[LexEntry]) -> None:
        """Add entries; a later entry with the same key as an earlier one replaces it."""
        self._starts = {}
        self._one_word = {}
        for entry in entries:
            idx = self._by_key.get(entry.key)
            if idx is None:
                idx = len(self.entries)
                self.entries.append(entry)
                self._by_key[entry.key] = idx
            else:
                self.entries[idx] = entry
            for surface in entry.surfaces():
                self._add_form(surface, idx, entry.ambiguous)

    def _add_form(self, surface: str, idx: int, ambiguous: bool) -> None:
        words = _possessives_apart(split_words(surface))
        if not words:
            return
        # acronyms can be ordinary words in lowercase ("ARC"/"arc"); names with digits cannot
        case_sensitive = ambiguous or (
            len(words) == 1 and is_acronym(words[0]) and not any(c.isdigit() for c in words[0]))
        lowered = tuple(w.lower() for w in words[:-1]) + (singular(words[-1].lower()),)
        form = _Form(idx, tuple(words) if case_sensitive else None)
        bucket = self._index.setdefault(singular(lowered[0]), {})
        forms = bucket.setdefault(lowered, [])
        lengths = self._lengths.setdefault(singular(lowered[0]), [])
        if len(lowered) > 1:
            self._seconds.setdefault(singular(lowered[0]), set()).add(lowered[1])
        if len(words) not in lengths:
            lengths.append(len(words))
            lengths.sort(reverse=True)
        # an exact (case-sensitive) form never shadows a case-insensitive one of another entry
        forms.append(form)
        word = words[0]
        if case_sensitive and not ambiguous and len(words) == 1 and len(word) >= 6 and word.isalpha() \
                and not word.isupper() and word != word.capitalize():
            # a CamelCase name is also written with one capital ("AdaGrad"/"Adagrad",
            # "ResNet"/"Resnet"); a long one is no ordinary word that way
            forms.append(_Form(idx, (word.capitalize(),)))
        self.max_words = max(self.max_words, len(words))

    def entry_for_key(self, key: str) -> LexEntry | None:
        idx = self._by_key.get(key)
        return None if idx is None else self.entries[idx]

    def starts(self, lower: str) -> bool:
        """True when some form begins with the lowercased word ``lower``."""
        return singular(lower) in self._index

    def start_positions(self, lowers: Sequence[str]) -> list[int]:
        """Indexes of the lowercased words for which :meth:`starts` is true, in one pass
        (only a word ending in "s" can have a singular other than itself)."""
        memo = self._starts
        if len(memo) > 1_000_000:
            memo = self._starts = {}
        flags = list(map(memo.get, lowers))
        if None in flags:  # words not seen before
            index = self._index
            for w in set(lowers).difference(memo):
                memo[w] = (singular(w) if w[-1:] == "s" else w) in index
            flags = list(map(memo.__getitem__, lowers))
        return list(compress(range(len(lowers)), flags))

    def match(self, words: Sequence[str], i: int,
              lowers: Sequence[str] | None = None, *, any_case: bool = False) -> tuple[int, int] | None:
        """Longest match starting at ``words[i]``: (entry index, number of words) or None.

        ``lowers`` (the words lowercased) saves lowercasing again on a hot path;
        ``any_case`` accepts case-sensitive forms in any capitalisation too.
        """
        key = None
        if lowers is not None and not any_case:
            # the answer of a lookup that only one-word forms can give depends on the word
            # and whether the next word can continue a form: memoised on the word, its
            # lowercase form and the next word (the vocabulary is Zipfian)
            key = (words[i], lowers[i], lowers[i + 1] if i + 1 < len(words) else None)
            found = self._one_word.get(key, _UNKNOWN)
            if found is not _UNKNOWN:
                return found  # type: ignore[return-value]
        first = singular(lowers[i] if lowers is not None else words[i].lower())
        bucket = self._index.get(first)
        if bucket is None:
            if key is not None:
                self._remember(key, None)
            return None
        lengths = self._lengths[first]
        if lengths[0] > 1 and i + 1 < len(words):
            # no multi-word form goes on with the next word: only one-word forms can match
            second = lowers[i + 1] if lowers is not None else words[i + 1].lower()
            seconds = self._seconds[first]
            if second not in seconds and singular(second) not in seconds:
                lengths = [1] if 1 in lengths else []
        if key is not None and (i + 1 >= len(words) or not lengths or lengths[0] == 1):
            found = self._match_lengths(words, i, lowers, any_case, bucket, lengths)
            self._remember(key, found)
            return found
        return self._match_lengths(words, i, lowers, any_case, bucket, lengths)

    def _remember(self, key: tuple[str, str, str | None], found: tuple[int, int] | None) -> None:
        if len(self._one_word) > 1_000_000:
            self._one_word = {}
        self._one_word[key] = found

    def _match_lengths(self, words: Sequence[str], i: int, lowers: Sequence[str] | None,
                       any_case: bool, bucket: dict[tuple[str, ...], list[_Form]],
                       lengths: list[int]) -> tuple[int, int] | None:
        for n in lengths:
            if i + n > len(words):
                continue
            low = lowers[i:i + n] if lowers is not None else [w.lower() for w in words[i:i + n]]
            lowered = (*low[:-1], singular(low[-1]))
            forms = bucket.get(lowered)
            if not forms:
                continue
            seq = words[i:i + n]
            for form in forms:
                if form.exact is None or any_case or _same_exact(form.exact, seq):
                    return form.entry, n
        return None

    def to_jsonl(self) -> str:
        return "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in self.entries)


_UNKNOWN = object()


def _same_exact(exact: tuple[str, ...], seq: Sequence[str]) -> bool:
    if len(exact) != len(seq):
        return False
    last_ok = seq[-1] == exact[-1] or seq[-1] == exact[-1] + "s"
    return last_ok and all(a == b for a, b in zip(exact[:-1], seq[:-1], strict=True))


def load_lexicon(paths: Sequence[str | Path] = (), *, use_default: bool = True) -> Lexicon:
    """The shipped lexicon (unless ``use_default`` is false) extended by the user's files."""
    lex = Lexicon()
    if use_default:
        lex.add(read_lexicon(default_lexicon_path()))
    for path in paths:
        lex.add(read_lexicon(path))
    return lex
