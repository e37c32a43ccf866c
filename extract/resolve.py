"""Corpus-level resolution: mentions -> entities with one type, one label and all aliases.

* An acronym of three or more characters defined in any paper ("long form (SF)") resolves
  bare uses of that acronym in every other paper; bare acronyms nobody defines, and bare
  two-letter ones ("FC", "LR": too many meanings across papers), are dropped.
* A key gets one type across the corpus: the type with the most confidence behind it
  (lexicon mentions outweigh rule guesses). A type borrowed from a list (a name listed with
  known datasets, ``context:coordinated``) only speaks for that one sentence: it does not
  decide the type of a name its paper uses many more times as something else (see
  :func:`_outvoted_list_votes`).
* The label is the lexicon's label when the lexicon knows the key, else the most frequent
  non-acronym surface form.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from extract.lexicon import Lexicon
from extract.normalize import is_acronym
from kg.records import ENTITY_TYPES, Entity, Mention

_TYPE_ORDER: dict[str, int] = {t: i for i, t in enumerate(ENTITY_TYPES)}
_LEXICON_WEIGHT = 10.0
_LEXICON_RULES = frozenset({"lexicon", "lexicon-variant"})  # a variant keeps its entry's type
_MIN_BORROWED = 3  # the shortest bare acronym another paper's definition may resolve


def entity_id(type_: str, key: str) -> str:
    """Stable entity id ``<type>/<slug>``; the slug keeps versions apart (``gpt-4o``).

    >>> entity_id("model", "qwen2.5 vl 72b")
    'model/qwen2.5-vl-72b'
    """
    slug = re.sub(r"[^a-z0-9.+]+", "-", key).strip("-.") or "x"
    if slug.replace("-", " ") != key:
        # the slug lost characters: a short hash keeps two such keys apart
        slug = f"{slug}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"
    return f"{type_}/{slug}"


def resolve(
    mentions: Iterable[Mention], *, lexicon: Lexicon | None = None
) -> tuple[list[Mention], list[Entity]]:
    """Resolve all mentions of a corpus; returns (mentions with ``entity`` set, entities)."""
    mentions = list(mentions)
    definitions = _acronym_definitions(mentions)
    kept: list[Mention] = []
    for m in mentions:
        if m.rule == "bare-acronym":
            if len(m.text) - m.text.endswith("s") < _MIN_BORROWED:
                continue  # "FC", "LR", "DA": two letters stand for too many things across papers
            hit = definitions.get(m.text) or (definitions.get(m.text[:-1]) if m.text.endswith("s") else None)
            if hit is None:
                continue
            m = replace(m, key=hit[0], type=hit[1], rule="abbreviation:corpus", confidence=0.7)  # type: ignore[arg-type]
        kept.append(m)

    kept = _merge_spacing_variants(kept, lexicon)
    outvoted = _outvoted_list_votes(kept)
    # plain dicts, not Counter/defaultdict: one per key, and there are ~170k keys at 100k papers
    votes: dict[str, dict[str, float]] = {}
    surfaces: dict[str, dict[str, int]] = {}
    for m in kept:
        key = m.key
        seen = surfaces.get(key)
        if seen is None:
            seen = surfaces[key] = {}
            votes[key] = {}
        seen[m.text] = seen.get(m.text, 0) + 1
        if outvoted and (m.paper_id, key) in outvoted and m.rule == _LIST_RULE and m.type in _DATA_TYPES:
            continue
        # the most confident evidence decides (one clear "X, a benchmark for" beats several
        # default guesses from the name's shape); mention counts only break ties
        weight = m.confidence * (_LEXICON_WEIGHT if m.rule in _LEXICON_RULES else 1.0)
        by_type = votes[key]
        by_type[m.type] = max(by_type.get(m.type, 0.0), weight) + 1e-3

    entities: dict[str, Entity] = {}
    key_to_id: dict[str, str] = {}
    for key in sorted(k for k, v in votes.items() if v):
        entry = lexicon.entry_for_key(key) if lexicon is not None else None
        if entry is not None:
            etype, label = entry.type, entry.label
        else:
            etype = max(votes[key].items(), key=lambda kv: (kv[1], -_TYPE_ORDER[kv[0]]))[0]
            label = _label(surfaces[key])
        eid = entity_id(etype, key)
        while eid in entities and entities[eid].label.casefold() != label.casefold():
            eid += "_"
        key_to_id[key] = eid
        aliases = _aliases(label, surfaces[key], entry.aliases if entry else ())
        entities[eid] = Entity(eid, label, etype, aliases)  # type: ignore[arg-type]

    type_of = {eid: e.type for eid, e in entities.items()}
    out = [m.resolved(type_of[eid], eid) for m in kept for eid in (key_to_id[m.key],)]
    out.sort(key=lambda m: (m.paper_id, m.field != "title", m.start, m.end))
    papers: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for m in out:
        eid = m.entity
        if eid in counts:
            counts[eid] += 1
            papers[eid].add(m.paper_id)
        else:
            counts[eid] = 1
            papers[eid] = {m.paper_id}
    final = [Entity(e.id, e.label, e.type, e.aliases, len(papers[e.id]), counts[e.id])
             for e in entities.values() if e.id in counts]
    final.sort(key=lambda e: e.id)
    return out, final


_LIST_RULE = "context:coordinated"
_DATA_TYPES = frozenset({"dataset", "benchmark"})
_MIN_OWN_USES = 4  # a name guessed a model three times and listed with datasets once stays a dataset


def _outvoted_list_votes(mentions: list[Mention]) -> set[tuple[str, str]]:
    """(paper, key) pairs whose list votes for a data type do not count.

    ``Compared with COCO, FooNet is faster`` or ``On ImageNet and COCO, FooNet ...`` look like
    lists that hold a dataset, so :func:`extract.lists.coordinated_types` votes ``dataset``
    (0.72) for ``FooNet``, which outranks the shape guesses (0.5-0.6) of all its other
    mentions; with one type per key, a single such sentence would turn a method the paper
    names fifty times into a dataset everywhere. A list vote is evidence about its sentence:
    when the same paper mentions the key at least ``_MIN_OWN_USES`` times with another type
    (by any rule with confidence 0.5 or more, guesses included) and more than twice as often
    as the lists that make it data, those list votes are left out. A name a paper mostly lists
    (``Zorb-250``, guessed a model from its number in three sentences and listed with two
    datasets in a fourth) keeps the list's type.
    """
    listed: Counter[tuple[str, str]] = Counter()
    other: Counter[tuple[str, str]] = Counter()
    for m in mentions:
        if m.rule == _LIST_RULE and m.type in _DATA_TYPES:
            listed[(m.paper_id, m.key)] += 1
    if not listed:
        return set()
    for m in mentions:
        if (m.paper_id, m.key) in listed and m.type not in _DATA_TYPES and m.confidence >= 0.5:
            other[(m.paper_id, m.key)] += 1
    return {pk for pk, n in listed.items() if other[pk] >= _MIN_OWN_USES and other[pk] > 2 * n}


def _merge_spacing_variants(mentions: list[Mention], lexicon: Lexicon | None) -> list[Mention]:
    """Keys that differ only in spacing ("supervised finetuning" / "supervised fine tuning",
    "Llama2" / "Llama 2") become one: the lexicon's key if it has one, else the most used."""
    by_compact: dict[str, Counter[str]] = defaultdict(Counter)
    for key, n in Counter(m.key for m in mentions).items():  # counted once per key, not per mention
        by_compact[key.replace(" ", "")][key] = n
    rename: dict[str, str] = {}
    for keys in by_compact.values():
        if len(keys) < 2:
            continue
        known = [k for k in keys if lexicon is not None and lexicon.entry_for_key(k) is not None]
        best = min(known or keys, key=lambda k: (-keys[k], k))
        rename.update({k: best for k in keys if k != best})
    if not rename:
        return mentions
    return [replace(m, key=rename[m.key]) if m.key in rename else m for m in mentions]


