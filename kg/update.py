"""Incremental updates: add new papers to a saved graph, or remove papers, without re-extracting.

Extraction is the expensive stage and is per paper, so a saved directory keeps each
paper's *raw* (pre-resolution) mentions in ``raw_mentions.npz``. An update extracts only
the papers that are new or whose title/abstract changed, then re-runs the corpus-level
stages (resolve, link, communities) over the stored raw mentions: those are linear and
cheap, and re-running them is what makes the result identical to a full rebuild (a new
acronym definition can merge entities anywhere in the corpus).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from kg.bulk import gc_paused
from kg.errors import InputError, NotFoundError, OutputError
from kg.records import BuildInfo, GraphData, Mention, Paper
from kg.relink import LinkState


def assemble(
    papers: Sequence[Paper],
    raw: Iterable[Mention],
    *,
    info: BuildInfo,
    lexicons: Sequence[str | Path] = (),
    options: dict[str, Any],
    previous_links: LinkState | None = None,
) -> Any:
    """Resolve, link and group ``raw`` mentions of ``papers`` into a KnowledgeGraph.

    Shared by :func:`kg.api.build` and the update functions so both give identical graphs.
    With ``previous_links`` (the link state of the graph being updated), only the papers
    the change can affect are re-ranked (:func:`kg.relink.relink`); the links are the same.
    """
    from extract.lexicon import load_lexicon
    from extract.resolve import resolve
    from kg import graph as kgraph
    from kg.api import KnowledgeGraph
    from kg.relink import relink

    with gc_paused():
        raw_list = sorted(raw, key=lambda m: (m.paper_id, m.field != "title", m.start, m.end))
        mentions, entities = resolve(raw_list, lexicon=load_lexicon(lexicons))
        link_opts = {k: options[k] for k in ("top_k", "max_df", "min_weight")}
        entities_of = kgraph.paper_entities(mentions)
        if previous_links is not None:
            links, ends, _ = relink(entities_of, previous=previous_links, **link_opts)
        else:
            links, ends = kgraph.link_papers_with_ends(entities_of, **link_opts)
        data = GraphData(tuple(sorted(papers, key=lambda p: p.id)), tuple(entities),
                         tuple(mentions), tuple(links), info)
        g = KnowledgeGraph(data, options=options, raw_mentions=raw_list, link_ends=ends)
        return g.with_communities()


def add_papers(
    out: str | Path,
    inputs: Sequence[str | Path],
    *,
    format: str | None = None,
    strict: bool = False,
    on_warning: Callable[[InputError], None] | None = None,
    workers: int | None = None,
    refresh_index: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[Any, dict[str, int]]:
    """Add the papers in ``inputs`` to the graph saved in ``out`` and save it again.

    A paper whose id is already in the graph replaces the stored one; it is re-extracted
    only if its title or abstract changed. When nothing is new and every input was already
    one of the graph's inputs, ``out`` is left untouched. If ``out`` had a SPARQL index
    (made by an earlier query), it is updated in place for the new graph, or rebuilt when
    that cannot be done, unless ``refresh_index`` is false, so the next query does not wait
    for it (``progress`` hears about it). Returns the new graph and counts (``added``,
    ``changed``, ``unchanged``).
    """
    from kg.store import locked

    with locked(out):  # from reading the old graph to writing the new one
        with _index_kept(out, refresh_index, progress) as before_swap:
            return _add_papers(out, inputs, format=format, strict=strict,
                               on_warning=on_warning, workers=workers, before_swap=before_swap)


def _nothing() -> None:
    pass


@contextlib.contextmanager
def _index_kept(out: str | Path, refresh: bool,
                progress: Callable[[str], None] | None) -> Iterator[Callable[[], None]]:
    """Around an update of ``out``: if it had a SPARQL index and ``refresh`` is true, keep
    the indexed file's runs, move the index aside just before the new directory is swapped
    in (the update passes the yielded function to ``KnowledgeGraph.save(before_swap=)``, so
    queries use the index until then) and bring it up to date afterwards
    (:mod:`kg.index_update`), or rebuild it when that cannot be done; if the update fails,
    the index is put back as it was."""
    from kg.index_update import clear_kept, keep_index, move_index, restore_index, update_index

    # an index a killed update had moved aside is gone: rebuild it after this update
    had_index = clear_kept(out) or _has_index(out)
    kept = keep_index(out) if had_index and refresh else None
    try:
        yield partial(move_index, out, kept) if kept is not None else _nothing
    except BaseException:
        if kept is not None:
            restore_index(out, kept)
        raise
    if kept is not None and update_index(out, kept, progress):
        return
    if had_index and refresh:
        _refresh_index(out, progress)


def _has_index(out: str | Path) -> bool:
    from kg.sparql import INDEX_DIR

    return (Path(out) / INDEX_DIR).is_dir()


def _refresh_index(out: str | Path, progress: Callable[[str], None] | None) -> None:
    from kg.sparql import refresh_index

    refresh_index(out, progress=progress)


def _add_papers(
    out: str | Path,
    inputs: Sequence[str | Path],
    *,
    format: str | None,
    strict: bool,
    on_warning: Callable[[InputError], None] | None,
    workers: int | None,
    before_swap: Callable[[], None] = _nothing,
) -> tuple[Any, dict[str, int]]:
    from extract.pipeline import auto_workers, extract_papers
    from kg.api import _now
    from kg.readers import merge_papers, read_paths

    started = _now()
    g = _load_for_update(out)
    raw_by_paper = _raw_by_paper(g, out)
    incoming = merge_papers(read_paths(list(inputs), format=format, strict=strict,
                                       on_warning=on_warning))
    papers = {p.id: p for p in g.data.papers}
    todo: list[Paper] = []
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    for p in incoming:
        old = papers.get(p.id)
        if old is not None and (old.title, old.abstract) == (p.title, p.abstract):
            counts["unchanged"] += 1
            continue
        counts["changed" if old is not None else "added"] += 1
        papers[p.id] = p
        todo.append(p)
    all_inputs = tuple(dict.fromkeys([*g.data.info.inputs, *map(str, inputs)]))
    if not todo and all_inputs == g.data.info.inputs:
        # nothing new from inputs the graph was already built from: it already is the
        # graph a rebuild would give, so it is left as it is (not rewritten)
        from kg.api import load

        return load(out), counts
    lexicons = g.options.get("lexicons", [])
    pipeline = g.options.get("pipeline")
    if pipeline is not None and todo and not Path(pipeline, "config.cfg").is_file():
        raise OutputError(f"{out}: was built with the pipeline {pipeline}, which is no longer "
                          "there; restore it, or rebuild with kg build")
    for p, ms in zip(todo, extract_papers(todo, lexicon_paths=lexicons, pipeline_dir=pipeline,
                                               workers=workers or auto_workers(len(todo))), strict=True):
        raw_by_paper[p.id] = ms
    info = replace(g.data.info, started=started, finished=_now(), inputs=all_inputs)
    new = assemble(list(papers.values()), (m for ms in raw_by_paper.values() for m in ms),
                   info=info, lexicons=lexicons, options=g.options,
                   previous_links=_link_state(out, g))
    new.save(out, formats=_saved_formats(out), before_swap=before_swap)
    return new, counts


def remove_papers(out: str | Path, paper_ids: Sequence[str], *, refresh_index: bool = True,
                  progress: Callable[[str], None] | None = None) -> Any:
    """Remove papers (by id, arXiv id, DOI or exact title) from the graph saved in ``out``
    (a SPARQL index it had is updated or rebuilt, as by :func:`add_papers`)."""
    from kg.store import locked

    with locked(out), _index_kept(out, refresh_index, progress) as before_swap:
        return _remove_papers(out, paper_ids, before_swap=before_swap)


def _remove_papers(out: str | Path, paper_ids: Sequence[str], *,
                   before_swap: Callable[[], None] = _nothing) -> Any:
    from kg.api import _now

    started = _now()
    g = _load_for_update(out)
    raw_by_paper = _raw_by_paper(g, out)
    gone = {g.paper(ref).id for ref in paper_ids}
    papers = [p for p in g.data.papers if p.id not in gone]
    if not papers:
        raise NotFoundError("removing these papers would leave an empty graph")
    info = replace(g.data.info, started=started, finished=_now())
    new = assemble(papers, (m for pid, ms in raw_by_paper.items() if pid not in gone for m in ms),
                   info=info, lexicons=g.options.get("lexicons", []), options=g.options,
                   previous_links=_link_state(out, g))
    new.save(out, formats=_saved_formats(out), before_swap=before_swap)
    return new


def _load_for_update(out: str | Path) -> Any:
    """The saved graph with what an update starts from: papers, build info, options and raw
    mentions (its resolved records are recomputed, so they are not read)."""
    from kg.api import KnowledgeGraph
    from kg.store import read_raw_mentions, read_records

    data, manifest = read_records(out, papers_only=True)
    return KnowledgeGraph(data, options=manifest.get("options", {}), raw_mentions=read_raw_mentions(out))


def _link_state(out: str | Path, g: Any) -> LinkState | None:
    """The saved link state, when it was made with the graph's link options (else the
    update links the whole corpus again)."""
    from kg.relink import link_options, read_state

    try:
        opts = link_options(g.options["top_k"], g.options["max_df"], g.options["min_weight"])
    except KeyError:
        return None
    return read_state(out, options=opts, papers=(p.id for p in g.data.papers))


def _raw_by_paper(g: Any, out: str | Path) -> dict[str, list[Mention]]:
    if g.raw_mentions is None:
        raise OutputError(f"{out}: has no raw mentions (raw_mentions.npz; made by an older paper-kg?); "
                          "rebuild it with kg build to enable updates")
    by_paper: dict[str, list[Mention]] = {p.id: [] for p in g.data.papers}
    for m in g.raw_mentions:
        by_paper.setdefault(m.paper_id, []).append(m)
    return by_paper


def _saved_formats(out: str | Path) -> list[str]:
    from exports import formats

    out = Path(out)
    found = [name for name, spec in formats().items() if (out / f"graph{spec.suffix}").exists()]
    return found or ["turtle", "html"]
