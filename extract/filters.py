"""Filters over a document's candidates before the best ones are chosen: names used as
something other than an entity of their type (a method named as a task, a dataset context
around a known method acronym, a product name before "GPUs").

Each filter is a list comprehension over the candidates; :func:`filter_uses` runs one cheap
pass first and only the filters that can apply.
"""

from __future__ import annotations

from extract.doc_view import Candidate
from extract.normalize import entity_key, is_acronym
from extract.vocab import vocabulary

__all__ = ["filter_uses"]

_COORD = frozenset({"and", "or", ",", "/"})


def _data_context_over_known_acronym(cands: list[Candidate], texts: list[str]) -> list[Candidate]:
    """"datasets including SSM and PRW": a clear dataset context beats a known method acronym."""
    data_spans = {(c[0], c[1]) for c in cands
                  if c[4] == "context" and c[2] in {"dataset", "benchmark"} and c[5] >= 0.7}
    if not data_spans:
        return cands
    return [c for c in cands if not ((c[0], c[1]) in data_spans and c[2] in {"method", "model"}
                                     and c[4] in {"lexicon", "lexicon-variant"} and c[1] - c[0] == 1
                                     and is_acronym(texts[c[0]]))]


_HARDWARE = frozenset({"gpu", "gpus", "cpu", "cpus", "tpu", "tpus"})


def filter_uses(cands: list[Candidate], lowers: list[str], texts: list[str]) -> list[Candidate]:
    """One cheap pass over the candidates; the filters below run only when they can apply."""
    followers = vocabulary().task_followers
    n = len(lowers)
    task = hardware = data = shots = False
    for c in cands:
        e = c[1]
        if e < n:
            w = lowers[e]
            if w in followers:
                task = True
            elif w in _SHOTS:
                shots = True
            elif w in _HARDWARE or (w == ")" and e + 1 < n and lowers[e + 1] in _HARDWARE):
                hardware = True
        if c[4] == "context" and c[2] in {"dataset", "benchmark"}:
            data = True
    if task:
        cands = _drop_task_uses(cands, lowers, followers)
    if data:
        cands = _data_context_over_known_acronym(cands, texts)
    if hardware:
        cands = _drop_hardware_names(cands, lowers)
    if shots:
        cands = _trim_shot_counts(cands, lowers, texts)
    return cands


_SHOTS = frozenset({"shot", "shots", "way"})
_HYPHENS = frozenset({"-", "‐", "‑"})


def _trim_shot_counts(cands: list[Candidate], lowers: list[str], texts: list[str]) -> list[Candidate]:
    """"OSLSM-1 shot", "Guided Network-5 shot": the number counts shots, it is no version of the name."""
    n = len(lowers)
    out = []
    for c in cands:
        s, e = c[0], c[1]
        if e < n and lowers[e] in _SHOTS and e - s >= 3 and texts[e - 1].isdigit() \
                and texts[e - 2] in _HYPHENS and not c[4].startswith("lexicon"):  # "Llama-2" stays
            c = (s, e - 2, c[2], entity_key(" ".join(texts[s:e - 2])), c[4], c[5])
        out.append(c)
    return out


def _drop_hardware_names(cands: list[Candidate], lowers: list[str]) -> list[Candidate]:
    """"Titan X (Pascal) GPUs", "Volta GPUs": a name right before a processor word is hardware."""
    n = len(lowers)

    def hardware(end: int) -> bool:
        if end < n and lowers[end] == ")":
            end += 1
        return end < n and lowers[end] in _HARDWARE

    return [c for c in cands if not hardware(c[1])]


def _drop_task_uses(cands: list[Candidate], lowers: list[str], followers: frozenset[str]) -> list[Candidate]:
    """Drop method names used as a task: "the NSP task", "MLM and NSP tasks", "the matching problem"."""
    n = len(lowers)
    # a coined name before "tasks" is rather a benchmark ("DMControl tasks"): shapes are kept
    methods = sorted((c for c in cands if c[2] == "method" and not c[4].startswith("shape")),
                     key=lambda c: -c[0])
    task_starts: set[int] = set()
    drop: set[tuple[int, int]] = set()
    for c in methods:
        j = c[1]
        if j >= n:
            continue
        w = lowers[j]
        if w in followers:
            drop.add((c[0], c[1]))
        elif w in _COORD:
            k = j + 1
            if k < n and w == "," and lowers[k] in _COORD:
                k += 1  # "A, B, and C tasks"
            if k in task_starts:
                drop.add((c[0], c[1]))
        if (c[0], c[1]) in drop:
            task_starts.add(c[0])
    if not drop:
        return cands
    # other guesses on the same words go too ("pre-trained on the MLM task" is no dataset)
    return [c for c in cands if c[4].startswith("shape") or (c[0], c[1]) not in drop]
