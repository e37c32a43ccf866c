"""The extraction pipeline: ``spacy.blank("en")`` + paper-kg's components, no model download.

>>> nlp = make_pipeline()
>>> doc = nlp("RLHF for GPT-4o on WebArena")
>>> [(s.text, s.label_) for s in doc.spans["kg"]]
[('RLHF', 'method'), ('GPT-4o', 'model'), ('WebArena', 'benchmark')]
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.records import Mention, Paper, new_mention

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PIPELINE = ("sentencizer", "kg_title_boundary", "kg_lexicon", "kg_names", "kg_abbreviations",
            "kg_mentions")
TITLE_SEP = "\n\n"


def make_pipeline(lexicon_paths: Sequence[str | Path] = (), *, pipeline_dir: str | Path | None = None,
                  use_default_lexicon: bool = True, lean_lexemes: bool = False) -> Language:
    """A blank English pipeline with paper-kg's components (and the user's lexicon files).

    ``pipeline_dir`` loads a pipeline saved with ``nlp.to_disk`` instead. ``lean_lexemes``
    (see :func:`_lean_lexemes`) leaves most lexeme attributes of new words empty: it is for
    pipelines that only extract (:func:`extract_papers` uses it); off by default, so a
    pipeline handed to a user, or given trained components, has every token attribute.
    """
    import spacy

    import extract.components  # noqa: F401  (registers the factories)
    import extract.train  # noqa: F401  (registers kg_ner_candidates, for trained pipelines)

    if pipeline_dir is not None:
        try:
            nlp = spacy.load(pipeline_dir)
        except (OSError, ValueError) as exc:
            from kg.errors import InputError

            raise InputError(str(pipeline_dir), None, f"not a spaCy pipeline directory: {exc}") from None
        tok: Any = nlp.tokenizer
        tok.max_cache_size = 10**7  # not part of the saved tokenizer
        _fast_affixes(tok)
    else:
        nlp = spacy.blank("en")
        _split_hyphens(nlp)
        if lean_lexemes:
            _lean_lexemes(nlp)
        # spaCy's sentencizer on the rules' token lists (extract.sentencizer.ArraySentencizer)
        nlp.add_pipe("kg_sentencizer", name="sentencizer")
        nlp.add_pipe("kg_title_boundary")
        nlp.add_pipe("kg_lexicon", config={"use_default": use_default_lexicon})
        nlp.add_pipe("kg_names")
        nlp.add_pipe("kg_abbreviations")
        nlp.add_pipe("kg_mentions")
    for path in lexicon_paths:
        nlp.get_pipe("kg_lexicon").add_file(path)  # type: ignore[attr-defined]
    return nlp


def _lean_lexemes(nlp: Language) -> None:
    """Compute only the lexeme attributes the rule components read.

    spaCy computes ~20 attributes (``like_num``, ``shape``, ``is_stop``, ``norm``...) with
    Python functions for every new word the tokenizer meets; that was ~30% of the tokenizer's
    time on abstracts (a technical vocabulary keeps meeting new words). The rules read only a
    token's text, ``is_space`` and ``is_punct`` (:mod:`extract.doc_view`); ``lower`` stays for
    ``token.lower_``. Trained components (``ner``) read ``norm``/``prefix``/``suffix``/``shape``,
    so :func:`extract.train.train` keeps them all; a saved pipeline loads with all of them.
    """
    from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER

    vocab: Any = nlp.vocab  # lex_attr_getters is not in spaCy's stubs
    getters: dict[int, Any] = vocab.lex_attr_getters
    for attr in [a for a in getters if a not in (LOWER, IS_SPACE, IS_PUNCT)]:
        del getters[attr]


def _fast_affixes(tokenizer: Any) -> None:
    """The same suffix, infix and URL expressions, searched with :mod:`extract.affixes`'s exact
    shortcuts (a loaded tokenizer compiles the saved patterns plainly)."""
    import re

    from extract.affixes import fast_infix_finditer, fast_suffix_search, fast_url_match

    urls = getattr(tokenizer.url_match, "__self__", None)
    if isinstance(urls, re.Pattern):
        tokenizer.url_match = fast_url_match(urls)
    suffixes = getattr(tokenizer.suffix_search, "__self__", None)
    if isinstance(suffixes, re.Pattern):
        tokenizer.suffix_search = fast_suffix_search(suffixes)
    infixes = getattr(tokenizer.infix_finditer, "__self__", None)
    if isinstance(infixes, re.Pattern):
        tokenizer.infix_finditer = fast_infix_finditer(infixes)


def _split_hyphens(nlp: Language) -> None:
    import re

    # Always split "-" between letters/digits so "GPT-4o" and "GPT 4o" tokenize alike
    # ("GPT", "-", "4o"); rules rejoin hyphen compounds when they need whole words.
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_suffix_regex

    from extract.affixes import fast_infix_finditer, fast_suffix_search, fast_url_match

    old: Any = nlp.tokenizer
    urls = old.url_match
    if isinstance(getattr(urls, "__self__", None), re.Pattern):
        urls = fast_url_match(urls.__self__)
    infixes = [*(nlp.Defaults.infixes or ()), r"(?<=[0-9A-Za-z])[-‐‑](?=[0-9A-Za-z])"]
    # Names end sentences too ("... on GSM8K.", "... Mistral-7B.", "... GPT-J."): split that period, which
    # spaCy keeps after capitals and digits; and never split unit-like suffixes off names
    # ("8K", "7B" stay whole).
    suffixes = [x for x in (nlp.Defaults.suffixes or ()) if "km|km²" not in str(x)]
    suffixes += [r"(?<=[0-9])\.", r"(?<=[a-z0-9][A-Z])\.", r"(?<=[A-Z]{3})\.", r"(?<=[-‐‑][A-Z])\."]
    # one new tokenizer rather than setting the two attributes: each setter reloads the
    # ~4,000 special cases (~0.1 s a time)
    nlp.tokenizer = Tokenizer(  # type: ignore[assignment]
        nlp.vocab, rules=old.rules, prefix_search=old.prefix_search,
        suffix_search=fast_suffix_search(compile_suffix_regex(suffixes)),
        infix_finditer=fast_infix_finditer(compile_infix_regex(infixes)),
        token_match=old.token_match, url_match=urls, faster_heuristics=old.faster_heuristics,
        # the default cache holds 10k chunks; past that every word is ~13x slower
        max_cache_size=10**7)


def paper_text(paper: Paper) -> str:
    """The text the pipeline reads for a paper: title, blank line, abstract."""
    return paper.title + TITLE_SEP + paper.abstract


_new_mention = new_mention


def doc_mentions(doc: Doc, paper_id: str, title_len: int, text: str | None = None) -> list[Mention]:
    """Turn the ``kg_mentions`` of a processed Doc into :class:`Mention` records.

    ``text`` is the text the Doc was made from (saves rebuilding it from the tokens).
    """
    out = []
    offset = title_len + len(TITLE_SEP)
    chars = doc.user_data.get("kg_mention_chars")
    if chars is None:  # a Doc from a pipeline saved before kg_mentions recorded offsets
        chars = [(doc[c[0]:c[1]].start_char, doc[c[0]:c[1]].end_char, doc[c[0]].sent.start_char,
                  doc[c[0]].sent.end_char) for c in doc.user_data.get("kg_mentions", [])]
    if text is None:
        text = doc.text
    new_mention = _new_mention
    for (_, _, typ, key, rule, conf), (c0, c1, s0, s1) in zip(
            doc.user_data.get("kg_mentions", []), chars, strict=True):
        if c0 < title_len:
            field, shift = "title", 0
            s1 = min(s1, title_len)
        else:
            field, shift = "abstract", offset
            s0 = max(s0, offset)
        out.append(new_mention(
            paper_id=paper_id, field=field, start=c0 - shift,
            end=c1 - shift, text=text[c0:c1], type=typ, key=key, rule=rule,
            confidence=round(conf, 3), sent_start=s0 - shift, sent_end=s1 - shift,
        ))
    return out


_WORKER_NLP: Language | None = None


def _init_worker(lexicon_paths: Sequence[str], pipeline_dir: str | None) -> None:
    import signal

    global _WORKER_NLP
    # Ctrl-C goes to the whole process group: the parent cleans up, workers just stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_NLP = make_pipeline(lexicon_paths, pipeline_dir=pipeline_dir, lean_lexemes=True)


def _extract_chunk(chunk: list[tuple[str, str, str]]) -> list[list[list[Any]]]:
    # Runs in a worker: return compact tuples, never Docs (pickling Docs is what makes
    # spaCy's own n_process slow).
    assert _WORKER_NLP is not None
    return [[m.to_row() for m in ms] for ms in _extract_texts(_WORKER_NLP, chunk)]


def _extract_texts(nlp: Language, chunk: Iterable[tuple[str, str, str]]) -> Iterator[list[Mention]]:
    from extract.components import NO_SPANS

    items = list(chunk)
    texts = [title + TITLE_SEP + abstract for _, title, abstract in items]
    # only the mention records are read here: kg_mentions need not build doc.spans["kg"]
    docs = list(map(nlp.make_doc, texts))
    for doc in docs:
        doc.user_data[NO_SPANS] = True
    for (pid, title, _), text, doc in zip(items, texts, nlp.pipe(docs, batch_size=256), strict=True):
        yield doc_mentions(doc, pid, len(title), text)


AUTO_WORKERS_MIN_PAPERS = 2000


def auto_workers(n_papers: int) -> int:
    """Extraction processes for a corpus of ``n_papers``: one per available core, but a single
    process below :data:`AUTO_WORKERS_MIN_PAPERS` papers, where starting a worker (it loads
    the pipeline) costs about what it would save.

    >>> auto_workers(10)
    1
    """
    if n_papers < AUTO_WORKERS_MIN_PAPERS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1)


def extract_papers(
    papers: Iterable[Paper],
    *,
    lexicon_paths: Sequence[str | Path] = (),
    pipeline_dir: str | Path | None = None,
    workers: int = 1,
    chunk_size: int = 128,
    nlp: Language | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Mention]]:
    """Mentions of each paper, in input order. ``workers > 1`` uses a process pool whose
    workers load the pipeline once and send back compact rows (see :func:`auto_workers`
    for a good number)."""
    items = ((p.id, p.title, p.abstract) for p in papers)
    if workers <= 1:
        nlp = nlp or make_pipeline(lexicon_paths, pipeline_dir=pipeline_dir, lean_lexemes=True)
        # The corpus and the pipeline outlive the extraction: frozen, the garbage collector's
        # full collections (a few per 10k abstracts, triggered by the rules' growing memos)
        # skip them instead of visiting every object each time (~0.6 s per 5k abstracts).
        # Objects made from here on are collected as usual.
        ours = gc.get_freeze_count() == 0
        gc.freeze()
        try:
            while chunk := list(islice(items, chunk_size)):
                yield from _extract_texts(nlp, chunk)
                if progress:
                    progress(len(chunk))
        finally:
            if ours:
                gc.unfreeze()
        return
    ctx = multiprocessing.get_context("fork" if hasattr(multiprocessing, "get_context") else None)
    chunks = iter(lambda: list(islice(items, chunk_size)), [])
    args = ([str(p) for p in lexicon_paths], str(pipeline_dir) if pipeline_dir else None)
    # Forked workers share the parent's pages until they write to them, and a garbage
    # collection in a worker writes to every object it visits: it would copy the whole
    # corpus the parent holds into each worker. Frozen objects are not visited. (A caller
    # that froze objects itself keeps them, and ours, frozen: unfreezing is all or nothing.)
    ours = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        with ctx.Pool(workers, initializer=_init_worker, initargs=args) as pool:
            for rows_per_paper in pool.imap(_extract_chunk, chunks):
                for rows in rows_per_paper:
                    yield [Mention.from_row(r) for r in rows]
                if progress:
                    progress(len(rows_per_paper))
    finally:
        if ours:
            gc.unfreeze()