def _acronym_definitions(mentions: list[Mention]) -> dict[str, tuple[str, str]]:
    """Acronym text -> (key, type), from the abbreviation definitions in the corpus."""
    seen: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    candidates = Counter((m.text, m.key, m.type) for m in mentions
                         if m.rule in {"abbreviation", "lexicon"} and " " not in m.text)
    for (text, key, type_), n in candidates.items():
        if is_acronym(text):
            seen[text][(key, type_)] += n
            if text.endswith("s") and len(text) > 2 and text[-2].isupper():
                seen[text[:-1]][(key, type_)] += n
    return {sf: c.most_common(1)[0][0] for sf, c in seen.items()}


def _label(surfaces: Mapping[str, int]) -> str:
    long_forms = {s: n for s, n in surfaces.items() if not is_acronym(s) or " " in s}
    pool = long_forms or surfaces
    return min(pool, key=lambda s: (-pool[s], s.islower(), s))


def _aliases(label: str, surfaces: Mapping[str, int], extra: Iterable[str]) -> tuple[str, ...]:
    seen = {label.casefold()}
    out = []
    for s in [*sorted(surfaces, key=lambda s: (-surfaces[s], s)), *extra]:
        if s.casefold() not in seen:
            seen.add(s.casefold())
            out.append(s)
    return tuple(out)
