"""``kg train``: add a statistical entity recogniser, trained on your annotations, to the rules.

The rule pipeline stays as it is; a spaCy ``ner`` component (its own small CNN token
encoder, no pretrained vectors, CPU only) is trained on annotated text and placed before
``kg_mentions``, and ``kg_ner_candidates`` turns what it finds into candidates like any
rule's. ``kg_mentions`` then chooses among all candidates as usual, so where a rule and the
recogniser overlap the more confident one wins (lexicon entries and abbreviation definitions
outrank the recogniser's default confidence of 0.5; so do most rules). The result
is a pipeline directory for ``kg build --pipeline DIR`` and ``kg evaluate --pipeline DIR``.

paper-kg ships no trained model: what you train is as redistributable as your annotations.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.language import Language

from extract.doc_view import candidates
from extract.normalize import entity_key
from kg.errors import InputError, KGError
from kg.records import ENTITY_TYPES

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.training import Example

    from kg.evaluate import GoldDoc

DEFAULT_CONFIDENCE = 0.5  # the lowest kg_mentions keeps: best of 0.5-0.99 on SciER dev


@Language.factory("kg_ner_candidates", default_config={"confidence": DEFAULT_CONFIDENCE})
def make_ner_candidates(nlp: Language, name: str, confidence: float) -> NerCandidates:
    return NerCandidates(confidence=confidence)


class NerCandidates:
    """Adds the entities of a trained ``ner`` (``doc.ents``) to the rule candidates."""

    def __init__(self, *, confidence: float = DEFAULT_CONFIDENCE) -> None:
        self.confidence = confidence

    def __call__(self, doc: Doc) -> Doc:
        if doc.ents:
            out = candidates(doc)
            for ent in doc.ents:
                if ent.label_ in ENTITY_TYPES and ent.text.strip():
                    out.append((ent.start, ent.end, ent.label_, entity_key(ent.text), "ner",
                                self.confidence))
        return doc


def label_of(group: str) -> str | None:
    """The entity type a gold group trains: ``"dataset|benchmark"`` -> ``"dataset"`` (the
    rules and the lexicon refine the type); None for a group with none of our types."""
    for t in group.split("|"):
        if t in ENTITY_TYPES:
            return t
    return None


def examples(nlp: Language, docs: Sequence[GoldDoc]) -> tuple[list[Example], int]:
    """Training examples from gold documents, and how many gold spans were left out (spans
    of no known type, and spans overlapping a longer one: a recogniser tags each token once).

    Texts are made the way the pipeline reads an abstract (title, blank line, abstract, with
    an empty title), so the recogniser sees at training time what it sees when used.
    """
    from spacy.training import Example
    from spacy.util import filter_spans

    from extract.pipeline import TITLE_SEP

    out, dropped = [], 0
    for d in docs:
        text = TITLE_SEP + d.text
        ref = nlp.make_doc(text)
        spans = []
        for s, e, group in d.entities:
            label = label_of(group)
            span = ref.char_span(s + len(TITLE_SEP), e + len(TITLE_SEP), label=label,
                                 alignment_mode="expand") if label else None
            if span is None:
                dropped += 1
            else:
                spans.append(span)
        kept = filter_spans(spans)
        dropped += len(spans) - len(kept)
        ref.ents = kept
        out.append(Example(nlp.make_doc(text), ref))
    return out, dropped


def train(
    train_docs: Sequence[GoldDoc],
    out: str | Path,
    *,
    dev_docs: Sequence[GoldDoc] = (),
    epochs: int = 20,
    lexicons: Sequence[str | Path] = (),
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
    progress: Callable[[dict[str, Any]], None] | None = None,
    source: str = "training data",
) -> dict[str, Any]:
    """Train the recogniser on ``train_docs`` and save the whole pipeline to ``out``.

    With ``dev_docs`` the epoch with the best entity F1 on them is kept (else the last).
    Returns a summary: examples, spans left out, per-epoch loss and dev scores, best epoch.
    ``source`` names the training data in errors (the CLI passes the file).
    ``out`` must be missing, empty or a spaCy pipeline directory; it is replaced atomically.
    """
    from spacy.util import fix_random_seed, minibatch

    from extract.pipeline import make_pipeline
    from kg.atomic import atomic_directory

    if epochs < 1:
        raise KGError(f"epochs must be at least 1, not {epochs}")
    _check_target(Path(out))
    fix_random_seed(seed)
    nlp = make_pipeline(lexicons)  # all lexeme attributes: the NER model's features read them
    ner: Any = nlp.add_pipe("ner", before="kg_mentions")
    nlp.add_pipe("kg_ner_candidates", after="ner", config={"confidence": confidence})
    train_ex, dropped = examples(nlp, train_docs)
    labels = sorted({e.label_ for ex in train_ex for e in ex.reference.ents})
    if not labels:
        raise InputError(source, None, "no annotated entity of type "
                         + ", ".join(ENTITY_TYPES) + " (use --type-map to map other types)")
    for label in labels:
        ner.add_label(label)
    dev_ex, _ = examples(nlp, dev_docs)
    history: list[dict[str, Any]] = []
    best: tuple[float, int, bytes] | None = None
    rng = random.Random(seed)
    with nlp.select_pipes(enable=["ner"]):
        optimizer = nlp.initialize(lambda: train_ex)
        for epoch in range(1, epochs + 1):
            rng.shuffle(train_ex)
            losses: dict[str, float] = {}
            for batch in minibatch(train_ex, size=16):
                nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
            row: dict[str, Any] = {"epoch": epoch, "loss": round(float(losses.get("ner", 0.0)), 3)}
            if dev_ex:
                scores = nlp.evaluate(dev_ex)
                row.update({k: round(float(scores.get(f"ents_{k}") or 0.0), 4) for k in "prf"})
                if best is None or row["f"] > best[0]:
                    best = (row["f"], epoch, ner.to_bytes())
            history.append(row)
            if progress is not None:
                progress(row)
    if best is not None:
        ner.from_bytes(best[2])
    with atomic_directory(out) as tmp:
        nlp.to_disk(tmp)
    return {"examples": len(train_ex), "dropped_spans": dropped, "labels": labels,
            "epochs": history, "best_epoch": best[1] if best else epochs,
            "pipeline": list(nlp.pipe_names)}


def _check_target(out: Path) -> None:
    """Refuse to replace anything but a missing or empty directory or a spaCy pipeline."""
    from kg.errors import OutputError

    if not out.exists():
        return
    if not out.is_dir() or out.is_symlink():
        raise OutputError(f"{out}: exists and is not a directory; refusing to replace it")
    if any(out.iterdir()) and not (out / "config.cfg").is_file():
        raise OutputError(f"{out}: exists and is not a spaCy pipeline directory (no config.cfg); "
                          "refusing to replace it: choose a new or empty directory")
