"""Score the extraction pipeline against annotated text.

Two gold formats:

* ``jsonl``: one document per line, ``{"text": "...", "entities": [{"start": 0, "end": 6,
  "type": "model"}, ...]}`` (character offsets, end exclusive; ``id`` optional);
* ``scier``: SciER's DyGIE-style documents (``sentences`` token lists, ``ner`` with
  document-level inclusive token indices, ``relations`` with ``Synonym-Of`` pairs).

Types are compared in *groups*: by default each of our types is its own group; with
``type_map`` a gold type maps to a group name and our types are mapped onto those groups
(``--type-map Dataset=dataset|benchmark,Method=method|model``, SciER's default; Task
ignored because it is not mapped).
Scores: mentions (exact span, and overlapping span, same group) and entities per document
(the set of distinct normalised entity names a document mentions, which is what the
graph uses), as micro precision/recall/F1 per group and overall.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError, KGError

SCIER_TYPE_MAP = {"Dataset": "dataset|benchmark", "Method": "method|model"}
_OUR_TYPES = ("benchmark", "dataset", "model", "method")

_NO_SPACE_BEFORE = {",", ".", ";", ":", ")", "]", "'s", "%", "?", "!", "-", "/"}
_NO_SPACE_AFTER = {"(", "[", "-", "/"}


@dataclass
class GoldDoc:
    id: str
    text: str
    entities: list[tuple[int, int, str]]  # (start, end, group)
    synonyms: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


@dataclass
class Scores:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)

    def add(self, group: str, tp: int, fp: int, fn: int) -> None:
        self.tp[group] += tp
        self.fp[group] += fp
        self.fn[group] += fn

    def prf(self, group: str | None = None) -> tuple[float, float, float]:
        if group is None:
            tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            tp, fp, fn = self.tp[group], self.fp[group], self.fn[group]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def detokenize(tokens: Sequence[str], sent_ends: Collection[int] = ()) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into readable text; return it with each token's character span.

    SciER's tokenizer splits every digit off its neighbours ("ResNet-1 0 1", "YOLOv 3",
    "3 3 . 0", "word 2 vec"); the joins below restore the usual written forms:

    * digits of one number, and a decimal point between digits (``33.0``; not a "." that
      ends a sentence: ``sent_ends`` holds the indices of sentence-final tokens);
    * a unit or dimension letter after a number (``3D``, ``13K``, ``20k``, ``110M``, ``7B``, ``4x``),
      and a plural ``s`` not followed by a word (``FCN-8s``, ``1990s``);
    * a version or code number after an all-caps or CamelCase word, a lone ``v`` or a
      name ending in ``v`` (``I3D``, ``UCF101``, ``F1``, ``YOLOv3``, ``MobileNet-v2``,
      ``SQuAD v1.1``, ``Deeplabv2``), but
      not a year (``PASCAL VOC 2012``), not after ordinary words (``Table 1``) and not a
      footnote mark before a citation (``RetinaNet 2 [31]``);
    * the "2" of ``word2vec``-style names between two short lowercase words.
    """
    parts: list[str] = []
    spans = []
    pos = 0
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        if i and tok not in _NO_SPACE_BEFORE and prev not in _NO_SPACE_AFTER \
                and not _glued(tokens, i, sent_ends):
            parts.append(" ")
            pos += 1
        spans.append((pos, pos + len(tok)))
        parts.append(tok)
        pos += len(tok)
    return "".join(parts), spans


_UNIT_LETTERS = frozenset({"D", "d", "K", "k", "M", "B", "x"})
_YEAR_RUN = re.compile(r"^(?:19|20)\d\d$")
_LOWER_CAMEL = re.compile(r"^[A-Za-z]*[a-z][A-Z][A-Za-z]*$|^[A-Z][A-Za-z]*[A-Z][a-z]*$")


def _digit_run(tokens: Sequence[str], i: int) -> str:
    j = i
    while j < len(tokens) and tokens[j].isdigit():
        j += 1
    return "".join(tokens[i:j])


