"""The public Python API: :func:`build`, :func:`load` and :class:`KnowledgeGraph`.

>>> import kg
>>> g = kg.build(["seeds/"])                               # doctest: +SKIP
>>> [p.title for p in g.papers_mentioning("VisualWebArena")]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg import __version__
from kg.errors import EmptyCorpusError, InputError, NotFoundError
from kg.records import ENTITY_TYPES, BuildInfo, Entity, GraphData, Link, Mention, Paper

if TYPE_CHECKING:
    import networkx as nx
    import rdflib

    from kg.saved import SavedGraph
    from kg.sparql import QueryResult

DEFAULT_BASE_IRI = "https://w3id.org/paper-kg/id/"


def _now() -> str:
    """The build time; ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) pins it, so two builds
    of the same input give byte-identical output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(
    inputs: Sequence[str | Path],
    *,
    format: str | None = None,
    lexicons: Sequence[str | Path] = (),
    pipeline: str | Path | None = None,
    workers: int | None = None,
    strict: bool = False,
    on_warning: Callable[[InputError], None] | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
    top_k: int | None = None,
    max_df: int | None = None,
    min_weight: float | None = None,
    progress: Callable[[int], None] | None = None,
    dask: str | None = None,
) -> KnowledgeGraph:
    """Read, extract, resolve and link the papers in ``inputs`` (files or directories).

    ``workers`` is the number of extraction processes; ``None`` (or 0) picks one per core
    for corpora of 2,000 papers or more (:func:`extract.pipeline.auto_workers`). ``dask``
    runs extraction on a Dask cluster (a scheduler address, or ``local[:N]``).
    """
    from extract.pipeline import auto_workers, extract_papers
    from kg.readers import merge_papers, read_paths
    from kg.update import assemble

    started = _now()
    papers = merge_papers(read_paths(list(inputs), format=format, strict=strict,
                                     on_warning=on_warning))
    if not papers:
        raise EmptyCorpusError("no papers found in " + ", ".join(str(i) for i in inputs))
    raw: list[Mention] = []
    if dask:
        from extract.dask_backend import extract_papers_dask

        batches = extract_papers_dask(papers, address=dask, lexicon_paths=lexicons,
                                      pipeline_dir=pipeline, progress=progress)
    else:
        batches = extract_papers(papers, lexicon_paths=lexicons, pipeline_dir=pipeline,
                                 workers=workers or auto_workers(len(papers)), progress=progress)
    for ms in batches:
        raw.extend(ms)
    options = {"lexicons": [str(x) for x in lexicons], **_link_options(top_k, max_df, min_weight)}
    if pipeline is not None:  # kg add must extract new papers with the same pipeline
        options["pipeline"] = str(Path(pipeline).resolve())
    info = BuildInfo(__version__, started, _now(), tuple(str(i) for i in inputs), base_iri)
    graph: KnowledgeGraph = assemble(papers, raw, info=info, lexicons=lexicons, options=options)
    return graph


def _link_options(top_k: int | None, max_df: int | None, min_weight: float | None) -> dict[str, Any]:
    from kg import graph as kgraph

    return {
        "top_k": kgraph.DEFAULT_TOP_K if top_k is None else top_k,
        "max_df": kgraph.DEFAULT_MAX_DF if max_df is None else max_df,
        "min_weight": kgraph.DEFAULT_MIN_WEIGHT if min_weight is None else min_weight,
    }


def load(out: str | Path) -> KnowledgeGraph:
    """Open a graph saved by ``kg build`` / :meth:`KnowledgeGraph.save`.

    Opening reads only the manifest. Questions about one paper (:meth:`~KnowledgeGraph.paper`,
    :meth:`~KnowledgeGraph.related`, :meth:`~KnowledgeGraph.mentions_of`,
    :meth:`~KnowledgeGraph.entities_of`), about entities and the summary read just the
    lines they need (:mod:`kg.saved`); the first use of :attr:`~KnowledgeGraph.data`, the
    NetworkX view, an export or SPARQL loads every record. If ``out`` is replaced meanwhile
    (``kg add``), reading from it raises :class:`~kg.errors.OutputError`: load it again.
    """
    from kg.saved import SavedGraph

    saved = SavedGraph(out)
    return KnowledgeGraph(None, options=saved.manifest.get("options", {}), saved=saved)


