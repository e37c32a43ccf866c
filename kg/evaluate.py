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
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
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


def detokenize(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into readable text; return it with each token's character span."""
    parts: list[str] = []
    spans = []
    pos = 0
    prev = ""
    for i, tok in enumerate(tokens):
        # SciER splits numbers into digits ("ResNet-1 0 1", "3 D"): rejoin them
        glued = prev.isdigit() and (tok.isdigit() or tok in {"D", "d"})
        if i and tok not in _NO_SPACE_BEFORE and prev not in _NO_SPACE_AFTER and not glued:
            parts.append(" ")
            pos += 1
        spans.append((pos, pos + len(tok)))
        parts.append(tok)
        pos += len(tok)
        prev = tok
    return "".join(parts), spans


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
    text, spans = detokenize(tokens)
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