def _glued(tokens: Sequence[str], i: int, sent_ends: Collection[int]) -> bool:
    """True when token ``i`` continues the word before it (see :func:`detokenize`)."""
    tok, prev = tokens[i], tokens[i - 1]
    if not prev or not tok:
        return False
    if prev.isdigit() or (prev[-1].isdigit() and prev[0].isdigit()):
        if tok.isdigit() or tok in _UNIT_LETTERS:
            return True
    if tok[0].isdigit() and prev == "." and i >= 2 and tokens[i - 2][-1:].isdigit() \
            and i - 1 not in sent_ends:
        return True  # "33 . 0" -> "33.0"
    if tok[0].isdigit() and prev[-1] == "." and prev[:-1].isdigit() and i - 1 not in sent_ends:
        return True  # "0. 1" -> "0.1"
    if tok == "s" and prev.isdigit() and (i + 1 >= len(tokens) or not tokens[i + 1][:1].isalpha()):
        return True  # "FCN-8 s-heavy" -> "FCN-8s-heavy", "1990 s ," -> "1990s,"
    if tok.isdigit() and prev.isalpha():
        run = _digit_run(tokens, i)
        if _YEAR_RUN.match(run):
            return False
        if len(run) == 1 and tokens[i + 1:i + 2] == ["["] and prev[-1].islower() and prev[-1] != "v" \
                and _LOWER_CAMEL.match(prev):
            return False  # "RetinaNet 2 [31]": a footnote mark before a citation
        if prev in {"v", "V"} or (prev.isupper() and len(prev) <= 6) or _LOWER_CAMEL.match(prev) \
                or (prev.endswith("v") and prev[:1].isupper()):
            return True  # "YOLOv 3", "I 3 D", "UCF 1 0 1", "MobileNet - v 2"
        if _to_name(tokens, i):
            return True  # "word 2 vec", "seq 2 seq"
    return prev == "2" and i >= 2 and _to_name(tokens, i - 1)  # the "vec" of "word2vec"


def _to_name(tokens: Sequence[str], i: int) -> bool:
    """Token ``i`` is the "2" of a ``word2vec``-style name."""
    if tokens[i] != "2" or i == 0 or i + 1 >= len(tokens):
        return False
    a, b = tokens[i - 1], tokens[i + 1]
    return all(w.isalpha() and w.islower() and len(w) <= 4 and w not in _FUNCTION_WORDS for w in (a, b))


_FUNCTION_WORDS = frozenset({"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "in",
                             "into", "is", "of", "on", "or", "than", "the", "to", "up", "was", "with",
                             "only", "last", "next", "top", "all", "any", "each", "over", "per"})


def read_gold(path: str | Path, *, format: str, type_map: dict[str, str] | None = None) -> Iterator[GoldDoc]:
    """Read annotated documents (see module docs); :class:`InputError` names file and line."""
    path = Path(path)
    if format == "scier":
        type_map = type_map or SCIER_TYPE_MAP
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), None, f"cannot read gold file: {exc}") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            yield _scier_doc(obj, type_map or {}) if format == "scier" else _jsonl_doc(obj, type_map, lineno)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise InputError(str(path), lineno, f"bad {format} record: {exc}") from None


def _scier_doc(obj: dict[str, Any], type_map: dict[str, str]) -> GoldDoc:
    tokens = [t for sent in obj["sentences"] for t in sent]
    ends, k = set(), 0
    for sent in obj["sentences"]:
        k += len(sent)
        ends.add(k - 1)
    text, spans = detokenize(tokens, ends)
    ents = []
    for sent in obj["ner"]:
        for s, e, t in sent:
            if t in type_map:
                ents.append((spans[s][0], spans[e][1], type_map[t]))
    syn = []
    for sent in obj.get("relations", []):
        for s1, e1, s2, e2, rel in sent:
            if rel == "Synonym-Of":
                syn.append(((spans[s1][0], spans[e1][1]), (spans[s2][0], spans[e2][1])))
    return GoldDoc(str(obj.get("doc_id", "")), text, ents, syn)


