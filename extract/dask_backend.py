"""Extraction as Dask tasks: the same pipeline, one copy per worker process, any cluster.

``address`` is a scheduler address (``tcp://host:8786``) or ``local`` / ``local:N`` for a
:class:`distributed.LocalCluster` of N single-threaded worker processes bound to
127.0.0.1. Chunks of papers are mapped to workers; each worker builds the spaCy pipeline
once (cached in the worker process) and sends back compact rows, never Docs. Results come
back in input order, so the output is identical to a single-process build.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.records import Mention, Paper

_NLP_CACHE: dict[tuple[tuple[str, ...], str | None], Any] = {}


def _extract_chunk(chunk: list[tuple[str, str, str]], lexicon_paths: tuple[str, ...],
                   pipeline_dir: str | None) -> list[list[list[Any]]]:
    from extract.pipeline import _extract_texts, make_pipeline

    key = (lexicon_paths, pipeline_dir)
    nlp = _NLP_CACHE.get(key)
    if nlp is None:  # once per worker process
        nlp = _NLP_CACHE[key] = make_pipeline(list(lexicon_paths), pipeline_dir=pipeline_dir,
                                              lean_lexemes=True)
    return [[m.to_row() for m in ms] for ms in _extract_texts(nlp, chunk)]


def connect(address: str) -> Any:
    """A Dask client for ``address`` (``local[:N]`` starts a LocalCluster on 127.0.0.1)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise KGError("--dask needs Dask: pip install 'paper-kg[dask]'") from None
    if address == "local" or address.startswith("local:"):
        n = address.partition(":")[2]
        if n and not n.isdigit():
            raise KGError(f"--dask expects local or local:N, got {address!r}")
        workers = int(n) if n else (os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        return Client(cluster)
    try:
        return Client(address, timeout="30s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise KGError(f"cannot connect to Dask scheduler {address!r}: {exc}") from None


def extract_papers_dask(
    papers: Iterable[Paper],
    *,
    address: str,
    lexicon_paths: Sequence[str | Path] = (),
    pipeline_dir: str | Path | None = None,
    chunk_size: int = 256,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Mention]]:
    """Mentions of each paper, in input order, extracted on a Dask cluster."""
    client = connect(address)
    try:
        lex = tuple(str(Path(p).resolve()) for p in lexicon_paths)
        pdir = str(Path(pipeline_dir).resolve()) if pipeline_dir else None
        items = ((p.id, p.title, p.abstract) for p in papers)
        chunks = iter(lambda: list(islice(items, chunk_size)), [])
        # a bounded window of futures keeps memory flat on large corpora
        window: list[Any] = []
        for chunk in chunks:
            window.append(client.submit(_extract_chunk, chunk, lex, pdir, pure=False))
            if len(window) >= 4 * max(1, len(client.scheduler_info().get("workers", {}))):
                yield from _drain(window.pop(0), progress)
        for fut in window:
            yield from _drain(fut, progress)
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()


def _drain(fut: Any, progress: Callable[[int], None] | None) -> Iterator[list[Mention]]:
    rows_per_paper = fut.result()
    for rows in rows_per_paper:
        yield [Mention.from_row(r) for r in rows]
    if progress:
        progress(len(rows_per_paper))