class KnowledgeGraph:
    """A built knowledge graph: the records (:attr:`data`) plus a NetworkX view (:attr:`nx`)."""

    def __init__(self, data: GraphData | None, *, options: dict[str, Any] | None = None,
                 raw_mentions: Sequence[Mention] | None = None,
                 link_ends: Sequence[int] | None = None, saved: SavedGraph | None = None) -> None:
        if data is None and saved is None:
            raise ValueError("KnowledgeGraph needs data or a saved graph to read it from")
        self._saved = saved
        if data is not None:
            self.__dict__["data"] = data
        if saved is None or raw_mentions is not None:
            # pre-resolution mentions per paper, kept so updates need not re-extract
            self.__dict__["raw_mentions"] = list(raw_mentions) if raw_mentions is not None else None
        self.options = dict(options or {})
        # which end of each link keeps it, kept so updates re-rank only affected papers
        self.link_ends = list(link_ends) if link_ends is not None else None

    @cached_property
    def data(self) -> GraphData:
        """Every record (loaded from the saved directory on first use)."""
        from kg.store import read_records

        assert self._saved is not None
        self._saved.check_unchanged()
        return read_records(self._saved.out)[0]

    @cached_property
    def raw_mentions(self) -> list[Mention] | None:
        """The pre-resolution mentions (None when the graph has none)."""
        from kg.store import read_raw_mentions

        assert self._saved is not None
        self._saved.check_unchanged()
        return read_raw_mentions(self._saved.out)

    @property
    def _lazy(self) -> SavedGraph | None:
        """The saved graph to read lines from, while the records are not loaded."""
        return self._saved if "data" not in self.__dict__ else None

    @property
    def info(self) -> BuildInfo:
        """When, by which version and from which inputs the graph was built."""
        return self._lazy.info if self._lazy is not None else self.data.info

    @cached_property
    def _papers(self) -> dict[str, Paper]:
        return {p.id: p for p in self.data.papers}

    @cached_property
    def _entity_records(self) -> tuple[Entity, ...]:
        return self._lazy.entities if self._lazy is not None else self.data.entities

    @cached_property
    def _entities(self) -> dict[str, Entity]:
        return {e.id: e for e in self._entity_records}

    def __repr__(self) -> str:
        s = self.summary()
        return f"<KnowledgeGraph {s['papers']} papers, {s['entities']} entities, {s['links']} links>"

    # -- lookup ---------------------------------------------------------------------------
    @cached_property
    def nx(self) -> nx.Graph:
        """The graph as NetworkX (see :func:`kg.graph.to_networkx`)."""
        from kg.graph import to_networkx

        return to_networkx(self.data)

    @cached_property
    def _names(self) -> dict[str, set[str]]:
        from extract.normalize import entity_key

        index: dict[str, set[str]] = {}
        for e in self._entity_records:
            for name in (e.id, e.label, *e.aliases):
                for k in {name.casefold(), entity_key(name)}:
                    index.setdefault(k, set()).add(e.id)
        return index

    def papers(self) -> list[Paper]:
        """All papers, sorted by id."""
        return list(self._paper_list())

    def paper(self, ref: str | Paper) -> Paper:
        """A paper by id (``arxiv:2410.17243``), bare arXiv id, DOI or exact title."""
        if isinstance(ref, Paper):
            return ref
        saved = self._lazy
        for key in (ref, f"arxiv:{ref}", f"doi:{ref.lower()}"):
            found = (saved.paper(key) if saved is not None and "_papers" not in self.__dict__
                     else self._papers.get(key))
            if found is not None:
                return found
        folded = ref.casefold().strip()
        for p in self._paper_list():
            if p.title.casefold() == folded:
                return p
        raise NotFoundError(f"no paper {ref!r} in the graph")

    def _paper_list(self) -> Sequence[Paper]:
        """All papers: the loaded records, or only the papers read from the saved graph."""
        if self._lazy is None:
            return self.data.papers
        if "_papers" not in self.__dict__:
            from kg.store import read_records

            self._lazy.check_unchanged()
            papers = read_records(self._lazy.out, papers_only=True)[0].papers
            self.__dict__["_papers"] = {p.id: p for p in papers}
        return list(self._papers.values())

    def entities(self, type: str | None = None) -> list[Entity]:
        """All entities (of one type), sorted by id."""
        return [e for e in self._entity_records if type is None or e.type == type]

    def entity(self, name: str) -> Entity:
        """An entity by id, label or alias (case-, hyphen- and plural-insensitive)."""
        if name in self._entities:
            return self._entities[name]
        ids = self.find_entities(name)
        if not ids:
            raise NotFoundError(f"no entity named {name!r} in the graph")
        return max(ids, key=lambda e: (e.paper_count, e.id))

    def find_entities(self, name: str) -> list[Entity]:
        """All entities whose id, label or an alias matches ``name``."""
        from extract.normalize import entity_key

        ids = self._names.get(name.casefold(), set()) | self._names.get(entity_key(name), set())
        return [self._entities[i] for i in sorted(ids)]

    def papers_mentioning(self, name: str) -> list[Paper]:
        """Papers mentioning the entity called ``name`` (alias-aware)."""
        ids = {e.id for e in self.find_entities(name)}
        if not ids:
            raise NotFoundError(f"no entity named {name!r} in the graph")
        saved = self._lazy
        if saved is None:
            pids = sorted({m.paper_id for m in self.data.mentions if m.entity in ids})
            return [self._papers[p] for p in pids]
        pids = sorted({m.paper_id for m in saved.mentions_of_entities(ids)})
        found = saved.papers(pids)
        return [found[p] for p in pids]

    def entities_of(self, paper: str | Paper) -> list[Entity]:
        """Entities a paper mentions."""
        pid = self.paper(paper).id
        if self._lazy is not None:
            return [self._entities[n] for n in sorted({m.entity for m in self._lazy.mentions_of(pid)})
                    if n in self._entities]
        return [self._entities[n] for n in sorted(self.nx[pid]) if n in self._entities]

    def mentions_of(self, paper: str | Paper) -> list[Mention]:
        """The mentions (with offsets and evidence spans) of one paper."""
        pid = self.paper(paper).id
        if self._lazy is not None:
            return self._lazy.mentions_of(pid)
        return [m for m in self.data.mentions if m.paper_id == pid]

    # -- analytics -------------------------------------------------------------------------
    def related(self, paper: str | Paper, k: int = 10) -> list[dict[str, Any]]:
        """Most strongly linked papers: ``{"paper", "weight", "shared"}`` dicts."""
        from kg.analytics import related, related_from_links

        pid = self.paper(paper).id
        if self._lazy is not None:
            return related_from_links(pid, self._lazy.links_of(pid), k=k)
        return related(self.nx, pid, k=k)

    def shared(self, a: str | Paper, b: str | Paper) -> list[Entity]:
        """Entities both papers mention."""
        ea = {e.id for e in self.entities_of(a)}
        return [e for e in self.entities_of(b) if e.id in ea]

    def path(self, a: str, b: str) -> list[str]:
        """Shortest path of node ids between two papers or entities (ids, titles or names)."""
        from kg.analytics import path

        return path(self.nx, self._node(a), self._node(b))

    def _node(self, ref: str) -> str:
        try:
            return self.paper(ref).id
        except NotFoundError:
            return self.entity(ref).id

    def communities(self) -> list[list[str]]:
        """Communities (lists of node ids), largest first, as stored at build time."""
        groups: dict[int, list[str]] = {}
        stored = self._lazy.communities if self._lazy is not None else self.data.communities
        for node, c in sorted(stored.items()):
            groups.setdefault(c, []).append(node)
        return [groups[c] for c in sorted(groups)]

    def top_entities(self, type: str | None = None, k: int = 10,
                     measure: str = "papers") -> list[dict[str, Any]]:
        """The ``k`` most central entities (by paper count, or ``measure="pagerank"``)."""
        from kg.analytics import central_entities, entities_by_papers

        if measure == "papers" and self._lazy is not None:
            return entities_by_papers(self._entity_records, type=type, k=k)
        return central_entities(self.nx, type=type, k=k, measure=measure)

    def links(self) -> list[Link]:
        return list(self.data.links)

    def with_communities(self, seed: int = 42) -> KnowledgeGraph:
        """A copy whose data carries seeded, reproducible communities."""
        from dataclasses import replace

        from kg.analytics import data_community_index

        data = replace(self.data, communities=data_community_index(self.data, seed=seed))
        return KnowledgeGraph(data, options=self.options, raw_mentions=self.raw_mentions,
                              link_ends=self.link_ends)

    # -- RDF, SPARQL, exports --------------------------------------------------------------
    def rdf(self) -> rdflib.Graph:
        """The graph as an rdflib Graph (vocabulary in README)."""
        from exports.rdf import to_rdflib

        return to_rdflib(self.data, base_iri=self.data.info.base_iri)

    def sparql(self, query: str, **bindings: str) -> QueryResult:
        """Run a SPARQL query (text or the name of a shipped query); ``bindings`` are bound
        as literals, never pasted into the query."""
        from kg.sparql import load_query, run_query

        return run_query(self.rdf(), load_query(query), bindings=bindings or None)

    def export(self, format: str, path: str | Path, **options: Any) -> Path:
        """Write one export (``turtle``, ``n-triples``, ``json-ld``, ``rdf-xml``, ``html``)."""
        from exports import export

        if format != "html":
            options.setdefault("base_iri", self.data.info.base_iri)
        return export(self.data, format, path, **options)

    def save(self, out: str | Path, *, formats: Iterable[str] = ("turtle", "html"),
             before_swap: Callable[[], None] | None = None) -> Path:
        """Save records and exports to ``out``, atomically (see :mod:`kg.store`);
        ``before_swap`` is called once everything is written, just before the new directory
        replaces ``out``."""
        from exports import export, get
        from exports.chunks import RunDigests, index_path
        from kg.bulk import gc_paused
        from kg.store import output_directory, write_raw_mentions, write_records

        # unchanged runs (papers, entities, links) are copied from the previous files (kg
        # add, rebuilds); their digests are computed once for the records and the RDF
        digests = RunDigests(self.data)
        previous = Path(out)
        # millions of short-lived rows and indexes: no collection passes over the graph
        with output_directory(out) as tmp, gc_paused():
            write_records(self.data, tmp, options=self.options, reuse=previous, digests=digests)
            if self.raw_mentions is not None:
                write_raw_mentions(tmp, self.raw_mentions)
            self._write_link_state(tmp)
            for fmt in formats:
                spec = get(fmt)
                target = tmp / f"graph{spec.suffix}"
                opts: dict[str, Any] = {} if fmt == "html" else {"base_iri": self.data.info.base_iri}
                if spec.incremental:
                    opts.update(index=index_path(target), reuse=previous / target.name,
                                digests=digests)
                export(self.data, fmt, target, **opts)
            if before_swap is not None:
                before_swap()
        return Path(out)

    def _write_link_state(self, directory: Path) -> None:
        """Save what the next update re-links from (see :mod:`kg.relink`), when known."""
        from kg.graph import paper_entities
        from kg.relink import LinkState, link_options, write_state

        if self.link_ends is None or len(self.link_ends) != len(self.data.links):
            return
        try:
            opts = link_options(self.options["top_k"], self.options["max_df"],
                                self.options["min_weight"])
        except KeyError:
            return
        entities_of: dict[str, frozenset[str]] = {p.id: frozenset() for p in self.data.papers}
        entities_of.update((p, frozenset(es)) for p, es in paper_entities(self.data.mentions).items())
        write_state(directory, LinkState(entities_of, self.data.links, self.link_ends, opts))

    def add(self, out: str | Path, inputs: Sequence[str | Path], **options: Any) -> KnowledgeGraph:
        """Add papers to the graph saved in ``out`` (see :func:`kg.update.add_papers`)."""
        from kg.update import add_papers

        graph: KnowledgeGraph = add_papers(out, inputs, **options)[0]
        return graph

    def summary(self) -> dict[str, Any]:
        """Counts for the closing summary and ``kg info``."""
        found = self._lazy.summary() if self._lazy is not None else None
        if found is not None:
            return found
        by_type = {t: 0 for t in ENTITY_TYPES}
        for e in self.data.entities:
            by_type[e.type] += 1
        return {"papers": len(self.data.papers), "entities": len(self.data.entities),
                "entities_by_type": by_type, "mentions": len(self.data.mentions),
                "links": len(self.data.links),
                "communities": len(set(self.data.communities.values()))}