def _jsonl_doc(obj: dict[str, Any], type_map: dict[str, str] | None, lineno: int) -> GoldDoc:
    text = obj["text"]
    if not isinstance(text, str):
        raise TypeError("'text' must be a string")
    ents = []
    for ent in obj.get("entities", []):
        start, end, t = int(ent["start"]), int(ent["end"]), str(ent["type"])
        if not 0 <= start < end <= len(text):
            raise ValueError(f"entity offsets {start}..{end} outside the text")
        group = type_map.get(t) if type_map else t
        if group:
            ents.append((start, end, group))
    return GoldDoc(str(obj.get("id", lineno)), text, ents)


def evaluate(
    gold: str | Path,
    *,
    format: str = "jsonl",
    type_map: dict[str, str] | None = None,
    groups: dict[str, str] | None = None,
    lexicons: Sequence[str | Path] = (),
    pipeline: str | Path | None = None,
) -> dict[str, Any]:
    """Score the pipeline on ``gold``; returns per-group and overall P/R/F1 at three levels."""
    from extract.normalize import entity_key
    from extract.pipeline import extract_papers
    from extract.resolve import resolve
    from kg.records import Paper

    if format not in {"jsonl", "scier"}:
        raise KGError(f"unknown gold format {format!r} (jsonl, scier)")
    if format == "scier" and type_map is None:
        type_map = SCIER_TYPE_MAP
    if groups is None:
        # a gold type mapped to "dataset|benchmark" scores our dataset and benchmark together
        groups = ({t: g for g in type_map.values() for t in g.split("|")} if type_map
                  else {t: t for t in _OUR_TYPES})
    docs = list(read_gold(gold, format=format, type_map=type_map))
    papers = [Paper(f"doc:{i}", "", d.text) for i, d in enumerate(docs)]
    raw = [m for ms in extract_papers(papers, lexicon_paths=lexicons, pipeline_dir=pipeline) for m in ms]
    resolved, _ = resolve(raw)
    pred: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    for m in resolved:
        if m.field == "abstract" and m.type in groups:
            pred[m.paper_id].append((m.start, m.end, groups[m.type], m.entity))

    exact, overlap, entity = Scores(), Scores(), Scores()
    syn_total = syn_ok = 0
    for i, d in enumerate(docs):
        p = pred.get(f"doc:{i}", [])
        for g in set(groups.values()):
            gs = {(s, e) for s, e, t in d.entities if t == g}
            ps = {(s, e) for s, e, t, _ in p if t == g}
            exact.add(g, len(gs & ps), len(ps - gs), len(gs - ps))
            matched = sum(1 for s, e in gs if any(a < e and s < b for a, b in ps))
            hit = sum(1 for a, b in ps if any(a < e and s < b for s, e in gs))
            overlap.add(g, hit, len(ps) - hit, len(gs) - matched)
            ge = {entity_key(d.text[s:e]) for s, e in gs}
            pe = {entity_key(d.text[s:e]) for s, e in ps}
            entity.add(g, len(ge & pe), len(pe - ge), len(ge - pe))
        for a, b in d.synonyms:
            syn_total += 1
            ea = {ent for s, e, _, ent in p if s < a[1] and a[0] < e}
            eb = {ent for s, e, _, ent in p if s < b[1] and b[0] < e}
            syn_ok += bool(ea & eb)
    names = sorted(set(groups.values()))
    return {
        "documents": len(docs),
        "levels": {
            level: {(g or "overall"): dict(zip(("precision", "recall", "f1"), sc.prf(g), strict=True))
                    for g in [*names, None]}
            for level, sc in (("mention_exact", exact), ("mention_overlap", overlap), ("entity", entity))
        },
        "synonyms": {"pairs": syn_total, "resolved": syn_ok},
    }


def format_report(report: dict[str, Any]) -> str:
    """A Markdown table of an :func:`evaluate` report."""
    lines = ["| level | group | precision | recall | F1 |", "|---|---|---|---|---|"]
    for level, by_group in report["levels"].items():
        for g, s in by_group.items():
            lines.append(f"| {level} | {g.replace('|', '/')} | {s['precision']:.3f} | {s['recall']:.3f} "
                         f"| {s['f1']:.3f} |")
    syn = report["synonyms"]
    if syn["pairs"]:
        lines.append(f"\nSynonym-Of pairs resolved to one entity: {syn['resolved']}/{syn['pairs']}")
    return "\n".join(lines) + "\n"
